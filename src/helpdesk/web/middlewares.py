"""Middlewares: errors become JSON with the right status (never a 500 for bad input); metrics; the API
takes only JSON bodies for writes; form bodies that cannot be decoded are refused.

JSON only: a write to `/api/` (POST, PUT, PATCH, DELETE) with a body must say `application/json`,
and one with a type a form can send (urlencoded, multipart, text/plain) is refused even when
empty, else 415. A browser sends a cross-site form only with one of those types, never with
application/json without asking first (CORS preflight, which we never grant), so a page elsewhere
cannot make a signed-in browser write through the API.
"""

import logging
import re
import time
from collections.abc import Awaitable, Callable
from ipaddress import ip_address, ip_network
from urllib.parse import unquote_to_bytes

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp_remotes import XForwardedFiltered
from aiohttp_remotes.exceptions import RemoteError

from helpdesk.domain.errors import (
    Conflict,
    Forbidden,
    HelpdeskError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooLarge,
    TooManyRequests,
    Unavailable,
    UnsupportedMediaType,
)
from helpdesk.domain.inputs import has_lone_surrogate
from helpdesk.web.common import CONTAINER, METRICS, json_response

log = logging.getLogger(__name__)

STATUS: list[tuple[type[HelpdeskError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (TooManyRequests, 429),
    (UnsupportedMediaType, 415),
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
    """Translate errors at the boundary: HelpdeskError → JSON status on the API and a Polish page
    with the same status elsewhere; HTTP errors likewise."""
    from helpdesk.web.pages.render import error_page, signed_in

    try:
        return await handler(request)
    except HelpdeskError as err:
        status = status_of(err)
        if status == 401 and not _wants_json(request):
            await signed_in(request)  # to the login page, coming back here afterwards
            raise web.HTTPSeeOther("/login") from err
        if _wants_json(request):
            response = json_response({"error": str(err)}, status=status)
        else:
            response = await error_page(request, status, str(err))
        if isinstance(err, TooManyRequests):
            response.headers["Retry-After"] = str(err.retry_after)
        return response
    except web.HTTPException as err:
        if err.status < 400:
            raise
        if not _wants_json(request):
            return await error_page(request, err.status)
        messages = {404: "nie znaleziono", 405: "metoda niedozwolona", 413: "treść żądania jest za duża"}
        return json_response({"error": messages.get(err.status, err.reason)}, status=err.status)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_response(
            {"error": "błąd wewnętrzny serwera; zgłoszenie zostało zapisane w logu"}, status=500
        )


@web.middleware
async def metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count requests by route, method and status, and their latency, for /metrics."""
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
        request.app[METRICS].observe(request, status, started)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@web.middleware
async def json_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Writes to the API must carry JSON (415 otherwise): see the module docstring."""
    if request.method in WRITE_METHODS and request.path.startswith("/api/"):
        form_type = request.content_type in FORM_TYPES or request.content_type == "text/plain"
        has_body = request.body_exists and request.content_length != 0
        if (form_type or has_body) and request.content_type != "application/json":
            raise UnsupportedMediaType(
                "API przyjmuje tylko treść typu application/json (nagłówek 'Content-Type: application/json')"
            )
    return await handler(request)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every response: no sniffing, no framing, no referrer elsewhere; pages also get the CSP
    (scripts and styles only from our own static files; a response that set its own keeps it)."""
    try:
        response = await handler(request)
    except web.HTTPException as err:
        for key, value in SECURITY_HEADERS.items():
            err.headers.setdefault(key, value)
        raise
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if not request.path.startswith("/static/"):
        # Pages and API answers carry people's tickets: no browser or proxy keeps a copy.
        response.headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


PRE_LOGIN_FORMS = frozenset({"/login", "/haslo", "/haslo/nowe"})
"""Forms sent without a session: logging in and a forgotten password's two steps."""


@web.middleware
async def csrf_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A page's write sent with a session must carry the session's form token (see
    web/pages/render.py); the login form must not come from another site's page."""
    from helpdesk.web.common import SESSION_COOKIE
    from helpdesk.web.pages.render import CSRF_FIELD, csrf_ok

    if request.method not in WRITE_METHODS or request.path.startswith("/api/"):
        return await handler(request)
    if request.path in PRE_LOGIN_FORMS:
        # Sent before anyone signs in, so without a session's token: at least not from another site.
        origin = request.headers.get("Origin")
        if origin and origin != "null" and origin.split("://", 1)[-1] != request.host:
            raise Forbidden("ten formularz można wysłać tylko z tej strony")
        if request.path == "/login":
            return await handler(request)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        sent = ""
        if request.content_type in FORM_TYPES:
            sent = str((await request.post()).get(CSRF_FIELD, ""))
        if not csrf_ok(session, sent):
            raise Forbidden(
                "formularz wygasł lub nie pochodzi z tej strony – odśwież stronę i spróbuj ponownie"
            )
    return await handler(request)


@web.middleware
async def form_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A form body (pages) that cannot be decoded, or carries text no encoder can write, is a 400."""
    if request.method in WRITE_METHODS and request.content_type in FORM_TYPES:
        if request.content_type == "multipart/form-data" and not request.path.startswith("/api/"):
            # Pages that take files: as much as the attachment limit allows, plus the other fields.
            limit = request.app[CONTAINER].settings.attachment_max_bytes
            request = request.clone(client_max_size=max(limit + 64 * 1024, request.client_max_size))
        try:
            if request.content_type == "application/x-www-form-urlencoded":
                # aiohttp would turn undecodable %XX escapes into U+FFFD silently: refuse them instead.
                for piece in re.split(rb"[&=]", await request.read()):
                    unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            form = await request.post()  # parsed once; the handler gets the same form from aiohttp
        except (UnicodeDecodeError, ValueError) as err:
            raise InvalidInput("treść formularza nie jest poprawnym tekstem UTF-8") from err
        for key, value in form.items():
            if isinstance(value, str) and (has_lone_surrogate(value) or has_lone_surrogate(key)):
                raise InvalidInput("formularz zawiera niepoprawne znaki")
    return await handler(request)


def client_address(trusted: list[str]) -> Middleware:
    """The real client's address behind our reverse proxies (HELPDESK_TRUSTED_PROXIES).

    Only a request whose peer is one of `trusted` has `X-Forwarded-For` read (aiohttp-remotes'
    filtered mode: the right-most address that is not a proxy is the client); anyone else's header is
    ignored, so a client cannot pick the address the login throttle counts.
    """
    networks = [ip_network(address, strict=False) for address in trusted]
    forwarded = XForwardedFiltered(set(networks))

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if not (peer and any(ip_address(peer[0]) in net for net in networks)):
            return await handler(request)
        try:  # checked here so that a malformed header is a Polish 400, not the library's bare one
            forwarded.get_forwarded_for(request.headers)
            forwarded.get_forwarded_proto(request.headers)
        except (RemoteError, ValueError, web.HTTPBadRequest) as err:  # the library raises all three
            raise InvalidInput("niepoprawny nagłówek X-Forwarded-For od serwera pośredniczącego") from err
        return await forwarded.middleware(request, handler)

    return middleware
