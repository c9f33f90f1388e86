"""The periodic jobs of `helpdesk serve` under one apscheduler `AsyncIOScheduler`.

A job is a blocking round (an SLA sweep, an IMAP poll, a batch of outgoing mail, a retry of mail
stored but not processed) run in the given thread pool, so the event loop keeps serving. A job
runs once right at start unless told otherwise (deadlines that passed while the server was down
are handled at once), then every `seconds`. A round never overlaps itself (`max_instances=1`) and runs missed while one
was in progress collapse into one (`coalesce`). A round that raises is reported through its
`on_error` and the job runs again at the next interval.

Stopping never cancels a round. apscheduler's asyncio executor cancels the job tasks still
running when the scheduler shuts down, and logs the `CancelledError` with a traceback; so `stop`
first pauses the scheduler (no round starts any more), waits for the rounds in progress, and
only then shuts it down, when there is nothing left to cancel.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("helpdesk.scheduler")
STOP_TIMEOUT = 10.0  # seconds a stop waits for rounds in progress before it gives up waiting

# apscheduler's own messages below ERROR go nowhere: with max_instances=1 it warns each time it
# skips a run because the previous round still runs (an IMAP poll or a slow relay outlasting a
# short interval), which is exactly the behaviour asked for, not something to act on.
_APSCHEDULER_LOG = logging.getLogger("helpdesk.scheduler.apscheduler")


@dataclass(frozen=True)
class Job:
    """One periodic job: its name, interval and blocking round."""

    name: str
    seconds: float
    round: Callable[[], object]
    on_error: Callable[[Exception], None]
    at_start: bool = True


class Scheduler:
    """Runs blocking rounds periodically in a thread pool; `stop` waits for the rounds in progress."""

    def __init__(self, executor: Executor, tz: tzinfo, *, stop_timeout: float = STOP_TIMEOUT) -> None:
        self.executor = executor
        self.tz = tz
        self.stop_timeout = stop_timeout
        self.jobs: list[Job] = []
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()

    def every(
        self,
        name: str,
        seconds: float,
        round_: Callable[[], object],
        on_error: Callable[[Exception], None],
        *,
        at_start: bool = True,
    ) -> None:
        """Run `round_` every `seconds` once started (and at start unless `at_start` is False).

        `on_error` gets what a round raises.
        """
        if self._scheduler is not None:
            raise RuntimeError("jobs are added before the scheduler starts")
        self.jobs.append(Job(name, seconds, round_, on_error, at_start))

    @property
    def names(self) -> list[str]:
        """The names of the jobs, in the order they were added."""
        return [job.name for job in self.jobs]

    def start(self) -> None:
        """Start every job on the running event loop (the first round is due at once, or after an interval)."""
        loop = asyncio.get_running_loop()
        _APSCHEDULER_LOG.setLevel(logging.ERROR)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=self.tz, logger=_APSCHEDULER_LOG)
        now = datetime.now(UTC)
        for job in self.jobs:
            scheduler.add_job(
                self._run,
                "interval",
                args=(job,),
                seconds=job.seconds,
                id=job.name,
                name=job.name,
                next_run_time=now if job.at_start else now + timedelta(seconds=job.seconds),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        scheduler.start()
        self._scheduler = scheduler

    async def _run(self, job: Job) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            round_ = asyncio.get_running_loop().run_in_executor(self.executor, job.round)
            # Shielded: should a stop give up waiting, the round still ends in its thread and
            # reports its outcome; only this wait is abandoned.
            await asyncio.shield(round_)
        except asyncio.CancelledError:
            # Only a stop that gave up waiting cancels a round's wait (see `stop`); the thread
            # finishes the round on its own and its error, if any, is still reported.
            log.debug("%s: stopped waiting for the round in progress", job.name)
            round_.add_done_callback(lambda done: _report_late(job, done))
        except Exception as err:
            job.on_error(err)
        finally:
            if task is not None:
                self._running.discard(task)

    async def stop(self) -> None:
        """Start no more rounds, wait for those in progress (up to `stop_timeout`), shut down."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        # A round handed to the event loop just before the pause has not begun yet: let it begin
        # (and register itself) before looking at what is running.
        await asyncio.sleep(0)
        if self._running:
            _done, pending = await asyncio.wait(set(self._running), timeout=self.stop_timeout)
            if pending:
                log.warning(
                    "%d periodic round(s) still running after %.0f s; the process ends when they do",
                    len(pending),
                    self.stop_timeout,
                )
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # apscheduler finishes its shutdown in a callback on the loop


def _report_late(job: Job, done: asyncio.Future[object]) -> None:
    if not done.cancelled() and (err := done.exception()) is not None and isinstance(err, Exception):
        job.on_error(err)
