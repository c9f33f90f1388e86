"""Start and stop of everything `helpdesk serve` runs beside the web pages, in one place.

Each background resource is an aiohttp cleanup context: the code before its `yield` starts the
resource when the web application starts, the code after stops it when the application stops,
in the reverse order. `helpdesk serve`, the tests' `TestServer` and `running()` therefore all start
and stop the same things the same way:

1. mail stored but not processed (a crash, an outage) is processed, then the inbound SMTP gateway
   (HELPDESK_SMTP_LISTEN) starts listening;
2. the Telegram bot (HELPDESK_TELEGRAM_TOKEN; long polling, or webhook mode with its route added
   by the web app factory), then the sender of its outbox;
3. the periodic jobs, under one scheduler (adapters/scheduler.py): the SLA sweep, the retry of mail
   stored but not processed, the IMAP poller (HELPDESK_IMAP_URL) and the sender of outbox mail
   (HELPDESK_SMTP_RELAY).

So a stop ends the periodic jobs first (no round starts; the one in progress finishes), then the
bot's sender and the bot, then the SMTP gateway. A stop that fails or hangs is reported in one
line and the others still stop: a stop never logs a traceback.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from functools import partial

from aiohttp import web

from helpdesk.adapters.email import imap as imap_adapter
from helpdesk.adapters.email import sender as mail_sender
from helpdesk.adapters.scheduler import Scheduler
from helpdesk.bootstrap import Container
from helpdesk.web.app import create_app
from helpdesk.web.common import CONTAINER

log = logging.getLogger("helpdesk.lifecycle")
sweep_log = logging.getLogger("helpdesk.scheduler")
mail_log = logging.getLogger("helpdesk.mail")

SCHEDULER = web.AppKey("scheduler", Scheduler)
"""The periodic jobs, while they run."""
STOP_TIMEOUT = 15.0  # seconds one resource may take to stop before the others go on without it


def serving_app(container: Container) -> web.Application:
    """The web application of `container` with every background resource it has attached."""
    app = create_app(container)
    add_background(app, container)
    return app


def add_background(app: web.Application, container: Container) -> None:
    """Attach the cleanup context of each background resource `container` is configured for."""
    app.cleanup_ctx.append(pending_mail)
    if container.mail.gateway is not None:
        app.cleanup_ctx.append(smtp_gateway)
    if container.telegram is not None:
        app.cleanup_ctx.append(telegram_bot)
        app.cleanup_ctx.append(telegram_outbox)
    app.cleanup_ctx.append(periodic_jobs)


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[web.AppRunner]:
    """`container`'s web application set up, with its background resources running, until the block ends.

    No HTTP port is opened: `helpdesk serve` adds its site to the runner; tests and benchmarks
    use the background resources alone.
    """
    runner = web.AppRunner(serving_app(container), handle_signals=False, access_log=None)
    try:
        await runner.setup()
        yield runner
    finally:
        await runner.cleanup()


async def pending_mail(app: web.Application) -> AsyncIterator[None]:
    """Mail stored but not processed before the last stop is processed before any new mail arrives.

    Done here, awaited, rather than as the first round of the periodic retry: that round would
    run beside the gateway's first messages, and a message stored by the gateway but not yet
    processed would be picked up by both.
    """
    container = app[CONTAINER]
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(container.executor, container.mail.intake.process_pending)
    except Exception as err:
        pending_failed(err)
    yield


async def smtp_gateway(app: web.Application) -> AsyncIterator[None]:
    """The inbound SMTP gateway listens while the application runs."""
    gateway = app[CONTAINER].mail.gateway
    assert gateway is not None  # attached only when configured
    await gateway.start()
    yield
    await stop_quietly("the SMTP gateway", gateway.stop())


async def telegram_bot(app: web.Application) -> AsyncIterator[None]:
    """The Telegram bot takes updates while the application runs; the webhook route finds it by key."""
    from helpdesk.adapters.telegram.webhook import TELEGRAM_BOT

    channel = app[CONTAINER].telegram
    assert channel is not None  # attached only when configured
    await channel.bot.start()
    app[TELEGRAM_BOT] = channel.bot
    yield
    await stop_quietly("the Telegram bot", channel.bot.stop())


async def telegram_outbox(app: web.Application) -> AsyncIterator[None]:
    """The Telegram outbox is delivered while the bot runs."""
    channel = app[CONTAINER].telegram
    assert channel is not None  # attached only when configured
    channel.sender.start()
    yield
    await stop_quietly("the Telegram outbox sender", channel.sender.stop())


async def periodic_jobs(app: web.Application) -> AsyncIterator[None]:
    """The periodic jobs run while the application runs (see `schedule`)."""
    container = app[CONTAINER]
    scheduler = Scheduler(container.executor, container.settings.tz)
    schedule(scheduler, container)
    scheduler.start()
    app[SCHEDULER] = scheduler
    yield
    await stop_quietly("the periodic jobs", scheduler.stop())


def schedule(scheduler: Scheduler, container: Container) -> None:
    """Add the periodic jobs `container` is configured for to `scheduler`."""
    settings, mail = container.settings, container.mail
    scheduler.every("sla-sweep", settings.sweep_interval_s, partial(sweep_round, container), sweep_failed)
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


def sweep_round(container: Container) -> None:
    """One SLA sweep at the container's clock's now (blocking); what it did is logged."""
    result = container.sla_sweep.sweep(container.clock.now())
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
