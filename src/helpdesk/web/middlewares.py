"""Middlewares: errors become JSON with the right status (never a 500 for bad input); metrics."""

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from helpdesk.domain.errors import (
    Conflict,
    Forbidden,
    HelpdeskError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooLarge,
    Unavailable,
)
from helpdesk.web.common import METRICS, json_response

log = logging.getLogger(__name__)

STATUS: list[tuple[type[HelpdeskError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (InvalidInput, 400),
    (Unavailable, 503),
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def status_of(err: HelpdeskError) -> int:
    """The HTTP status for one of our errors."""
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 400


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Translate errors at the boundary: HelpdeskError → JSON status, HTTP errors → JSON on the API."""
    try:
        return await handler(request)
    except HelpdeskError as err:
        status = status_of(err)
        if status == 401 and not _wants_json(request):
            raise web.HTTPSeeOther("/login") from err
        return json_response({"error": str(err)}, status=status)
    except web.HTTPException as err:
        if err.status < 400 or not _wants_json(request):
            raise
        messages = {404: "nie znaleziono", 405: "metoda niedozwolona", 413: "treść żądania jest za duża"}
        return json_response({"error": messages.get(err.status, err.reason)}, status=err.status)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_response(
            {"error": "błąd wewnętrzny serwera; zgłoszenie zostało zapisane w logu"}, status=500
        )


@web.middleware
async def metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count requests by method and status, and total latency, for /metrics."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as err:
        status = err.status
        raise
    finally:
        stats = request.app[METRICS]
        key = (request.method, status)
        stats["requests"][key] = stats["requests"].get(key, 0) + 1
        stats["seconds"] += time.perf_counter() - started
