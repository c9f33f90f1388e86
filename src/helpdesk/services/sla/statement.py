"""The monthly penalty statement of one contract (`helpdesk report statement`, `GET /api/v1/reports/statement`).

What the Marshal's Office sends the contractor for a month: every contractual penalty whose clock
passed its target in that month, in the order the breaches happened, with the rule it follows,
the delay, the amount accrued and the amount due after the contract's total cap (which counts
every penalty since the contract began, or since the start of the contract year). The clocks are
the replay's (domain/sla.py), so the statement names the event-log head and the command that
recomputes it.

Who may have it: coordinators, auditors and admins; the contractor's own agents.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time, tzinfo
from html import escape
from typing import Any

from helpdesk.domain.calendar import month_label
from helpdesk.domain.contracts import Contract, PenaltyRule
from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.numbers import pln, polish_number
from helpdesk.domain.office_terms import OfficeBook
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.sla import money
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.audit import log_citation
from helpdesk.services.ports import Database
from helpdesk.services.sla.report import ReportRepo, penalty_ledger, version_of
from helpdesk.services.texts import DATE_FORMAT_PL, in_polish

FORMATS = ("html", "xlsx", "json")
METRIC_LABELS_PL = {"reaction": "czas reakcji", "workaround": "czas obejścia", "fix": "czas naprawy"}
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def parse_month(value: Any) -> date:
    """The first day of a YYYY-MM month, or InvalidInput."""
    text = value.strip() if isinstance(value, str) else ""
    year, sep, month = text.partition("-")
    if not (sep and year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2):
        raise InvalidInput(f"month: niepoprawny miesiąc '{value}' (oczekiwano RRRR-MM, np. 2027-03)")
    if not 1970 <= int(year) <= 9998 or not 1 <= int(month) <= 12:
        raise InvalidInput(f"month: niepoprawny miesiąc '{value}' (oczekiwano RRRR-MM, np. 2027-03)")
    return date(int(year), int(month), 1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def may_read(person: Person | None, contract: Contract) -> bool:
    """Whether `person` may read the statements of `contract`: coordinators, auditors and admins
    every contract's, the contractor's agents their own (None: the command line)."""
    if person is None or person.role in SEE_ALL_ROLES:
        return True
    return person.role is Role.AGENT and person.contractor == contract.contractor


def _check_reader(person: Person | None, contract: Contract) -> None:
    if may_read(person, contract):
        return
    raise Forbidden("zestawienie kar jest dostępne dla koordynatorów, audytorów i Wykonawcy tej umowy")


def _rule_text(rule: PenaltyRule | None) -> str:
    if rule is None:
        return "—"
    per = rule.per
    unit = f"{per // 3600} h" if per % 3600 == 0 else f"{per // 60} min"
    text = f"{pln(rule.pln)} za każde rozpoczęte {unit} zwłoki"
    if rule.cap_pln is not None:
        text += f", najwyżej {pln(rule.cap_pln)} za zgłoszenie"
    return text


def build_statement(
    db: Database[ReportRepo],
    contracts: Mapping[str, Contract],
    now: datetime,
    tz: tzinfo,
    contract_id: Any,
    month: Any,
    *,
    person: Person | None = None,
    offices: OfficeBook | None = None,
    office_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The statement of `contract_id` for `month` (YYYY-MM) as a dict (the renderers' input); each
    penalty names its office by `office_names` (TERYT code → name) beside the code."""
    if not isinstance(contract_id, str) or contract_id not in contracts:
        raise InvalidInput(
            f"nieznana umowa '{contract_id}' (znane: {', '.join(sorted(contracts)) or 'brak'})"
        )
    contract = contracts[contract_id]
    _check_reader(person, contract)
    first_day = parse_month(month)
    start = datetime.combine(first_day, time(0), tzinfo=tz)
    end = datetime.combine(_next_month(first_day), time(0), tzinfo=tz)
    as_of = min(now, end)
    since = datetime.combine(min(contract.period_start, first_day), time(0), tzinfo=tz)

    def _do(tx: ReportRepo) -> dict[str, Any]:
        cited = log_citation(tx)
        # Every contract's tickets: a successor's penalties may come from tickets escalated under
        # the contract it took over.
        inputs = tx.sla_report_inputs(since, end)
        entries, tickets = penalty_ledger(inputs, contracts, as_of, offices)
        return {"head": cited["head"], "events": cited["events"], "entries": entries, "tickets": tickets}

    found = db.read(_do)
    start_ts, end_ts = start.timestamp(), end.timestamp()
    cap = contract.penalties_cap
    rows: list[dict[str, Any]] = []
    used_before = 0.0
    used_in_month = 0.0
    accrued_in_month = 0.0
    for entry in found["entries"]:
        if entry.contract != contract.id:
            continue
        if entry.breached_at < start_ts:
            if cap is None or not cap.per_year or entry.cap_period == _year_of(contract, start, tz):
                used_before += entry.due
            continue
        if entry.breached_at >= end_ts:
            continue
        ticket, sla = found["tickets"][entry.ticket]
        metric = sla.metrics[entry.metric]
        terms = version_of(contract, sla).priorities.get(sla.priority)
        rule = terms.penalties.get(entry.metric) if terms is not None else None
        accrued_in_month += entry.accrued
        used_in_month += entry.due
        rows.append(
            {
                "ticket": entry.ticket,
                "office": ticket.get("office"),
                "office_name": (office_names or {}).get(str(ticket.get("office")), ""),
                "priority": sla.priority,
                "priority_label": PRIORITY_LABELS_PL.get(Priority(sla.priority), sla.priority),
                "contract_version": entry.version,
                "metric": entry.metric,
                "metric_label": METRIC_LABELS_PL[entry.metric],
                "breached_at": datetime.fromtimestamp(entry.breached_at, tz).isoformat(timespec="minutes"),
                "target_min": round(metric.target / 60, 2),
                "elapsed_min": round(metric.elapsed / 60, 2),
                "delay_min": round((metric.elapsed - metric.target) / 60, 2),
                "state": metric.state,
                "rule": _rule_text(rule),
                "accrued_pln": money(round(entry.accrued, 2)),
                "due_pln": money(round(entry.due, 2)),
            }
        )
    limit = cap.limit(contract.value_pln) if cap is not None else None
    return {
        "statement": "penalties",
        "contract": {
            "id": contract.id,
            "name": contract.name,
            "contractor": contract.contractor,
            "contractor_name": contract.contractor_name,
            "period": {"start": contract.period_start.isoformat(), "end": contract.period_end.isoformat()},
            "value_pln": contract.value_pln,
            "cap": cap.describe(contract.value_pln) if cap is not None else None,
            "cap_pln": limit,
            "cap_per": ("year" if cap.per_year else "contract") if cap is not None else None,
            "versions": [
                {"id": v.version, "effective": v.effective.isoformat() if v.effective else None}
                for v in (contract, *contract.amendments)
            ],
        },
        "month": first_day.strftime("%Y-%m"),
        "month_label": month_label(first_day),
        "as_of": as_of.astimezone(tz).isoformat(),
        "timezone": str(tz),
        "penalties": rows,
        "totals": {
            "accrued_pln": money(round(accrued_in_month, 2)),
            "due_pln": money(round(used_in_month, 2)),
            "cap_used_before_pln": money(round(used_before, 2)),
            "cap_used_after_pln": money(round(used_before + used_in_month, 2)),
            "cap_left_pln": None
            if limit is None
            else money(round(max(0.0, limit - used_before - used_in_month), 2)),
        },
        "event_log": {"head": found["head"], "events": found["events"]},
        "issued_at": now.astimezone(tz).isoformat(timespec="seconds"),
    }


def _year_of(contract: Contract, at: datetime, tz: tzinfo) -> int:
    from helpdesk.domain.sla import contract_year

    return contract_year(contract, at.astimezone(tz).date())


def _pln(value: Any) -> str:
    if value is None:
        return "—"
    return pln(value)


def _contractor(contract: Mapping[str, Any]) -> str:
    """The contractor as the letter names it: its name with the id, or the id alone."""
    name, ident = contract.get("contractor_name") or "", contract["contractor"]
    return f"{name} ({ident})" if name else ident


def _office(penalty: Mapping[str, Any]) -> str:
    """The office as the letter names it: its name with the TERYT code, or the code alone."""
    code, name = penalty["office"] or "—", penalty.get("office_name") or ""
    return f"{name} ({code})" if name else code


def to_html(statement: Mapping[str, Any]) -> bytes:
    """The statement as a Polish letter-like HTML page (printable)."""
    c = statement["contract"]
    t = statement["totals"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(x))}</td>"
            for x in (
                i,
                in_polish(p["breached_at"]),
                p["ticket"],
                _office(p),
                p["priority_label"],
                p["metric_label"],
                polish_number(p["target_min"], None),
                polish_number(p["elapsed_min"], None),
                polish_number(p["delay_min"], None),
                p["rule"],
                p["contract_version"],
            )
        )
        + f"<td class=n>{escape(_pln(p['accrued_pln']))}</td><td class=n>{escape(_pln(p['due_pln']))}</td></tr>"
        for i, p in enumerate(statement["penalties"], start=1)
    )
    if not rows:
        rows = '<tr><td colspan="13">W tym miesiącu nie przekroczono terminów objętych karami umownymi.</td></tr>'
    versions = ", ".join(
        v["id"]
        + (f" (od {in_polish(v['effective'], DATE_FORMAT_PL)})" if v["effective"] else " (tekst pierwotny)")
        for v in c["versions"]
    )
    cap_rows = ""
    if c["cap"]:
        cap_rows = f"""
<tr><th>Limit łączny kar umownych</th><td>{escape(c["cap"])}</td></tr>
<tr><th>Wykorzystanie limitu przed tym miesiącem</th><td>{escape(_pln(t["cap_used_before_pln"]))}</td></tr>
<tr><th>Wykorzystanie limitu po tym miesiącu</th><td>{escape(_pln(t["cap_used_after_pln"]))}</td></tr>
<tr><th>Pozostało do limitu</th><td>{escape(_pln(t["cap_left_pln"]))}</td></tr>"""
    page = f"""<!DOCTYPE html>
<html lang="pl"><head><meta charset="utf-8">
<title>Zestawienie kar umownych — {escape(c["id"])} — {escape(statement["month_label"])}</title>
<style>body{{font-family:serif;margin:2.5em;color:#111;max-width:1100px}}
table{{border-collapse:collapse;margin:.8em 0}}td,th{{border:1px solid #999;padding:3px 7px;font-size:13px;text-align:left}}
th{{background:#eee}}td.n{{text-align:right;white-space:nowrap}}.sum td,.sum th{{font-size:14px}}
@media print{{body{{margin:1em}}}}</style></head><body>
<p style="text-align:right">Wystawiono: {escape(in_polish(statement["issued_at"], DATE_FORMAT_PL))}</p>
<p><b>Zamawiający:</b> Samorząd Województwa — Urząd Marszałkowski<br>
<b>Wykonawca:</b> {escape(_contractor(c))}</p>
<h1>Zestawienie kar umownych za {escape(statement["month_label"])}</h1>
<p>dotyczy umowy <b>{escape(c["id"])}</b>{(" — " + escape(c["name"])) if c["name"] else ""}
(okres obowiązywania {escape(in_polish(c["period"]["start"], DATE_FORMAT_PL))} – {escape(in_polish(c["period"]["end"], DATE_FORMAT_PL))}; teksty umowy: {escape(versions)}).</p>
<p>Na podstawie postanowień umowy dotyczących kar umownych za niedotrzymanie czasów reakcji, obejścia
i naprawy, z uwzględnieniem łącznej maksymalnej wysokości kar umownych określonej w umowie
(art. 436 pkt 3 ustawy — Prawo zamówień publicznych), Zamawiający nalicza następujące kary.
Czasy podano w minutach roboczych kalendarza właściwego dla zgłoszenia; kary ujęto w kolejności,
w jakiej upływały terminy.</p>
<table><tr><th>Lp.</th><th>Przekroczenie terminu</th><th>Zgłoszenie</th><th>Urząd</th><th>Kategoria</th>
<th>Termin umowny</th><th>Cel [min]</th><th>Czas [min]</th><th>Zwłoka [min]</th><th>Zasada naliczenia</th>
<th>Tekst umowy</th><th>Kara naliczona</th><th>Kara należna (po limicie)</th></tr>{rows}</table>
<table class="sum">
<tr><th>Kary naliczone za miesiąc</th><td>{escape(_pln(t["accrued_pln"]))}</td></tr>
<tr><th>Kwota kar należnych za miesiąc</th><td><b>{escape(_pln(t["due_pln"]))}</b></td></tr>{cap_rows}
</table>
<p>Kwota kar należnych zostanie potrącona z wynagrodzenia Wykonawcy albo Wykonawca zapłaci ją w terminie
wskazanym w umowie. Wykonawca może w terminie 7 dni zgłosić zastrzeżenia do zestawienia.</p>
<p><small>Zestawienie obliczono z dziennika zdarzeń help-desku (stan na {escape(in_polish(statement["as_of"]))};
skrót ostatniego zdarzenia <code>{escape(statement["event_log"]["head"])}</code>, zdarzeń:
{statement["event_log"]["events"]}). Każdą pozycję można sprawdzić niezależnie:
<code>helpdesk audit export</code>, a następnie <code>helpdesk sla replay --as-of {escape(statement["as_of"])}</code>.</small></p>
</body></html>
"""
    return page.encode("utf-8")


def to_xlsx(statement: Mapping[str, Any]) -> bytes:
    """The statement as a workbook: the facts, then one row per penalty and the totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    c = statement["contract"]
    t = statement["totals"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Zestawienie kar"
    sheet.append([f"Zestawienie kar umownych za {statement['month_label']}"])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Umowa", f"{c['id']} {c['name'] or ''}".strip()),
        ("Wykonawca", _contractor(c)),
        ("Limit łączny kar", c["cap"] or "brak"),
        ("Stan na", statement["as_of"]),
        ("Dziennik zdarzeń: skrót", statement["event_log"]["head"]),
        ("Dziennik zdarzeń: zdarzeń", statement["event_log"]["events"]),
    ):
        sheet.append([label, value])
    sheet.append([])
    head = [
        "Lp.",
        "Przekroczenie terminu",
        "Zgłoszenie",
        "Urząd",
        "Kategoria",
        "Termin umowny",
        "Cel [min]",
        "Czas [min]",
        "Zwłoka [min]",
        "Zasada naliczenia",
        "Tekst umowy",
        "Kara naliczona [zł]",
        "Kara należna [zł]",
    ]
    sheet.append(head)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for i, p in enumerate(statement["penalties"], start=1):
        sheet.append(
            [
                i,
                p["breached_at"].replace("T", " "),
                p["ticket"],
                _office(p),
                p["priority_label"],
                p["metric_label"],
                p["target_min"],
                p["elapsed_min"],
                p["delay_min"],
                p["rule"],
                p["contract_version"],
                p["accrued_pln"],
                p["due_pln"],
            ]
        )
    sheet.append([])
    for label, value in (
        ("Kary naliczone za miesiąc [zł]", t["accrued_pln"]),
        ("Kary należne za miesiąc [zł]", t["due_pln"]),
        ("Wykorzystanie limitu przed miesiącem [zł]", t["cap_used_before_pln"]),
        ("Wykorzystanie limitu po miesiącu [zł]", t["cap_used_after_pln"]),
        ("Pozostało do limitu [zł]", t["cap_left_pln"]),
    ):
        sheet.append([label, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(statement: Mapping[str, Any], fmt: str) -> bytes:
    """The statement in `fmt` (html, xlsx, json)."""
    if fmt == "html":
        return to_html(statement)
    if fmt == "xlsx":
        return to_xlsx(statement)
    if fmt == "json":
        import json

        return json.dumps(statement, ensure_ascii=False, indent=1).encode("utf-8")
    raise InvalidInput(f"nieznany format '{fmt}' (dozwolone: {', '.join(FORMATS)})")
