"""The auditors' SLA report (`helpdesk report sla`, `GET /api/v1/reports/sla`).

Which tickets: those whose *first* `escalated` event falls in the period — from the start of
`--from` to the end of `--to`, both dates inclusive, in Europe/Warsaw (the settings' time zone).
A ticket escalated earlier and re-escalated in the period belongs to its first period only.

Each ticket's clocks come from `domain.sla.compute_sla` — the function `helpdesk sla replay` runs —
over the ticket's own events, `as_of` = min(now, end of the period); so a replay of
`helpdesk audit export` with `--as-of` at that instant gives the same per-ticket figures. They are
aggregated per contract, component, priority (the latest one), office and month of escalation:
tickets, out-of-contract tickets, and per clock met / breached / still running, median and 90th
percentile elapsed working minutes (nearest-rank percentile over the tickets in contract), time
paused waiting for the office (working minutes of the priority's calendar between `paused` and
`resumed`, after the escalation and before `resolved`), penalties with each rule's cap applied
per ticket (and, for comparison, what they would be without the caps). Every report names the
event-log head (hash of the last event and the number of events) it was computed from.

Each ticket row names the contract version it is measured under, its first-line clocks (when
office terms exist) and the time it spent at each line: `office` (waiting for the official
before the escalation, office calendar), `leaders` (the first line's working time until it
resolved or escalated, office calendar), `contractor` (the fix clock) and `waiting_for_office`
(paused after the escalation). The first line gets its own section over the tickets *opened* in
the period, per office and per leader (who took the ticket).

Penalties and the total cap: every penalty counts at the instant its clock passed the target;
the contract's cap (`penalties_cap`) is taken in that order over the whole contract (or contract
year) — so the report reads the contract's tickets from its start — and `penalties` lists, per
month of breach within the period, what accrued and what is due after the cap.

Who sees what: coordinators, auditors and admins everything; leaders and representatives only
their office's tickets; agents only their contractor's; officials nothing (Forbidden).

This module is the use case (which tickets, their clocks, the aggregation); the files people get
(JSON, CSV, XLSX, HTML) are rendered from its result by services/sla/report_formats.py.
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from helpdesk.domain.contracts import METRICS, Contract
from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.events import ASSIGNED, ESCALATED, PAUSED, PRIORITY_CHANGED, RESOLVED, RESUMED
from helpdesk.domain.inputs import parse_date
from helpdesk.domain.office_terms import FIRST_LINE_METRICS, OfficeBook
from helpdesk.domain.offices import is_office_code, parse_component
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.sla import (
    ClockEvent,
    FirstLine,
    PenaltyEntry,
    TicketSla,
    apply_penalty_caps,
    compute_first_line,
    compute_sla_ts,
    money,
)
from helpdesk.domain.tickets import Priority, format_ticket_id, parse_priority
from helpdesk.services.audit import AuditRepo, log_citation
from helpdesk.services.ports import Database, SlaRepo, TicketRepo

DIMENSIONS = ("contract", "contract_version", "component", "priority", "office", "month")


# --- period and scope ------------------------------------------------------------------------
def parse_day(value: Any, name: str) -> date:
    """A YYYY-MM-DD date (years 1970–9998, so a period's end never overflows), or InvalidInput."""
    return parse_date(value, name)


def period_bounds(date_from: date, date_to: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the inclusive dates in `tz`; InvalidInput when `from` is after `to`."""
    if date_from > date_to:
        raise InvalidInput(f"początek okresu ({date_from}) jest późniejszy niż koniec ({date_to})")
    start = datetime.combine(date_from, time(0), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def scope_filter(person: Person | None) -> dict[str, str]:
    """The repository filter for what `person` may see in a report (None: everything, CLI)."""
    if person is None or person.role in SEE_ALL_ROLES:
        return {}
    if person.role in (Role.LEADER, Role.REPRESENTATIVE) and person.jst:
        return {"office": person.jst}
    if person.role is Role.AGENT and person.contractor:
        return {"contractor": person.contractor}
    raise Forbidden(
        "raport SLA jest dostępny dla koordynatorów, audytorów, liderów, przedstawicieli "
        "urzędów i konsultantów Wykonawcy"
    )


# --- per ticket ------------------------------------------------------------------------------
def _clock_events(records: Sequence[Mapping[str, Any]]) -> list[tuple[float, int, ClockEvent]]:
    out = []
    for r in records:
        at = datetime.fromisoformat(r["at"])
        out.append(
            (
                at.timestamp(),
                int(r["seq"]),
                ClockEvent(
                    at,
                    int(r["seq"]),
                    str(r["type"]),
                    r.get("contract"),
                    r.get("priority"),
                    0,
                    r.get("office"),
                ),
            )
        )
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def paused_seconds(
    timed: Sequence[tuple[float, int, ClockEvent]], contract: Contract, as_of_ts: float
) -> float:
    """Working seconds (priority's calendar) the ticket waited for the office after escalation."""
    started = False
    paused_since: float | None = None
    calendar = None
    total = 0.0
    for ts, _seq, event in timed:
        if ts > as_of_ts:
            break
        kind = event.type
        if not started:
            if kind == PAUSED:
                paused_since = ts
            elif kind == RESUMED:
                paused_since = None
            elif kind == ESCALATED:
                started = True
                calendar = contract.priorities[event.priority or ""].calendar
                if paused_since is not None:
                    paused_since = ts
            continue
        assert calendar is not None
        if kind == PAUSED and paused_since is None:
            paused_since = ts
        elif kind in (RESUMED, RESOLVED) and paused_since is not None:
            total += calendar.working_seconds_ts(paused_since, ts)
            paused_since = None
        elif kind == PRIORITY_CHANGED and event.priority in contract.priorities:
            if paused_since is not None:
                total += calendar.working_seconds_ts(paused_since, ts)
                paused_since = ts
            calendar = contract.priorities[event.priority or ""].calendar
    if started and paused_since is not None and calendar is not None and as_of_ts > paused_since:
        total += calendar.working_seconds_ts(paused_since, as_of_ts)
    return total


def _uncapped(sla: TicketSla, contract: Contract) -> float:
    terms = version_of(contract, sla).priorities[sla.priority]
    total = 0.0
    for name, metric in sla.metrics.items():
        rule = terms.penalties.get(name)
        if rule is not None and metric.elapsed > metric.target:
            total += math.ceil((metric.elapsed - metric.target) / rule.per) * rule.pln
    return total


def version_of(contract: Contract, sla: TicketSla) -> Contract:
    """The contract text the ticket is measured under (original or annex)."""
    for version in (contract, *contract.amendments):
        if version.version == sla.version:
            return version
    return contract


class _Group:
    __slots__ = (
        "breached",
        "elapsed",
        "met",
        "out_of_contract",
        "paused",
        "penalty",
        "running",
        "tickets",
        "uncapped",
    )

    def __init__(self) -> None:
        self.tickets = self.out_of_contract = 0
        self.met = dict.fromkeys(METRICS, 0)
        self.breached = dict.fromkeys(METRICS, 0)
        self.running = dict.fromkeys(METRICS, 0)
        self.elapsed = {m: array("d") for m in METRICS}
        self.paused = self.penalty = self.uncapped = 0.0

    def to_json(self) -> dict[str, Any]:
        metrics = {}
        for m in METRICS:
            values = sorted(self.elapsed[m])
            metrics[m] = {
                "count": len(values),
                "met": self.met[m],
                "breached": self.breached[m],
                "running": self.running[m],
                "median_min": round(statistics.median(values) / 60, 2) if values else None,
                "p90_min": round(values[math.ceil(0.9 * len(values)) - 1] / 60, 2) if values else None,
            }
        return {
            "tickets": self.tickets,
            "out_of_contract": self.out_of_contract,
            "metrics": metrics,
            "paused_min": round(self.paused / 60, 2),
            "penalty_pln": money(round(self.penalty, 2)),
            "penalty_uncapped_pln": money(round(self.uncapped, 2)),
        }


class _FirstGroup:
    """The first line's clocks over a set of tickets (per office, per leader, in total)."""

    __slots__ = ("breached", "elapsed", "met", "no_target", "running", "tickets", "waiting")

    def __init__(self) -> None:
        self.tickets = 0
        self.met = dict.fromkeys(FIRST_LINE_METRICS, 0)
        self.breached = dict.fromkeys(FIRST_LINE_METRICS, 0)
        self.running = dict.fromkeys(FIRST_LINE_METRICS, 0)
        self.no_target = dict.fromkeys(FIRST_LINE_METRICS, 0)
        self.elapsed = {m: array("d") for m in FIRST_LINE_METRICS}
        self.waiting = 0.0

    def add(self, first: FirstLine) -> None:
        self.tickets += 1
        self.waiting += first.waiting
        for name, metric in first.metrics.items():
            self.elapsed[name].append(metric.elapsed)
            if metric.state == "breached":
                self.breached[name] += 1
            elif metric.state == "met":
                self.met[name] += 1
            elif metric.state == "running":
                self.running[name] += 1
            else:
                self.no_target[name] += 1

    def to_json(self) -> dict[str, Any]:
        metrics = {}
        for m in FIRST_LINE_METRICS:
            values = sorted(self.elapsed[m])
            metrics[m] = {
                "met": self.met[m],
                "breached": self.breached[m],
                "running": self.running[m],
                "no_target": self.no_target[m],
                "median_min": round(statistics.median(values) / 60, 2) if values else None,
                "p90_min": round(values[math.ceil(0.9 * len(values)) - 1] / 60, 2) if values else None,
            }
        return {
            "tickets": self.tickets,
            "metrics": metrics,
            "waiting_for_official_min": round(self.waiting / 60, 2),
        }


def _leader(records: Sequence[Mapping[str, Any]]) -> str:
    """Who took the ticket first (its `assigned` event), or '—'."""
    for r in records:
        if r.get("type") == ASSIGNED:
            return str(r.get("assignee") or r.get("actor") or "—")
    return "—"


def first_line_section(
    inputs: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    offices: OfficeBook | None,
    as_of: datetime,
) -> dict[str, Any]:
    """The first line's clocks of the tickets opened in the period, per office and per leader."""
    total = _FirstGroup()
    by_office: dict[str, _FirstGroup] = {}
    by_leader: dict[str, _FirstGroup] = {}
    as_of_ts = as_of.timestamp()
    for ticket, records in inputs:
        first = compute_first_line(_clock_events(records), offices, as_of_ts)
        if first is None:
            continue
        office = str(ticket.get("office") or first.office or "—")
        for group in (
            total,
            by_office.setdefault(office, _FirstGroup()),
            by_leader.setdefault(_leader(records), _FirstGroup()),
        ):
            group.add(first)
    return {
        "selection": "zgłoszenia założone w okresie od–do włącznie; czas w kalendarzu urzędu",
        "total": total.to_json(),
        "by_office": {k: g.to_json() for k, g in sorted(by_office.items())},
        "by_leader": {k: g.to_json() for k, g in sorted(by_leader.items())},
    }


def penalty_ledger(
    inputs: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    contracts: Mapping[str, Contract],
    as_of: datetime,
    offices: OfficeBook | None = None,
) -> tuple[list[PenaltyEntry], dict[str, tuple[Mapping[str, Any], TicketSla]]]:
    """Every penalty of the tickets (all of a contract's, for the cap to be right) in breach order,
    with what is due after the total cap; and each ticket's dict and clocks by its id."""
    as_of_ts = as_of.timestamp()
    computed: list[tuple[str, TicketSla]] = []
    tickets: dict[str, tuple[Mapping[str, Any], TicketSla]] = {}
    for ticket, records in inputs:
        sla = compute_sla_ts(_clock_events(records), contracts, as_of, as_of_ts, offices)
        if sla is None or sla.out_of_contract or sla.penalty_pln <= 0:
            continue
        ticket_id = ticket.get("ticket") or format_ticket_id(int(ticket["no"]))
        computed.append((ticket_id, sla))
        tickets[ticket_id] = (ticket, sla)
    return apply_penalty_caps(computed, contracts), tickets


def entry_json(entry: PenaltyEntry, tz: tzinfo) -> dict[str, Any]:
    """One penalty as reports and statements list it."""
    return {
        "ticket": entry.ticket,
        "contract": entry.contract,
        "contract_version": entry.version,
        "metric": entry.metric,
        "breached_at": datetime.fromtimestamp(entry.breached_at, tz).isoformat(timespec="seconds"),
        "accrued_pln": money(round(entry.accrued, 2)),
        "due_pln": money(round(entry.due, 2)),
        "contract_year": entry.cap_period,
        "cap_used_before_pln": money(round(entry.used_before, 2)),
    }


def penalties_section(
    entries: Sequence[PenaltyEntry],
    contracts: Mapping[str, Contract],
    start: datetime,
    end: datetime,
    tz: tzinfo,
) -> dict[str, Any]:
    """Penalties whose breach fell in [start, end): per month and contract, in breach order."""
    start_ts, end_ts = start.timestamp(), end.timestamp()
    months: dict[tuple[str, str], dict[str, Any]] = {}
    listed: list[dict[str, Any]] = []
    for entry in entries:
        if not start_ts <= entry.breached_at < end_ts:
            continue
        shown = entry_json(entry, tz)
        listed.append(shown)
        month = datetime.fromtimestamp(entry.breached_at, tz).strftime("%Y-%m")
        row = months.setdefault(
            (month, entry.contract),
            {"month": month, "contract": entry.contract, "accrued_pln": 0.0, "due_pln": 0.0, "penalties": 0},
        )
        row["accrued_pln"] += entry.accrued
        row["due_pln"] += entry.due
        row["penalties"] += 1
    caps = {}
    for contract in sorted({e["contract"] for e in listed}):
        found = contracts[contract]
        cap = found.penalties_cap
        caps[contract] = {
            "value_pln": found.value_pln,
            "cap_pln": cap.limit(found.value_pln) if cap else None,
            "per": ("year" if cap.per_year else "contract") if cap else None,
            "description": cap.describe(found.value_pln) if cap else "brak limitu łącznego",
        }
    by_month = []
    for row in months.values():
        row["accrued_pln"] = money(round(row["accrued_pln"], 2))
        row["due_pln"] = money(round(row["due_pln"], 2))
        by_month.append(row)
    return {"caps": caps, "by_month": by_month, "entries": listed}


def build_report(
    inputs: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    contracts: Mapping[str, Contract],
    date_from: date,
    date_to: date,
    now: datetime,
    tz: tzinfo,
    head: tuple[str, int],
    *,
    contract: str | None = None,
    details: bool = True,
    offices: OfficeBook | None = None,
    first_line_inputs: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]] | None = None,
    ledger: Sequence[PenaltyEntry] | None = None,
    where: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The report over (ticket, event records) pairs — records as stored or as `audit export` has them.

    A ticket dict needs `no` (or `ticket`), `office` and `component`; records need `seq`, `at`,
    `type` and, for `escalated` / `priority_changed`, `contract` / `priority`. `first_line_inputs`
    (tickets opened in the period) feed the first line's section; `ledger` (penalty_ledger over
    the contracts' tickets from their start) the penalties after the total cap. `where` keeps only
    the tickets whose `office`, `component` or `priority` (as the report counts it) is the one given.
    """
    start, end = period_bounds(date_from, date_to, tz)
    as_of = min(now, end)
    as_of_ts, start_ts, end_ts = as_of.timestamp(), start.timestamp(), end.timestamp()
    total = _Group()
    groups: dict[str, dict[str, _Group]] = {d: {} for d in DIMENSIONS}
    rows: list[dict[str, Any]] = []
    due_by_ticket: dict[str, float] = {}
    for entry in ledger or ():
        due_by_ticket[entry.ticket] = due_by_ticket.get(entry.ticket, 0.0) + entry.due
    for ticket, records in inputs:
        timed = _clock_events(records)
        first = next((x for x in timed if x[2].type == ESCALATED), None)
        if first is None or not start_ts <= first[0] < end_ts or first[0] > as_of_ts:
            continue
        if contract is not None and first[2].contract != contract:
            continue
        sla = compute_sla_ts(timed, contracts, as_of, as_of_ts, offices)
        if sla is None:
            continue
        terms_contract = contracts[sla.contract]
        ticket_id = ticket.get("ticket") or format_ticket_id(int(ticket["no"]))
        month = first[2].at.astimezone(tz).strftime("%Y-%m")
        keys = {
            "contract": sla.contract,
            "contract_version": sla.version or sla.contract,
            "component": ticket.get("component") or "—",
            "priority": sla.priority,
            "office": ticket.get("office") or "—",
            "month": month,
        }
        if where and any(keys[k] != v for k, v in where.items()):
            continue
        paused = 0.0 if sla.out_of_contract else sla.waited
        uncapped = 0.0 if sla.out_of_contract else _uncapped(sla, terms_contract)
        targets = [total] + [groups[d].setdefault(keys[d], _Group()) for d in DIMENSIONS]
        for g in targets:
            g.tickets += 1
            if sla.out_of_contract:
                g.out_of_contract += 1
                continue
            for name, metric in sla.metrics.items():
                g.elapsed[name].append(metric.elapsed)
                if metric.state == "breached":
                    g.breached[name] += 1
                elif metric.state == "met":
                    g.met[name] += 1
                else:
                    g.running[name] += 1
            g.paused += paused
            g.penalty += sla.penalty_pln
            g.uncapped += uncapped
        if details:
            row = sla.to_json(ticket_id)
            first_line = compute_first_line(timed, offices, as_of_ts)
            row.update(
                office=keys["office"],
                component=keys["component"],
                month=month,
                escalated_at=first[2].at.astimezone(tz).isoformat(timespec="seconds"),
                paused_min=round(paused / 60, 2),
            )
            if ledger is not None and terms_contract.penalties_cap is not None:
                row["penalty_due_pln"] = money(round(due_by_ticket.get(ticket_id, 0.0), 2))
            row["first_line"] = first_line.to_json() if first_line is not None else None
            fix = sla.metrics.get("fix")
            row["lines_min"] = {
                "office": round(first_line.waiting / 60, 2) if first_line else None,
                "leaders": round(first_line.metrics["resolve_or_escalate"].elapsed / 60, 2)
                if first_line
                else None,
                "contractor": round(fix.elapsed / 60, 2) if fix is not None else None,
                "waiting_for_office": round(paused / 60, 2),
            }
            rows.append(row)
    report: dict[str, Any] = {
        "report": "sla",
        "period": {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "timezone": str(tz),
            "selection": "zgłoszenia, których pierwsze przekazanie Wykonawcy "
            "nastąpiło w okresie od–do włącznie",
        },
        "contract": contract,
        "filters": dict(where or {}),
        # Not cut to whole seconds: a replay with --as-of at this instant gives the same minutes.
        "as_of": as_of.astimezone(tz).isoformat(),
        "event_log": {"head": head[0], "events": head[1]},
        "total": total.to_json(),
    }
    for d in DIMENSIONS:
        report[f"by_{d}"] = {k: g.to_json() for k, g in sorted(groups[d].items())}
    if first_line_inputs is not None:
        report["first_line"] = first_line_section(first_line_inputs, offices, as_of)
    if ledger is not None:
        report["penalties"] = penalties_section(ledger, contracts, start, end, tz)
    if details:
        report["tickets"] = rows
    return report


class ReportRepo(SlaRepo, TicketRepo, AuditRepo, Protocol):
    """What the report reads: its inputs and the event-log head they agree with."""


def sla_report(
    db: Database[ReportRepo],
    contracts: Mapping[str, Contract],
    now: datetime,
    tz: tzinfo,
    date_from: Any,
    date_to: Any,
    *,
    contract: str | None = None,
    person: Person | None = None,
    details: bool = True,
    offices: OfficeBook | None = None,
    office: str | None = None,
    component: str | None = None,
    priority: str | None = None,
) -> dict[str, Any]:
    """Read the database in one transaction (inputs and log head agree) and build the report.

    `office`, `component` and `priority` narrow it to those tickets (totals, groups, rows, the
    first line's section and the penalties after the cap alike); a leader or representative may
    name only their own office.
    """
    day_from, day_to = parse_day(date_from, "from"), parse_day(date_to, "to")
    start, end = period_bounds(day_from, day_to, tz)
    if contract is not None and contract not in contracts:
        raise InvalidInput(f"nieznana umowa '{contract}' (znane: {', '.join(sorted(contracts)) or 'brak'})")
    scope = scope_filter(person)
    where = report_filters(office, component, priority)
    if "office" in where and scope.get("office", where["office"]) != where["office"]:
        raise Forbidden("raport obejmuje tylko Twój urząd")
    as_of = min(now, end)

    def _do(tx: ReportRepo) -> dict[str, Any]:
        cited = log_citation(tx)  # refuses a log whose stored head does not describe its rows
        head = (cited["head"], cited["events"])
        narrowed = {**scope, **{k: v for k, v in where.items() if k == "office"}}
        inputs = tx.sla_report_inputs(
            start, end, contract=contract, office=narrowed.get("office"), contractor=scope.get("contractor")
        )
        first_line_inputs = None
        if offices is not None and "contractor" not in scope:
            first_line_inputs = [
                (ticket, records)
                for ticket, records in tx.sla_report_inputs(
                    start, end, office=narrowed.get("office"), created=True
                )
                if _first_line_kept(ticket, records, where)
            ]
        ledger = _scoped_ledger(tx, contracts, contract, as_of, end, tz, offices, scope, where)
        return build_report(
            inputs,
            contracts,
            day_from,
            day_to,
            now,
            tz,
            head,
            contract=contract,
            details=details,
            offices=offices,
            first_line_inputs=first_line_inputs,
            ledger=ledger,
            where=where,
        )

    return db.read(_do)


def report_filters(office: str | None, component: str | None, priority: str | None) -> dict[str, str]:
    """The report's narrowing by office, component and priority, checked (InvalidInput otherwise)."""
    where: dict[str, str] = {}
    if office:
        if not is_office_code(office):
            raise InvalidInput(f"niepoprawny kod urzędu '{office[:40]}' (kod TERYT: 7, 4 lub 2 cyfry)")
        where["office"] = office
    if component:
        where["component"] = parse_component(component)
    if priority:
        where["priority"] = parse_priority(priority).value
    return where


def _first_line_kept(
    ticket: Mapping[str, Any], records: Sequence[Mapping[str, Any]], where: Mapping[str, str]
) -> bool:
    """Whether a ticket of the first line's section passes the filters (its priority: the last set)."""
    if "component" in where and (ticket.get("component") or "—") != where["component"]:
        return False
    if "priority" in where:
        current = Priority.NORMAL.value
        for record in records:
            if record.get("priority"):
                current = str(record["priority"])
        if current != where["priority"]:
            return False
    return True


def _scoped_ledger(
    tx: ReportRepo,
    contracts: Mapping[str, Contract],
    contract: str | None,
    as_of: datetime,
    end: datetime,
    tz: tzinfo,
    offices: OfficeBook | None,
    scope: Mapping[str, str],
    where: Mapping[str, str] | None = None,
) -> list[PenaltyEntry]:
    """The penalties after the total cap, counted over every ticket of the capped contracts from
    their start (the cap is the contract's, whoever reads), then cut to what `scope` may see and
    to the tickets `where` keeps (office, component, priority as the report counts them)."""
    chosen = [contracts[contract]] if contract is not None else list(contracts.values())
    if not chosen:
        return []
    first_day = min(c.period_start for c in chosen)
    since = datetime.combine(first_day, time(0), tzinfo=tz)
    if since >= end:
        return []
    inputs = tx.sla_report_inputs(since, end, contract=contract)
    entries, tickets = penalty_ledger(inputs, contracts, as_of, offices)

    def kept(ticket: Mapping[str, Any], sla: Any) -> bool:
        facts = {
            "office": ticket.get("office") or "—",
            "component": ticket.get("component") or "—",
            "priority": sla.priority,
            "contractor": ticket.get("contractor"),
        }
        return all(facts[k] == v for k, v in {**scope, **(where or {})}.items())

    if not scope and not where:
        return entries
    return [e for e in entries if kept(*tickets[e.ticket])]
