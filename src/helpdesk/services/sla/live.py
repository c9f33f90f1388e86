"""The live side of the SLA engine: picks the contract on escalation and shows a ticket's clocks.

It runs the same pure `compute_sla` as `helpdesk sla replay`, over the ticket's stored events,
so the live figures and the auditor's replay cannot disagree.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Protocol

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.contracts import Contract
from helpdesk.domain.errors import Conflict
from helpdesk.domain.sla import ClockEvent, TicketSla, compute_sla, next_deadline
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
        )
        for r in records
    ]


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
    ) -> None:
        self.contracts = dict(contracts)
        self.warn_share = float(settings.sla_warn_share)
        self.tz = settings.tz
        self.first_line_seconds = int(settings.first_line_target_min) * 60
        self.office_calendar = office_calendar

    def choose_contract(self, component: str | None, priority: str, at: datetime) -> tuple[str, str]:
        """(contract id, contractor) covering `component` on `at`'s date; Conflict if none does."""
        day = at.astimezone(self.tz).date()
        matching = [
            c
            for c in sorted(self.contracts.values(), key=lambda c: c.id)
            if component in c.components and c.covers(day)
        ]
        if not matching:
            raise Conflict(f"żadna umowa serwisowa nie obejmuje komponentu {component} w dniu {day}")
        for contract in matching:
            if priority in contract.priorities:
                return contract.id, contract.contractor
        label = PRIORITY_LABELS_PL.get(Priority(priority), priority)
        raise Conflict(f"umowa '{matching[0].id}' nie przewiduje priorytetu '{priority}' ({label})")

    def check_priority(self, contract: str, priority: str) -> None:
        """Conflict if `contract` has no terms for `priority`."""
        found = self.contracts.get(contract)
        if found is None or priority not in found.priorities:
            raise Conflict(f"umowa '{contract}' nie przewiduje priorytetu '{priority}'")

    def compute(self, records: Sequence[Mapping[str, Any]], now: datetime) -> TicketSla | None:
        """The ticket's SLA at `now` (None if never escalated)."""
        return compute_sla(clock_events(records), self.contracts, now)

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
        return out

    def next_deadline(self, records: Sequence[Mapping[str, Any]], now: datetime) -> datetime | None:
        """The next warning or breach instant of the running clocks."""
        return next_deadline(self.compute(records, now), self.warn_share)

    def first_line_due(self, office: str, at: datetime) -> datetime | None:
        """When a ticket nobody took must go to the other leaders (office working time)."""
        if self.office_calendar is None or self.first_line_seconds <= 0:
            return None
        return self.office_calendar.add_working_seconds(at, self.first_line_seconds)

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else None
