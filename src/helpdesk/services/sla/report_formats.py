"""The auditors' SLA report as files: JSON, CSV (summary table), XLSX (summary and tickets), HTML.

Every renderer takes the report dict built by services/sla/report.py and returns bytes; nothing
here reads the database or computes a clock.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from helpdesk.domain.contracts import METRICS
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.numbers import pln, polish_number
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL, FIRST_LINE_METRICS
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.sla.report import DIMENSIONS
from helpdesk.services.texts import in_polish

FORMATS = ("json", "csv", "xlsx", "html")
DIMENSION_LABELS_PL = {
    "contract": "Umowa",
    "contract_version": "Wersja umowy (tekst pierwotny lub aneks)",
    "component": "Komponent",
    "priority": "Priorytet",
    "office": "Urząd",
    "month": "Miesiąc",
    "total": "Razem",
}
METRIC_LABELS_PL = {"reaction": "Reakcja", "workaround": "Obejście", "fix": "Naprawa"}
METRIC_COLUMNS_PL = {"reaction": "reakcja", "workaround": "obejscie", "fix": "naprawa"}
STATE_LABELS_PL = {
    "met": "dotrzymany",
    "breached": "przekroczony",
    "running": "w toku",
    "no_target": "bez celu",
}
"""A clock's state in the files people read (the JSON keeps the replay's own words)."""
FIRST_LINE_COLUMNS_PL = {
    "take": "podjęcie",
    "answer": "odpowiedź",
    "resolve_or_escalate": "rozwiązanie_lub_przekazanie",
}
YES_NO_PL = {True: "tak", False: "nie"}
DIMENSION_KEYS_PL = {
    "contract": "umowa",
    "component": "komponent",
    "priority": "priorytet",
    "office": "urząd",
    "month": "miesiąc",
    "total": "razem",
}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _label(dimension: str, key: str) -> str:
    if dimension == "priority":
        return _priority_pl(key)
    if dimension == "component":
        return COMPONENT_LABELS_PL.get(key, key)
    return key


def summary_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the summary table (one row per dimension value, then the total)."""
    header = ["wymiar", "wartość", "zgłoszenia", "poza_umową"]
    for m in METRICS:
        header += [
            f"{METRIC_COLUMNS_PL[m]}_{x}"
            for x in ("spełnione", "przekroczone", "w_toku", "mediana_min", "p90_min")
        ]
    header += ["wstrzymane_min", "kary_pln", "kary_bez_limitu_pln", "dziennik_skrót", "dziennik_zdarzenia"]
    rows: list[list[Any]] = []
    items: list[tuple[str, str, Mapping[str, Any]]] = [
        (d, k, g) for d in DIMENSIONS for k, g in report[f"by_{d}"].items()
    ]
    items.append(("total", "", report["total"]))
    for d, key, g in items:
        value = _priority_pl(key) if d == "priority" else key
        row: list[Any] = [DIMENSION_KEYS_PL.get(d, d), value, g["tickets"], g["out_of_contract"]]
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


def ticket_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the per-ticket table (csv, xlsx), in Polish: each clock's minutes, target
    and state in words, the time at each line, and the link to the ticket's page and events."""
    head = [
        "zgłoszenie",
        "umowa",
        "wersja_umowy",
        "priorytet",
        "urząd",
        "komponent",
        "przekazano",
        "poza_umową",
    ]
    for m in METRICS:
        col = METRIC_COLUMNS_PL[m]
        head += [f"{col}_min", f"{col}_cel_min", f"{col}_stan"]
    head += ["wstrzymane_min", "kary_pln", "kary_należne_po_limicie_pln"]
    head += ["urząd_min", "liderzy_min", "wykonawca_min", "oczekiwanie_na_urząd_min"]
    for m in FIRST_LINE_METRICS:
        col = FIRST_LINE_COLUMNS_PL[m]
        head += [f"pierwsza_linia_{col}_min", f"pierwsza_linia_{col}_cel_min", f"pierwsza_linia_{col}_stan"]
    head.append("zdarzenia_zgłoszenia")
    base = str(report.get("links") or "").rstrip("/")
    rows: list[list[Any]] = []
    for t in report.get("tickets", []):
        line: list[Any] = [
            t["ticket"],
            t["contract"],
            t.get("contract_version"),
            _priority_pl(t["priority"]),
            t["office"],
            t["component"],
            t["escalated_at"],
            YES_NO_PL[bool(t["out_of_contract"])],
        ]
        for m in METRICS:
            line += _clock_cells(t["metrics"].get(m))
        line += [t["paused_min"], t["penalty_pln"], t.get("penalty_due_pln")]
        lines = t.get("lines_min") or {}
        line += [
            lines.get("office"),
            lines.get("leaders"),
            lines.get("contractor"),
            lines.get("waiting_for_office"),
        ]
        first = t.get("first_line") or {}
        for m in FIRST_LINE_METRICS:
            line += _clock_cells((first.get("metrics") or {}).get(m))
        line.append(f"{base}/tickets/{t['ticket']}")
        rows.append(line)
    return head, rows


def _clock_cells(x: Mapping[str, Any] | None) -> list[Any]:
    if not x:
        return [None, None, None]
    return [x["elapsed_min"], x["target_min"], STATE_LABELS_PL.get(x["state"], x["state"])]


def _priority_pl(value: str) -> str:
    try:
        return PRIORITY_LABELS_PL[Priority(value)]
    except ValueError:
        return value


def to_csv(report: Mapping[str, Any]) -> bytes:
    """The summary table as CSV (UTF-8 with BOM so spreadsheets read the Polish letters), then,
    after an empty line, the per-ticket table with its own header (when the report has tickets)."""
    header, rows = summary_rows(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if report.get("tickets"):
        head, lines = ticket_rows(report)
        writer.writerow([])
        writer.writerow(head)
        writer.writerows(lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Mapping[str, Any]) -> bytes:
    """A workbook: "Podsumowanie" (report facts and the summary table), "Wykresy" (charts),
    "Zgłoszenia" (per ticket, with the time at each line), "Kary i limit" (per month, accrued and
    due after the total cap, in breach order) and "Pierwsza linia" (per office and leader)."""
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
    _chart_sheet(book, report)
    tickets = book.create_sheet("Zgłoszenia")
    head, lines = ticket_rows(report)
    tickets.append(head)
    for cell in tickets[1]:
        cell.font = Font(bold=True)
    for line in lines:
        tickets.append(line)
        if report.get("links"):  # the last cell leads to the ticket's page and its events
            link = tickets.cell(row=tickets.max_row, column=len(line))
            link.hyperlink = str(link.value)
    penalties = report.get("penalties")
    if penalties is not None:
        sheet = book.create_sheet("Kary i limit")
        sheet.append(["umowa", "limit łączny kar"])
        for contract, cap in penalties["caps"].items():
            sheet.append([contract, cap["description"]])
        sheet.append([])
        sheet.append(["miesiąc", "umowa", "kary", "naliczone_pln", "należne_po_limicie_pln"])
        for m in penalties["by_month"]:
            sheet.append([m["month"], m["contract"], m["penalties"], m["accrued_pln"], m["due_pln"]])
        sheet.append([])
        sheet.append(
            [
                "przekroczenie",
                "zgłoszenie",
                "umowa",
                "wersja",
                "czas",
                "naliczone_pln",
                "należne_pln",
                "wykorzystane_wcześniej_pln",
            ]
        )
        for e in penalties["entries"]:
            sheet.append(
                [
                    e["breached_at"],
                    e["ticket"],
                    e["contract"],
                    e["contract_version"],
                    METRIC_LABELS_PL.get(e["metric"], e["metric"]),
                    e["accrued_pln"],
                    e["due_pln"],
                    e["cap_used_before_pln"],
                ]
            )
    first_line = report.get("first_line")
    if first_line is not None:
        sheet = book.create_sheet("Pierwsza linia")
        sheet.append(["Zakres", first_line["selection"]])
        sheet.append([])
        head = ["wymiar", "wartość", "zgłoszenia"]
        for m in FIRST_LINE_METRICS:
            col = FIRST_LINE_COLUMNS_PL[m]
            head += [
                f"{col}_dotrzymane",
                f"{col}_przekroczone",
                f"{col}_w_toku",
                f"{col}_bez_celu",
                f"{col}_mediana_min",
            ]
        head.append("oczekiwanie_na_zgłaszającego_min")
        sheet.append(head)
        groups = [("urząd", k, g) for k, g in first_line["by_office"].items()]
        groups += [("lider", k, g) for k, g in first_line["by_leader"].items()]
        groups.append(("razem", "", first_line["total"]))
        for dimension, key, g in groups:
            fl_row: list[Any] = [dimension, key, g["tickets"]]
            for m in FIRST_LINE_METRICS:
                x = g["metrics"][m]
                fl_row += [x["met"], x["breached"], x["running"], x["no_target"], x["median_min"]]
            fl_row.append(g["waiting_for_official_min"])
            sheet.append(fl_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _chart_sheet(book: Any, report: Mapping[str, Any]) -> None:
    """Native Excel charts: met and breached clocks per contract, penalties per month (accrued
    and due after the cap) — their data sit in the same sheet, so the charts stay live."""
    from openpyxl.chart import BarChart, Reference

    sheet = book.create_sheet("Wykresy", 1)
    sheet.append(
        [
            "umowa",
            *[f"{METRIC_LABELS_PL[m]}: dotrzymane" for m in METRICS],
            *[f"{METRIC_LABELS_PL[m]}: przekroczone" for m in METRICS],
        ]
    )
    contracts = list(report["by_contract"].items())
    for key, g in contracts:
        sheet.append(
            [key, *[g["metrics"][m]["met"] for m in METRICS], *[g["metrics"][m]["breached"] for m in METRICS]]
        )
    if contracts:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Terminy dotrzymane i przekroczone wg umowy"
        chart.y_axis.title = "zegary"
        data = Reference(
            sheet, min_col=2, max_col=1 + 2 * len(METRICS), min_row=1, max_row=1 + len(contracts)
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(contracts)))
        chart.width, chart.height = 22, 10
        sheet.add_chart(chart, "J2")
    penalties = report.get("penalties")
    months = penalties["by_month"] if penalties else []
    if not months:
        months = [
            {
                "month": k,
                "contract": "",
                "accrued_pln": g["penalty_uncapped_pln"],
                "due_pln": g["penalty_pln"],
            }
            for k, g in report["by_month"].items()
        ]
    top = sheet.max_row + 2
    sheet.cell(row=top, column=1, value="miesiąc")
    sheet.cell(row=top, column=2, value="kary naliczone [zł]")
    sheet.cell(row=top, column=3, value="kary należne po limicie [zł]")
    for i, m in enumerate(months, start=1):
        label = f"{m['month']} {m['contract']}".strip()
        sheet.cell(row=top + i, column=1, value=label)
        sheet.cell(row=top + i, column=2, value=m["accrued_pln"])
        sheet.cell(row=top + i, column=3, value=m["due_pln"])
    if months:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Kary umowne wg miesiąca: naliczone i należne po limicie"
        chart.y_axis.title = "zł"
        data = Reference(sheet, min_col=2, max_col=3, min_row=top, max_row=top + len(months))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=top + len(months)))
        chart.width, chart.height = 22, 10
        sheet.add_chart(chart, "J24")


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
                    f"<title>{escape(label)}: {polish_number(value, None)}{unit}</title></rect>"
                )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 13}">{polish_number(sum(values), None)}{escape(unit)}</text>'
        )
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


def _ticket_table(report: Mapping[str, Any]) -> str:
    """Per ticket (when the report has them): a link to its page and events, and each clock."""
    tickets = report.get("tickets")
    if not tickets:
        return ""
    base = str(report.get("links", "")).rstrip("/")
    head = "".join(
        f"<th>{escape(x)}</th>"
        for x in (
            "zgłoszenie",
            "umowa",
            "priorytet",
            "urząd",
            "komponent",
            "przekazano",
            "terminy",
            "kary [zł]",
        )
    )
    rows = []
    for t in tickets:
        clocks = ", ".join(
            f"{METRIC_LABELS_PL.get(m, m)}: {STATE_LABELS_PL.get(x['state'], x['state'])}"
            for m, x in t["metrics"].items()
        )
        link = f'<a href="{escape(base)}/tickets/{escape(t["ticket"])}">{escape(t["ticket"])}</a>'
        cells = [
            link,
            escape(str(t["contract"])),
            escape(_label("priority", t["priority"])),
            escape(str(t["office"])),
            escape(_label("component", t["component"])),
            escape(_when(t["escalated_at"])),
            escape(clocks or "poza umową"),
            escape(_amount(t["penalty_pln"])),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<h3>Zgłoszenia</h3><table><tr>{head}</tr>{''.join(rows)}</table>"


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
                    f"{x['met']}/{x['breached']}/{x['running']}, {_minutes(x['median_min'])}, {_minutes(x['p90_min'])}"
                )
            cells += [
                _minutes(g["paused_min"]),
                _amount(g["penalty_pln"]),
                _amount(g["penalty_uncapped_pln"]),
            ]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        tables.append(
            f"<h3>{escape(DIMENSION_LABELS_PL[d])}</h3><table><tr>{head}</tr>{''.join(body)}</table>"
        )
    tables += _penalties_html(report) + _first_line_html(report)
    tables.append(_ticket_table(report))
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
<span class="big">Kary (z limitem): <b>{pln(total["penalty_pln"])}</b></span>
<span class="big">Wstrzymania: <b>{_minutes(total["paused_min"])} min</b></span></p>
<h2>Wykresy</h2>{"".join(sections)}
<h2>Zestawienia</h2>{"".join(tables)}
<p><small>Raport można odtworzyć: <code>helpdesk audit export</code>, a następnie
<code>helpdesk sla replay --as-of {escape(report["as_of"])}</code> — wyniki per zgłoszenie są identyczne.</small></p>
</body></html>
"""
    return page.encode("utf-8")


def _amount(value: Any) -> str:
    """An amount in a column headed [zł]: Polish digits, two decimals."""
    return "—" if value is None else polish_number(value, 2)


def _minutes(value: Any) -> str:
    """Minutes in a column headed [min]: Polish digits, decimals only where there are some."""
    return "—" if value is None else polish_number(value, None)


def _when(value: Any) -> str:
    """An ISO instant of the report (already in its time zone) as people read it: 26.11.2026 20:53."""
    try:
        return in_polish(str(value))
    except ValueError:
        return "—" if value is None else str(value)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('—' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def _penalties_html(report: Mapping[str, Any]) -> list[str]:
    penalties = report.get("penalties")
    if not penalties:
        return []
    caps = _table(
        ["umowa", "limit łączny kar"], [[k, c["description"]] for k, c in penalties["caps"].items()]
    )
    months = _table(
        ["miesiąc", "umowa", "kary", "naliczone [zł]", "należne po limicie [zł]"],
        [
            [m["month"], m["contract"], m["penalties"], _amount(m["accrued_pln"]), _amount(m["due_pln"])]
            for m in penalties["by_month"]
        ],
    )
    entries = _table(
        ["przekroczenie", "zgłoszenie", "wersja umowy", "czas", "naliczone [zł]", "należne [zł]"],
        [
            [
                _when(e["breached_at"]),
                e["ticket"],
                e["contract_version"],
                METRIC_LABELS_PL.get(e["metric"], e["metric"]),
                _amount(e["accrued_pln"]),
                _amount(e["due_pln"]),
            ]
            for e in penalties["entries"]
        ],
    )
    return ["<h3>Kary umowne i limit łączny (w kolejności przekroczeń)</h3>" + caps + months + entries]


def _first_line_html(report: Mapping[str, Any]) -> list[str]:
    first_line = report.get("first_line")
    if not first_line:
        return []
    head = ["", "zgłoszenia"] + [
        f"{FIRST_LINE_LABELS_PL[m]}: dotrz./przekr./w toku, mediana [min]" for m in FIRST_LINE_METRICS
    ]
    out = []
    for title, groups in (("wg urzędu", first_line["by_office"]), ("wg lidera", first_line["by_leader"])):
        rows = []
        for key, g in groups.items():
            row: list[Any] = [key, g["tickets"]]
            for m in FIRST_LINE_METRICS:
                x = g["metrics"][m]
                row.append(f"{x['met']}/{x['breached']}/{x['running']}, {_minutes(x['median_min'])}")
            rows.append(row)
        out.append(
            f"<h3>Pierwsza linia (liderzy) {title}</h3><p>{escape(first_line['selection'])}</p>"
            + _table(head, rows)
        )
    return out


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
