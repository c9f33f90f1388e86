"""The people section of an office's page (`/offices/{code}`): "Dodaj osobę", blocking and
unblocking, and the CSV import — for the office's representative (its officials and leaders),
coordinators and admins. Who may do what is the people service's decision (domain/people.py
`can_manage`); a refused or wrong form comes back on the page with the Polish reason and what was
typed, a done one with what was done (web/office_pages.py `office_view`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError, InvalidInput, TooLarge
from helpdesk.domain.people import Person
from helpdesk.services.people import MAX_CSV_BYTES
from helpdesk.services.people_import import import_people
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.office_pages import back_to_office, office_view, page

ADD_FIELDS = ("name", "login", "role", "email", "invite")


def _done(code: str, key: str, value: str) -> web.HTTPSeeOther:
    """Back to the office's people section, saying what was done."""
    return back_to_office(code, f"{key}={quote(value, safe='')}#osoby")


@page
async def add_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/people: add one person to the office."""
    form = await request.post()
    code = request.match_info["code"]
    typed = {key: str(form.get(key, "")) for key in ADD_FIELDS}
    container = request.app[CONTAINER]
    try:
        added = await run(
            request,
            lambda: container.people.add_office_person(
                person,
                code,
                login=typed["login"],
                name=typed["name"],
                role=typed["role"],
                email=typed["email"] or None,
                now=container.clock.now(),
            ),
        )
    except HelpdeskError as err:
        form_back = {"add": typed, "add_error": str(err)}
        return await office_view(request, person, code, people_form=form_back, status=status_of(err))
    # A welcome with a link to set the password: the new person starts without anyone's help.
    if form.get("invite") and added.email:
        sent: bool = await run(request, container.password_reset.invite, added.login)
        raise _done(code, "zaproszono" if sent else "dodano", added.login)
    raise _done(code, "dodano", added.login)


@page
async def invite_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/people/{login}/invite: (again) a welcome with a link to set the password."""
    code, login = request.match_info["code"], request.match_info["login"]
    container = request.app[CONTAINER]
    invited = await run(request, container.people.managed, person, code, login)
    if not invited.email:
        raise InvalidInput(f"{invited.name} nie ma adresu e-mail – dopisz go (import z pliku CSV)")
    sent = await run(request, container.password_reset.invite, invited.login)
    raise _done(code, "zaproszono" if sent else "limit", invited.login)


def _uploaded(form: Any) -> str | None:
    """The text of the uploaded file, if one was chosen (UTF-8, with or without BOM)."""
    field = form.get("file")
    if not isinstance(field, web.FileField) or not field.filename:
        return None
    data = field.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise TooLarge("plik CSV jest za duży (limit 5 MB)")
    try:
        return str(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise InvalidInput("plik nie jest zapisany w UTF-8 (zapisz go jako „CSV UTF-8”)") from err


@page
async def import_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/people/import: a people file, pasted or uploaded, for this office only."""
    form = await request.post()
    code = request.match_info["code"]
    pasted = str(form.get("csv", ""))
    container = request.app[CONTAINER]
    try:
        text = _uploaded(form)
        result = await run(
            request,
            lambda: import_people(
                container.db,
                container.people.contractors,
                pasted if text is None else text,
                container.clock.now(),
                person,
                office=code,
            ),
        )
    except HelpdeskError as err:
        form_back = {"csv": pasted, "import_error": str(err)}
        return await office_view(request, person, code, people_form=form_back, status=status_of(err))
    counts = f"{result.added},{result.updated},{result.unchanged}"
    raise back_to_office(code, f"zaimportowano={counts}#osoby")


async def _enable(request: web.Request, person: Person, enabled: bool) -> web.StreamResponse:
    code, login = request.match_info["code"], request.match_info["login"]
    container = request.app[CONTAINER]
    changed = await run(request, container.people.set_enabled_in_office, person, code, login, enabled)
    raise _done(code, "odblokowano" if enabled else "zablokowano", changed.login)


@page
async def block_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/people/{login}/block: refused at once on every channel."""
    return await _enable(request, person, False)


@page
async def unblock_post(request: web.Request, person: Person) -> web.StreamResponse:
    """POST /offices/{code}/people/{login}/unblock."""
    return await _enable(request, person, True)


def setup(app: web.Application) -> None:
    """Register the people forms of the office page."""
    app.router.add_post("/offices/{code}/people", add_post)
    app.router.add_post("/offices/{code}/people/import", import_post)
    app.router.add_post("/offices/{code}/people/{login}/block", block_post)
    app.router.add_post("/offices/{code}/people/{login}/unblock", unblock_post)
    app.router.add_post("/offices/{code}/people/{login}/invite", invite_post)
