"""The e-mail channel's periodic part: rounds in the executor, errors reported, a clean stop."""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest

from helpdesk.adapters.email.periodic import periodic_part

TIMEOUT = 5


@pytest.fixture
async def container() -> AsyncIterator[Any]:
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="periodic-test")
    yield SimpleNamespace(executor=executor)
    executor.shutdown(wait=True)


def setter(event: asyncio.Event) -> Callable[[], None]:
    """Set an asyncio event from a worker thread."""
    loop = asyncio.get_running_loop()
    return lambda: loop.call_soon_threadsafe(event.set)


async def test_it_runs_the_function_repeatedly_in_the_containers_executor(container: Any):
    threads: list[str] = []
    three_rounds = asyncio.Event()
    reached = setter(three_rounds)

    def round_() -> None:
        threads.append(threading.current_thread().name)
        if len(threads) == 3:
            reached()

    stop = await periodic_part(round_, 0.001, "test-loop", lambda err: None)(container)
    await asyncio.wait_for(three_rounds.wait(), TIMEOUT)
    await asyncio.wait_for(stop(), TIMEOUT)
    assert len(threads) >= 3
    assert all(name.startswith("periodic-test") for name in threads)


async def test_a_failed_round_is_reported_and_the_loop_goes_on(container: Any):
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

    stop = await periodic_part(round_, 0.001, "test-loop", errors.append)(container)
    await asyncio.wait_for(second_round.wait(), TIMEOUT)
    await asyncio.wait_for(stop(), TIMEOUT)
    assert [str(err) for err in errors] == ["first round fails"]


async def test_stop_waits_for_the_round_in_progress_and_starts_no_other(container: Any):
    started = asyncio.Event()
    mark_started = setter(started)
    release = threading.Event()
    finished: list[bool] = []

    def round_() -> None:
        mark_started()
        release.wait(TIMEOUT)
        finished.append(True)

    stop = await periodic_part(round_, 60, "test-loop", lambda err: None)(container)
    await asyncio.wait_for(started.wait(), TIMEOUT)
    stopping = asyncio.create_task(stop())
    done, _ = await asyncio.wait({stopping}, timeout=0.05)
    assert not done  # the round is still running, so stop has not returned
    release.set()
    await asyncio.wait_for(stopping, TIMEOUT)
    assert finished == [True]


async def test_stop_between_rounds_does_not_wait_for_the_interval(container: Any):
    first_round = asyncio.Event()
    reached = setter(first_round)

    stop = await periodic_part(reached, 600, "test-loop", lambda err: None)(container)
    await asyncio.wait_for(first_round.wait(), TIMEOUT)
    await asyncio.wait_for(stop(), TIMEOUT)
