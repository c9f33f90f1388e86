"""Start and stop of everything `helpdesk serve` runs beside the web pages, in one place.

Each background resource is an aiohttp cleanup context or an async context manager: the code
before its `yield` starts it, the code after stops it, in the reverse order. `helpdesk serve`, the
tests' `TestServer` and `running()` therefore all start and stop the same things the same way.

What a process runs depends on its role (README "Production"):

- every process serves the web pages and the API; in Telegram webhook mode every process also
  runs the bot, so an update posted to any worker is processed where it arrived;
- the singletons run in exactly one process among all those sharing the database (role `all` or
  `singletons`): the process holding the `singletons` lease (adapters/db/lease_store.py). It is
  taken at start when free, renewed every third of HELPDESK_LEASE_TTL_S; a process that dies stops
  renewing and another one takes the lease over once it expired, then starts the singletons
  itself. A process that cannot renew in time (the database unreachable) stops its singletons
  before the lease could have passed to another, so they never run twice. The singletons, in the
  order they start:

  1. mail stored but not processed (a crash, an outage) is processed, then the inbound SMTP gateway
     (HELPDESK_SMTP_LISTEN) starts listening;
  2. the Telegram bot in long-polling mode (in webhook mode it already runs), then the sender of
     its outbox;
  3. the periodic jobs, under one scheduler (adapters/scheduler.py): the SLA sweep, the retry of
     mail stored but not processed, the IMAP poller (HELPDESK_IMAP_URL), the sender of outbox mail
     (HELPDESK_SMTP_RELAY), retention, the audit checkpoint and, in webhook mode, the replay of
     webhook updates a dead worker stored but never processed.

So a stop ends the periodic jobs first (no round starts; the one in progress finishes), then the
bot's sender and the bot, then the SMTP gateway, then gives the lease up so another process takes
over at once. A stop that fails or hangs is reported in one line and the others still stop: a stop
never logs a traceback.
"""

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from aiohttp import web

from helpdesk.adapters.email import imap as imap_adapter
from helpdesk.adapters.email import sender as mail_sender
from helpdesk.adapters.scheduler import Scheduler
from helpdesk.bootstrap import Container
from helpdesk.web.app import create_app
from helpdesk.web.common import CONTAINER, METRICS
from helpdesk.web.metrics import Metrics

log = logging.getLogger("helpdesk.lifecycle")
sweep_log = logging.getLogger("helpdesk.scheduler")
mail_log = logging.getLogger("helpdesk.mail")

SINGLETONS_LEASE = "singletons"
STOP_TIMEOUT = 15.0  # seconds one resource may take to stop before the others go on without it
REPLAY_BATCH = 200  # stored webhook updates fed back to the bot per round


class Role(StrEnum):
    """What one `helpdesk serve` process runs (README "Production")."""

    ALL = "all"  # web and API, and the singletons when this process holds their lease
    WEB = "web"  # web and API only (and the webhook bot): workers behind the reverse proxy
    SINGLETONS = "singletons"  # the singletons (when holding the lease) and /healthz, /metrics


def holder_id() -> str:
    """Who holds a lease: host, process id and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Singletons:
    """The singletons of one process and the lease they run under (found under the app key SINGLETONS)."""

    container: Container
    contend: bool  # False in role `web`: this process never runs the singletons
    metrics: Metrics | None = None  # the web application's, told what the singletons do
    holder: str = field(default_factory=holder_id)
    scheduler: Scheduler | None = None  # the periodic jobs, while this process runs them
    holding: bool = False
    _stack: AsyncExitStack | None = None
    _task: asyncio.Task[None] | None = None
    _last_renewed: float = 0.0  # loop time of the last successful take or renewal

    @property
    def ttl(self) -> timedelta:
        """How long a lease lasts without renewal."""
        return timedelta(seconds=self.container.settings.lease_ttl_s)

    async def _db(self, fn: Callable[[Any], Any]) -> Any:
        container = self.container
        return await asyncio.get_running_loop().run_in_executor(container.executor, container.db.write, fn)

    async def try_take(self) -> bool:
        """Take (or renew) the lease; False when another live process holds it or the database fails."""
        now, ttl = self.container.clock.now(), self.ttl
        try:
            taken = bool(await self._db(lambda tx: tx.lease_take(SINGLETONS_LEASE, self.holder, now, ttl)))
        except Exception as err:
            log.warning("singletons lease: %s: %s", type(err).__name__, err)
            return False
        if taken:
            self._last_renewed = asyncio.get_running_loop().time()
        return taken

    async def start(self) -> None:
        """Take the lease if free and start the singletons; then keep renewing or trying in the background."""
        if not self.contend:
            return
        if await self.try_take():
            await self._start_all()
        self._task = asyncio.create_task(self._keep(), name="singletons-lease")

    async def _start_all(self) -> None:
        stack = AsyncExitStack()
        await stack.__aenter__()
        try:
            for resource in singleton_resources(self):
                await stack.enter_async_context(resource)
        except BaseException:
            await stack.aclose()
            await self._release()
            raise
        self._stack, self.holding = stack, True
        if self.metrics is not None:
            self.metrics.singletons_here.set(1)
        log.warning("helpdesk: ten proces uruchomił zadania pojedyncze (%s)", self.holder)

    async def _stop_all(self) -> None:
        stack, self._stack, self.holding = self._stack, None, False
        if self.metrics is not None:
            self.metrics.singletons_here.set(0)
        if stack is not None:
            await stack.aclose()

    async def _keep(self) -> None:
        """Renew the lease while holding it; take it over when it is free; stop in time when it is lost."""
        period = self.container.settings.lease_ttl_s / 3
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period)
            try:
                taken = await self.try_take()
                if self.holding and not taken:
                    # Another process holds it, or renewals failed for almost a whole lease.
                    if loop.time() - self._last_renewed > period * 1.5 or await self._held_by_other():
                        log.warning("singletons lease lost; stopping the singletons of this process")
                        await self._stop_all()
                elif taken and not self.holding:
                    log.warning("singletons lease taken over by %s", self.holder)
                    await self._start_all()
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a start that failed: try again at the next period
                log.warning("singletons: %s: %s", type(err).__name__, err)
                await self._release()

    async def _held_by_other(self) -> bool:
        now = self.container.clock.now()
        try:
            holders = await self._db(lambda tx: tx.lease_holders(now))
        except Exception:
            return False
        holder, _expires, live = holders.get(SINGLETONS_LEASE, ("", None, False))
        return bool(live and holder != self.holder)

    async def _release(self) -> None:
        now = self.container.clock.now()
        try:
            await self._db(lambda tx: tx.lease_release(SINGLETONS_LEASE, self.holder, now))
        except Exception as err:
            log.warning("singletons lease not released (it expires on its own): %s", err)

    async def stop(self) -> None:
        """Stop renewing, stop the singletons, give the lease up."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.holding:
            await self._stop_all()
            await self._release()


SINGLETONS = web.AppKey("singletons", Singletons)
"""The singletons of this process and their lease."""


def serving_app(container: Container, role: Role = Role.ALL) -> web.Application:
    """The web application of `container` with every background resource its role runs."""
    app = create_app(container)
    add_background(app, container, role)
    return app


def add_background(app: web.Application, container: Container, role: Role = Role.ALL) -> None:
    """Attach the cleanup contexts of the background resources of `role`."""
    app[SINGLETONS] = Singletons(container, contend=role is not Role.WEB, metrics=app[METRICS])
    if webhook_mode(container):
        app.cleanup_ctx.append(telegram_bot)
    app.cleanup_ctx.append(singletons)


def webhook_mode(container: Container) -> bool:
    """True when the bot takes its updates through the webhook (then every worker runs it)."""
    return container.telegram is not None and bool(container.settings.telegram_webhook_url)


@asynccontextmanager
async def running(container: Container, role: Role = Role.ALL) -> AsyncIterator[web.AppRunner]:
    """`container`'s web application set up, with its background resources running, until the block ends.

    No HTTP port is opened: `helpdesk serve` adds its site to the runner; tests and benchmarks
    use the background resources alone.
    """
    runner = web.AppRunner(serving_app(container, role), handle_signals=False, access_log=None)
    try:
        await runner.setup()
        yield runner
    finally:
        await runner.cleanup()


async def singletons(app: web.Application) -> AsyncIterator[None]:
    """The singletons run in this process while it holds their lease (see the module docstring)."""
    state = app[SINGLETONS]
    await state.start()
    yield
    await state.stop()


def singleton_resources(state: Singletons) -> list[Any]:
    """The singletons' async context managers, in the order they start."""
    container = state.container
    resources: list[Any] = [pending_mail(container)]
    if container.mail.gateway is not None:
        resources.append(smtp_gateway(container))
    if container.telegram is not None:
        if not webhook_mode(container):
            resources.append(polling_bot(container))
        resources.append(telegram_outbox(container))
    resources.append(periodic_jobs(state))
    return resources


@asynccontextmanager
async def pending_mail(container: Container) -> AsyncIterator[None]:
    """Mail stored but not processed before the last stop is processed before any new mail arrives.

    Done here, awaited, rather than as the first round of the periodic retry: that round would
    run beside the gateway's first messages, and a message stored by the gateway but not yet
    processed would be picked up by both.
    """
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(container.executor, container.mail.intake.process_pending)
    except Exception as err:
        pending_failed(err)
    yield


@asynccontextmanager
async def smtp_gateway(container: Container) -> AsyncIterator[None]:
    """The inbound SMTP gateway listens while the singletons run."""
    gateway = container.mail.gateway
    assert gateway is not None  # attached only when configured
    await gateway.start()
    try:
        yield
    finally:
        await stop_quietly("the SMTP gateway", gateway.stop())


async def telegram_bot(app: web.Application) -> AsyncIterator[None]:
    """Webhook mode: the bot takes updates in every process; the webhook route finds it by key."""
    from helpdesk.adapters.telegram.webhook import TELEGRAM_BOT

    channel = app[CONTAINER].telegram
    assert channel is not None  # attached only when configured
    await channel.bot.start()
    app[TELEGRAM_BOT] = channel.bot
    yield
    await stop_quietly("the Telegram bot", channel.bot.stop())


@asynccontextmanager
async def polling_bot(container: Container) -> AsyncIterator[None]:
    """Long-polling mode: the bot takes updates in the one process running the singletons."""
    channel = container.telegram
    assert channel is not None  # attached only when configured
    await channel.bot.start()
    try:
        yield
    finally:
        await stop_quietly("the Telegram bot", channel.bot.stop())


@asynccontextmanager
async def telegram_outbox(container: Container) -> AsyncIterator[None]:
    """The Telegram outbox is delivered while the singletons run."""
    channel = container.telegram
    assert channel is not None  # attached only when configured
    channel.sender.start()
    try:
        yield
    finally:
        await stop_quietly("the Telegram outbox sender", channel.sender.stop())


@asynccontextmanager
async def periodic_jobs(state: Singletons) -> AsyncIterator[None]:
    """The periodic jobs run while the singletons run (see `schedule`)."""
    container = state.container
    scheduler = Scheduler(container.executor, container.settings.tz)
    schedule(scheduler, container, state.metrics)
    if webhook_mode(container):
        scheduler.every(
            "telegram-replay",
            container.settings.lease_ttl_s,
            partial(replay_webhook_updates, container, asyncio.get_running_loop()),
            replay_failed,
        )
    scheduler.start()
    state.scheduler = scheduler
    try:
        yield
    finally:
        state.scheduler = None
        await stop_quietly("the periodic jobs", scheduler.stop())


def replay_webhook_updates(container: Container, loop: asyncio.AbstractEventLoop) -> int:
    """Feed webhook updates stored by a worker that died before processing them to this process's bot.

    Blocking (a scheduler round). The bot claims each again (telegram claims): one a live worker is
    still processing is left alone, one already processed is dropped.
    """
    from helpdesk.adapters.db.telegram_store import STALE_CLAIM

    channel = container.telegram
    if channel is None or channel.bot.app is None:
        return 0
    older_than = container.clock.now() - STALE_CLAIM
    stored = container.db.read(lambda tx: tx.tg_unprocessed(older_than, REPLAY_BATCH))
    app = channel.bot.app
    for _update_id, payload in stored:
        from telegram import Update

        update = Update.de_json(json.loads(payload), app.bot)
        asyncio.run_coroutine_threadsafe(app.update_queue.put(update), loop).result(timeout=10)
    if stored:
        log.warning(
            "telegram: %d stored webhook update(s) processed again after a worker stopped", len(stored)
        )
    return len(stored)


def replay_failed(err: Exception) -> None:
    """Log a failed replay round in one line; the next round tries again."""
    log.warning("telegram webhook replay failed: %s: %s", type(err).__name__, err)


def schedule(scheduler: Scheduler, container: Container, metrics: Metrics | None = None) -> None:
    """Add the periodic jobs `container` is configured for to `scheduler`."""
    settings, mail = container.settings, container.mail
    scheduler.every(
        "sla-sweep", settings.sweep_interval_s, partial(sweep_round, container, metrics), sweep_failed
    )
    # Its first round is `pending_mail`, before the gateway listens.
    scheduler.every(
        "mail-pending",
        settings.mail_pending_interval_s,
        mail.intake.process_pending,
        pending_failed,
        at_start=False,
    )
    if mail.imap is not None:
        scheduler.every("imap-poller", settings.imap_poll_s, mail.imap.poll_once, imap_adapter.report_failure)
    if mail.sender is not None:
        scheduler.every(
            "mail-sender", settings.mail_send_interval_s, mail.sender.send_once, mail_sender.report_failure
        )
    trust = container.trust
    scheduler.every("retention", settings.retention_interval_h * 3600, trust.retention.run, trust_failed)
    if trust.checkpoints.configured:
        scheduler.every(
            "audit-checkpoint",
            settings.audit_checkpoint_hours * 3600,
            trust.checkpoints.checkpoint,
            trust_failed,
        )


def trust_failed(err: Exception) -> None:
    """Log a failed retention run or checkpoint in one line; the next round tries again."""
    log.warning("retention or audit checkpoint failed: %s: %s", type(err).__name__, err)


def sweep_round(container: Container, metrics: Metrics | None = None) -> None:
    """One SLA sweep at the container's clock's now (blocking); what it did is logged and counted."""
    result = container.sla_sweep.sweep(container.clock.now())
    if metrics is not None:
        metrics.sweep.labels("warning").inc(len(result.warnings))
        metrics.sweep.labels("breach").inc(len(result.breaches))
        metrics.sweep.labels("first_line_alert").inc(len(result.first_line_alerts))
    if result.warnings or result.breaches or result.first_line_alerts:
        sweep_log.info(
            "sweep: %d warnings, %d breaches, %d first-line alerts, %d notices",
            len(result.warnings),
            len(result.breaches),
            len(result.first_line_alerts),
            result.notices,
        )


def sweep_failed(err: Exception) -> None:
    """Log a failed sweep with its traceback (a fault); the next interval sweeps again."""
    sweep_log.error("SLA sweep failed; it runs again at the next interval", exc_info=err)


def pending_failed(err: Exception) -> None:
    """Log a failed retry of stored mail in one line; the next round tries again."""
    mail_log.warning("pending mail sweep failed: %s", err)


async def stop_quietly(what: str, stopping: Awaitable[None]) -> None:
    """Await a resource's stop; a failure or a hang is one line in the log, not a traceback."""
    try:
        await asyncio.wait_for(stopping, timeout=STOP_TIMEOUT)
    except TimeoutError:
        log.warning("%s did not stop within %.0f s; going on without it", what, STOP_TIMEOUT)
    except Exception as err:
        log.warning("%s did not stop cleanly: %s: %s", what, type(err).__name__, err)
        log.debug("%s: stop failure", what, exc_info=err)
