"""`/offices/{code}/calendar` — the page to view and edit an office's working calendar.

Everyone signed in sees the hours, days off and the first line's targets that apply to the
office; its representative, coordinators and admins get a form (hours, working days, `closed` and
`open` days, the targets per priority). Saving goes through services/office_calendars.py like the
API does (office file + hash-chained log). A bad value shows the form again with what was typed
and a Polish message — nothing is lost. The page is templates/rollout/calendar.html in the site's
layout (web/pages/render.py), so the signed-in person keeps the site's menu and sign-out; this
module prepares what it shows and takes the form.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from helpdesk.domain.calendar import DAY_LABELS_PL, WEEKDAY_NAMES, days_in_words
from helpdesk.domain.contracts import PRIORITIES, duration_parts
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL, FIRST_LINE_METRICS
from helpdesk.domain.people import Person
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.office_calendars import may_edit
from helpdesk.web.common import CONTAINER, optional_person, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.render import local_day, render

TEMPLATE = "rollout/calendar.html"

HOLIDAYS_PL = {"PL": "ustawowe dni wolne w Polsce", "none": "bez świąt"}
"""How the calendar's `holidays` setting reads on the page (the form keeps the code)."""


def _priority_label(priority: str) -> str:
    return PRIORITY_LABELS_PL[Priority(priority)]


def target_in_words(spec: object) -> str:
    """A target as the file writes it ('30m', '4h', '2d') in Polish: 30 min, 4 h, 2 dni pracy;
    anything else as it is (the file's checks have already refused a bad one)."""
    parts = duration_parts(str(spec))
    if parts is None:
        return str(spec)
    number, unit = parts
    if unit == "d":
        return f"{number} {'dzień' if number == 1 else 'dni'} pracy"
    return f"{number} {'min' if unit == 'm' else 'h'}"


def _view(shown: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of the calendar and targets in force, in Polish words."""
    cal = shown.get("calendar") or {}
    targets = []
    for priority in PRIORITIES:
        values = shown["first_line"].get(priority)
        if values:
            targets.append(
                (
                    _priority_label(priority),
                    [target_in_words(values[m]) if m in values else "—" for m in FIRST_LINE_METRICS],
                )
            )
    return {
        "days": days_in_words([str(d) for d in cal.get("days", [])]),
        "hours": " – ".join(str(h) for h in cal.get("hours", [])) or "—",
        "holidays": HOLIDAYS_PL.get(str(cal.get("holidays", "")), cal.get("holidays", "—")),
        "closed": ", ".join(map(local_day, cal.get("closed") or [])) or "—",
        "open": ", ".join(map(local_day, cal.get("open") or [])) or "—",
        "targets": targets,
    }


def _form(shown: dict[str, Any], typed: dict[str, str] | None = None) -> dict[str, Any]:
    """The form's fields: what was typed when it comes back with an error, else what is in force."""
    cal = shown.get("calendar") or {}
    hours = list(cal.get("hours") or ["08:00", "16:00"])

    def value(key: str, default: str) -> str:
        return typed[key] if typed is not None and key in typed else default

    days = set(cal.get("days") or ["mon", "tue", "wed", "thu", "fri"])
    targets = []
    for priority in PRIORITIES:
        current = shown["first_line"].get(priority) or {}
        fields = [
            (f"{priority}_{m}", value(f"{priority}_{m}", str(current.get(m, "")))) for m in FIRST_LINE_METRICS
        ]
        targets.append((_priority_label(priority), fields))
    return {
        # An unticked box is not sent: with a typed form, a day is ticked only if it was ticked.
        "days": [
            (d, DAY_LABELS_PL[d], bool(typed.get(f"day_{d}")) if typed is not None else d in days)
            for d in WEEKDAY_NAMES
        ],
        "fields": {
            "start": value("start", str(hours[0])),
            "end": value("end", str(hours[1])),
            "holidays": value("holidays", str(cal.get("holidays", "PL"))),
            "closed": value("closed", ", ".join(map(str, cal.get("closed") or []))),
            "open": value("open", ", ".join(map(str, cal.get("open") or []))),
        },
        "targets": targets,
    }


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
    request: web.Request,
    person: Person,
    code: str,
    *,
    notice: str = "",
    error: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[CONTAINER].office_calendars
    try:
        shown = await run(request, service.show, code)
    except HelpdeskError as err:
        missing = {"title": "Kalendarz urzędu", "shown": None, "error": str(err)}
        return await render(request, TEMPLATE, missing, status=404, person=person)
    names = await run(request, request.app[CONTAINER].people.office_names, [shown["office"]])
    name = names.get(shown["office"])
    context: dict[str, Any] = {
        # People know their office by its name; the TERYT code is what the files and the API use.
        "title": f"Kalendarz urzędu: {name} ({shown['office']})"
        if name
        else f"Kalendarz urzędu {shown['office']}",
        "shown": shown,
        "notice": notice,
        "error": error,
        "view": _view(shown),
        "metrics": [FIRST_LINE_LABELS_PL[m] for m in FIRST_LINE_METRICS],
        "form": _form(shown, typed) if may_edit(person, shown["office"]) else None,
    }
    return await render(request, TEMPLATE, context, status=status, person=person)


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
        return await _render(request, person, code, error=str(err), typed=typed, status=status_of(err))
    raise web.HTTPSeeOther(f"/offices/{code}/calendar?zapisano=1")


def setup(app: web.Application) -> None:
    """Register the calendar page."""
    app.router.add_get("/offices/{code}/calendar", calendar_page)
    app.router.add_post("/offices/{code}/calendar", calendar_save)
