"""The live side of the SLA engine: picks the contract on escalation and shows a ticket's clocks.

It runs the same pure `compute_sla` and `compute_first_line` as `helpdesk sla replay`, over the
ticket's stored events and the same office files (adapters/files/office_calendar.py), so the live
figures and the auditor's replay cannot disagree.

The contract of an escalation is the most specific one covering the ticket that day: one naming
the ticket's office and component before one naming the component only (then by id).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Protocol

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.contracts import Contract
from helpdesk.domain.errors import Conflict
from helpdesk.domain.office_terms import FIRST_LINE_METRICS, OfficeBook
from helpdesk.domain.sla import (
    ClockEvent,
    FirstLine,
    NextTarget,
    TicketSla,
    compute_first_line,
    compute_sla,
    contractual_due,
    due_notices,
    next_deadline,
    recorded_notices,
)
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority


def clock_events(records: Sequence[Mapping[str, Any]]) -> list[ClockEvent]:
    """The clock-relevant view of stored event records."""
    return [
        ClockEvent(
            at=datetime.fromisoformat(r["at"]),
            seq=int(r["seq"]),
            type=str(r["type"]),
            contract=r.get("contract"),
            priority=r.get("priority"),
            office=r.get("office"),
        )
        for r in records
    ]


class OfficeTermsSource(Protocol):
    """Where the office calendars and first-line targets are read from (the SLA directory)."""

    def book(self) -> OfficeBook:
        """The current office terms (re-read when their files change)."""
        ...


class SlaSettings(Protocol):
    """What the live SLA engine needs to know of the settings."""

    @property
    def tz(self) -> tzinfo:
        """The time zone people see times in."""
        ...

    @property
    def sla_warn_share(self) -> float:
        """The share of a clock's target at which it is warned."""
        ...

    @property
    def first_line_target_min(self) -> int:
        """The first line's target for taking a ticket, in office working minutes."""
        ...


class LiveSla:
    """Implements services.tickets.SlaPolicy over the loaded contracts."""

    def __init__(
        self,
        contracts: Mapping[str, Contract],
        settings: SlaSettings,
        office_calendar: BusinessCalendar | None = None,
        offices: OfficeTermsSource | None = None,
    ) -> None:
        self.contracts = dict(contracts)
        self.warn_share = float(settings.sla_warn_share)
        self.tz = settings.tz
        self.first_line_seconds = int(settings.first_line_target_min) * 60
        self.office_calendar = office_calendar
        self.offices = offices

    def book(self) -> OfficeBook | None:
        """The office terms now (None when the server has no office files at all)."""
        return self.offices.book() if self.offices is not None else None

    def choose_contract(
        self, component: str | None, priority: str, at: datetime, office: str | None = None
    ) -> tuple[str, str]:
        """(contract id, contractor) covering `component` (and `office`) on `at`'s date, the most
        specific first; Conflict if none does."""
        day = at.astimezone(self.tz).date()
        fitting = [
            (c.in_force(day).specificity(component, office), c)
            for c in sorted(self.contracts.values(), key=lambda c: c.id)
            if c.covers(day)
        ]
        matching = [c for rank, c in sorted(fitting, key=lambda x: -x[0]) if rank > 0]
        if not matching:
            raise Conflict(f"żadna umowa serwisowa nie obejmuje komponentu {component} w dniu {day}")
        for contract in matching:
            if priority in contract.in_force(day).priorities:
                return contract.id, contract.contractor
        label = PRIORITY_LABELS_PL.get(Priority(priority), priority)
        raise Conflict(f"umowa '{matching[0].id}' nie przewiduje priorytetu '{priority}' ({label})")

    def check_priority(self, contract: str, priority: str) -> None:
        """Conflict if `contract` has no terms for `priority`."""
        found = self.contracts.get(contract)
        versions = [found, *found.amendments] if found is not None else []
        if not any(priority in version.priorities for version in versions):
            raise Conflict(f"umowa '{contract}' nie przewiduje priorytetu '{priority}'")

    def compute(self, records: Sequence[Mapping[str, Any]], now: datetime) -> TicketSla | None:
        """The ticket's SLA at `now` (None if never escalated)."""
        return compute_sla(clock_events(records), self.contracts, now, self.book())

    def first_line(self, records: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, Any] | None:
        """The first line's clocks as the API shows them (None without office terms)."""
        found = self._first_line_at(records, now)
        if found is None:
            return None
        shown = found.to_json()
        for name in FIRST_LINE_METRICS:
            shown["metrics"][name]["due_at"] = self._time(_first_line_due(found, name, now))
        return shown

    def first_line_next(self, records: Sequence[Mapping[str, Any]], now: datetime) -> NextTarget | None:
        """The leaders' next running target: the first one already passed, else the one due
        soonest (None when none runs or the office has no targets). A ticket waiting for its
        official does not count: ask only about one being worked on."""
        found = self._first_line_at(records, now)
        if found is None:
            return None
        soonest: NextTarget | None = None
        for name in FIRST_LINE_METRICS:
            metric = found.metrics[name]
            if not metric.running or metric.target is None:
                continue
            due = _first_line_due(found, name, now)
            if due is None:
                return NextTarget(name, None, True)  # running past its target
            if soonest is None or (soonest.due is not None and due < soonest.due):
                soonest = NextTarget(name, due, False)
        return soonest

    def _first_line_at(self, records: Sequence[Mapping[str, Any]], now: datetime) -> FirstLine | None:
        """The first line's clocks of a ticket's stored events at `now` (None without office terms)."""
        events = sorted(clock_events(records), key=lambda e: (e.at, e.seq))
        timed = [(e.at.timestamp(), e.seq, e) for e in events]
        return compute_first_line(timed, self.book(), now.timestamp())

    def clocks(self, records: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, Any] | None:
        """The live clocks as the API shows them: the replay's fields plus due and warning times."""
        sla = self.compute(records, now)
        if sla is None:
            return None
        metrics: dict[str, Any] = {}
        for name, metric in sla.metrics.items():
            shown = metric.to_json()
            shown["due_at"] = self._time(metric.due_at)
            shown["warn_at"] = self._time(metric.warn_at(self.warn_share))
            shown["paused"] = metric.paused
            shown["penalty_pln"] = round(metric.penalty_pln, 2)
            metrics[name] = shown
        out = sla.to_json("")
        out.pop("ticket")
        out["metrics"] = metrics
        out["escalated_at"] = self._time(sla.escalated_at)
        out["calendar"] = sla.calendar
        return out

    def next_deadline(self, records: Sequence[Mapping[str, Any]], now: datetime) -> datetime | None:
        """The next instant the sweep must look at the ticket: `now` while a warning or breach is
        owed and not yet recorded (a raised priority can pass a target at the minute it is
        raised, with no deadline ahead), else the next warning or breach of the running clocks."""
        sla = self.compute(records, now)
        if due_notices(sla, self.warn_share, recorded_notices(records)):
            return now
        return next_deadline(sla, self.warn_share)

    def contractual_due(self, records: Sequence[Mapping[str, Any]], now: datetime) -> datetime | None:
        """When the ticket's first running contractor clock breaches (domain/sla.py contractual_due)."""
        return contractual_due(self.compute(records, now))

    def first_line_due(self, office: str, at: datetime, priority: str | None = None) -> datetime | None:
        """When a ticket nobody took must go to the other leaders: the office's `take` target for
        the priority in the office's calendar, else HELPDESK_FIRST_LINE_TARGET_MIN (0: never)."""
        book = self.book()
        terms = book.terms_for(office) if book is not None else None
        calendar = terms.calendar if terms is not None else self.office_calendar
        target = terms.first_line.get(priority or "", {}).get("take") if terms is not None else None
        seconds = target if target is not None else self.first_line_seconds
        if calendar is None or seconds <= 0:
            return None
        return calendar.add_working_seconds(at, seconds)

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else None


def _first_line_due(found: FirstLine, name: str, now: datetime) -> datetime | None:
    """When a running first-line clock reaches its target (None: not running, no target, or past it)."""
    metric = found.metrics[name]
    if not metric.running or metric.target is None or metric.elapsed > metric.target:
        return None
    return found.calendar.add_working_seconds(now, metric.target - metric.elapsed)
