"""Knowledge-base reports and drafts over HTTP (insights, drafts and proposals for the coordinators).

- `GET /api/v1/kb/reports/deflection?from=RRRR-MM-DD&to=RRRR-MM-DD`
- `GET /api/v1/kb/reports/unanswered?from=…&to=…`
- `POST /api/v1/tickets/{id}/draft-article`
- `GET /api/v1/kb/drafts`, `GET|PUT /api/v1/kb/drafts/{id}`, `POST /api/v1/kb/drafts/{id}/publish`,
  `POST /api/v1/kb/drafts/{id}/discard` — the review of drafts (services/kb/drafts.py)
- `GET /api/v1/kb/proposals`, `POST /api/v1/kb/proposals/{id}/accept|reject` — phrasings and
  counter-examples learned from tickets (services/kb/proposals.py)

Reports: leaders and representatives see their office; coordinators, auditors and admins
everything; officials and agents get 403. Drafts: leaders see and edit their office's drafts,
coordinators and admins every draft, and only they publish or discard.

Publishing takes an optional `id`, the article's final id (else `suggested_id` of the draft is
derived again); a bad one is 400, a taken one 409. After publishing, the draft's old id answers 404
naming the article on GET, and 409 naming it on PUT, publish and discard.
"""

from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.kb.drafts import EDITABLE
from helpdesk.services.kb.insights import KbInsights, parse_period, report_scope
from helpdesk.web.common import CONTAINER, current_person, json_body, json_response, run

REPORT_PARAMS = frozenset({"from", "to"})


def _period(request: web.Request) -> tuple[str | None, str | None]:
    unknown = set(request.query) - REPORT_PARAMS
    if unknown:
        raise InvalidInput(f"nieznane parametry: {', '.join(sorted(unknown))} (dozwolone: from, to)")
    return request.query.get("from"), request.query.get("to")


class _Report(Protocol):
    """A KbInsights report method: `KbInsights.deflection` or `KbInsights.unanswered`."""

    def __call__(
        self, service: KbInsights, since: datetime, until: datetime, /, *, office: str | None
    ) -> dict[str, Any]: ...


async def _report(request: web.Request, report: _Report) -> web.Response:
    """One report for the person's office (or all), over the period in the query."""
    person = await current_person(request)
    office = report_scope(person)
    container = request.app[CONTAINER]
    since, until = parse_period(*_period(request), container.settings.tz)
    service = container.kb_insights
    return json_response(await run(request, lambda: report(service, since, until, office=office)))


async def deflection_report(request: web.Request) -> web.Response:
    """GET /api/v1/kb/reports/deflection: honest deflection per office and component."""
    return await _report(request, KbInsights.deflection)


async def unanswered_report(request: web.Request) -> web.Response:
    """GET /api/v1/kb/reports/unanswered: unanswered questions grouped by similarity."""
    return await _report(request, KbInsights.unanswered)


async def draft_article(request: web.Request) -> web.Response:
    """POST /api/v1/tickets/{id}/draft-article → 201 with the draft article."""
    person = await current_person(request)
    service = request.app[CONTAINER].kb_insights
    draft = await run(request, service.draft_from_ticket, person, request.match_info["id"])
    return json_response(draft, status=201)


async def _decision_body(request: web.Request, fields: frozenset[str]) -> dict[str, Any]:
    """An optional JSON object (none at all is fine) with only `fields`."""
    data = await json_body(request) if request.body_exists and request.content_length != 0 else {}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise InvalidInput(
            f"nieznane pola: {', '.join(unknown)[:200]} (dozwolone: {', '.join(sorted(fields))})"
        )
    return data


async def list_drafts(request: web.Request) -> web.Response:
    """GET /api/v1/kb/drafts: drafts waiting for review that the caller may see."""
    person = await current_person(request)
    items = await run(request, request.app[CONTAINER].kb_drafts.list_drafts, person)
    return json_response({"items": items, "total": len(items)})


async def get_draft(request: web.Request) -> web.Response:
    """GET /api/v1/kb/drafts/{id}: one draft with its body and history."""
    person = await current_person(request)
    service = request.app[CONTAINER].kb_drafts
    return json_response(await run(request, service.get, person, request.match_info["id"]))


async def edit_draft(request: web.Request) -> web.Response:
    """PUT /api/v1/kb/drafts/{id} {title?, component?, tags?, questions?, body?, version?}: fields given are replaced."""
    person = await current_person(request)
    data = await json_body(request)
    version = data.pop("version", None)
    service = request.app[CONTAINER].kb_drafts
    return json_response(await run(request, service.edit, person, request.match_info["id"], data, version))


async def publish_draft(request: web.Request) -> web.Response:
    """POST /api/v1/kb/drafts/{id}/publish {id?, version?, and last changes?}: the draft becomes an article
    under `id` (or a derived one)."""
    person = await current_person(request)
    data = await _decision_body(request, frozenset({"id", "version", *EDITABLE}))
    version = data.pop("version", None)
    new_id = data.pop("id", None)
    service = request.app[CONTAINER].kb_drafts
    return json_response(
        await run(request, service.publish, person, request.match_info["id"], data, version, new_id)
    )


async def discard_draft(request: web.Request) -> web.Response:
    """POST /api/v1/kb/drafts/{id}/discard {version?}: the draft is dropped, its history kept."""
    person = await current_person(request)
    data = await _decision_body(request, frozenset({"version"}))
    service = request.app[CONTAINER].kb_drafts
    return json_response(
        await run(request, service.discard, person, request.match_info["id"], data.get("version"))
    )


async def list_proposals(request: web.Request) -> web.Response:
    """GET /api/v1/kb/proposals[?status=pending|accepted|rejected|all]: proposals learned from tickets."""
    person = await current_person(request)
    unknown = set(request.query) - {"status"}
    if unknown:
        raise InvalidInput(f"nieznane parametry: {', '.join(sorted(unknown))} (dozwolone: status)")
    status: str | None = request.query.get("status", "pending")
    status = None if status == "all" else status
    items = await run(request, request.app[CONTAINER].kb_proposals.list, person, status)
    return json_response({"items": items, "total": len(items)})


async def accept_proposal(request: web.Request) -> web.Response:
    """POST /api/v1/kb/proposals/{id}/accept: the proposal takes part in matching from now on."""
    person = await current_person(request)
    await _decision_body(request, frozenset())
    service = request.app[CONTAINER].kb_proposals
    return json_response(await run(request, service.accept, person, request.match_info["id"]))


async def reject_proposal(request: web.Request) -> web.Response:
    """POST /api/v1/kb/proposals/{id}/reject: the proposal is kept, never used."""
    person = await current_person(request)
    await _decision_body(request, frozenset())
    service = request.app[CONTAINER].kb_proposals
    return json_response(await run(request, service.reject, person, request.match_info["id"]))


def setup(app: web.Application) -> None:
    """Register the knowledge-base report, draft and proposal routes."""
    app.router.add_get("/api/v1/kb/reports/deflection", deflection_report)
    app.router.add_get("/api/v1/kb/reports/unanswered", unanswered_report)
    app.router.add_post("/api/v1/tickets/{id}/draft-article", draft_article)
    app.router.add_get("/api/v1/kb/drafts", list_drafts)
    app.router.add_get("/api/v1/kb/drafts/{id}", get_draft)
    app.router.add_put("/api/v1/kb/drafts/{id}", edit_draft)
    app.router.add_post("/api/v1/kb/drafts/{id}/publish", publish_draft)
    app.router.add_post("/api/v1/kb/drafts/{id}/discard", discard_draft)
    app.router.add_get("/api/v1/kb/proposals", list_proposals)
    app.router.add_post("/api/v1/kb/proposals/{id}/accept", accept_proposal)
    app.router.add_post("/api/v1/kb/proposals/{id}/reject", reject_proposal)
