"""`GET /api/v1/reports/sla` — the SLA report over HTTP (same parameters as `helpdesk report sla`);
`GET /api/v1/reports/statement?contract=&month=YYYY-MM&format=html|xlsx|json` — the monthly
penalty statement (services/sla/statement.py).

Coordinators, auditors and admins see every ticket; leaders and representatives their office's
tickets; agents their contractor's; officials get 403. `format` is json (default), csv, xlsx or
html; csv and xlsx come as attachments.
"""

from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet

from aiohttp import web

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.sla.report import scope_filter, sla_report
from helpdesk.services.sla.report_formats import CONTENT_TYPES, FORMATS, render
from helpdesk.services.sla.statement import CONTENT_TYPES as STATEMENT_TYPES
from helpdesk.services.sla.statement import FORMATS as STATEMENT_FORMATS
from helpdesk.services.sla.statement import build_statement
from helpdesk.services.sla.statement import render as render_statement
from helpdesk.web.common import CONTAINER, current_person, run

PARAMS = frozenset({"from", "to", "contract", "office", "component", "priority", "format"})

SELF_CONTAINED_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The html report and the statement are self-contained pages, opened in the browser to read and
print: their own inline styles (the site's policy would strip them), no script at all."""


def checked_format(
    query: Mapping[str, str], allowed: AbstractSet[str], formats: Collection[str], default: str
) -> str:
    """The asked format, after refusing parameters the report does not know (InvalidInput)."""
    unknown = set(query) - allowed
    if unknown:
        raise InvalidInput(f"nieznane parametry: {', '.join(sorted(unknown))}")
    fmt = query.get("format", default)
    if fmt not in formats:
        raise InvalidInput(f"nieznany format '{fmt}' (dozwolone: {', '.join(formats)})")
    return fmt


async def report_sla(request: web.Request) -> web.Response:
    """The report in the asked format, scoped to what the caller may see."""
    person = await current_person(request)
    scope_filter(person)  # 403 before any work
    query = request.query
    fmt = checked_format(query, PARAMS, FORMATS, "json")
    container = request.app[CONTAINER]

    def _build() -> bytes:
        report = sla_report(
            container.db,
            container.contracts,
            container.clock.now(),
            container.settings.tz,
            query.get("from"),
            query.get("to"),
            contract=query.get("contract") or None,
            person=person,
            details=fmt in ("json", "csv", "xlsx", "html"),
            offices=container.sla.book(),
            office=query.get("office") or None,
            component=query.get("component") or None,
            priority=query.get("priority") or None,
        )
        if fmt in ("csv", "xlsx", "html"):
            report["links"] = container.settings.public_url  # each ticket's row links its page
        return render(report, fmt)

    body = await run(request, _build)
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": SELF_CONTAINED_CSP}
    if fmt in ("csv", "xlsx"):
        name = f"raport-sla-{query.get('from')}-{query.get('to')}.{fmt}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPES[fmt], **headers})


STATEMENT_PARAMS = frozenset({"contract", "month", "format"})


async def report_statement(request: web.Request) -> web.Response:
    """The monthly penalty statement of one contract (html, xlsx or json)."""
    person = await current_person(request)
    query = request.query
    fmt = checked_format(query, STATEMENT_PARAMS, STATEMENT_FORMATS, "html")
    container = request.app[CONTAINER]

    def _build() -> bytes:
        statement = build_statement(
            container.db,
            container.contracts,
            container.clock.now(),
            container.settings.tz,
            query.get("contract"),
            query.get("month"),
            person=person,
            offices=container.sla.book(),
            office_names=container.people.all_office_names(),
        )
        return render_statement(statement, fmt)

    body = await run(request, _build)
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": SELF_CONTAINED_CSP}
    if fmt == "xlsx":
        name = f"kary-{query.get('contract')}-{query.get('month')}.xlsx"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(body=body, headers={"Content-Type": STATEMENT_TYPES[fmt], **headers})


def setup(app: web.Application) -> None:
    """Register the report routes."""
    app.router.add_get("/api/v1/reports/sla", report_sla)
    app.router.add_get("/api/v1/reports/statement", report_statement)
