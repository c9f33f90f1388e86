""" "Nie pamiętasz hasła?": the pages that ask for a link by e-mail (/haslo) and set the new
password from it (/haslo/nowe?t=…), through services/password_reset.py.

The first page answers the same whether or not the account exists, so it cannot be used to learn
who has one. The second shows the form only for a link that still works, and otherwise leads back
to asking for a new one — never a dead end. After the new password is set the person signs in.
"""

from typing import Any

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.render import render, sentence

SENT = (
    "Jeśli w help-desku jest konto o tym loginie lub adresie i ma ono adres e-mail, wysłaliśmy na "
    "niego link do ustawienia nowego hasła. Link działa jeden raz, przez godzinę."
)


async def ask_form(request: web.Request, **context: Any) -> web.Response:
    """GET /haslo: login or e-mail, to get a link."""
    status = int(context.pop("status", 200))
    return await render(
        request, "password/ask.html", {"title": "Nie pamiętasz hasła?", **context}, status=status
    )


async def ask_post(request: web.Request) -> web.StreamResponse:
    """POST /haslo: send the link when there is someone to send it to; say the same either way."""
    form = await request.post()
    who = str(form.get("who", ""))[:254]
    try:
        await run(request, request.app[CONTAINER].password_reset.request, who, request.remote or "")
    except HelpdeskError as err:
        return await ask_form(request, error=sentence(err), who=who, status=status_of(err))
    return await ask_form(request, sent=SENT)


async def new_form(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    """GET /haslo/nowe?t=…: the new password's form, for a link that still works."""
    secret = request.query.get("t", "")
    expired = ""
    try:
        person = await run(request, request.app[CONTAINER].password_reset.holder, secret)
        login = person.login
    except HelpdeskError as err:
        expired, login, status = sentence(err), "", status_of(err) if status == 200 else status
    context = {"title": "Nowe hasło", "secret": secret, "login": login, "expired": expired, "error": error}
    return await render(request, "password/new.html", context, status=status)


async def new_post(request: web.Request) -> web.StreamResponse:
    """POST /haslo/nowe?t=…: set the new password, then sign in with it."""
    form = await request.post()
    new, again = str(form.get("new", "")), str(form.get("again", ""))
    if new != again:
        return await new_form(request, "Nowe hasło i jego powtórzenie się różnią.", 400)
    try:
        await run(request, request.app[CONTAINER].password_reset.complete, request.query.get("t", ""), new)
    except HelpdeskError as err:
        return await new_form(request, sentence(err), status_of(err))
    raise web.HTTPSeeOther("/login?haslo=ustawione")


def setup(app: web.Application) -> None:
    """Register the two pages."""
    app.router.add_get("/haslo", ask_form)
    app.router.add_post("/haslo", ask_post)
    app.router.add_get("/haslo/nowe", new_form)
    app.router.add_post("/haslo/nowe", new_post)
