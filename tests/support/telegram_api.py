"""A small stand-in for the Telegram Bot API: an aiohttp server on 127.0.0.1 for python-telegram-bot.

It speaks the real wire format (`{base}{token}/{method}`, form-encoded parameters, `{"ok": …,
"result": …}` answers) for the methods the bot uses: getMe, getUpdates (long poll with timeout
and offset confirmation), sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, getFile and the file download, setWebhook / deleteWebhook / getWebhookInfo,
setMyCommands, sendChatAction. Tests inject updates (`text`, `press`, `photo`) and read what the
bot sent (`sent`, `wait_for`).

Like Telegram, a text sent in the HTML parse mode must parse: only Telegram's tags, properly
nested, and every other `<` and `&` written as an entity; anything else is refused with
"400 Bad Request: can't parse entities". `Sent.shown` is the text as the person reads it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "Helpdesk",
    "username": "helpdesk_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_RAW_FIELDS = {
    "text",
    "caption",
    "url",
    "secret_token",
    "callback_query_id",
    "file_id",
    "parse_mode",
    "inline_message_id",
    "action",
}


# The tags of Telegram's HTML parse mode and the only named entities it knows.
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre"}
    | {"blockquote", "tg-emoji"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


class CannotParse(ValueError):
    """A text Telegram would refuse in the HTML parse mode."""


def parse_telegram_html(text: str) -> str:
    """The text a person sees for `text` in the HTML parse mode; CannotParse where Telegram refuses."""
    shown: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            tag = _TAG.match(text, i)
            name = tag.group(2).lower() if tag else text[i + 1 : i + 20].split(">")[0]
            if tag is None or name not in TELEGRAM_TAGS:
                raise CannotParse(f'Unsupported start tag "{name}" at byte offset {len(text[:i].encode())}')
            if tag.group(1):
                if not open_tags or open_tags[-1] != name:
                    raise CannotParse(f'Unexpected end tag "{name}" at byte offset {len(text[:i].encode())}')
                open_tags.pop()
            else:
                open_tags.append(name)
            i = tag.end()
        elif char == "&":
            entity = _ENTITY.match(text, i)
            if entity is None:
                raise CannotParse(f"Character '&' is reserved at byte offset {len(text[:i].encode())}")
            shown.append(html.unescape(entity.group(0)))
            i = entity.end()
        else:
            shown.append(char)
            i += 1
    if open_tags:
        raise CannotParse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(shown)


@dataclass
class Sent:
    """One message the bot sent (or edited)."""

    method: str
    chat_id: int
    text: str
    message_id: int
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The text as the person reads it (tags gone, entities decoded in the HTML parse mode)."""
        if str(self.params.get("parse_mode") or "").upper() == "HTML":
            return parse_telegram_html(self.text)
        return self.text

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline button, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b for row in rows for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        """The first button whose label contains `label_part`."""
        for b in self.buttons:
            if label_part in b["text"]:
                return b
        raise AssertionError(f"no button {label_part!r} in {[b['text'] for b in self.buttons]}")


class FakeBotApi:
    """The stand-in server; use `async with FakeBotApi(token) as api:` and `api.base_url`."""

    def __init__(self, token: str = "123:ABC") -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.confirmed = 0
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, bytes] = {}
        self.webhook: dict[str, Any] | None = None
        self.fail_next: dict[str, int] = {}  # method → how many calls answer with a server error
        self.blocked: set[int] = set()  # chats whose user blocked the bot: sendMessage answers 403
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.closing = False
        self.fixed_port = 0

    # --- server -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        app.router.add_post("/_test/push", self._test_push)
        app.router.add_get("/_test/sent", self._test_sent)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.fixed_port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What HELPDESK_TELEGRAM_API_URL should be."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _test_push(self, request: web.Request) -> web.Response:
        """Control endpoint for a test in another process: queue a list of updates."""
        for update in await request.json():
            await self.push(update)
        return web.json_response({"ok": True})

    async def _test_sent(self, request: web.Request) -> web.Response:
        """Control endpoint: what the bot sent, from index `after` (chat_id, message_id, reply_to)."""
        after = int(request.query.get("after", "0"))
        return web.json_response([[s.chat_id, s.message_id, s.reply_to] for s in self.sent[after:]])

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"])
        if data is None or request.match_info["token"] != self.token:
            return web.Response(status=404)
        return web.Response(body=data)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if self.fail_next.get(method, 0) > 0:
            self.fail_next[method] -= 1
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.blocked:
            return web.json_response(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
                status=403,
            )
        if str(params.get("parse_mode") or "").upper() == "HTML" and "text" in params:
            try:
                parse_telegram_html(str(params["text"]))
            except CannotParse as err:
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": f"Bad Request: can't parse entities: {err}",
                    },
                    status=400,
                )
        handler = getattr(self, "m_" + method, None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
            )
        result = await handler(params)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        out: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            if key in _RAW_FIELDS:
                out[key] = value
                continue
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        return out

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    # --- Bot API methods ----------------------------------------------------------------
    async def m_getMe(self, _p: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        if offset:
            self.confirmed = max(self.confirmed, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending:
                    return pending[:limit]
                left = deadline - time.monotonic()
                if left <= 0 or self.closing:
                    return []
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=left)
                except TimeoutError:
                    return []

    async def m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        message_id = next(self._message_ids)
        reply_to = (p.get("reply_parameters") or {}).get("message_id") or p.get("reply_to_message_id")
        await self._record(
            Sent(
                "sendMessage", chat_id, str(p.get("text", "")), message_id, p.get("reply_markup"), reply_to, p
            )
        )
        return self._message(chat_id, message_id, str(p.get("text", "")), p.get("reply_markup"))

    async def m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        await self._record(
            Sent(
                "editMessageText", chat_id, str(p.get("text", "")), message_id, p.get("reply_markup"), None, p
            )
        )
        return self._message(chat_id, message_id, str(p.get("text", "")), p.get("reply_markup"))

    async def m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        return self._message(chat_id, message_id, "", p.get("reply_markup"))

    async def m_answerCallbackQuery(self, _p: dict[str, Any]) -> bool:
        return True

    async def m_sendChatAction(self, _p: dict[str, Any]) -> bool:
        return True

    async def m_setMyCommands(self, _p: dict[str, Any]) -> bool:
        return True

    async def m_deleteWebhook(self, _p: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = p
        return True

    async def m_getWebhookInfo(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p["file_id"])
        data = self.files.get(f"files/{file_id}", b"")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(data),
            "file_path": f"files/{file_id}",
        }

    def _message(self, chat_id: int, message_id: int, text: str, markup: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private"},
            "text": text or " ",
        }
        if markup:
            message["reply_markup"] = markup
        return message

    # --- test side ----------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for getUpdates."""
        update.setdefault("update_id", next(self._update_ids))
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return update

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "pl"}

    def message_update(
        self, user_id: int, text: str | None = None, *, reply_to: Sent | None = None, **extra: Any
    ) -> dict[str, Any]:
        """An update carrying a private message from `user_id`."""
        message: dict[str, Any] = {
            "message_id": 500_000 + next(self._message_ids),
            "date": int(time.time()),
            "from": self._user(user_id),
            "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self._message(
                reply_to.chat_id, reply_to.message_id, reply_to.text, None
            )
        message.update(extra)
        return {"update_id": next(self._update_ids), "message": message}

    async def text(self, user_id: int, text: str, *, reply_to: Sent | None = None) -> dict[str, Any]:
        """The user sends a text message; returns the update."""
        return await self.push(self.message_update(user_id, text, reply_to=reply_to))

    async def photo(
        self,
        user_id: int,
        data: bytes,
        *,
        reply_to: Sent | None = None,
        declared_size: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (stored for getFile)."""
        file_id = f"photo{next(self._message_ids)}"
        self.files[f"files/{file_id}"] = data
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "width": 800,
                "height": 600,
                "file_size": declared_size if declared_size is not None else len(data),
            }
        ]
        extra: dict[str, Any] = {"photo": photo}
        if caption:
            extra["caption"] = caption
        return await self.push(self.message_update(user_id, None, reply_to=reply_to, **extra))

    async def press(self, user_id: int, sent: Sent, data: str) -> dict[str, Any]:
        """The user presses an inline button with callback `data` under message `sent`."""
        query = {
            "id": str(next(self._message_ids)),
            "from": self._user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": self._message(sent.chat_id, sent.message_id, sent.text, sent.reply_markup),
        }
        return await self.push({"update_id": next(self._update_ids), "callback_query": query})

    def to(self, chat_id: int) -> list[Sent]:
        """Messages the bot sent to one chat."""
        return [s for s in self.sent if s.chat_id == chat_id and s.method == "sendMessage"]

    async def wait_for(
        self, predicate: Callable[[Sent], bool], timeout: float = 10.0, *, after: int = 0
    ) -> Sent:
        """The first sent message (from index `after`) matching `predicate`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                for sent in self.sent[after:]:
                    if predicate(sent):
                        return sent
                left = deadline - time.monotonic()
                if left <= 0:
                    texts = [(s.chat_id, s.text[:60]) for s in self.sent[after:]]
                    raise AssertionError(f"nothing matched within {timeout}s; sent: {texts}")
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=left)
                except TimeoutError:
                    pass

    async def wait_count(
        self, predicate: Callable[[Sent], bool], count: int, timeout: float = 30.0
    ) -> list[Sent]:
        """Wait until at least `count` sent messages match."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                found = [s for s in self.sent if predicate(s)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"only {len(found)} of {count} messages within {timeout}s")
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=left)
                except TimeoutError:
                    pass


async def _serve_forever(port: int, token: str) -> None:
    api = FakeBotApi(token)
    api.fixed_port = port
    async with api:
        print(api.port, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":  # a stand-in in its own process (bench/bench_telegram.py)
    import sys

    asyncio.run(
        _serve_forever(
            int(sys.argv[1]) if len(sys.argv) > 1 else 0, sys.argv[2] if len(sys.argv) > 2 else "123:ABC"
        )
    )
