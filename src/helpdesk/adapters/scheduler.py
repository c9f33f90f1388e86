"""Background SLA sweep under apscheduler: one interval job, never one job per ticket.

`install(container)` adds a server part that starts an `AsyncIOScheduler` running
`services.sla.sweep.SlaSweep.sweep` in the container's thread pool every
`settings.sweep_interval_s` seconds, and once right at start (so deadlines that passed while the
server was down are handled at once). The job never overlaps itself (`max_instances=1`,
missed runs coalesced); the part's stop function shuts the scheduler down and waits for a sweep
in progress.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from helpdesk.services.sla.sweep import SlaSweep, SweepResult

log = logging.getLogger("helpdesk.scheduler")
JOB_ID = "sla-sweep"


def install(container: Any) -> None:
    """Register the scheduler part (only when the live SLA engine is wired)."""
    if container.sla is None:
        return
    container.extras["sla_sweep"] = SlaSweep(container.db, container.sla, container.tickets.recorder)
    container.extras["parts"].append(start)


async def start(container: Any) -> Callable[[], Awaitable[None]]:
    """Start the scheduler on the running loop; return the async function that stops it."""
    sweeper: SlaSweep = container.extras["sla_sweep"]
    loop = asyncio.get_running_loop()
    running: set[asyncio.Future[SweepResult]] = set()

    async def tick() -> None:
        future = loop.run_in_executor(container.executor, lambda: sweeper.sweep(container.clock.now()))
        running.add(future)
        try:
            result = await future
            if result.warnings or result.breaches or result.first_line_alerts:
                log.info(
                    "sweep: %d warnings, %d breaches, %d first-line alerts, %d notices",
                    len(result.warnings),
                    len(result.breaches),
                    len(result.first_line_alerts),
                    result.notices,
                )
        except Exception:
            log.exception("SLA sweep failed; it runs again at the next interval")
        finally:
            running.discard(future)

    scheduler = AsyncIOScheduler(event_loop=loop, timezone=container.settings.tz)
    scheduler.add_job(
        tick,
        "interval",
        seconds=max(1, int(container.settings.sweep_interval_s)),
        id=JOB_ID,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()

    async def stop() -> None:
        scheduler.shutdown(wait=False)
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    return stop
