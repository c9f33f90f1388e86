"""The page "Moje konto" (/konto): what the help-desk knows of the signed-in person and what they
can do about it themselves — change their web password, and link (or unlink) Telegram to talk to
the bot (when the desk runs one) — so nobody needs an administrator's command line for either.

A password change checks the current password like a login does (throttled; failures count) and
ends every session of the person: the browser that asked gets a new one. A Telegram code is shown
once, on the page answering the request (never in an address), and is valid for 24 hours.
"""

from typing import Any

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError, NotAuthenticated, TooManyRequests
from helpdesk.domain.people import Person
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.auth import with_session
from helpdesk.web.pages.render import render, sentence, signed_in

DONE = {
    "haslo": "Hasło zmienione. Pozostałe sesje zostały zakończone – na innych urządzeniach zaloguj się nowym hasłem.",
    "telegram-odlaczony": "Telegram odłączony. Bot nie rozpozna Cię, dopóki nie połączysz konta ponownie.",
}


async def _page(
    request: web.Request,
    person: Person,
    *,
    error: str = "",
    status: int = 200,
    code: str = "",
) -> web.Response:
    container = request.app[CONTAINER]
    office = ""
    if person.jst:
        office = (await run(request, container.people.office_names, [person.jst])).get(person.jst, person.jst)
    contractor = ""
    if person.contractor:
        found = [
            c.contractor_title for c in container.contracts.values() if c.contractor == person.contractor
        ]
        contractor = found[0] if found else person.contractor
    context: dict[str, Any] = {
        "title": "Moje konto",
        "office": office,
        "contractor": contractor,
        "error": error,
        "notice": DONE.get(request.query.get("zapisano", ""), ""),
        "code": code,
        "telegram": container.telegram is not None,
    }
    return await render(request, "account.html", context, status=status, person=person)


async def account_page(request: web.Request) -> web.StreamResponse:
    """GET /konto: the person's facts, the password form and the Telegram link."""
    return await _page(request, await signed_in(request))


async def password_post(request: web.Request) -> web.StreamResponse:
    """POST /konto/haslo: change one's own password (current, new, new again)."""
    person = await signed_in(request)
    form = await request.post()
    current, new, again = (str(form.get(k, "")) for k in ("current", "new", "again"))
    if new != again:
        return await _page(request, person, error="Nowe hasło i jego powtórzenie się różnią.", status=400)
    container = request.app[CONTAINER]
    try:
        session = await run(
            request,
            lambda: container.people.change_password(
                person.login, current, new, container.clock.now(), address=request.remote or ""
            ),
        )
    except NotAuthenticated:
        return await _page(request, person, error="Obecne hasło jest niepoprawne.", status=401)
    except TooManyRequests as err:
        response = await _page(request, person, error=str(err), status=429)
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    except HelpdeskError as err:
        return await _page(request, person, error=sentence(err), status=status_of(err))
    raise with_session(request, web.HTTPSeeOther("/konto?zapisano=haslo"), session)


async def telegram_code_post(request: web.Request) -> web.StreamResponse:
    """POST /konto/telegram: a one-time code that links this account in the bot (`/start CODE`)."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    code = await run(request, container.people.issue_link_code, person.login, container.clock.now())
    return await _page(request, person, code=code)


async def telegram_unlink_post(request: web.Request) -> web.StreamResponse:
    """POST /konto/telegram/odlacz: forget the Telegram account linked to this person."""
    person = await signed_in(request)
    if person.telegram_id is not None:
        await run(request, request.app[CONTAINER].people.unlink_telegram, person.telegram_id)
    raise web.HTTPSeeOther("/konto?zapisano=telegram-odlaczony")


def setup(app: web.Application) -> None:
    """Register the page and its forms."""
    app.router.add_get("/konto", account_page)
    app.router.add_post("/konto/haslo", password_post)
    if app[CONTAINER].telegram is not None:  # without a bot, there is nothing to link
        app.router.add_post("/konto/telegram", telegram_code_post)
        app.router.add_post("/konto/telegram/odlacz", telegram_unlink_post)
