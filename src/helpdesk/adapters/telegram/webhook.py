"""Webhook mode (HELPDESK_TELEGRAM_WEBHOOK_URL): Telegram's calls are served by our own web server.

The route is added by the web app factory at the path of that URL; the running bot is found
under the typed app key `TELEGRAM_BOT`, which the bot's start (helpdesk/lifecycle.py) sets. Until
then the route answers 503, so Telegram retries. Calls must carry the secret the bot registered
with `setWebhook`; a redelivered update is dropped by the update claims (claims.py).

The update is stored in the database before the 200 (claims.py, `store`): Telegram forgets an
update it got a 200 for, so a worker dying between the answer and the reply must not lose it. When
the database does not answer, the call gets 503 and Telegram delivers the update again later. The
stored row is this worker's claim; an update stored before (a redelivery) is answered 200 and left
to whoever holds it (claims.py).

The body is decoded once (msgspec). A plain private text message — most of the traffic — goes to
the bot straight from its JSON (incoming.py); anything else becomes PTB's `Update` and goes through
its handlers as before.
"""

import hmac
from typing import Any
from urllib.parse import urlparse

import msgspec
from aiohttp import web
from telegram import Update

from helpdesk.adapters.telegram.bot import TelegramBot, webhook_secret
from helpdesk.adapters.telegram.incoming import plain_text
from helpdesk.domain.errors import Unavailable

DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_BOT = web.AppKey("telegram_bot", TelegramBot)
"""The started bot, set while it runs."""
_DECODE = msgspec.json.Decoder()
_OK = b'{"ok": true}'


def webhook_path(url: str) -> str:
    """The path the webhook endpoint is served at: that of HELPDESK_TELEGRAM_WEBHOOK_URL."""
    path = urlparse(url).path
    return path if path and path != "/" else DEFAULT_WEBHOOK_PATH


def add_webhook_route(app: web.Application, url: str, token: str) -> None:
    """Serve Telegram's webhook calls for `url` from `app`."""
    secret = webhook_secret(token)

    async def receive(request: web.Request) -> web.Response:
        # Bytes, not str: compare_digest refuses non-ASCII text, and a stranger's header may be anything.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret.encode("utf-8")):
            return web.json_response({"error": "zły sekret webhooka"}, status=403)
        bot = request.app.get(TELEGRAM_BOT)
        if bot is None or bot.app is None or not bot.app.running:
            return web.json_response({"error": "bot jeszcze nie działa"}, status=503)
        update: Update | None = None
        try:
            raw = await request.read()
            payload = raw.decode("utf-8")
            data: Any = _DECODE.decode(raw)
            text = plain_text(data)
            if text is not None:
                update_id = text.update_id
            else:
                update = Update.de_json(data, bot.app.bot)
                update_id = int(update.update_id)
        except (ValueError, TypeError, KeyError, AttributeError, msgspec.DecodeError):
            return web.json_response({"error": "niepoprawna aktualizacja"}, status=400)
        try:
            fresh = await bot.claims.store(update_id, payload)
        except Unavailable:
            return web.json_response({"error": "baza danych chwilowo niedostępna; ponów"}, status=503)
        if not fresh:  # a redelivery: processed, or held by the worker that stored it
            return web.Response(body=_OK, content_type="application/json")
        if text is not None:
            bot.take_text(text)
        else:
            assert update is not None
            await bot.app.update_queue.put(update)
        return web.Response(body=_OK, content_type="application/json")

    app.router.add_post(webhook_path(url), receive)
