"""The region at a glance (coordinators, auditors, admins): per office open, untaken, escalated and
breached tickets, the oldest open one, the leaders' load and knowledge-base deflection, each
figure leading to the office's tickets; and the registry of offices (read-only here), which
everyone signed in may read."""

from datetime import timedelta
from typing import Any

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.roles import Role
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.pages.render import render, signed_in

DEFLECTION_DAYS = 30


async def region(request: web.Request) -> web.StreamResponse:
    """GET /region: per office figures with drill-down into the queue."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    rows = await run(request, container.tickets.overview, person)
    offices = {o.code: o for o in await run(request, container.people.list_offices)}
    now = container.clock.now()
    deflection: dict[str, Any] = {}
    try:
        report = await run(
            request, container.kb_insights.deflection, now - timedelta(days=DEFLECTION_DAYS), now
        )
        deflection = {r["office"]: r for r in report.get("offices", [])}
    except HelpdeskError:  # the overview stands without its deflection column
        deflection = {}
    for row in rows:
        office = offices.get(row["office"])
        row["name"] = office.name if office else row["office"]
        d = deflection.get(row["office"]) or {}
        row["questions"] = d.get("questions", 0)
        row["helpful"] = d.get("helpful", 0)
    totals = {k: sum(int(r[k]) for r in rows) for k in ("open", "untaken", "escalated", "breached")}
    context = {"title": "Region – przegląd urzędów", "rows": rows, "totals": totals, "days": DEFLECTION_DAYS}
    return await render(request, "region/overview.html", context, person=person)


async def offices_page(request: web.Request) -> web.StreamResponse:
    """GET /offices: the registry (name, type, leaders, representative, components)."""
    person = await signed_in(request)
    container = request.app[CONTAINER]

    def _load() -> list[dict[str, Any]]:
        out = []
        for office, people in container.people.registry():
            out.append(
                {
                    "code": office.code,
                    "name": office.name,
                    "type": office.type.value.replace("_", " "),
                    "leaders": [p.name for p in people if p.role is Role.LEADER],
                    "representatives": [p.name for p in people if p.role is Role.REPRESENTATIVE],
                    "components": office.components,
                }
            )
        return out

    context = {"title": "Rejestr urzędów", "offices": await run(request, _load)}
    return await render(request, "region/offices.html", context, person=person)


def setup(app: web.Application) -> None:
    """Register the region pages."""
    app.router.add_get("/region", region)
    app.router.add_get("/offices", offices_page)
