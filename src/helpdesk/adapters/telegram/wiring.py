"""Wiring of the Telegram channel into the container (called by bootstrap.install_channels).

Nothing happens without HELPDESK_TELEGRAM_TOKEN. With a token: the dialogue service is created
(shared as `container.extras["dialogue"]` unless another channel made one), the notice listener
joins the ticket service, the bot becomes a background part of `helpdesk serve`, and in webhook
mode (HELPDESK_TELEGRAM_WEBHOOK_URL) the update endpoint is added to the aiohttp app at the path
of that URL.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from helpdesk.adapters.telegram.texts import load_texts
from helpdesk.services.intake.dialogue import DialogueService
from helpdesk.services.notify.telegram import telegram_listener

log = logging.getLogger("helpdesk.telegram")
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def install(container: Any) -> None:
    """Add the Telegram listener, the bot part and (webhook mode) the update route."""
    settings = container.settings
    if not settings.telegram_token:
        return
    from helpdesk.adapters.telegram.bot import TelegramBot

    texts = load_texts(settings)
    dialogue = container.extras.get("dialogue")
    if not isinstance(dialogue, DialogueService):
        dialogue = DialogueService(container.db, container.clock, container.kb, container.tickets, texts)
        container.extras["dialogue"] = dialogue
    container.tickets.listeners.append(telegram_listener(texts))
    bot = TelegramBot(container, texts, dialogue)
    container.extras["telegram_bot"] = bot

    async def start_part(_container: Any) -> Callable[[], Awaitable[None]]:
        return await bot.start()

    container.extras.setdefault("parts", []).append(start_part)
    if settings.telegram_webhook_url:
        container.extras.setdefault("web_setup", []).append(lambda app: setup_webhook(app, bot))


def webhook_path(url: str) -> str:
    """The path the webhook endpoint is served at: that of HELPDESK_TELEGRAM_WEBHOOK_URL."""
    path = urlparse(url).path
    return path if path and path != "/" else DEFAULT_WEBHOOK_PATH


def setup_webhook(app: web.Application, bot: Any) -> None:
    """Serve Telegram's webhook calls from the same aiohttp server."""
    from telegram import Update

    secret = bot.webhook_secret()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret.encode("utf-8")):
            return web.json_response({"error": "zły sekret webhooka"}, status=403)
        if bot.app is None or not bot.app.running:
            return web.json_response({"error": "bot jeszcze nie działa"}, status=503)
        try:
            data = await request.json()
            update = Update.de_json(data, bot.app.bot)
        except (ValueError, TypeError, KeyError):
            return web.json_response({"error": "niepoprawna aktualizacja"}, status=400)
        await bot.app.update_queue.put(update)
        return web.json_response({"ok": True})

    app.router.add_post(webhook_path(bot.settings.telegram_webhook_url), receive)
