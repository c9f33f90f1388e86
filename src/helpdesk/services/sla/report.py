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

Who sees what: coordinators, auditors and admins everything; leaders and representatives only
their office's tickets; agents only their contractor's; officials nothing (Forbidden).
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from array import array
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from html import escape
from typing import Any

from helpdesk.domain.contracts import METRICS, Contract
from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.events import ESCALATED, PAUSED, PRIORITY_CHANGED, RESOLVED, RESUMED
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.sla import ClockEvent, TicketSla, compute_sla_ts, money
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority, format_ticket_id

FORMATS = ("json", "csv", "xlsx", "html")
DIMENSIONS = ("contract", "component", "priority", "office", "month")
DIMENSION_LABELS_PL = {
    "contract": "Umowa",
    "component": "Komponent",
    "priority": "Priorytet",
    "office": "Urząd",
    "month": "Miesiąc",
    "total": "Razem",
}
METRIC_LABELS_PL = {"reaction": "Reakcja", "workaround": "Obejście", "fix": "Naprawa"}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


# --- period and scope ------------------------------------------------------------------------
def parse_day(value: Any, name: str) -> date:
    """A YYYY-MM-DD date, or InvalidInput naming the parameter."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"parametr '{name}' jest wymagany (RRRR-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"niepoprawna data {name}='{value}' (oczekiwano RRRR-MM-DD)") from None


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
                ClockEvent(at, int(r["seq"]), str(r["type"]), r.get("contract"), r.get("priority")),
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
    terms = contract.priorities[sla.priority]
    total = 0.0
    for name, metric in sla.metrics.items():
        rule = terms.penalties.get(name)
        if rule is not None and metric.elapsed > metric.target:
            total += math.ceil((metric.elapsed - metric.target) / rule.per) * rule.pln
    return total


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
) -> dict[str, Any]:
    """The report over (ticket, event records) pairs — records as stored or as `audit export` has them.

    A ticket dict needs `no` (or `ticket`), `office` and `component`; records need `seq`, `at`,
    `type` and, for `escalated` / `priority_changed`, `contract` / `priority`.
    """
    start, end = period_bounds(date_from, date_to, tz)
    as_of = min(now, end)
    as_of_ts, start_ts, end_ts = as_of.timestamp(), start.timestamp(), end.timestamp()
    total = _Group()
    groups: dict[str, dict[str, _Group]] = {d: {} for d in DIMENSIONS}
    rows: list[dict[str, Any]] = []
    for ticket, records in inputs:
        timed = _clock_events(records)
        first = next((x for x in timed if x[2].type == ESCALATED), None)
        if first is None or not start_ts <= first[0] < end_ts or first[0] > as_of_ts:
            continue
        if contract is not None and first[2].contract != contract:
            continue
        sla = compute_sla_ts(timed, contracts, as_of, as_of_ts)
        if sla is None:
            continue
        terms_contract = contracts[sla.contract]
        ticket_id = ticket.get("ticket") or format_ticket_id(int(ticket["no"]))
        month = first[2].at.astimezone(tz).strftime("%Y-%m")
        keys = {
            "contract": sla.contract,
            "component": ticket.get("component") or "—",
            "priority": sla.priority,
            "office": ticket.get("office") or "—",
            "month": month,
        }
        paused = 0.0 if sla.out_of_contract else paused_seconds(timed, terms_contract, as_of_ts)
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
            row.update(
                office=keys["office"],
                component=keys["component"],
                month=month,
                escalated_at=first[2].at.astimezone(tz).isoformat(timespec="seconds"),
                paused_min=round(paused / 60, 2),
            )
            rows.append(row)
    report: dict[str, Any] = {
        "report": "sla",
        "period": {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "timezone": str(tz),
            "selection": "zgłoszenia, których pierwsze przekazanie Wykonawcy (escalated) "
            "nastąpiło w okresie od–do włącznie",
        },
        "contract": contract,
        "as_of": as_of.astimezone(tz).isoformat(timespec="seconds"),
        "event_log": {"head": head[0], "events": head[1]},
        "total": total.to_json(),
    }
    for d in DIMENSIONS:
        report[f"by_{d}"] = {k: g.to_json() for k, g in sorted(groups[d].items())}
    if details:
        report["tickets"] = rows
    return report


def sla_report(
    db: Any,
    contracts: Mapping[str, Contract],
    now: datetime,
    tz: tzinfo,
    date_from: Any,
    date_to: Any,
    *,
    contract: str | None = None,
    person: Person | None = None,
    details: bool = True,
) -> dict[str, Any]:
    """Read the database in one transaction (inputs and log head agree) and build the report."""
    day_from, day_to = parse_day(date_from, "from"), parse_day(date_to, "to")
    start, end = period_bounds(day_from, day_to, tz)
    if contract is not None and contract not in contracts:
        raise InvalidInput(f"nieznana umowa '{contract}' (znane: {', '.join(sorted(contracts)) or 'brak'})")
    scope = scope_filter(person)

    def _do(tx: Any) -> dict[str, Any]:
        head = tx.head()
        inputs = tx.sla_report_inputs(start, end, contract=contract, **scope)
        return build_report(
            inputs, contracts, day_from, day_to, now, tz, head, contract=contract, details=details
        )

    result: dict[str, Any] = db.read(_do)
    return result


# --- formats ---------------------------------------------------------------------------------
def _label(dimension: str, key: str) -> str:
    if dimension == "priority":
        try:
            return f"{key} ({PRIORITY_LABELS_PL[Priority(key)]})"
        except ValueError:
            return key
    if dimension == "component":
        return COMPONENT_LABELS_PL.get(key, key)
    return key


def summary_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the summary table (one row per dimension value, then the total)."""
    header = ["wymiar", "wartość", "zgłoszenia", "poza_umową"]
    for m in METRICS:
        header += [f"{m}_spełnione", f"{m}_przekroczone", f"{m}_w_toku", f"{m}_mediana_min", f"{m}_p90_min"]
    header += ["wstrzymane_min", "kary_pln", "kary_bez_limitu_pln", "dziennik_skrót", "dziennik_zdarzenia"]
    rows: list[list[Any]] = []
    items: list[tuple[str, str, Mapping[str, Any]]] = [
        (d, k, g) for d in DIMENSIONS for k, g in report[f"by_{d}"].items()
    ]
    items.append(("total", "", report["total"]))
    for d, key, g in items:
        row: list[Any] = [d, key, g["tickets"], g["out_of_contract"]]
        for m in METRICS:
            x = g["metrics"][m]
            row += [x["met"], x["breached"], x["running"], x["median_min"], x["p90_min"]]
        row += [
            g["paused_min"],
            g["penalty_pln"],
            g["penalty_uncapped_pln"],
            report["event_log"]["head"],
            report["event_log"]["events"],
        ]
        rows.append(row)
    return header, rows


def to_json(report: Mapping[str, Any]) -> bytes:
    """The report as UTF-8 JSON."""
    return json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")


def to_csv(report: Mapping[str, Any]) -> bytes:
    """The summary table as CSV (UTF-8 with BOM so spreadsheets read the Polish letters)."""
    header, rows = summary_rows(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Mapping[str, Any]) -> bytes:
    """A workbook: "Podsumowanie" (report facts and the summary table) and "Zgłoszenia" (per ticket)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Podsumowanie"
    for fact in _facts(report):
        sheet.append(list(fact))
    sheet.append([])
    header, rows = summary_rows(report)
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    tickets = book.create_sheet("Zgłoszenia")
    head = ["zgłoszenie", "umowa", "priorytet", "urząd", "komponent", "przekazano", "poza_umową"]
    for m in METRICS:
        head += [f"{m}_min", f"{m}_cel_min", f"{m}_stan"]
    head += ["wstrzymane_min", "kary_pln"]
    tickets.append(head)
    for t in report.get("tickets", []):
        line: list[Any] = [
            t["ticket"],
            t["contract"],
            t["priority"],
            t["office"],
            t["component"],
            t["escalated_at"],
            t["out_of_contract"],
        ]
        for m in METRICS:
            x = t["metrics"].get(m)
            line += [x["elapsed_min"], x["target_min"], x["state"]] if x else [None, None, None]
        line += [t["paused_min"], t["penalty_pln"]]
        tickets.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _facts(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    p = report["period"]
    return [
        ("Raport SLA", f"{p['from']} – {p['to']} ({p['timezone']})"),
        ("Zakres", p["selection"]),
        ("Umowa", report["contract"] or "wszystkie"),
        ("Stan na", report["as_of"]),
        ("Dziennik zdarzeń: skrót ostatniego", report["event_log"]["head"]),
        ("Dziennik zdarzeń: liczba zdarzeń", str(report["event_log"]["events"])),
    ]


def _bars(
    title: str,
    items: Sequence[tuple[str, Sequence[float]]],
    colours: Sequence[str],
    legend: Sequence[str],
    unit: str = "",
) -> str:
    """A horizontal stacked bar chart as inline SVG."""
    if not items:
        return f"<h3>{escape(title)}</h3><p>Brak danych.</p>"
    width, label_w, bar_h, gap = 760, 220, 18, 6
    biggest = max((sum(v) for _, v in items), default=0) or 1
    height = len(items) * (bar_h + gap) + 30
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
    ]
    for i, (label, values) in enumerate(items):
        y = i * (bar_h + gap)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label[:32])}</text>')
        x = float(label_w)
        for value, colour in zip(values, colours, strict=False):
            w = (width - label_w - 90) * value / biggest
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                    f"<title>{escape(label)}: {value:g}{unit}</title></rect>"
                )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(values):g}{escape(unit)}</text>')
    y = len(items) * (bar_h + gap) + 12
    x = float(label_w)
    for name, colour in zip(legend, colours, strict=False):
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>'
        )
        x += 14 + 8 * len(name) + 16
    parts.append("</svg>")
    return f"<h3>{escape(title)}</h3>" + "".join(parts)


def to_html(report: Mapping[str, Any]) -> bytes:
    """A self-contained Polish HTML page with inline SVG charts and the summary tables."""
    ok, bad, run = "#2e7d32", "#c62828", "#9e9e9e"
    sections = []
    for m in METRICS:
        items = [
            (
                _label("contract", k),
                [g["metrics"][m]["met"], g["metrics"][m]["breached"], g["metrics"][m]["running"]],
            )
            for k, g in report["by_contract"].items()
        ]
        sections.append(
            _bars(
                f"{METRIC_LABELS_PL[m]}: dotrzymane i przekroczone terminy wg umowy",
                items,
                (ok, bad, run),
                ("dotrzymane", "przekroczone", "w toku"),
            )
        )
    sections.append(
        _bars(
            "Kary umowne wg miesiąca (z limitem)",
            [(k, [float(g["penalty_pln"])]) for k, g in report["by_month"].items()],
            ("#ef6c00",),
            ("kary [zł]",),
            " zł",
        )
    )
    sections.append(
        _bars(
            "Czas wstrzymania (oczekiwanie na urząd) wg urzędu",
            [(k, [float(g["paused_min"])]) for k, g in report["by_office"].items()],
            ("#1565c0",),
            ("minuty robocze",),
            " min",
        )
    )
    tables = []
    for d in (*DIMENSIONS, "total"):
        groups = {"": report["total"]} if d == "total" else report[f"by_{d}"]
        head = "".join(
            f"<th>{escape(x)}</th>"
            for x in (
                DIMENSION_LABELS_PL[d],
                "zgłoszenia",
                "poza umową",
                *[f"{METRIC_LABELS_PL[m]}: dotrz./przekr./w toku, mediana, p90 [min]" for m in METRICS],
                "wstrzymane [min]",
                "kary [zł]",
                "kary bez limitu [zł]",
            )
        )
        body = []
        for key, g in groups.items():
            cells = [escape(_label(d, key) if key else "Razem"), str(g["tickets"]), str(g["out_of_contract"])]
            for m in METRICS:
                x = g["metrics"][m]
                cells.append(
                    f"{x['met']}/{x['breached']}/{x['running']}, "
                    f"{'—' if x['median_min'] is None else x['median_min']}, "
                    f"{'—' if x['p90_min'] is None else x['p90_min']}"
                )
            cells += [str(g["paused_min"]), str(g["penalty_pln"]), str(g["penalty_uncapped_pln"])]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        tables.append(
            f"<h3>{escape(DIMENSION_LABELS_PL[d])}</h3><table><tr>{head}</tr>{''.join(body)}</table>"
        )
    facts = "".join(
        f"<tr><th>{escape(k)}</th><td><code>{escape(v)}</code></td></tr>" for k, v in _facts(report)
    )
    total = report["total"]
    page = f"""<!DOCTYPE html>
<html lang="pl"><head><meta charset="utf-8"><title>Raport SLA {escape(report["period"]["from"])} – {escape(report["period"]["to"])}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}}th{{background:#f3f3f3}}
.big{{font-size:1.4em;margin-right:2em}}</style></head><body>
<h1>Raport SLA Wykonawców</h1>
<table>{facts}</table>
<p><span class="big">Zgłoszeń: <b>{total["tickets"]}</b></span>
<span class="big">Kary (z limitem): <b>{total["penalty_pln"]} zł</b></span>
<span class="big">Wstrzymania: <b>{total["paused_min"]} min</b></span></p>
<h2>Wykresy</h2>{"".join(sections)}
<h2>Zestawienia</h2>{"".join(tables)}
<p><small>Raport można odtworzyć: <code>helpdesk audit export</code>, a następnie
<code>helpdesk sla replay --as-of {escape(report["as_of"])}</code> — wyniki per zgłoszenie są identyczne.</small></p>
</body></html>
"""
    return page.encode("utf-8")


def render(report: Mapping[str, Any], fmt: str) -> bytes:
    """The report in `fmt` (json, csv, xlsx, html)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "html":
        return to_html(report)
    raise InvalidInput(f"nieznany format '{fmt}' (dozwolone: {', '.join(FORMATS)})")
