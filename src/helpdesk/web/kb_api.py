"""Knowledge-base reports and drafts over HTTP (issue 3, part 3).

- `GET /api/v1/kb/reports/deflection?from=RRRR-MM-DD&to=RRRR-MM-DD`
- `GET /api/v1/kb/reports/unanswered?from=…&to=…`
- `POST /api/v1/tickets/{id}/draft-article`

Leaders and representatives see their office; coordinators, auditors and admins everything;
officials and agents get 403.
"""

from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.domain.errors import InvalidInput
from helpdesk.services.kb_insights import KbInsights, parse_period, report_scope
from helpdesk.web.common import CONTAINER, current_person, json_response, run

REPORT_PARAMS = frozenset({"from", "to"})


def insights(container: Container) -> KbInsights:
    """The insights service over the container's database, clock and KB."""
    return KbInsights(container.db, container.clock, container.kb, container.settings.tz)


def _period(request: web.Request) -> tuple[str | None, str | None]:
    unknown = set(request.query) - REPORT_PARAMS
    if unknown:
        raise InvalidInput(f"nieznane parametry: {', '.join(sorted(unknown))} (dozwolone: from, to)")
    return request.query.get("from"), request.query.get("to")


class _Report(Protocol):
    """A KbInsights report method: `KbInsights.deflection` or `KbInsights.unanswered`."""

    def __call__(self, service: KbInsights, since: datetime, until: datetime, /, *,
                 office: str | None) -> dict[str, Any]: ...


async def _report(request: web.Request, report: _Report) -> web.Response:
    """One report for the person's office (or all), over the period in the query."""
    person = await current_person(request)
    office = report_scope(person)
    container = request.app[CONTAINER]
    since, until = parse_period(*_period(request), container.settings.tz)
    service = insights(container)
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
    service = insights(request.app[CONTAINER])
    draft = await run(request, service.draft_from_ticket, person, request.match_info["id"])
    return json_response(draft, status=201)


def setup(app: web.Application) -> None:
    """Register the knowledge-base report and draft routes."""
    app.router.add_get("/api/v1/kb/reports/deflection", deflection_report)
    app.router.add_get("/api/v1/kb/reports/unanswered", unanswered_report)
    app.router.add_post("/api/v1/tickets/{id}/draft-article", draft_article)
