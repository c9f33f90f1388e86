"""The one SLA clock function, shared by the live system and `helpdesk sla replay`.

Given the events of one ticket, the contracts and `as_of`, `compute_sla` returns the three
contractor clocks (reaction, workaround, fix): elapsed working time, target, state, due time and
penalties. It folds the events in (at, seq) order; between two consecutive events it adds the
working time of the current priority's calendar to every running clock, unless the ticket waits
for the office (between `paused` and the next `resumed`). Calendar queries are O(log n), so a
ticket costs a handful of bisects whatever the span.

Where the contract rules are silent: a `paused` before the escalation still holds until its
`resumed` (the rule is "not between paused and the next resumed"); `priority_changed` before the
escalation is overridden by the escalation's priority; `reopened` restarts only `fix`; a clock
that is paused has no due time (it cannot breach while paused).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.contracts import METRICS, Contract, PriorityTerms
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.events import (
    ACKNOWLEDGED,
    ASSIGNED,
    CREATED,
    ESCALATED,
    PAUSED,
    PRIORITY_CHANGED,
    REOPENED,
    REPLIED,
    RESOLVED,
    RESUMED,
    SLA_BREACHED,
    SLA_WARNING,
    WORKAROUND,
)
from helpdesk.domain.office_terms import OfficeBook

MET, BREACHED, RUNNING = "met", "breached", "running"
_new_tuple = tuple.__new__


class ClockEvent(NamedTuple):
    """The part of a ticket event the clocks read; `line` (0: unknown) is for error messages.

    `office` is read from `created` and `escalated` events (the office calendar and first-line
    targets). A NamedTuple rather than a frozen dataclass: a replay builds hundreds of thousands
    of them, and a frozen dataclass costs three times as much to construct.
    """

    at: datetime
    seq: int
    type: str
    contract: str | None = None
    priority: str | None = None
    line: int = 0
    office: str | None = None


class Metric(NamedTuple):
    """One clock at `as_of`: working seconds elapsed against the target, and what follows."""

    name: str
    elapsed: float
    target: int
    state: str
    running: bool  # counting (or would count, if not paused) at as_of
    paused: bool
    due_at: datetime | None  # the instant it breaches if it keeps running; None otherwise
    penalty_pln: float
    calendar: BusinessCalendar
    as_of: datetime
    breached_at: float | None = None  # POSIX seconds when elapsed reached the target (breached only)

    def warn_at(self, share: float) -> datetime | None:
        """The future instant when elapsed reaches `share` of the target; None if past or stopped."""
        if not self.running or self.paused:
            return None
        remaining = share * self.target - self.elapsed
        if remaining <= 0:
            return None
        return self.calendar.add_working_seconds(self.as_of, remaining)

    def to_json(self) -> dict[str, Any]:
        """The metric object of a replay line (`limit_min`, `used_min`, `status`, …)."""
        return {
            "elapsed_min": minutes(self.elapsed),
            "target_min": minutes(self.target),
            "state": self.state,
        }


class TicketSla(NamedTuple):
    """A ticket's contractor clocks at `as_of`; empty metrics when out of contract.

    `version` is the contract text the ticket is measured under (the contract id, or the id of
    the annex in force at the first escalation, or the successor's when it took the ticket over).
    A NamedTuple rather than a frozen dataclass, as ClockEvent: one per ticket of a replay, and a
    frozen dataclass of twelve fields costs seven times as much to build.
    """

    contract: str
    priority: str
    out_of_contract: bool
    metrics: Mapping[str, Metric]
    penalty_pln: float
    escalated_at: datetime
    as_of: datetime
    version: str = ""
    office: str | None = None
    handed_over_from: str | None = None
    calendar: str = ""
    waited: float = 0.0  # working seconds paused after the escalation (waiting for the office)

    def to_json(self, ticket_id: str) -> dict[str, Any]:
        """Exactly the replay's output object for this ticket."""
        metrics = {
            name: {"elapsed_min": minutes(m.elapsed), "target_min": minutes(m.target), "state": m.state}
            for name, m in self.metrics.items()
        }
        penalty = self.penalty_pln
        out = {
            "ticket": ticket_id,
            "contract": self.contract,
            "contract_version": self.version or self.contract,
            "priority": self.priority,
            "out_of_contract": self.out_of_contract,
            "metrics": metrics,
            "penalty_pln": int(penalty) if penalty == int(penalty) else round(penalty, 2),
        }
        if self.handed_over_from:
            out["handed_over_from"] = self.handed_over_from
        return out


def minutes(seconds: float) -> float:
    """Seconds as minutes to two decimal places: exactly `round(seconds / 60, 2)`, four times faster
    for whole seconds (a replay writes twelve of them per ticket)."""
    # For whole seconds s, s/60 to two places is k/100 with k = 5s/3 rounded to the nearest integer.
    # 5s/3 leaves a remainder of 0, 1/3 or 2/3, never a tie, so k = (5s + 1) // 3; and k / 100 is
    # the float nearest to the decimal k/100, which is what round() returns. Below 1e12 s the
    # float s/60 that round() starts from is close enough to the exact quotient for that to hold.
    if 0 <= seconds < 1e12 and (type(seconds) is int or seconds.is_integer()):
        return ((5 * int(seconds) + 1) // 3) / 100
    return round(seconds / 60, 2)


def money(value: float) -> int | float:
    """An amount as JSON shows it: an int when whole, else rounded to grosze."""
    if value == int(value):
        return int(value)
    return round(value, 2)


def _where(event: ClockEvent) -> str:
    if event.line:
        return f"linia {event.line}: "
    return f"zdarzenie {event.type} ({event.at.isoformat()}): "


def _terms(contract: Contract, priority: str | None, event: ClockEvent) -> PriorityTerms:
    if not priority:
        raise InvalidInput(f"{_where(event)}brak priorytetu")
    terms = contract.priorities.get(priority)
    if terms is None:
        raise InvalidInput(f"{_where(event)}nieznany priorytet '{priority}' w umowie '{contract.id}'")
    return terms


def _calendar(terms: PriorityTerms, offices: OfficeBook | None, office: str | None) -> BusinessCalendar:
    """The calendar a priority's clocks count in: the office's own, when the contract says so."""
    if terms.office_calendar and offices is not None:
        own = offices.own(office)
        if own is not None:
            return own.calendar
    return terms.calendar


def successor_of(contracts: Mapping[str, Contract], contract: Contract) -> Contract | None:
    """The contract that says it takes over `contract`'s open tickets (the first by id), or None."""
    # A plain loop, not a list and min(): the replay asks this for every ticket.
    best: Contract | None = None
    for c in contracts.values():
        if (
            c.takes_over
            and contract.id in c.takes_over
            and c.id != contract.id
            and (best is None or c.id < best.id)
        ):
            best = c
    return best


def compute_sla(
    events: Iterable[ClockEvent],
    contracts: Mapping[str, Contract],
    as_of: datetime,
    offices: OfficeBook | None = None,
) -> TicketSla | None:
    """The ticket's SLA at `as_of`, or None when it was never escalated by then."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    as_of_ts = as_of.timestamp()
    timed = sorted(((e.at.timestamp(), e.seq, e) for e in events), key=lambda x: (x[0], x[1]))
    return compute_sla_ts(timed, contracts, as_of, as_of_ts, offices)


HANDOVER = "handover"
"""A moment, not an event of the log: the successor contract takes the open ticket over."""


def _handover(
    contracts: Mapping[str, Contract], contract: Contract, calendar: BusinessCalendar, as_of_ts: float
) -> tuple[float, Contract] | None:
    """(instant, successor version) when the contract ends before `as_of` and a successor takes over."""
    successor = successor_of(contracts, contract)
    if successor is None:
        return None
    end_day = contract.period_end + timedelta(days=1)
    at = datetime.combine(end_day, time(0), tzinfo=calendar.tz)
    if at.timestamp() > as_of_ts or not successor.covers(end_day):
        return None
    return at.timestamp(), successor.in_force(end_day)


def compute_sla_ts(
    timed: list[tuple[float, int, ClockEvent]],
    contracts: Mapping[str, Contract],
    as_of: datetime,
    as_of_ts: float,
    offices: OfficeBook | None = None,
) -> TicketSla | None:
    """`compute_sla` on events already paired with POSIX seconds and sorted by (at, seq)."""
    paused = False
    started = -1
    for index, (ts, _seq, event) in enumerate(timed):
        if ts > as_of_ts:
            return None
        if event.type == ESCALATED:
            started = index
            break
        if event.type == PAUSED:
            paused = True
        elif event.type == RESUMED:
            paused = False
    if started < 0:
        return None

    first_ts, _, first = timed[started]
    base = contracts.get(first.contract or "")
    if base is None:
        raise InvalidInput(f"{_where(first)}nieznana umowa '{first.contract}'")
    priority = first.priority or ""
    office = first.office
    terms = _terms(base, priority, first)
    day = first.at.astimezone(terms.calendar.tz).date()
    if not base.covers(day):
        # No clocks, but the reported priority is still the ticket's latest one.
        for ts, _seq, event in timed[started + 1 :]:
            if ts > as_of_ts:
                break
            if event.type == PRIORITY_CHANGED:
                _terms(base, event.priority, event)
                priority = event.priority or priority
        return TicketSla(base.id, priority, True, {}, 0, first.at, as_of, base.version, office)

    # The version (original text or annex) in force on the day of the first escalation.
    contract = base.in_force(day)
    terms = _terms(contract, priority, first)
    calendar = _calendar(terms, offices, office)
    targets = terms.targets
    t_reaction, t_workaround, t_fix = targets["reaction"], targets["workaround"], targets["fix"]
    handed_from: str | None = None
    handover = _handover(contracts, base, calendar, as_of_ts)
    if handover is not None:
        # Insert the successor's moment among the events; it acts only if the ticket is still open.
        moment = ClockEvent(
            datetime.fromtimestamp(handover[0], calendar.tz), -1, HANDOVER, handover[1].id, None
        )
        timed = [*timed, (handover[0], -1, moment)]
        timed.sort(key=_at_seq)
    # Three plain flags and sums rather than lists: this loop runs for every event of a replay.
    # acknowledged stops reaction; workaround stops reaction and workaround; resolved stops all;
    # reopened restarts fix only (the contract rules name only fix). A clock that passes its target keeps
    # the instant it did (b_*): the total cap takes penalties in the order breaches happened.
    reaction = workaround = fix = True
    e_reaction = e_workaround = e_fix = waited = 0.0
    b_reaction: float | None = None
    b_workaround: float | None = None
    b_fix: float | None = None
    last = first_ts
    relevant = _RELEVANT
    for index in range(started + 1, len(timed)):
        ts, _seq, event = timed[index]
        if ts > as_of_ts:
            break
        kind = event.type
        if kind not in relevant:
            continue
        if paused:
            if ts > last and (reaction or workaround or fix):
                waited += calendar.working_seconds_ts(last, ts)
        elif ts > last and (reaction or workaround or fix):
            worked = calendar.working_seconds_ts(last, ts)
            if reaction:
                e_reaction += worked
                if b_reaction is None and e_reaction > t_reaction:
                    b_reaction = calendar.add_working_seconds_ts(last, t_reaction - e_reaction + worked)
            if workaround:
                e_workaround += worked
                if b_workaround is None and e_workaround > t_workaround:
                    b_workaround = calendar.add_working_seconds_ts(last, t_workaround - e_workaround + worked)
            if fix:
                e_fix += worked
                if b_fix is None and e_fix > t_fix:
                    b_fix = calendar.add_working_seconds_ts(last, t_fix - e_fix + worked)
        last = ts
        if kind == ACKNOWLEDGED:
            reaction = False
        elif kind == WORKAROUND:
            reaction = workaround = False
        elif kind == RESOLVED:
            reaction = workaround = fix = False
        elif kind == REOPENED:
            fix = True
        elif kind == PAUSED:
            paused = True
        elif kind == RESUMED:
            paused = False
        else:
            if kind == HANDOVER:
                if not (reaction or workaround or fix):
                    continue  # resolved by the end of the contract: it stays with its contractor
                # The successor's text in force on the day it takes over (its annex, if one is
                # effective by then): the moment is that day's midnight in the clock's zone.
                successor = contracts[event.contract or ""].in_force(event.at.date())
                handed_from = contract.id
                contract = successor
                terms = _terms(contract, priority, event)
            else:  # PRIORITY_CHANGED
                terms = _terms(contract, event.priority, event)
                priority = event.priority or priority
            calendar = _calendar(terms, offices, office)
            targets = terms.targets
            t_reaction, t_workaround, t_fix = targets["reaction"], targets["workaround"], targets["fix"]
            # New targets: a clock already past its new target breached at this moment.
            b_reaction = (b_reaction or ts) if e_reaction > t_reaction else None
            b_workaround = (b_workaround or ts) if e_workaround > t_workaround else None
            b_fix = (b_fix or ts) if e_fix > t_fix else None
    if paused:
        if as_of_ts > last and (reaction or workaround or fix):
            waited += calendar.working_seconds_ts(last, as_of_ts)
    elif as_of_ts > last and (reaction or workaround or fix):
        worked = calendar.working_seconds_ts(last, as_of_ts)
        if reaction:
            e_reaction += worked
            if b_reaction is None and e_reaction > t_reaction:
                b_reaction = calendar.add_working_seconds_ts(last, t_reaction - e_reaction + worked)
        if workaround:
            e_workaround += worked
            if b_workaround is None and e_workaround > t_workaround:
                b_workaround = calendar.add_working_seconds_ts(last, t_workaround - e_workaround + worked)
        if fix:
            e_fix += worked
            if b_fix is None and e_fix > t_fix:
                b_fix = calendar.add_working_seconds_ts(last, t_fix - e_fix + worked)
    elapsed = (e_reaction, e_workaround, e_fix)
    running = (reaction, workaround, fix)
    breached_at = (b_reaction, b_workaround, b_fix)

    metrics: dict[str, Metric] = {}
    total = 0.0
    for i, name in enumerate(METRICS):
        target = terms.targets[name]
        spent = elapsed[i]
        late = spent > target
        state = BREACHED if late else (RUNNING if running[i] else MET)
        due_at = None
        if running[i] and not paused and not late:
            due_at = calendar.add_working_seconds(as_of, target - spent)
        rule = terms.penalties.get(name)
        penalty = rule.amount(spent - target) if rule is not None and late else 0
        total += penalty
        # tuple.__new__ skips the NamedTuple's Python-level __new__: three per ticket of a replay.
        metrics[name] = _new_tuple(
            Metric,
            (
                name,
                spent,
                target,
                state,
                running[i],
                paused,
                due_at,
                penalty,
                calendar,
                as_of,
                breached_at[i] if late else None,
            ),
        )
    return _new_tuple(
        TicketSla,
        (
            contract.id,
            priority,
            False,
            metrics,
            total,
            first.at,
            as_of,
            contract.version,
            office,
            handed_from,
            calendar.name,
            waited,
        ),
    )


def _at_seq(item: tuple[float, int, ClockEvent]) -> tuple[float, int]:
    return item[0], item[1]


_RELEVANT = frozenset(
    {ACKNOWLEDGED, WORKAROUND, RESOLVED, REOPENED, PAUSED, RESUMED, PRIORITY_CHANGED, HANDOVER}
)


def next_deadline(sla: TicketSla | None, warn_share: float) -> datetime | None:
    """The earliest future warning or breach instant among the running clocks (for the sweep)."""
    if sla is None or sla.out_of_contract:
        return None
    found: list[datetime] = []
    for metric in sla.metrics.values():
        warn = metric.warn_at(warn_share)
        if warn is not None:
            found.append(warn)
        if metric.due_at is not None and metric.due_at >= sla.as_of:
            found.append(metric.due_at)
    return min(found, default=None)


def contractual_due(sla: TicketSla | None) -> datetime | None:
    """When the first running clock breaches if it keeps running: the deadline people are shown.

    Not `next_deadline`, which may be a warning instant (or `now`, while a notice is owed): that one
    tells the sweep when to look, this one tells the agent when the contract is broken.
    """
    if sla is None or sla.out_of_contract:
        return None
    return min((m.due_at for m in sla.metrics.values() if m.due_at is not None), default=None)


def due_notices(
    sla: TicketSla | None, warn_share: float, recorded: Collection[tuple[str, str | None]]
) -> list[tuple[str, str]]:
    """The (event type, clock) pairs the sweep owes at `sla.as_of`, given those already `recorded`.

    A breach of every clock past its target not yet recorded; a warning of every running clock
    at or past `warn_share` of its target with neither a warning nor a breach recorded (once the
    target has passed, a late warning is noise). A priority change can make either due at the
    very minute it happens, with no deadline ahead to wake the sweep (SlaPolicy.next_deadline).
    """
    if sla is None or sla.out_of_contract:
        return []
    out: list[tuple[str, str]] = []
    for name, metric in sla.metrics.items():
        if metric.state == BREACHED:
            if (SLA_BREACHED, name) not in recorded:
                out.append((SLA_BREACHED, name))
        elif (
            metric.running
            and not metric.paused
            and metric.target > 0
            and metric.elapsed >= warn_share * metric.target - 1  # 1 s: float rounding
            and (SLA_WARNING, name) not in recorded
            and (SLA_BREACHED, name) not in recorded
        ):
            out.append((SLA_WARNING, name))
    return out


def recorded_notices(records: Iterable[Mapping[str, Any]]) -> set[tuple[str, str | None]]:
    """The (event type, clock) of the warnings and breaches among a ticket's stored events."""
    return {(r["type"], r.get("metric")) for r in records if r["type"] in (SLA_WARNING, SLA_BREACHED)}


# --- the first line ------------------------------------------------------------------------------
class NextTarget(NamedTuple):
    """One of the leaders' running targets: which clock, when it is due, whether it has passed."""

    metric: str
    due: datetime | None  # None once passed
    passed: bool


class FirstLineMetric(NamedTuple):
    """One of the leaders' clocks: working seconds of the office calendar against its target."""

    elapsed: float
    target: int | None  # None: the office has no target for this priority and clock
    state: str | None  # met / breached / running; None without a target
    running: bool

    def to_json(self) -> dict[str, Any]:
        """elapsed_min, target_min (null without a target) and state."""
        return {
            "elapsed_min": minutes(self.elapsed),
            "target_min": None if self.target is None else minutes(self.target),
            "state": self.state,
        }


class FirstLine(NamedTuple):
    """The first line's clocks of one ticket, from `created`, in the office's calendar.

    `take` stops at the first `assigned`, `answer` at the first `replied`, `resolve_or_escalate`
    at `resolved` or the first `escalated`; an escalation or resolution also stops the first two
    (the ticket has left the leaders). None of them counts between `paused` and `resumed`:
    that is the office's own time (`waiting`, the official's answer awaited).
    """

    office: str | None
    priority: str
    calendar: BusinessCalendar
    metrics: Mapping[str, FirstLineMetric]
    waiting: float  # working seconds paused before the escalation (waiting for the official)

    def to_json(self) -> dict[str, Any]:
        """The `first_line` object of a replay line, report row and ticket detail."""
        return {
            "office": self.office,
            "priority": self.priority,
            "calendar": self.calendar.name,
            "metrics": {
                name: {
                    "elapsed_min": minutes(metric.elapsed),
                    "target_min": None if metric.target is None else minutes(metric.target),
                    "state": metric.state,
                }
                for name, metric in self.metrics.items()
            },
            "waiting_for_official_min": minutes(self.waiting),
        }


def compute_first_line(
    timed: list[tuple[float, int, ClockEvent]], offices: OfficeBook | None, as_of_ts: float
) -> FirstLine | None:
    """The first line's clocks at `as_of_ts`, or None without a `created` event or office terms."""
    if offices is None or not timed:
        return None
    start_ts, _, created = timed[0]
    if created.type != CREATED or start_ts > as_of_ts:
        return None
    office = created.office
    priority = created.priority or ""
    if not office:  # then the escalation's office, if it names one
        for _ts, _seq, event in timed:
            if event.type == ESCALATED:
                office = event.office
                break
    terms = offices.terms_for(office)
    if terms is None:
        return None
    calendar = terms.calendar
    # Plain flags and sums, not lists: the replay runs this for every ticket (see compute_sla_ts).
    take = answer = settle = True  # settle: resolve_or_escalate
    e_take = e_answer = e_settle = waiting = 0.0
    paused = False
    last = start_ts
    for index in range(1, len(timed)):
        ts, _seq, event = timed[index]
        if ts > as_of_ts or not (take or answer or settle):
            break
        kind = event.type
        if kind not in _FIRST_LINE_READS:
            continue
        if ts > last:
            worked = calendar.working_seconds_ts(last, ts)
            if paused:
                waiting += worked
            else:
                if take:
                    e_take += worked
                if answer:
                    e_answer += worked
                if settle:
                    e_settle += worked
        last = ts
        if kind == ASSIGNED:
            take = False
        elif kind == REPLIED:
            answer = False
        elif kind in (RESOLVED, ESCALATED):
            take = answer = settle = False
            if kind == ESCALATED:
                priority = event.priority or priority
        elif kind == PAUSED:
            paused = True
        elif kind == RESUMED:
            paused = False
        else:  # PRIORITY_CHANGED
            priority = event.priority or priority
    if (take or answer or settle) and as_of_ts > last:
        worked = calendar.working_seconds_ts(last, as_of_ts)
        if paused:
            waiting += worked
        else:
            if take:
                e_take += worked
            if answer:
                e_answer += worked
            if settle:
                e_settle += worked
    targets = terms.first_line.get(priority, _NO_TARGETS)
    metrics = {
        "take": _first_metric(e_take, targets.get("take"), take),
        "answer": _first_metric(e_answer, targets.get("answer"), answer),
        "resolve_or_escalate": _first_metric(e_settle, targets.get("resolve_or_escalate"), settle),
    }
    return _new_tuple(FirstLine, (office, priority, calendar, metrics, waiting))


# What the first line's clocks read: the events that stop one of them, and those that pause
# them or change the priority.
_FIRST_LINE_READS = frozenset({ASSIGNED, REPLIED, RESOLVED, ESCALATED, PAUSED, RESUMED, PRIORITY_CHANGED})
_NO_TARGETS: Mapping[str, int] = {}


def _first_metric(elapsed: float, target: int | None, running: bool) -> FirstLineMetric:
    state = None
    if target is not None:
        state = BREACHED if elapsed > target else (RUNNING if running else MET)
    return _new_tuple(FirstLineMetric, (elapsed, target, state, running))


# --- the total cap ---------------------------------------------------------------------------------
class PenaltyEntry(NamedTuple):
    """One clock's penalty, in the order breaches happened, with what is due after the total cap."""

    ticket: str
    contract: str
    version: str
    metric: str
    breached_at: float  # POSIX seconds
    accrued: float
    due: float
    cap_period: int | None  # contract year (1, 2, …) when the cap counts per year; None otherwise
    used_before: float  # penalties due in the same cap period before this one


def contract_year(contract: Contract, day: date) -> int:
    """1 for the first contract year (from `period.start`), 2 for the next, …"""
    start = contract.period_start
    years = day.year - start.year - (1 if (day.month, day.day) < (start.month, start.day) else 0)
    return max(years, 0) + 1


def apply_penalty_caps(
    items: Iterable[tuple[str, TicketSla]], contracts: Mapping[str, Contract]
) -> list[PenaltyEntry]:
    """Every penalty of `items` in breach order (then ticket, clock), cut to the contract's total cap.

    A penalty counts towards the cap at the instant its clock passed the target; what the cap
    leaves of it is `due` (all of it without a cap). Per-year caps count per contract year of
    the breach (the calendar date in the clock's time zone).
    """
    raw: list[tuple[float, str, int, str, TicketSla, Metric]] = []
    for ticket, sla in items:
        if sla.out_of_contract:
            continue
        for index, (name, metric) in enumerate(sla.metrics.items()):
            if metric.penalty_pln > 0:
                when = metric.breached_at if metric.breached_at is not None else sla.as_of.timestamp()
                raw.append((when, ticket, index, name, sla, metric))
    raw.sort(key=_breach_order)
    used: dict[tuple[str, int | None], float] = {}
    limits: dict[str, float] = {}  # contract id -> its cap in PLN, worked out once
    out: list[PenaltyEntry] = []
    for when, ticket, _index, name, sla, metric in raw:
        contract = contracts[sla.contract]
        cap = contract.penalties_cap
        period: int | None = None
        if cap is not None and cap.per_year:
            day = datetime.fromtimestamp(when, metric.calendar.tz).date()
            period = contract_year(contract, day)
        key = (contract.id, period)
        before = used.get(key, 0.0)
        due = metric.penalty_pln
        if cap is not None:
            limit = limits.get(contract.id)
            if limit is None:
                limit = limits[contract.id] = cap.limit(contract.value_pln)
            due = max(0.0, min(due, limit - before))
        used[key] = before + due
        out.append(
            _new_tuple(
                PenaltyEntry,
                (ticket, contract.id, sla.version, name, when, metric.penalty_pln, due, period, before),
            )
        )
    return out


_breach_order = itemgetter(0, 1, 2)
