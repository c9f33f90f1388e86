"""The Telegram bot: the python-telegram-bot application, its handlers, start, stop and sending.

The handlers are thin: they find who is writing, then hand the text, button or file to the
channel-agnostic dialogue service (services/intake/dialogue.py) and render its replies. Blocking work
(database, matcher) runs on the thread pool it is given so the event loop keeps serving updates.

Robustness, in the order an update meets it:

- group -2: the update is claimed in the database by `update_id` (claims.py); one already
  processed (or being processed by a live worker) is dropped, so a redelivery after a crash or a
  webhook retry does nothing twice;
- group -1: a per-user token bucket (rate.py); over the limit the person gets one clear message
  and the update is dropped;
- group 0: the handlers, serialised per person (updates of different people run concurrently);
- replies go out directly; if Telegram cannot be reached they are put in the outbox, which the
  outbox sender (sender.py) retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from telegram import BotCommand, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from helpdesk.adapters.telegram.claims import UpdateClaims
from helpdesk.adapters.telegram.http import AiohttpRequest
from helpdesk.adapters.telegram.incoming import IncomingText
from helpdesk.adapters.telegram.rate import RateLimiter
from helpdesk.adapters.telegram.render import keyboard, split_message
from helpdesk.adapters.telegram.texts import command_menu
from helpdesk.domain.errors import HelpdeskError, Unavailable
from helpdesk.domain.people import Person
from helpdesk.services.intake.dialogue import DialogueService, Reply, ticket_id_in
from helpdesk.services.people import PeopleService
from helpdesk.services.ports import Clock, Database, OutboxWriter
from helpdesk.services.texts import Texts, human_size
from helpdesk.settings import Settings

log = logging.getLogger("helpdesk.telegram")
T = TypeVar("T")

POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits
CONCURRENT_UPDATES = 128
CONNECTION_POOL = 32
STOP_WAIT = 10.0  # seconds a stop waits for texts in progress (one not answered by then is replayed)
NO_PREVIEW = {"is_disabled": True}  # what disable_web_page_preview=True becomes in Bot API 7.0+
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
# Replies go out through Bot.do_api_request("sendMessage"), which PTB documents for methods it has
# no typed call for and warns about for one it has; we want its transport and errors, not the
# `Message` object send_message builds from each answer (a fifth of a reply's CPU in py-spy).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


def file_base_url(api_base: str) -> str:
    """The file download base for an API base: …/bot → …/file/bot (Telegram's layout)."""
    base = api_base.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("bot")] + "file/bot"
    return base + "/file/bot"


class TelegramBot:
    """The bot: builds the PTB application and handles its updates."""

    def __init__(
        self,
        settings: Settings,
        texts: Texts,
        dialogue: DialogueService,
        *,
        people: PeopleService,
        db: Database[OutboxWriter],
        clock: Clock,
        executor: Executor,
        claims: UpdateClaims,
        rate: RateLimiter,
    ) -> None:
        self.settings = settings
        self.t = texts
        self.dialogue = dialogue
        self.people = people
        self.db = db
        self.clock = clock
        self.executor = executor
        self.claims = claims
        self.rate = rate
        self.locks: dict[int, asyncio.Lock] = {}
        # The desk's web address: people not yet linked get their code on its page "Moje konto".
        self.site = settings.public_url.rstrip("/")
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.requests: tuple[AiohttpRequest, ...] = ()
        self.wake: asyncio.Event | None = None
        self.tasks: set[asyncio.Task[None]] = set()  # plain texts taken from the webhook, in progress
        self.slots = asyncio.Semaphore(CONCURRENT_UPDATES)

    # --- running blocking work ----------------------------------------------------------
    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call on the bot's thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    # --- the application ----------------------------------------------------------------
    def build(self, *, polling: bool = True) -> Application[Any, Any, Any, Any, Any, Any]:
        """The python-telegram-bot application pointed at HELPDESK_TELEGRAM_API_URL."""
        # PTB's default HTTPX client collapses under concurrent updates (see http.py for the
        # measurements); an aiohttp pool with a bounded number of keep-alive connections and a
        # patient pool timeout does not.
        request = AiohttpRequest(
            connection_pool_size=CONNECTION_POOL,
            read_timeout=15.0,
            write_timeout=15.0,
            connect_timeout=5.0,
            pool_timeout=30.0,
        )
        updates_request = AiohttpRequest(
            connection_pool_size=2, read_timeout=10.0, connect_timeout=5.0, pool_timeout=10.0
        )
        self.requests = (request, updates_request)
        api = self.settings.telegram_api_url
        builder = (
            Application.builder()
            .token(self.settings.telegram_token)
            .base_url(api)
            .base_file_url(file_base_url(api))
            .request(request)
            .get_updates_request(updates_request)
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        if not polling:
            builder = builder.updater(None)
        app = builder.build()
        private = filters.ChatType.PRIVATE
        app.add_handler(TypeHandler(Update, self.on_claim), group=-2)
        app.add_handler(TypeHandler(Update, self.on_rate), group=-1)
        app.add_handler(CommandHandler("start", self.on_start, filters=private))
        app.add_handler(CommandHandler(["help", "pomoc"], self.on_help, filters=private))
        app.add_handler(CommandHandler("moje", self.on_mine, filters=private))
        app.add_handler(CommandHandler("wyloguj", self.on_logout, filters=private))
        app.add_handler(
            MessageHandler(
                private & filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, self.on_text
            )
        )
        app.add_handler(MessageHandler(private & (filters.PHOTO | filters.Document.ALL), self.on_file))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, self.on_other))
        app.add_handler(TypeHandler(Update, self.on_done), group=99)
        app.add_error_handler(self.on_error)
        self.app = app
        return app

    async def start(self) -> None:
        """Start the bot: long polling, or webhook mode when HELPDESK_TELEGRAM_WEBHOOK_URL is set.

        Unavailable (one line naming the settings) when the Bot API cannot be reached or refuses
        the token; whatever was opened is closed again.
        """
        webhook = self.settings.telegram_webhook_url
        app = self.build(polling=not webhook)
        self.wake = asyncio.Event()
        try:
            await app.initialize()
            with contextlib.suppress(TelegramError):
                await app.bot.set_my_commands([BotCommand(c, d) for c, d in command_menu(self.t)])
            await app.start()
            if webhook:
                await app.bot.set_webhook(
                    webhook,
                    secret_token=webhook_secret(self.settings.telegram_token),
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
        except TelegramError as err:
            await self._abandon(app)
            raise Unavailable(
                f"bot Telegram nie wystartował: {err} "
                "(sprawdź HELPDESK_TELEGRAM_TOKEN i HELPDESK_TELEGRAM_API_URL)"
            ) from err
        log.warning("helpdesk: bot Telegram działa (%s)", "webhook" if webhook else "long polling")

    async def _abandon(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Close what a failed start opened (PTB's shutdown skips an application never initialised)."""
        with contextlib.suppress(Exception):
            if app.running:
                await app.stop()
            await app.shutdown()
        for request in self.requests:
            await request.shutdown()
        self.app = None

    async def stop(self) -> None:
        """Stop taking updates, write the last processed-update marks, close the application."""
        app = self.app
        if app is None:
            return
        if self.wake:
            self.wake.set()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if self.tasks:  # texts taken from the webhook: let them finish as PTB's stop lets its own
            await asyncio.wait(set(self.tasks), timeout=STOP_WAIT)
        await self.claims.flush_done()
        await app.shutdown()

    def nudge(self) -> None:
        """Wake the outbox sender (something may have been enqueued)."""
        if self.wake is not None:
            self.wake.set()

    # --- idempotency and rate limiting --------------------------------------------------
    async def on_claim(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """Claim the update by update_id; drop it if it was seen already."""
        if not await self.claims.claim(update.update_id):
            log.info("telegram: update %s already processed, skipped", update.update_id)
            raise ApplicationHandlerStop

    async def within_rate(self, user_id: int, chat_id: int | None) -> bool:
        """Whether the person is within the rate limit; over it, they are told once."""
        allowed, warn = self.rate.allow(user_id)
        if not allowed and warn and chat_id is not None:
            await self.send(chat_id, Reply(self.t("errors.rate_limited")))
        return allowed

    async def on_rate(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop updates of a person over the rate limit (telling them once)."""
        user = update.effective_user
        if user is None:
            return
        chat = update.effective_chat
        if await self.within_rate(user.id, chat.id if chat is not None else None):
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(self.t.raw("errors.rate_limited")[:190])
        self.claims.processed(update.update_id)
        raise ApplicationHandlerStop

    async def on_done(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """Remember that the update was processed (flushed to the database in batches)."""
        self.claims.processed(update.update_id)

    async def flush_done(self) -> None:
        """Mark the processed updates in the database."""
        await self.claims.flush_done()

    async def on_error(self, update: object, ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure and tell the person something went wrong on our side."""
        log.error("telegram: handler failed", exc_info=ctx.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(Exception):
                await self.send(update.effective_chat.id, Reply(self.t("errors.generic")))

    # --- who is writing -----------------------------------------------------------------
    async def person_of(self, update: Update) -> Person | None:
        """The linked, active person behind the update's sender, or None.

        Looked up for every update, never cached: a person disabled, or a link removed, elsewhere
        (web, CLI, another worker) is refused by the very next update.
        """
        user = update.effective_user
        if user is None:
            return None
        person: Person | None = await self.run(self.people.find, telegram_id=user.id)
        return person

    def lock(self, user_id: int) -> asyncio.Lock:
        """The lock that keeps one person's updates in order."""
        lock = self.locks.get(user_id)
        if lock is None:
            if len(self.locks) > 10_000:
                self.locks = {k: v for k, v in self.locks.items() if v.locked()}
            lock = self.locks[user_id] = asyncio.Lock()
        return lock

    async def unknown(self, chat_id: int, reply_to: int | None = None) -> None:
        """Answer someone not linked: how to get access, nothing else."""
        await self.send(chat_id, Reply(self.t("access.unknown", url=self.site)), reply_to=reply_to)

    # --- commands -----------------------------------------------------------------------
    async def on_start(self, update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """/start CODE links the account (also from a t.me/bot?start=CODE deep link)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        code = (ctx.args or [""])[0].strip() if ctx.args else ""
        if code:
            now = self.clock.now()
            try:
                linked = await self.run(self.people.link_telegram, code, user.id, now, chat=message.chat_id)
            except HelpdeskError as err:
                await self.send(
                    message.chat_id, Reply(self.t("access.bad_code", reason=str(err), url=self.site))
                )
                return
            await self.send(message.chat_id, Reply(self.t("access.linked", name=_first_name(linked))))
            return
        person = await self.person_of(update)
        if person is None:
            await self.unknown(message.chat_id)
            return
        await self.send(message.chat_id, Reply(self.t("access.welcome_back", name=_first_name(person))))

    async def on_help(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: what the bot can do (unknown people learn how to get access)."""
        await self.hint(update, "help.text")

    async def on_mine(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """/moje: the person's tickets with their state."""
        message = update.effective_message
        if message is None:
            return
        person = await self.person_of(update)
        if person is None:
            await self.unknown(message.chat_id)
            return
        await self.send(message.chat_id, await self.run(self.dialogue.mine, person))

    async def on_logout(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """/wyloguj: forget the link between this Telegram account and the person."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        unlinked = await self.run(self.people.unlink_telegram, user.id)
        await self.run(self.dialogue.forget, _key(user.id))
        await self.send(
            message.chat_id,
            Reply(self.t("access.logged_out" if unlinked else "access.not_linked", url=self.site)),
        )

    # --- messages -----------------------------------------------------------------------
    async def on_text(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """A question, an answer in the ticket conversation, or a reply in a ticket's thread."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self.answer_text(
            message.chat_id, user.id, message.message_id, message.text or "", _replied_ticket(message)
        )

    async def answer_text(
        self, chat_id: int, user_id: int, message_id: int, text: str, ticket: str | None
    ) -> None:
        """Answer a text message (from PTB's handler or straight from the webhook)."""
        async with self.lock(user_id):
            replies = await self.run(self._text_unit, user_id, text, ticket)
        if replies is None:
            await self.unknown(chat_id, reply_to=message_id)
            return
        await self.send_all(chat_id, replies, reply_to=message_id)
        self.nudge()

    def _text_unit(self, user_id: int, text: str, ticket: str | None) -> list[Reply] | None:
        """Blocking: the dialogue's answer, None when the sender is no linked, active person.

        One trip to the thread pool; the person and the conversation are read together.
        """
        return self.dialogue.message_from(_key(user_id), "telegram_id", user_id, text, reply_to_ticket=ticket)

    # --- plain texts straight from the webhook ------------------------------------------
    def take_text(self, message: IncomingText) -> None:
        """Answer a plain text the webhook stored (and so claimed) without PTB's Update and handlers.

        The same steps as PTB's path for it: rate limit (group -1), `on_text`, the processed mark
        (group 99), the error handler. Runs as a task so the webhook's 200 does not wait for it.
        """
        task = asyncio.create_task(self._take_text(message))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _take_text(self, m: IncomingText) -> None:
        self.claims.take(m.update_id)  # claimed when the webhook stored it
        async with self.slots:  # as many at once as PTB's concurrent_updates
            try:
                if not await self.within_rate(m.user_id, m.chat_id):
                    return
                await self.answer_text(m.chat_id, m.user_id, m.message_id, m.text, m.reply_to_ticket)
            except Exception as err:
                log.error("telegram: handler failed", exc_info=err)
                with contextlib.suppress(Exception):
                    await self.send(m.chat_id, Reply(self.t("errors.generic")))
            finally:
                self.claims.processed(m.update_id)

    async def on_file(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo or document: attached to the ticket it answers (size-limited)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        person = await self.person_of(update)
        if person is None:
            await self.unknown(message.chat_id)
            return
        limit = int(self.settings.attachment_max_bytes)
        if message.photo:
            photo = message.photo[-1]
            file_id, size = photo.file_id, photo.file_size or 0
            name, content_type = f"zdjecie-{message.message_id}.jpg", "image/jpeg"
        elif message.document:
            doc = message.document
            file_id, size = doc.file_id, doc.file_size or 0
            name = doc.file_name or f"plik-{message.message_id}"
            content_type = doc.mime_type or "application/octet-stream"
        else:
            return
        if size > limit:
            await self.send(
                message.chat_id,
                Reply(self.t("thread.too_large", size=human_size(size), limit=human_size(limit))),
                reply_to=message.message_id,
            )
            return
        try:
            tg_file = await message.get_bot().get_file(file_id)
            data = bytes(await tg_file.download_as_bytearray())
        except TelegramError:
            await self.send(message.chat_id, Reply(self.t("thread.file_failed")), reply_to=message.message_id)
            return
        if len(data) > limit:
            await self.send(
                message.chat_id,
                Reply(self.t("thread.too_large", size=human_size(len(data)), limit=human_size(limit))),
                reply_to=message.message_id,
            )
            return
        async with self.lock(user.id):
            replies = await self.run(
                self.dialogue.attach,
                _key(user.id),
                person,
                name,
                content_type,
                data,
                reply_to_ticket=_replied_ticket(message),
                caption=message.caption,
            )
        await self.send_all(message.chat_id, replies, reply_to=message.message_id)
        self.nudge()

    async def on_callback(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button: feedback, a candidate article, a ticket step, take / answer."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        chat_id = query.message.chat.id if query.message is not None else user.id
        person = await self.person_of(update)
        if person is None:
            await self.unknown(chat_id)
            return
        data = query.data or ""
        if data.startswith(("fb:", "new:", "t:", "again:")) and isinstance(query.message, Message):
            with contextlib.suppress(TelegramError):  # one press per question: the buttons go away
                await query.message.edit_reply_markup(reply_markup=None)
        async with self.lock(user.id):
            replies = await self.run(self.dialogue.action, _key(user.id), person, data)
        await self.send_all(chat_id, replies)
        self.nudge()

    async def on_other(self, update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, voice, unknown commands…: a short hint (or how to get access)."""
        message = update.effective_message
        command = message is not None and (message.text or "").startswith("/")
        await self.hint(update, "help.text" if command else "errors.unsupported")

    async def hint(self, update: Update, key: str) -> None:
        """Answer a linked person with the text `key`; someone not linked learns how to get access."""
        message = update.effective_message
        if message is None:
            return
        if await self.person_of(update) is None:
            await self.unknown(message.chat_id)
            return
        await self.send(message.chat_id, Reply(self.t(key)))

    # --- sending ------------------------------------------------------------------------
    async def send_all(self, chat_id: int, replies: list[Reply], reply_to: int | None = None) -> None:
        """Send replies in order; only the first quotes the person's message."""
        for i, reply in enumerate(replies):
            await self.send(chat_id, reply, reply_to=reply_to if i == 0 else None)

    async def send(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> None:
        """Send one reply (split at 4,096 characters); on network trouble hand it to the outbox."""
        assert self.app is not None
        chunks = split_message(reply.text)
        markup = keyboard(reply.buttons)
        for i, chunk in enumerate(chunks):
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "text": chunk,
                "parse_mode": ParseMode.HTML.value,
                "link_preview_options": NO_PREVIEW,
            }
            if reply_to and i == 0:
                params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
            if markup is not None and i == len(chunks) - 1:
                params["reply_markup"] = markup
            try:
                # The answer (the sent message) is not needed: no Message object is built for it.
                await self.app.bot.do_api_request("sendMessage", api_kwargs=params)
            except (NetworkError, RetryAfter) as err:
                if isinstance(err, BadRequest):
                    raise
                await self.to_outbox(chat_id, "\n".join(chunks[i:]), json.dumps(markup) if markup else None)
                return
            except Forbidden:
                log.info("telegram: chat %s blocked the bot", chat_id)
                return

    async def to_outbox(self, chat_id: int, text: str, markup_json: str | None) -> None:
        """Queue a reply that could not be sent now; the outbox sender retries it."""
        now = self.clock.now()
        headers = {"parse_mode": "HTML"}
        if markup_json:
            headers["reply_markup"] = markup_json
        await self.run(
            self.db.write,
            lambda tx: tx.enqueue("telegram", str(chat_id), "reply", text, at=now, headers=headers),
        )
        self.nudge()


def _key(user_id: int) -> str:
    return f"telegram:{user_id}"


def _first_name(person: Person) -> str:
    return person.name.split()[0] if person.name else person.login


def _replied_ticket(message: Message) -> str | None:
    """The ticket id of the bot message this message replies to (its thread)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    return ticket_id_in(replied.text or replied.caption)


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with webhook calls (derived from the token, never logged)."""
    return hashlib.sha256(("webhook:" + token).encode()).hexdigest()[:48]
