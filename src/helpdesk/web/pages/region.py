"""The region at a glance (coordinators, auditors, admins): per office open, untaken, escalated and
breached tickets, the oldest open one, the leaders' load and knowledge-base deflection, each
figure leading to the office's tickets; and the registry of offices (read-only here), which
everyone signed in may read."""

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from helpdesk.domain import rollout as ro
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.offices import OFFICE_TYPE_LABELS_PL, component_short_label
from helpdesk.domain.roles import Role
from helpdesk.services.texts import plural_pl
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.pages.render import local_time, render, signed_in

DEFLECTION_DAYS = 30
AGEING_RISK_DAYS = 3
AGEING_LATE_DAYS = 14
"""How old the oldest open ticket of an office may get before the overview marks it: amber from
three days (a working week's first-line targets are hours, not days), red from two weeks."""


def ageing(oldest: str | None, now: datetime) -> tuple[str, str]:
    """("od 12 dni", css class) for the oldest open ticket's age; ("", "") without one."""
    if not oldest:
        return "", ""
    age = now - datetime.fromisoformat(oldest)
    days = age.days
    if days < 1:
        return f"od {plural_pl(max(0, age.seconds // 3600), 'godziny', 'godzin', 'godzin')}", "ok"
    css = "late" if days >= AGEING_LATE_DAYS else "risk" if days >= AGEING_RISK_DAYS else "ok"
    return f"od {plural_pl(days, 'dnia', 'dni', 'dni')}", css


async def region(request: web.Request) -> web.StreamResponse:
    """GET /region: per office figures with drill-down into the queue."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    rows = await run(request, container.tickets.overview, person)
    offices = {o.code: o for o in await run(request, container.people.list_offices)}
    # The leaders' load is counted per login; people read names (of those carrying a load only).
    names = await run(request, container.people.names, [who for r in rows for who in r["load"]])
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
        row["oldest_shown"] = local_time(row["oldest"])
        row["ageing"], row["ageing_css"] = ageing(row["oldest"], now)
        load = sorted((names.get(who, who), n) for who, n in row["load"].items())
        row["load_shown"] = ", ".join(f"{who}: {n}" for who, n in load) or "—"
    # The offices that need someone first: breaches, then tickets nobody took, then the oldest.
    rows.sort(key=lambda r: (-int(r["breached"]), -int(r["untaken"]), r["oldest"] or ""))
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
                    "type": OFFICE_TYPE_LABELS_PL.get(office.type, office.type.value),
                    "leaders": [p.name for p in people if p.role is Role.LEADER],
                    "representatives": [p.name for p in people if p.role is Role.REPRESENTATIVE],
                    "components": [component_short_label(c) for c in office.components],
                }
            )
        return out

    context = {
        "title": "Rejestr urzędów",
        "offices": await run(request, _load),
        # An office's profile is part of the rollout, which officials do not read: no link to a refusal.
        "can_open": person.role in ro.READ_ROLES,
    }
    return await render(request, "region/offices.html", context, person=person)


def setup(app: web.Application) -> None:
    """Register the region pages."""
    app.router.add_get("/region", region)
    app.router.add_get("/offices", offices_page)
