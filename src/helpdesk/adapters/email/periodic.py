"""A server part that runs a blocking function every few seconds in the container's thread pool.

The e-mail channel's background loops (the IMAP poller, the outbox sender, the sweep for stored
but unprocessed mail) all have this shape: run one round at start, then one every `interval_s`
seconds. A round that raises is reported through `on_error` and the loop goes on. The part's stop
function ends the loop and awaits it, so a stop that comes during a round waits for that round.

It lives in the e-mail adapter because adapters do not import each other (tests/unit/test_layering.py).
The SLA sweep (adapters/scheduler.py) is not this shape: apscheduler coalesces missed runs there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

Stop = Callable[[], Awaitable[None]]
Part = Callable[[Any], Awaitable[Stop]]


def periodic_part(
    fn: Callable[[], object], interval_s: float, name: str, on_error: Callable[[Exception], None]
) -> Part:
    """A server part that runs `fn` in `container.executor` every `interval_s` seconds until stopped."""

    async def start(container: Any) -> Stop:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()

        async def run() -> None:
            while not stopping.is_set():
                try:
                    await loop.run_in_executor(container.executor, fn)
                except Exception as err:
                    on_error(err)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=interval_s)

        task = asyncio.create_task(run(), name=name)

        async def stop() -> None:
            stopping.set()
            await task

        return stop

    return start
