"""Ticket pages: the person's queue (search, filters, saved views, sort, pages), a new ticket with
knowledge-base suggestions while typing, the ticket with every action the permission table allows
(each with its note), and attachments up and down.

Filters and sort are the ticket service's (`TicketService.list`): the page only maps a saved view
to them. A note is required on the web for the actions whose text the other side must read
(reply, comment, asking the office, workaround, resolve, reopen).
"""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from helpdesk.domain import events as ev
from helpdesk.domain.errors import HelpdeskError, InvalidInput, TooLarge
from helpdesk.domain.events import INTERNAL_EVENTS
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL
from helpdesk.domain.offices import component_short_label
from helpdesk.domain.people import Person
from helpdesk.domain.roles import OFFICE_ROLES, SEE_ALL_ROLES, Role
from helpdesk.domain.tickets import CREATE_ROLES, Action, State
from helpdesk.services.audit import verify_log
from helpdesk.services.kb.drafts import REVIEW_ROLES
from helpdesk.services.texts import human_size
from helpdesk.services.tickets import NO_ASSIGNEE, SORTS, File, NewTicket
from helpdesk.web import office_pages
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.event_words import event_detail
from helpdesk.web.pages.render import error_page, render, signed_in
from helpdesk.web.pages.sla_words import first_line_in_words, sla_in_words

PER_PAGE = 25
OFFICIAL_SORTS = frozenset({"newest", "oldest", "updated"})
WORKED_ON = frozenset({State.IN_PROGRESS.value, State.REOPENED.value})
"""States in which a leader works on a ticket with the office (its first-line targets run)."""
VIEW_TITLES = {
    Role.OFFICIAL: "Moje zgłoszenia",
    Role.LEADER: "Kolejka zgłoszeń urzędu",
    Role.REPRESENTATIVE: "Zgłoszenia urzędu",
    Role.AGENT: "Kolejka Wykonawcy",
    Role.COORDINATOR: "Wszystkie zgłoszenia",
    Role.AUDITOR: "Wszystkie zgłoszenia",
    Role.ADMIN: "Wszystkie zgłoszenia",
}
OPEN_STATES = ",".join(s.value for s in State if s is not State.CLOSED)
AT_RISK_STATES = ",".join(
    s.value for s in (State.ESCALATED, State.ACKNOWLEDGED, State.WORKAROUND, State.WAITING, State.REOPENED)
)
"""Where a contractor's clock can still run out: a resolved ticket's clocks have stopped, so the
"zagrożone SLA" view leaves it out (and the agent's default queue sorts fewer rows)."""
FILTER_FIELDS = (
    "q",
    "office",
    "status",
    "component",
    "priority",
    "assignee",
    "escalated",
    "breached",
    "sort",
)
NOTE_REQUIRED = frozenset(
    {Action.REPLY, Action.COMMENT, Action.WAIT_FOR_OFFICE, Action.WORKAROUND, Action.RESOLVE, Action.REOPEN}
)
NOTE_LABELS = {
    Action.REPLY: "Odpowiedź dla zgłaszającego",
    Action.COMMENT: "Komentarz",
    Action.WAIT_FOR_OFFICE: "O co prosisz urząd",
    Action.WORKAROUND: "Opis obejścia",
    Action.RESOLVE: "Co zostało zrobione (rozwiązanie)",
    Action.REOPEN: "Powód ponownego otwarcia",
    Action.ESCALATE: "Uwagi dla Wykonawcy (opcjonalnie)",
    Action.ACKNOWLEDGE: "Uwagi (opcjonalnie)",
}


def saved_views(person: Person) -> list[tuple[str, str, dict[str, str]]]:
    """(key, name, filters) of the saved views a role has."""
    views: list[tuple[str, str, dict[str, str]]] = [("otwarte", "otwarte", {"status": OPEN_STATES})]
    if person.role in (Role.LEADER, Role.COORDINATOR):
        views += [
            ("moje", "moje", {"assignee": person.login, "status": OPEN_STATES}),
            ("nieprzejete", "nieprzejęte", {"assignee": NO_ASSIGNEE, "status": "new,reopened"}),
        ]
    if person.role is not Role.OFFICIAL:
        views.append(
            (
                "zagrozone",
                "zagrożone SLA",
                {"escalated": "true", "status": AT_RISK_STATES, "sort": "deadline"},
            )
        )
        views.append(("przekroczone", "przekroczone SLA", {"breached": "true"}))
    views += [("zamkniete", "zamknięte", {"status": "closed"}), ("wszystkie", "wszystkie", {})]
    return views


def _default_view(person: Person) -> str:
    return "zagrozone" if person.role is Role.AGENT else "otwarte"


def _assignee_login(typed: str, choices: list[tuple[str, str, str]]) -> str:
    """The login for what was typed in the assignee filter: a login as it is, or a person's name
    (as the table shows it) when exactly one of the suggested people has it."""
    wanted = " ".join(typed.split()).casefold()
    if any(login.casefold() == wanted for login, _, _ in choices):
        return typed.strip()
    named = [login for login, name, _ in choices if name.casefold() == wanted]
    return named[0] if len(named) == 1 else typed.strip()


async def home(request: web.Request) -> web.StreamResponse:
    """GET /: the person's queue."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    query = request.query
    views = saved_views(person)
    chosen = query.get("widok") or ("" if any(query.get(k) for k in FILTER_FIELDS) else _default_view(person))
    filters: dict[str, str] = {}
    for key, _name, values in views:
        if key == chosen:
            filters.update(values)
    filters.update({k: query[k] for k in FILTER_FIELDS if query.get(k)})
    if person.role is Role.AGENT and "sort" not in filters:
        filters["sort"] = "deadline"
    # Whom the assignee filter suggests: the office's own people for its roles, the region's for others.
    assignees = (
        []
        if person.role is Role.OFFICIAL
        else await run(
            request, container.people.assignable, (person.jst or "") if person.role in OFFICE_ROLES else None
        )
    )
    if filters.get("assignee"):
        filters["assignee"] = _assignee_login(filters["assignee"], assignees)
    error = ""
    page_no = 1
    try:
        raw_page = query.get("strona", "1")
        if not raw_page.isascii() or not raw_page.isdigit() or not 0 < int(raw_page) < 100_000:
            raise InvalidInput("numer strony musi być liczbą od 1")
        page_no = int(raw_page)
        result = await run(request, lambda: container.tickets.list(person, filters, page_no, PER_PAGE))
    except HelpdeskError as err:
        error = str(err)
        result = {"items": [], "total": 0, "page": 1, "per_page": PER_PAGE}
    codes = [t["office"] for t in result["items"]]
    chosen_office = filters.get("office", "")
    offices = await run(request, container.people.office_names, [*codes, chosen_office])
    names = await run(request, container.people.names, [t["assignee"] for t in result["items"]])
    # The leaders' next target of the tickets they are working on (the untaken ones show their
    # take reminder already); an official is not shown the office's own targets.
    next_targets: dict[str, dict[str, Any]] = {}
    worked_on = [
        t["id"]
        for t in result["items"]
        if t["state"] in WORKED_ON and not t["escalated"]  # the rest have no such target: no reads
    ]
    if person.role is not Role.OFFICIAL and worked_on:
        found = await run(request, container.tickets.first_line_next, person, worked_on)
        next_targets = {
            tid: {
                "label": FIRST_LINE_LABELS_PL.get(target.metric, target.metric),
                "due": target.due.isoformat() if target.due else "",
                "passed": target.passed,
            }
            for tid, target in found.items()
        }
    drafts = proposals = 0
    if person.role in REVIEW_ROLES:
        drafts = await run(request, container.kb_drafts.count, person)
        proposals = await run(request, container.kb_proposals.count, person)
    pages = max(1, -(-int(result["total"]) // PER_PAGE))
    base = {k: v for k, v in query.items() if k != "strona"}
    context = {
        "title": VIEW_TITLES[person.role],
        "result": result,
        "filters": filters,
        "views": views,
        "chosen": chosen,
        "error": error,
        "offices": offices,
        "names": names,
        "next_targets": next_targets,
        "assignees": assignees,
        "no_assignee": NO_ASSIGNEE,
        # One office's tickets (a figure of the region overview led here): said, and kept by the
        # saved views and the filter form.
        "office_name": offices.get(chosen_office, chosen_office) if chosen_office else "",
        # People of one office see only its tickets: a column repeating its name says nothing.
        "one_office": person.role in OFFICE_ROLES or bool(chosen_office),
        "page_no": page_no,
        "pages": pages,
        "prev_url": "/?" + urlencode({**base, "strona": page_no - 1}) if page_no > 1 else "",
        "next_url": "/?" + urlencode({**base, "strona": page_no + 1}) if page_no < pages else "",
        # An official's few tickets: by time; the desk's orders (priority, deadlines) are for its people.
        "sorts": [
            (key, label)
            for key, label in SORTS.items()
            if person.role is not Role.OFFICIAL or key in OFFICIAL_SORTS
        ],
        "can_create": person.role in CREATE_ROLES,
        "drafts": drafts,
        "proposals": proposals,
        "rollout_links": office_pages.home_links(person),
    }
    return await render(request, "tickets/queue.html", context, status=400 if error else 200, person=person)


async def new_ticket_form(request: web.Request) -> web.StreamResponse:
    """GET /tickets/new: the form (with KB suggestions while typing, app.js)."""
    person = await signed_in(request)
    return await _new_form(request, person, {}, "")


async def _new_form(
    request: web.Request, person: Person, values: dict[str, str], error: str, status: int = 200
) -> web.Response:
    if person.role not in CREATE_ROLES:
        return await error_page(request, 403, "Twoja rola nie zakłada zgłoszeń.")
    offices = (
        await run(request, request.app[CONTAINER].people.all_office_names)
        if person.role is Role.COORDINATOR
        else {}
    )
    context = {
        "title": "Nowe zgłoszenie",
        "values": values,
        "error": error,
        "offices": offices,
        "max_bytes": request.app[CONTAINER].settings.attachment_max_bytes,
    }
    return await render(request, "tickets/new.html", context, status=status, person=person)


async def new_ticket_submit(request: web.Request) -> web.StreamResponse:
    """POST /tickets/new: open the ticket (with its files), then its page."""
    person = await signed_in(request)
    form = await request.post()
    values = {k: str(form.get(k, "")) for k in ("title", "description", "component", "office")}
    container = request.app[CONTAINER]
    try:
        files = _uploads(form.getall("files", []), container.settings.attachment_max_bytes)
        new = NewTicket(
            title=values["title"],
            description=values["description"],
            component=values["component"] or None,
            office=values["office"] or None,
            channel="web",
            attachments=files,
        )
        ticket = await run(request, container.tickets.create, person, new)
    except HelpdeskError as err:
        return await _new_form(request, person, values, str(err), status_of(err))
    raise web.HTTPSeeOther(f"/tickets/{ticket['id']}?utworzono=1")


def _uploads(fields: list[Any], limit: int) -> list[File]:
    """Files of a multipart form (empty file inputs skipped), each at most `limit` bytes."""
    files = []
    for field in fields:
        if not isinstance(field, web.FileField) or not field.filename:
            continue
        data = field.file.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"plik '{field.filename[:80]}' jest za duży (limit {human_size(limit)})")
        name = field.filename.replace("/", "_").replace("\\", "_")[:200]
        files.append(File(name, field.content_type or "application/octet-stream", data))
    return files


async def ticket_page(request: web.Request) -> web.StreamResponse:
    """GET /tickets/{id}: details, history, SLA in words, attachments and the actions."""
    person = await signed_in(request)
    notice = "Zgłoszenie zostało zapisane." if request.query.get("utworzono") else ""
    if request.query.get("zapisano"):
        notice = "Zapisano."
    return await _ticket(request, person, notice=notice)


async def _ticket(
    request: web.Request,
    person: Person,
    *,
    notice: str = "",
    error: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    container = request.app[CONTAINER]
    ticket = await run(request, container.tickets.get, person, request.match_info["id"])
    events = ticket["events"]
    if person.role is Role.OFFICIAL:
        events = [e for e in events if e["type"] not in INTERNAL_EVENTS]
    titles = {c.id: c.title for c in container.contracts.values()}
    events = [{**e, "detail": event_detail(e, titles)} for e in events]
    allowed = [Action(a) for a in ticket["allowed_actions"]]
    leaders: list[tuple[str, str]] = []
    if Action.TAKE in allowed:
        found = await run(request, container.tickets.leaders_of, person, ticket["id"])
        leaders = [(p.login, p.name) for p in found if p.login != ticket["assignee"]]
        if not leaders and ticket["assignee"] == person.login:
            allowed.remove(Action.TAKE)  # already this person's, and nobody else to give it to
    chain = None
    if person.role in SEE_ALL_ROLES and request.query.get("lancuch"):
        chain = await _chain_of(request, ticket["id"])
    offices = await run(request, container.people.office_names, [ticket["office"]])
    names = await run(
        request, container.people.names, [ticket["assignee"], *(e.get("actor") for e in events)]
    )
    contracts = [
        {
            "id": c.id,
            "title": c.title,
            "contractor": c.contractor_title,
            "components": ", ".join(component_short_label(x) for x in c.components),
        }
        for c in container.contracts.values()
    ]
    # A leader's answer may point to an article: the closest to the ticket first, then all of them.
    pointers: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
    if {Action.REPLY, Action.RESOLVE} & set(allowed) and person.role is not Role.AGENT:
        text = f"{ticket['title']}\n{ticket['description'] or ''}"
        pointers = await run(request, container.kb.pointers, text)
    # The contract a ticket is under, by its title where the file gives one (ids are for auditors).
    under = container.contracts.get(ticket["contract"] or "")
    context = {
        "title": f"{ticket['id']}: {ticket['title']}",
        "t": ticket,
        "events": events,
        "allowed": allowed,
        "office_name": offices.get(ticket["office"], ticket["office"]),
        "names": names,
        "sla": sla_in_words(ticket.get("sla"), container.clock.now()),
        # Contractual penalties are settled between the region and the contractor: an official
        # reads when the contractor must react and fix, not what it costs.
        "show_penalties": person.role is not Role.OFFICIAL,
        # The leaders' own targets are the office's business, not the official's.
        "first_line": None if person.role is Role.OFFICIAL else first_line_in_words(ticket.get("first_line")),
        "contracts": contracts,
        "contract_title": under.title if under is not None else ticket["contract"],
        # The ticket keeps its contractor's id; the contract's file gives the name to read.
        "contractor_title": under.contractor_title
        if under is not None and under.contractor == ticket["contractor"]
        else ticket["contractor"],
        "leaders": leaders,
        "notice": notice,
        "error": error,
        "typed": typed or {},
        "note_required": NOTE_REQUIRED,
        "note_labels": NOTE_LABELS,
        "can_draft": person.role in (Role.LEADER, Role.COORDINATOR)
        and ticket["state"] in (State.RESOLVED.value, State.CLOSED.value),
        "max_bytes": container.settings.attachment_max_bytes,
        "rollout_line": office_pages.ticket_line(ticket, person),
        "confirm": _confirmation(ticket, events, allowed, person, names),
        "closest_articles": pointers[0],
        "all_articles": pointers[1],
        "chain": chain,
        "can_verify": person.role in SEE_ALL_ROLES,
    }
    return await render(request, "tickets/ticket.html", context, status=status, person=person)


def _confirmation(
    ticket: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    allowed: Sequence[Action],
    person: Person,
    names: Mapping[str, str],
) -> dict[str, Any] | None:
    """For the person who reported a resolved ticket: the resolution to confirm (close) or turn
    down (reopen with a reason), shown above everything else — the question the ticket waits on."""
    author = ticket.get("author") or {}
    if ticket["state"] != State.RESOLVED.value or author.get("login") != person.login:
        return None
    if Action.CLOSE not in allowed or Action.REOPEN not in allowed:
        return None
    resolved = next((e for e in reversed(events) if e["type"] == ev.RESOLVED), None)
    if resolved is None:
        return None
    actor = resolved.get("actor") or ""
    return {"text": resolved.get("text") or "", "by": names.get(actor, actor), "at": resolved["at"]}


async def _chain_of(request: web.Request, ticket_id: str) -> dict[str, Any]:
    """The whole log checked as `helpdesk audit verify` does, and what it found about this ticket:
    an event of it altered, missing or out of place breaks its chain; a break elsewhere is said
    apart (the ticket's own events may still be whole)."""
    verdict = await run(request, verify_log, request.app[CONTAINER].db)
    own = [p.describe() for p in verdict.problems if p.ticket == ticket_id]
    return {
        "ok": not own,
        "whole_ok": verdict.ok,
        "events": verdict.events,
        "problems": own[:20],
        "elsewhere": len(verdict.problems) - len(own),
    }


async def ticket_act(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{id}/act: one action with its note, then back to the ticket; on an error the
    page again with what was typed and the error."""
    person = await signed_in(request)
    form = await request.post()
    container = request.app[CONTAINER]
    ticket_id = request.match_info["id"]
    typed = {
        k: str(form.get(k, ""))
        for k in ("action", "text", "priority", "component", "contract", "assignee", "article")
    }
    action = typed["action"]
    try:
        if action == "set_fields":  # component and priority from one form: each that changed
            current = await run(request, container.tickets.get, person, ticket_id)
            changed = False
            if typed["component"] and typed["component"] != current["component"]:
                await run(
                    request,
                    lambda: container.tickets.act(
                        person, ticket_id, "set_component", component=typed["component"]
                    ),
                )
                changed = True
            if typed["priority"] and typed["priority"] != current["priority"]:
                await run(
                    request,
                    lambda: container.tickets.act(
                        person, ticket_id, "set_priority", priority=typed["priority"]
                    ),
                )
                changed = True
            if not changed:
                raise InvalidInput("nic się nie zmieniło: wybierz inny komponent lub priorytet")
        else:
            text = typed["text"]
            if typed["article"]:  # the link is the answer, or follows the note (and teaches the KB)
                text = await run(request, container.kb.with_article_link, text, typed["article"])
            if action in {a.value for a in NOTE_REQUIRED} and not text.strip():
                raise InvalidInput("wpisz notatkę – bez niej druga strona nie będzie wiedziała, co zrobiono")
            await run(
                request,
                lambda: container.tickets.act(
                    person,
                    ticket_id,
                    action,
                    text=text or None,
                    priority=typed["priority"] or None,
                    component=typed["component"] or None,
                    contract=typed["contract"] or None,
                    assignee=typed["assignee"] or None,
                ),
            )
    except HelpdeskError as err:
        return await _ticket(request, person, error=str(err), typed=typed, status=status_of(err))
    raise web.HTTPSeeOther(f"/tickets/{quote(ticket_id)}?zapisano=1")


async def upload(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{id}/files: attach files to a ticket the person may see."""
    person = await signed_in(request)
    form = await request.post()
    container = request.app[CONTAINER]
    ticket_id = request.match_info["id"]
    try:
        files = _uploads(form.getall("files", []), container.settings.attachment_max_bytes)
        if not files:
            raise InvalidInput("wybierz plik do dołączenia")
        for file in files:
            await run(request, container.tickets.attach, person, ticket_id, file)
    except HelpdeskError as err:
        return await _ticket(request, person, error=str(err), status=status_of(err))
    raise web.HTTPSeeOther(f"/tickets/{quote(ticket_id)}?zapisano=1")


SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"})


async def download(request: web.Request) -> web.StreamResponse:
    """GET /tickets/{id}/files/{no}: the file, always as a download (never shown as a page)."""
    person = await signed_in(request)
    raw = request.match_info["no"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound()
    container = request.app[CONTAINER]
    file = await run(request, container.tickets.attachment, person, request.match_info["id"], int(raw))
    kind = file.content_type.split(";")[0].strip().lower()
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file.filename
    )
    return web.Response(
        body=file.data,
        headers={
            "Content-Type": kind if kind in SAFE_TYPES else "application/octet-stream",
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


async def draft_from_ticket(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{id}/draft: draft a knowledge-base article from a resolved ticket."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    try:
        draft = await run(request, container.kb_insights.draft_from_ticket, person, request.match_info["id"])
    except HelpdeskError as err:
        return await _ticket(request, person, error=str(err), status=status_of(err))
    raise web.HTTPSeeOther(f"/drafts/{quote(str(draft['id']))}")


def setup(app: web.Application) -> None:
    """Register the ticket pages."""
    app.router.add_get("/", home)
    app.router.add_get("/tickets/new", new_ticket_form)
    app.router.add_post("/tickets/new", new_ticket_submit)
    app.router.add_get("/tickets/{id}", ticket_page)
    app.router.add_post("/tickets/{id}/act", ticket_act)
    app.router.add_post("/tickets/{id}/files", upload)
    app.router.add_get("/tickets/{id}/files/{no}", download)
    app.router.add_post("/tickets/{id}/draft", draft_from_ticket)
