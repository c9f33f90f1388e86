"""What every page shares: the Jinja2 environment (autoescaped templates in helpdesk/web/templates),
the signed-in person, the form token, Polish labels and local times, and the error pages.

Form token: every form of the pages carries `csrf`, the SHA-256 of the session cookie with a fixed
prefix. The cookie is HttpOnly and SameSite=Lax, so a page elsewhere can neither read it nor
compute the token; the check (web/middlewares.py, `csrf_guard`) compares the two for every form
sent with a session. The login form has no session yet: there the browser's Origin header must be
ours when it is sent.
"""

import hashlib
import hmac
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import web

from helpdesk.domain.calendar import month_label
from helpdesk.domain.events import EVENT_LABELS_PL
from helpdesk.domain.numbers import pln
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.people import Person
from helpdesk.domain.roles import ROLE_LABELS_PL, Role
from helpdesk.domain.tickets import (
    ACTION_LABELS_PL,
    PRIORITY_LABELS_PL,
    STATE_LABELS_PL,
    Action,
    Priority,
    State,
)
from helpdesk.services.texts import DATE_FORMAT_PL, EVENTS_PL, TIME_FORMAT_PL, human_size, plural_pl
from helpdesk.web.common import CONTAINER, SESSION_COOKIE, optional_person, static_url

CSRF_FIELD = "csrf"


def csrf_token(session: str | None) -> str:
    """The form token of a session (empty without one)."""
    if not session:
        return ""
    return hashlib.sha256(f"helpdesk-form:{session}".encode()).hexdigest()


def csrf_ok(session: str | None, sent: str) -> bool:
    """Whether `sent` is the form token of `session`."""
    expected = csrf_token(session)
    return bool(expected) and hmac.compare_digest(expected, sent)


def local_time(value: str | datetime | None, fmt: str = TIME_FORMAT_PL) -> str:
    """An ISO time (any offset) shown in the desk's time zone; set by `setup` from the settings."""
    if not value:
        return "—"
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if at.tzinfo is None:
        return at.strftime(fmt)
    return at.astimezone(_TZ[0]).strftime(fmt) if _TZ else at.strftime(fmt)


def local_day(value: Any) -> str:
    """An ISO date (a milestone's, a training's) as people read it: 04.02.2026; — for none."""
    return local_time(str(value), DATE_FORMAT_PL) if value else "—"


_TZ: list[Any] = []


def sentence(message: object) -> str:
    """A service's message (written to follow "błąd: ") as a sentence on a page: capital, full stop."""
    text = str(message)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _label(table: dict[Any, str], key: Any) -> str:
    try:
        return table.get(key, str(key)) if key is not None else "—"
    except TypeError:
        return str(key)


def setup(app: web.Application) -> None:
    """Templates (autoescaped), their filters and the static files."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("helpdesk.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _TZ[:] = [app[CONTAINER].settings.tz]
    env.filters.update(
        when=local_time,
        day=local_day,
        month=month_label,
        state=lambda v: _label({s.value: label for s, label in STATE_LABELS_PL.items()}, v),
        priority=lambda v: _label({p.value: label for p, label in PRIORITY_LABELS_PL.items()}, v),
        component=lambda v: _label(COMPONENT_LABELS_PL, v) if v else "nieokreślony",
        action=lambda v: _label({a.value: label for a, label in ACTION_LABELS_PL.items()}, v),
        event=lambda v: _label(EVENT_LABELS_PL, v),
        role=lambda v: _label({r.value: label for r, label in ROLE_LABELS_PL.items()}, v),
        urlquote=lambda v: quote(str(v), safe=""),
        size=human_size,
        pln=pln,
        plural=plural_pl,
    )
    env.globals.update(
        STATES=[(s.value, STATE_LABELS_PL[s]) for s in State],
        PRIORITIES=[(p.value, PRIORITY_LABELS_PL[p]) for p in Priority],
        COMPONENTS=list(COMPONENT_LABELS_PL.items()),
        Role=Role,
        Action=Action,
        static_url=static_url,
        EVENTS_PL=EVENTS_PL,
    )


async def render(
    request: web.Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    person: Person | None = None,
) -> web.Response:
    """A page from `template` with the person, the form token and the current path."""
    if person is None:
        person = await optional_person(request)
    ctx = {
        "person": person,
        "csrf": csrf_token(request.cookies.get(SESSION_COOKIE)),
        "path": request.path_qs,
        "now": request.app[CONTAINER].clock.now().isoformat(timespec="seconds"),
        **(context or {}),
    }
    response = aiohttp_jinja2.render_template(template, request, ctx, status=status)
    return response


async def signed_in(request: web.Request) -> Person:
    """The signed-in person; anyone else goes to the login page and comes back here afterwards."""
    person = await optional_person(request)
    if person is None:
        if request.method != "GET" or request.path == "/":
            raise web.HTTPSeeOther("/login")
        raise web.HTTPSeeOther(f"/login?{_next_query(request.path_qs)}")
    return person


def _next_query(target: str) -> str:
    return "next=" + quote(target, safe="/")


def safe_next(value: str | None) -> str:
    """A local path to go to after login (anything else: the home page)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 for c in value):
        return "/"
    return value


MESSAGES = {
    400: ("Niepoprawne żądanie", "Formularz albo adres zawiera niepoprawne dane."),
    403: ("Brak uprawnień", "Nie masz uprawnień do tej strony lub akcji."),
    404: ("Nie znaleziono", "Nie ma takiej strony albo nie masz do niej dostępu."),
    405: ("Niedozwolona metoda", "Ta strona nie przyjmuje takiego żądania."),
    409: ("Konflikt", "Tej akcji nie można teraz wykonać."),
    413: ("Za duży plik lub formularz", "Przesłana treść przekracza dopuszczalny rozmiar."),
    429: ("Za dużo prób", "Spróbuj ponownie za chwilę."),
}


async def error_page(request: web.Request, status: int, detail: str = "") -> web.Response:
    """A Polish error page with the right status."""
    title, text = MESSAGES.get(status, ("Błąd", "Nie udało się wykonać żądania."))
    person = None
    try:
        person = await optional_person(request)
    except Exception:  # an error page must render even when the database cannot say who is asking
        person = None
    return await render(
        request,
        "error.html",
        {"status": status, "title": title, "text": text, "detail": detail},
        status=status,
        person=person,
    )
