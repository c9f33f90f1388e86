"""What every handler shares: app keys, running services off the event loop, auth, JSON helpers."""

import asyncio
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from aiohttp import web

from helpdesk.bootstrap import Container
from helpdesk.domain.errors import InvalidInput, NotAuthenticated, TooLarge, describe_json_error
from helpdesk.domain.inputs import check_json
from helpdesk.domain.people import Person
from helpdesk.web.intake import TicketIntake
from helpdesk.web.metrics import Metrics

T = TypeVar("T")

CONTAINER = web.AppKey("container", Container)
METRICS = web.AppKey("metrics", Metrics)
INTAKE = web.AppKey("intake", TicketIntake)
SESSION_COOKIE = "helpdesk_session"
STATIC = Path(__file__).resolve().parent / "static"
PERSON = web.RequestKey("person", Person)


@cache
def static_url(name: str) -> str:
    """The address of a static file with its content's hash (`/static/app.css?v=…`): the files are
    cached for days (deploy/nginx.conf), so after an upgrade the new address makes browsers fetch
    the new file at once. Hashed once per process; the files change only with a new release."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


async def run(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
    """Run blocking service code (database work) in the container's thread pool."""
    container = request.app[CONTAINER]
    return await asyncio.get_running_loop().run_in_executor(container.executor, fn, *args)


def credentials(request: web.Request) -> str | None:
    """The bearer token, or the session cookie, of the request."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("nagłówek Authorization musi mieć postać 'Bearer TOKEN'")
        return token.strip()
    return request.cookies.get(SESSION_COOKIE)


def checked_credentials(request: web.Request) -> str:
    """The request's credentials, refused before any database work when absent or malformed."""
    token = credentials(request)
    if not token:
        raise NotAuthenticated("wymagane uwierzytelnienie: nagłówek 'Authorization: Bearer TOKEN'")
    if len(token) > 512 or not token.isascii():
        raise NotAuthenticated("nieznany, unieważniony lub wygasły token albo sesja")
    return token


async def current_person(request: web.Request) -> Person:
    """The authenticated person, looked up in the database for every request.

    No cache across requests: a revoked token, an ended session or a disabled person is refused
    by the very next request, in every worker (one indexed query).
    """
    cached = request.get(PERSON)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = checked_credentials(request)
    container = request.app[CONTAINER]
    person = await run(request, container.people.by_token, token, container.clock.now())
    request[PERSON] = person
    return person


async def optional_person(request: web.Request) -> Person | None:
    """The person if the request carries valid credentials, else None (web pages)."""
    try:
        return await current_person(request)
    except NotAuthenticated:
        return None


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object; InvalidInput / TooLarge otherwise."""
    limit = request.app[CONTAINER].settings.http_max_body
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"treść żądania jest za duża (limit {limit} bajtów)")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as err:
        raise TooLarge(f"treść żądania jest za duża (limit {limit} bajtów)") from err
    if not raw:
        raise InvalidInput("brak treści żądania (oczekiwano obiektu JSON)")
    try:
        # msgspec decodes a plain UTF-8 body several times faster and to the same values; whatever
        # it refuses (other encodings, a BOM, lone surrogates, NaN, huge numbers, bad JSON) takes the
        # json module's path, so such a body is accepted or refused exactly as before, message and all.
        data = _DECODER.decode(raw)
    except (msgspec.MsgspecError, RecursionError):
        data = _json_loads(raw)
    if not isinstance(data, dict):
        raise InvalidInput("treść żądania musi być obiektem JSON")
    return check_json(data)  # type: ignore[no-any-return]


_DECODER = msgspec.json.Decoder()


def _json_loads(raw: bytes) -> Any:
    """The body decoded by the json module, its refusals as InvalidInput."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidInput(f"treść żądania nie jest poprawnym JSON ({describe_json_error(err)})") from err
    except RecursionError as err:
        raise InvalidInput("treść żądania jest zagnieżdżona zbyt głęboko") from err
    except ValueError as err:  # e.g. an integer of thousands of digits
        raise InvalidInput("treść żądania zawiera liczbę poza zakresem") from err


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response with UTF-8 kept readable."""
    return web.Response(
        text=json.dumps(data, ensure_ascii=False, default=str), status=status, content_type="application/json"
    )


_ENCODER = msgspec.json.Encoder()


def plain_json_response(data: dict[str, Any], status: int = 200) -> web.Response:
    """`json_response` for data of only strings, numbers, booleans, None, lists and dicts (a
    ticket as `TicketService.present` shows it), encoded by msgspec: the same JSON without spaces,
    several times faster. Not for other values: a datetime, which `json_response` writes as
    `str()` gives it, msgspec writes in ISO form."""
    return web.Response(
        body=_ENCODER.encode(data), status=status, content_type="application/json", charset="utf-8"
    )
