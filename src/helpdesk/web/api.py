"""The JSON API (`/api/v1`, described by web/openapi.py), plus /healthz and /metrics."""

from typing import Any

from aiohttp import web

from helpdesk.domain.errors import InvalidInput, TooLarge
from helpdesk.domain.inputs import MAX_INT, ascii_int
from helpdesk.services.tickets import NewTicket
from helpdesk.web.common import (
    CONTAINER,
    INTAKE,
    METRICS,
    PERSON,
    checked_credentials,
    current_person,
    json_body,
    json_response,
    plain_json_response,
    run,
)
from helpdesk.web.metrics import health, snapshot


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers (503 otherwise), with what else is wrong told apart under `checks`."""
    snap = await run(request, snapshot, request.app[CONTAINER])
    status, body = health(snap)
    return json_response(body, status=status)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format (web/metrics.py)."""
    stats = request.app[METRICS]
    stats.database.current = await run(request, snapshot, request.app[CONTAINER])
    return web.Response(
        body=stats.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


MAX_PAGE = 1_000_000


def _string_field(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"pole '{key}' jest wymagane")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"pole '{key}' musi być tekstem")
    return value


async def create_ticket(request: web.Request) -> web.Response:
    """POST /api/v1/tickets → 201 with the ticket.

    The busiest write of all: the requests that arrive while earlier ones are being written go
    to the database together (web/intake.py: one trip to the thread pool, one token lookup and
    usually one transaction per batch). A request whose body is refused is still answered 401
    first when its credentials are not valid.
    """
    token = checked_credentials(request)
    try:
        new = _new_ticket(await json_body(request))
    except (InvalidInput, TooLarge):
        await current_person(request)
        raise
    request[PERSON], ticket = await request.app[INTAKE].create(token, new)
    request.app[METRICS].tickets_created.inc()
    return plain_json_response(ticket, status=201)


def _new_ticket(data: dict[str, Any]) -> NewTicket:
    """The new ticket a JSON body asks for (InvalidInput for unknown or mistyped fields)."""
    unknown = set(data) - {"title", "description", "component", "priority", "office", "system"}
    if unknown:
        raise InvalidInput(f"nieznane pola: {', '.join(sorted(unknown))}")
    return NewTicket(
        title=_string_field(data, "title", required=True) or "",
        description=_string_field(data, "description") or "",
        component=_string_field(data, "component"),
        priority=_string_field(data, "priority"),
        office=_string_field(data, "office"),
        channel="api",
        system=_string_field(data, "system"),
    )


def _int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    return ascii_int(raw, name, minimum=1, maximum=MAX_PAGE)


async def list_tickets(request: web.Request) -> web.Response:
    """GET /api/v1/tickets with filters status, office, priority, escalated, q, component, assignee,
    breached and sort; page, per_page."""
    person = await current_person(request)
    filters = {k: v for k, v in request.query.items() if k not in ("page", "per_page")}
    page, per_page = _int_param(request, "page", 1), _int_param(request, "per_page", 50)
    container = request.app[CONTAINER]
    result = await run(request, lambda: container.tickets.list(person, filters, page, per_page))
    return json_response(result)


async def get_ticket(request: web.Request) -> web.Response:
    """GET /api/v1/tickets/{id}: the ticket, its events and live SLA clocks."""
    person = await current_person(request)
    container = request.app[CONTAINER]
    return json_response(await run(request, container.tickets.get, person, request.match_info["id"]))


async def ticket_action(request: web.Request) -> web.Response:
    """POST /api/v1/tickets/{id}/actions {"action", "text"?, "priority"?, "component"?, "contract"?,
    "article"?}.

    `article` (an article id) puts the article's link into the text: the official gets it, and the
    knowledge base learns the question from it (services/kb/proposals.py).
    """
    person = await current_person(request)
    data = await json_body(request)
    unknown = set(data) - {
        "action",
        "text",
        "priority",
        "contract",
        "article",
        "component",
        "assignee",
        "system",
    }
    if unknown:
        raise InvalidInput(f"nieznane pola: {', '.join(sorted(unknown))}")
    container = request.app[CONTAINER]
    ticket_id = request.match_info["id"]
    if data.get("article") is not None:
        data["text"] = await run(request, container.kb.with_article_link, data.get("text"), data["article"])
    result = await run(
        request,
        lambda: container.tickets.act(
            person,
            ticket_id,
            data.get("action"),
            text=data.get("text"),
            priority=data.get("priority"),
            contract=data.get("contract"),
            component=data.get("component"),
            assignee=data.get("assignee"),
            system=data.get("system"),
        ),
    )
    return json_response(result)


def setup(app: web.Application) -> None:
    """Register the API routes."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/api/v1/tickets", create_ticket)
    app.router.add_get("/api/v1/tickets", list_tickets)
    app.router.add_get("/api/v1/tickets/{id}", get_ticket)
    app.router.add_post("/api/v1/tickets/{id}/actions", ticket_action)


async def kb_answer(request: web.Request) -> web.Response:
    """POST /api/v1/kb/answer {"text"} → the answer (services/kb/matcher.py, plus `query_id` for feedback)."""
    person = await current_person(request)
    data = await json_body(request)
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidInput("pole 'text' (tekst pytania) jest wymagane")
    container = request.app[CONTAINER]
    return json_response(await run(request, lambda: container.kb.answer(text, person, "api")))


async def kb_feedback(request: web.Request) -> web.Response:
    """POST /api/v1/kb/feedback {"query_id", "helpful"}: did the answer help?"""
    person = await current_person(request)
    data = await json_body(request)
    query_id, helpful = data.get("query_id"), data.get("helpful")
    if not isinstance(query_id, int) or isinstance(query_id, bool) or not isinstance(helpful, bool):
        raise InvalidInput("wymagane pola: 'query_id' (liczba) i 'helpful' (true/false)")
    if not 1 <= query_id <= MAX_INT:
        raise InvalidInput("pole 'query_id' musi być dodatnią liczbą całkowitą (najwyżej 64 bity)")
    container = request.app[CONTAINER]
    await run(request, container.kb.feedback, query_id, helpful, person)
    return json_response({"ok": True})


def setup_kb(app: web.Application) -> None:
    """Register the knowledge-base routes."""
    app.router.add_post("/api/v1/kb/answer", kb_answer)
    app.router.add_post("/api/v1/kb/feedback", kb_feedback)
