"""The periodic jobs' scheduler: rounds in the given thread pool, at start and then on an interval,
never overlapping, errors reported, and a stop that waits for the round in progress without a trace."""

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest

from helpdesk.adapters.scheduler import Scheduler

TIMEOUT = 5
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
async def executor() -> AsyncIterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="periodic-test")
    yield pool
    pool.shutdown(wait=True)


def setter(event: asyncio.Event) -> Callable[[], None]:
    """Set an asyncio event from a worker thread."""
    loop = asyncio.get_running_loop()
    return lambda: loop.call_soon_threadsafe(event.set)


def no_traceback(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that carry a traceback or are errors (there should be none)."""
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_it_runs_the_round_at_start_and_repeatedly_in_the_given_pool(executor: ThreadPoolExecutor):
    threads: list[str] = []
    three_rounds = asyncio.Event()
    reached = setter(three_rounds)

    def round_() -> None:
        threads.append(threading.current_thread().name)
        if len(threads) == 3:
            reached()

    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 0.05, round_, lambda err: None)
    scheduler.start()
    await asyncio.wait_for(three_rounds.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)
    assert len(threads) >= 3
    assert all(name.startswith("periodic-test") for name in threads)


async def test_the_first_round_does_not_wait_for_the_interval(executor: ThreadPoolExecutor):
    first_round = asyncio.Event()
    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 600, setter(first_round), lambda err: None)
    scheduler.start()
    await asyncio.wait_for(first_round.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)  # between rounds: no wait for the interval


async def test_a_job_told_not_to_run_at_start_waits_one_interval(executor: ThreadPoolExecutor):
    rounds: list[float] = []
    first_round = asyncio.Event()
    reached = setter(first_round)
    loop = asyncio.get_running_loop()

    def round_() -> None:
        rounds.append(loop.time())
        reached()

    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 0.3, round_, lambda err: None, at_start=False)
    started = loop.time()
    scheduler.start()
    await asyncio.wait_for(first_round.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)
    assert rounds[0] - started >= 0.25


async def test_a_failed_round_is_reported_and_the_job_goes_on(executor: ThreadPoolExecutor):
    errors: list[Exception] = []
    second_round = asyncio.Event()
    reached = setter(second_round)
    calls = 0

    def round_() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first round fails")
        reached()

    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 0.05, round_, errors.append)
    scheduler.start()
    await asyncio.wait_for(second_round.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)
    assert [str(err) for err in errors] == ["first round fails"]


async def test_a_round_longer_than_the_interval_is_never_run_twice_at_once(executor: ThreadPoolExecutor):
    running, most = 0, 0
    lock = threading.Lock()
    rounds = asyncio.Event()
    reached = setter(rounds)
    finished = 0

    def round_() -> None:
        nonlocal running, most, finished
        with lock:
            running += 1
            most = max(most, running)
        threading.Event().wait(0.15)  # three intervals long
        with lock:
            running -= 1
            finished += 1
            if finished == 3:
                reached()

    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 0.05, round_, lambda err: None)
    scheduler.start()
    await asyncio.wait_for(rounds.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)
    assert most == 1


async def test_stop_waits_for_the_round_in_progress_starts_no_other_and_logs_no_traceback(
    executor: ThreadPoolExecutor, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    started = asyncio.Event()
    mark_started = setter(started)
    release = threading.Event()
    finished: list[bool] = []

    def round_() -> None:
        mark_started()
        release.wait(TIMEOUT)
        finished.append(True)

    scheduler = Scheduler(executor, WARSAW)
    scheduler.every("test-job", 0.01, round_, lambda err: None)
    scheduler.start()
    await asyncio.wait_for(started.wait(), TIMEOUT)
    stopping = asyncio.create_task(scheduler.stop())
    done, _ = await asyncio.wait({stopping}, timeout=0.1)
    assert not done  # the round is still running, so stop has not returned
    release.set()
    await asyncio.wait_for(stopping, TIMEOUT)
    await asyncio.sleep(0.05)  # ten intervals: a round started after the stop would show here
    assert finished == [True]
    assert no_traceback(caplog) == [] and "CancelledError" not in caplog.text


async def test_a_stop_that_gives_up_waiting_says_so_in_one_line_and_still_reports_the_round(
    executor: ThreadPoolExecutor, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    started = asyncio.Event()
    mark_started = setter(started)
    release = threading.Event()
    errors: list[Exception] = []
    reported = asyncio.Event()
    loop = asyncio.get_running_loop()

    def round_() -> None:
        mark_started()
        release.wait(TIMEOUT)
        raise RuntimeError("late failure")

    def on_error(err: Exception) -> None:
        errors.append(err)
        loop.call_soon_threadsafe(reported.set)

    scheduler = Scheduler(executor, WARSAW, stop_timeout=0.05)
    scheduler.every("test-job", 60, round_, on_error)
    scheduler.start()
    await asyncio.wait_for(started.wait(), TIMEOUT)
    await asyncio.wait_for(scheduler.stop(), TIMEOUT)
    assert "still running" in caplog.text
    release.set()
    await asyncio.wait_for(reported.wait(), TIMEOUT)
    assert [str(err) for err in errors] == ["late failure"]
    assert no_traceback(caplog) == [] and "CancelledError" not in caplog.text
