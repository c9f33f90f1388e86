"""The outbox sender for channel "telegram": claims due notices, sends them, retries failures.

Notices are written to the outbox in the same transaction as the ticket change that caused them
(services/notify/telegram.py), and replies that could not be sent are queued there too. This loop
claims them with a lease (so a second worker never doubles one), sends each recipient's messages
in order, and reports success or failure; failures come back later with a growing pause.

It is not a periodic job: the bot wakes it as soon as a handler has queued something (`nudge`),
and otherwise it looks at the outbox every IDLE_WAIT seconds for what other processes (the web,
the CLI) queued. Each round also writes the bot's processed-update marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from helpdesk.adapters.telegram.render import split_message
from helpdesk.domain.errors import HelpdeskError
from helpdesk.services.notify.outbox import OutboxMessage, OutboxService

if TYPE_CHECKING:
    from helpdesk.adapters.telegram.bot import TelegramBot

log = logging.getLogger("helpdesk.telegram.outbox")
CHANNEL = "telegram"
IDLE_WAIT = 0.3  # seconds between looks at the outbox when nothing woke the sender
BATCH = 100
STOP_WAIT = 3.0  # seconds a stop waits for the round in progress


class OutboxSender:
    """Delivers the Telegram outbox of one bot."""

    def __init__(self, bot: TelegramBot, outbox: OutboxService) -> None:
        self.bot = bot
        self.outbox = outbox
        self.stopping = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering in a task of the running event loop."""
        self.stopping = False
        self.task = asyncio.create_task(self.run(), name="telegram-outbox")

    async def stop(self) -> None:
        """Finish the round in progress (up to STOP_WAIT seconds), then end the loop."""
        task, self.task = self.task, None
        if task is None:
            return
        self.stopping = True
        self.bot.nudge()
        # On timeout wait_for cancels the round; what it had claimed goes back to the outbox when
        # its lease ends, so nothing is lost, and the cancellation is not an error worth a trace.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=STOP_WAIT)

    async def run(self) -> None:
        """Loop until stopped: claim, send, flush processed-update marks, wait a little."""
        while not self.stopping:
            sent = 0
            try:
                sent = await self.once()
                await self.bot.flush_done()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive a database hiccup
                log.exception("telegram outbox: round failed")
            if sent == 0 and not self.stopping and self.bot.wake is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.bot.wake.wait(), timeout=IDLE_WAIT)
                self.bot.wake.clear()

    async def once(self) -> int:
        """One round: claim due messages and deliver them; returns how many were handled."""
        messages = await self.bot.run(self.outbox.claim, CHANNEL, BATCH)
        if not messages:
            return 0
        by_chat: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in messages:
            by_chat[message.recipient].append(message)
        await asyncio.gather(*(self._deliver_chat(items) for items in by_chat.values()))
        return len(messages)

    async def _deliver_chat(self, messages: list[OutboxMessage]) -> None:
        for message in messages:  # in order, one chat at a time
            try:
                await self.deliver(message)
            except (Forbidden, BadRequest) as err:
                # Blocked bot or a chat that does not exist: retrying will not help. Given up, not
                # "sent", so it stays visible (`helpdesk outbox list --given-up`, /metrics).
                log.warning(
                    "telegram outbox: message %s to %s given up: %s", message.id, message.recipient, err
                )
                await self._report(self._give_up, message, f"{type(err).__name__}: {err}")
            except TelegramError as err:
                log.info("telegram outbox: message %s failed, will retry: %s", message.id, err)
                await self._report(self.outbox.failed, message, f"{type(err).__name__}: {err}")
            else:
                await self._report(self.outbox.sent, message)

    def _give_up(self, message: OutboxMessage, error: str) -> None:
        self.outbox.failed(message, error, permanent=True)

    async def _report(self, fn: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(HelpdeskError):
            await self.bot.run(fn, *args)

    async def deliver(self, message: OutboxMessage) -> None:
        """Send one outbox message (split at 4,096 characters, keyboard on the last part)."""
        assert self.bot.app is not None
        headers = message.headers or {}
        markup = None
        if headers.get("reply_markup"):
            markup = InlineKeyboardMarkup.de_json(json.loads(headers["reply_markup"]), self.bot.app.bot)
        parse_mode = ParseMode.HTML if headers.get("parse_mode", "HTML") == "HTML" else None
        chunks = split_message(message.body)
        for i, chunk in enumerate(chunks):
            await self.bot.app.bot.send_message(
                int(message.recipient),
                chunk,
                parse_mode=parse_mode,
                reply_markup=markup if i == len(chunks) - 1 else None,
                disable_web_page_preview=True,
            )
