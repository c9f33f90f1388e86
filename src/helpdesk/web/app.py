"""The aiohttp app factory: routes, middlewares, typed app keys; nothing starts at import."""

from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.web import api, kb_api, middlewares, openapi, pages, reports_api
from helpdesk.web.common import CONTAINER, METRICS


def create_app(container: Container) -> web.Application:
    """Build the web application (pages + API) for `container`."""
    app = web.Application(
        client_max_size=container.settings.http_max_body,
        middlewares=[middlewares.metrics, middlewares.errors, middlewares.json_only, middlewares.form_guard],
    )
    app[CONTAINER] = container
    app[METRICS] = {"requests": {}, "seconds": 0.0, "tickets_created": 0, "gauges": {}}
    api.setup(app)
    api.setup_kb(app)
    kb_api.setup(app)
    openapi.setup(app)
    pages.setup(app)
    reports_api.setup(app)
    for hook in container.extras.get("web_setup", []):
        hook(app)
    return app
