"""Server-rendered pages, one module per area: login (auth), a forgotten password (password), the person's own account (account), tickets, the knowledge base (kb),
the bot's conversation on a page (ask),
article drafts (drafts), the region and the offices registry (region), SLA reports (reports).
Templates live in helpdesk/web/templates, CSS and JavaScript in helpdesk/web/static."""

from aiohttp import web

from helpdesk.web.common import STATIC
from helpdesk.web.pages import account, ask, auth, drafts, kb, password, region, render, reports, tickets


def setup(app: web.Application) -> None:
    """Templates, static files and every page route."""
    render.setup(app)
    app.router.add_static("/static", STATIC, append_version=False)
    auth.setup(app)
    account.setup(app)
    password.setup(app)
    tickets.setup(app)
    kb.setup(app)
    ask.setup(app)
    drafts.setup(app)
    region.setup(app)
    reports.setup(app)
