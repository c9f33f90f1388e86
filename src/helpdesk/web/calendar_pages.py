"""`/offices/{code}/calendar` — the page to view and edit an office's working calendar.

Everyone signed in sees the hours, days off and the first line's targets that apply to the
office; its representative, coordinators and admins get a form (hours, working days, `closed` and
`open` days, the targets per priority). Saving goes through services/office_calendars.py like the
API does (office file + hash-chained log). A bad value shows the form again with what was typed
and a Polish message — nothing is lost. Kept apart from the other pages on purpose: one module
per page family, sharing only web/common.py.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiohttp import web

from helpdesk.domain.calendar import DAY_LABELS_PL, WEEKDAY_NAMES, days_in_words
from helpdesk.domain.contracts import PRIORITIES
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL, FIRST_LINE_METRICS
from helpdesk.domain.people import Person
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.office_calendars import may_edit
from helpdesk.web.common import CONTAINER, optional_person, run, static_url
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.render import with_form_tokens


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (
        f"<!doctype html><html lang='pl'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)} – Help-desk e-Urzędu</title>"
        # The site's stylesheet: the pages' CSP allows no inline styles (web/middlewares.py).
        f"<link rel='stylesheet' href='{static_url('app.css')}'></head><body>"
        f"<header class='top'><a href='/'><strong>Help-desk e-Urzędu</strong></a></header><main>{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)


def _priority_label(priority: str) -> str:
    return f"{PRIORITY_LABELS_PL[Priority(priority)]} ({priority})"


def _view(shown: dict[str, Any]) -> str:
    cal = shown.get("calendar") or {}
    days = days_in_words([str(d) for d in cal.get("days", [])])
    hours = " – ".join(str(h) for h in cal.get("hours", [])) or "—"
    source = (
        f"własny kalendarz urzędu (plik <code>{escape(str(shown['file']))}</code>)"
        if shown["own"]
        else "kalendarz domyślny (plik <code>first_line.yaml</code>)"
        if shown["file"]
        else "brak kalendarza — obowiązują godziny pon.–pt. 8:00–16:00"
    )
    rows = [
        ("Źródło", source),
        ("Dni pracy", escape(days)),
        ("Godziny", escape(hours)),
        ("Święta", escape(str(cal.get("holidays", "—")))),
        ("Dodatkowe dni wolne", escape(", ".join(map(str, cal.get("closed") or [])) or "—")),
        ("Dodatkowe dni pracujące", escape(", ".join(map(str, cal.get("open") or [])) or "—")),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    targets = ""
    for priority in PRIORITIES:
        values = shown["first_line"].get(priority)
        if not values:
            continue
        cells = "".join(f"<td>{escape(str(values.get(m, '—')))}</td>" for m in FIRST_LINE_METRICS)
        targets += f"<tr><th>{escape(_priority_label(priority))}</th>{cells}</tr>"
    head = "".join(f"<th>{escape(FIRST_LINE_LABELS_PL[m])}</th>" for m in FIRST_LINE_METRICS)
    targets_html = (
        f"<table><tr><th>Priorytet</th>{head}</tr>{targets}</table>"
        if targets
        else "<p class='muted'>Brak celów pierwszej linii.</p>"
    )
    return (
        f"<div class='card'><h2>Kalendarz pracy</h2><table>{table}</table></div>"
        f"<div class='card'><h2>Cele pierwszej linii (liderzy)</h2>{targets_html}"
        f"<p class='muted'>Czas liczony w godzinach pracy urzędu; „d” to jeden dzień pracy.</p></div>"
    )


def _form(shown: dict[str, Any], typed: dict[str, str] | None = None) -> str:
    cal = shown.get("calendar") or {}
    hours = list(cal.get("hours") or ["08:00", "16:00"])

    def value(key: str, default: str) -> str:
        return escape(typed[key] if typed is not None and key in typed else default)

    days = set(cal.get("days") or ["mon", "tue", "wed", "thu", "fri"])
    checks = "".join(
        f"<label><input type='checkbox' name='day_{d}' value='1'"
        f"{' checked' if (typed is not None and typed.get('day_' + d)) or (typed is None and d in days) else ''}>"
        f" {DAY_LABELS_PL[d]}</label>"
        for d in WEEKDAY_NAMES
    )
    targets = ""
    for priority in PRIORITIES:
        current = shown["first_line"].get(priority) or {}
        cells = "".join(
            f"<td><input size='5' name='{priority}_{m}' value='{value(f'{priority}_{m}', str(current.get(m, '')))}'></td>"
            for m in FIRST_LINE_METRICS
        )
        targets += f"<tr><th>{escape(_priority_label(priority))}</th>{cells}</tr>"
    head = "".join(f"<th>{escape(FIRST_LINE_LABELS_PL[m])}</th>" for m in FIRST_LINE_METRICS)
    return f"""<div class='card'><h2>Zmień kalendarz</h2>
<form method='post'>
<p>{checks}</p>
<label>Od <input name='start' size='5' value='{value("start", str(hours[0]))}'></label>
<label>Do <input name='end' size='5' value='{value("end", str(hours[1]))}'></label>
<label>Święta (PL albo none) <input name='holidays' size='5' value='{value("holidays", str(cal.get("holidays", "PL")))}'></label>
<p><label>Dodatkowe dni wolne (RRRR-MM-DD, po przecinku)<br>
<input name='closed' size='60' value='{value("closed", ", ".join(map(str, cal.get("closed") or [])))}'></label></p>
<p><label>Dodatkowe dni pracujące<br>
<input name='open' size='60' value='{value("open", ", ".join(map(str, cal.get("open") or [])))}'></label></p>
<h3>Cele pierwszej linii (np. 30m, 4h, 2d; puste — bez celu)</h3>
<table><tr><th>Priorytet</th>{head}</tr>{targets}</table>
<p><button>Zapisz</button></p></form></div>"""


def _body_from_form(form: Any, timezone: str) -> dict[str, Any]:
    def listed(key: str) -> list[str]:
        return [x.strip() for x in str(form.get(key, "")).replace(";", ",").split(",") if x.strip()]

    first_line: dict[str, dict[str, str]] = {}
    for priority in PRIORITIES:
        values = {m: str(form.get(f"{priority}_{m}", "")).strip() for m in FIRST_LINE_METRICS}
        values = {k: v for k, v in values.items() if v}
        if values:
            first_line[priority] = values
    return {
        "calendar": {
            "timezone": timezone,
            "days": [d for d in WEEKDAY_NAMES if form.get(f"day_{d}")],
            "hours": [str(form.get("start", "")).strip(), str(form.get("end", "")).strip()],
            "holidays": str(form.get("holidays", "PL")).strip() or "PL",
            "closed": listed("closed"),
            "open": listed("open"),
        },
        "first_line": first_line or None,
    }


async def _render(
    request: web.Request, person: Person, code: str, *, notice: str = "", error: str = "", typed: Any = None
) -> web.Response:
    service = request.app[CONTAINER].office_calendars
    try:
        shown = await run(request, service.show, code)
    except HelpdeskError as err:
        return _page(
            "Kalendarz urzędu", f"<div class='card'><p class='error'>{escape(str(err))}</p></div>", 404
        )
    parts = [f"<h1>Kalendarz urzędu {escape(shown['office'])}</h1>"]
    if notice:
        parts.append(f"<p class='notice'>{escape(notice)}</p>")
    if error:
        parts.append(f"<p class='error'>{escape(error)}</p>")
    parts.append(_view(shown))
    if may_edit(person, shown["office"]):
        parts.append(_form(shown, typed))
    return _page(f"Kalendarz urzędu {shown['office']}", with_form_tokens("".join(parts), request))


async def calendar_page(request: web.Request) -> web.StreamResponse:
    """GET /offices/{code}/calendar."""
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    notice = "Zapisano kalendarz urzędu." if request.query.get("zapisano") else ""
    return await _render(request, person, request.match_info["code"], notice=notice)


async def calendar_save(request: web.Request) -> web.StreamResponse:
    """POST /offices/{code}/calendar: save the form, or show it again with the error."""
    person = await optional_person(request)
    if person is None:
        raise web.HTTPSeeOther("/login")
    code = request.match_info["code"]
    form = await request.post()
    container = request.app[CONTAINER]
    body = _body_from_form(form, container.settings.timezone)
    try:
        await run(request, container.office_calendars.update, person, code, body)
    except HelpdeskError as err:
        typed = {k: str(v) for k, v in form.items()}
        response = await _render(request, person, code, error=str(err), typed=typed)
        response.set_status(status_of(err))
        return response
    raise web.HTTPSeeOther(f"/offices/{code}/calendar?zapisano=1")


def setup(app: web.Application) -> None:
    """Register the calendar page."""
    app.router.add_get("/offices/{code}/calendar", calendar_page)
    app.router.add_post("/offices/{code}/calendar", calendar_save)
