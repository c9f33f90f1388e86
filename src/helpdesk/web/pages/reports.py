"""The SLA report page: period (the last full month unless chosen), contract, office, component and
priority; the totals as bars, a per-ticket table leading to each ticket's events, the event-log
head the report was computed from, and downloads (csv, xlsx, html from the report API). Errors
(a reversed period, an unknown contract) are shown on the page, in Polish."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.roles import SEE_ALL_ROLES
from helpdesk.services.audit import verify_log
from helpdesk.services.sla.report import sla_report
from helpdesk.services.sla.statement import may_read
from helpdesk.web.common import CONTAINER, run
from helpdesk.web.middlewares import status_of
from helpdesk.web.pages.render import render, signed_in
from helpdesk.web.pages.sla_words import METRIC_NAMES


def last_full_month(today: date) -> tuple[str, str]:
    """(first day, last day) of the month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


async def reports_page(request: web.Request) -> web.StreamResponse:
    """GET /reports: the SLA report with filters."""
    person = await signed_in(request)
    container = request.app[CONTAINER]
    now = container.clock.now()
    default_from, default_to = last_full_month(now.astimezone(container.settings.tz).date())
    q = request.query
    chosen = {
        "from": q.get("from") or default_from,
        "to": q.get("to") or default_to,
        "contract": q.get("contract", ""),
        "office": q.get("office", ""),
        "component": q.get("component", ""),
        "priority": q.get("priority", ""),
    }
    error = ""
    report: dict[str, Any] | None = None
    status = 200
    try:
        report = await run(
            request,
            lambda: sla_report(
                container.db,
                container.contracts,
                now,
                container.settings.tz,
                chosen["from"],
                chosen["to"],
                contract=chosen["contract"] or None,
                person=person,
                details=True,
                offices=container.sla.book(),
                office=chosen["office"] or None,
                component=chosen["component"] or None,
                priority=chosen["priority"] or None,
            ),
        )
    except HelpdeskError as err:
        error, status = str(err), status_of(err)
    offices = await run(request, container.people.all_office_names)
    rows: list[dict[str, Any]] = []
    bars: list[dict[str, Any]] = []
    if report is not None:
        for row in report.get("tickets", []):
            row["metrics_pl"] = [
                (METRIC_NAMES.get(k, k), m["state"]) for k, m in row.get("metrics", {}).items()
            ]
            rows.append(row)
        for name in METRIC_NAMES:
            met = sum(1 for r in rows if r.get("metrics", {}).get(name, {}).get("state") == "met")
            breached = sum(1 for r in rows if r.get("metrics", {}).get(name, {}).get("state") == "breached")
            total = max(1, met + breached)
            bars.append(
                {
                    "name": METRIC_NAMES[name],
                    "met": met,
                    "breached": breached,
                    "met_pct": round(100 * met / total),
                    "breached_pct": round(100 * breached / total),
                }
            )
    chain: dict[str, Any] | None = None
    if q.get("lancuch") and person.role in SEE_ALL_ROLES and report is not None:
        # The whole log checked as `helpdesk audit verify` does; each ticket row says whether one
        # of its events is among the problems found.
        verdict = await run(request, verify_log, container.db)
        broken = {p.ticket for p in verdict.problems if p.ticket}
        chain = {
            "ok": verdict.ok,
            "events": verdict.events,
            "problems": [p.describe() for p in verdict.problems[:20]],
        }
        for row in rows:
            row["chain_ok"] = row["ticket"] not in broken
    # The files hold what the page shows: the same period, contract, office, component and priority.
    download = {k: v for k, v in chosen.items() if v}
    context = {
        "title": "Raport SLA",
        "chosen": chosen,
        "error": error,
        "report": report,
        "rows": rows,
        "bars": bars,
        "penalty": sum(float(r.get("penalty_pln") or 0) for r in rows),
        "offices": offices,
        "contracts": [(c.id, c.title) for c in sorted(container.contracts.values(), key=lambda c: c.id)],
        "chain": chain,
        "can_verify": person.role in SEE_ALL_ROLES,
        "verify_url": "/reports?" + urlencode({**{k: v for k, v in chosen.items() if v}, "lancuch": "1"}),
        "downloads": [
            (f, "/api/v1/reports/sla?" + urlencode({**download, "format": f}))
            for f in ("csv", "xlsx", "html")
        ],
        # The monthly penalty statement (GET /api/v1/reports/statement) of the contracts the person
        # may read, for the month the report's period starts in.
        "statement_contracts": [
            (c.id, c.title)
            for c in sorted(container.contracts.values(), key=lambda c: c.id)
            if may_read(person, c)
        ],
        "statement_month": str(chosen.get("from") or "")[:7],
    }
    return await render(request, "reports.html", context, status=status, person=person)


def setup(app: web.Application) -> None:
    """Register the report page."""
    app.router.add_get("/reports", reports_page)
