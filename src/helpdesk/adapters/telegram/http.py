"""An aiohttp transport for python-telegram-bot (a `BaseRequest`), used instead of HTTPXRequest.

Why not PTB's default: measured under a flood of concurrent updates (bench/bench_telegram.py),
httpcore's pool re-scans every connection for every queued request (`_assign_requests_to_connections`,
quadratic in the pool size, with a `getpeername` syscall per connection) and, without `sniffio`
installed, retries a failing `import sniffio` — a full `sys.path` scan — on every request. Together
that cut throughput to about 90 answered messages/s; a bigger pool made it worse. aiohttp (already
our web server) keeps a cheap keep-alive pool with a connection limit, so requests queue for a free
connection instead of collapsing.

Bodies go out as one JSON document (`RequestData.parameters`, encoded by msgspec), not as a form:
PTB's form path JSON-encodes every value and then URL-quotes the lot, which cost about a fifth of
a reply's CPU in py-spy (bench/bench_telegram_webhook.py). The Bot API takes both. Uploads stay
multipart. Answers are decoded by msgspec too (`parse_json_payload`, an override PTB documents).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import msgspec
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _plain(value: object) -> object:
    """What msgspec cannot encode itself: str and int subclasses (our Html, PTB's enums) as such."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    raise NotImplementedError(f"cannot send a {type(value).__name__} to the Bot API")


_JSON = msgspec.json.Encoder(enc_hook=_plain)
_DECODE = msgspec.json.Decoder()
_JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """python-telegram-bot requests over one aiohttp session with a bounded keep-alive pool."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 15.0,
        write_timeout: float | None = 15.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
    ) -> None:
        self.pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-poll timeout to it for getUpdates)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.pool_size, limit_per_host=self.pool_size, keepalive_timeout=30
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API request; translate transport errors into PTB's."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp's `connect` covers waiting for a pooled connection plus connecting.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=(connect or 0) + (pool or 0) or None, sock_connect=connect, sock_read=read
        )
        data: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, upload in request_data.multipart_data.items():
                    filename, content, *rest = upload
                    form.add_field(
                        name,
                        content,
                        filename=filename,
                        content_type=rest[0] if rest else "application/octet-stream",
                    )
                data = form
            else:
                data = _JSON.encode(request_data.parameters)
                headers = _JSON_HEADERS
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    @staticmethod
    def parse_json_payload(payload: bytes) -> Any:
        """Decode a Bot API answer with msgspec; anything it refuses goes PTB's way (lenient UTF-8)."""
        try:
            return _DECODE.decode(payload)
        except msgspec.DecodeError:
            return BaseRequest.parse_json_payload(payload)
