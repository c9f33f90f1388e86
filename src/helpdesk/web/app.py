"""The aiohttp app factory: routes, middlewares, typed app keys; nothing starts at import.

The background resources of `helpdesk serve` (mail, the bot, the periodic jobs) are not part of
this app; helpdesk/lifecycle.py attaches them. Only the route a channel needs is added here: the
Telegram webhook, in webhook mode.
"""

from aiohttp import web
from aiohttp.typedefs import Middleware

from helpdesk.bootstrap import Container
from helpdesk.web import (
    api,
    calendar_api,
    calendar_pages,
    kb_api,
    middlewares,
    office_pages,
    office_people_pages,
    openapi,
    pages,
    people_api,
    reports_api,
    rollout_api,
)
from helpdesk.web.common import CONTAINER, INTAKE, METRICS
from helpdesk.web.intake import TicketIntake
from helpdesk.web.metrics import Metrics


def create_app(container: Container) -> web.Application:
    """Build the web application (pages + API) for `container`."""
    chain: list[Middleware] = [
        middlewares.metrics,
        middlewares.security_headers,
        middlewares.errors,
        middlewares.json_only,
        middlewares.form_guard,
        middlewares.csrf_guard,
    ]
    if container.settings.trusted_proxy_addresses:
        chain.insert(3, middlewares.client_address(container.settings.trusted_proxy_addresses))
    app = web.Application(client_max_size=container.settings.http_max_body, middlewares=chain)
    app[CONTAINER] = container
    app[METRICS] = Metrics()
    app[INTAKE] = TicketIntake(container.people, container.tickets, container.clock, container.executor)
    api.setup(app)
    api.setup_kb(app)
    kb_api.setup(app)
    openapi.setup(app)
    pages.setup(app)
    reports_api.setup(app)
    rollout_api.setup(app)
    people_api.setup(app)
    calendar_api.setup(app)
    calendar_pages.setup(app)
    office_pages.setup(app)  # the rollout: office profiles, schedule, trainings, domain systems
    office_people_pages.setup(app)  # an office's people: add, block, import
    settings = container.settings
    if container.telegram is not None and settings.telegram_webhook_url:
        from helpdesk.adapters.telegram.webhook import add_webhook_route

        add_webhook_route(app, settings.telegram_webhook_url, settings.telegram_token)
    return app
