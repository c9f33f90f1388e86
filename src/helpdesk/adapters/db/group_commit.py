"""Group commit for SQLite: the writes that arrive together share one transaction and one commit.

SQLite has one writer at a time, so concurrent write requests queue for the lock anyway; instead
of each paying for its own `BEGIN IMMEDIATE`, connection checkout and commit, the first caller in
the queue (the leader) runs every waiting unit of work in one transaction, each inside its own
savepoint, commits once and hands each caller its own result or error. A unit that raises is rolled
back to its savepoint alone; the others still commit. Nobody gets an answer before the commit that
holds their work, so "answered means stored" stays true (a crash loses only unanswered work).

Leadership passes to the next waiting caller after each batch, so no request thread is kept busy
serving others for long. Each unit runs in the context (contextvars) of the caller that submitted
it, so per-request context such as the mail being processed reaches the listeners as before.
"""

import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Runs one batch of units in one transaction, setting each unit's `result` or `error`.
BatchRunner = Callable[[list["Unit[Any]"]], None]


class Unit(Generic[T]):
    """One caller's unit of work waiting for (or holding) its outcome."""

    __slots__ = ("context", "done", "error", "fn", "lead", "result", "wake")

    def __init__(self, fn: Callable[..., T]) -> None:
        self.fn = fn
        self.context = contextvars.copy_context()
        # A plain lock held until the unit may go on: cheaper than an Event (no Condition).
        self.wake = threading.Lock()
        self.wake.acquire()
        self.lead = False
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self, *args: Any) -> T:
        """Call the unit's function in its caller's context."""
        result: T = self.context.run(self.fn, *args)
        return result

    def outcome(self) -> T:
        """The result, or raise the error the unit (or its batch's commit) ended with."""
        if self.error is not None:
            raise self.error
        result: T = self.result
        return result


class GroupCommitter:
    """Batches concurrent units of work; `run_batch` executes one batch in one transaction.

    `run_batch(units)` must set `result` or `error` on every unit and must not raise.
    """

    def __init__(self, run_batch: BatchRunner, *, max_batch: int = 64) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[Unit[Any]] = []
        self._leading = False
        self._running = threading.local()  # set on the thread running a batch

    def submit(self, fn: Callable[..., T]) -> T:
        """Run `fn(tx)` in a shared write transaction; return its result after the commit.

        A write started from inside a unit would wait for its own batch for ever: it is refused.
        """
        if getattr(self._running, "active", False):
            raise RuntimeError("a write transaction cannot start another one (nested db.write)")
        unit: Unit[T] = Unit(fn)
        with self._lock:
            self._pending.append(unit)
            if not self._leading:
                self._leading = unit.lead = True
        if not unit.lead:
            unit.wake.acquire()
        if not unit.done:  # woken (or started) as the leader
            self._lead()
        return unit.outcome()

    def submit_each(self, fns: Sequence[Callable[..., T]]) -> list["Unit[T]"]:
        """Run each `fn(tx)` as its own unit, queued together; return the units once all are done.

        For a caller holding several independent pieces of work at once (a batch of requests
        handed over in one piece): they join the queue side by side, so they usually share one
        batch, and each keeps its own outcome (`Unit.outcome`). The caller waits for its units in
        order, leading a batch whenever one of them is handed the lead, as `submit` does.
        """
        if getattr(self._running, "active", False):
            raise RuntimeError("a write transaction cannot start another one (nested db.write)")
        units: list[Unit[T]] = [Unit(fn) for fn in fns]
        if not units:
            return units
        with self._lock:
            self._pending.extend(units)
            if not self._leading:
                self._leading = units[0].lead = True
        for unit in units:
            if unit.done:
                continue
            if not unit.lead:
                unit.wake.acquire()
            if not unit.done:  # handed the lead (or started with it)
                self._lead()
        return units

    def _lead(self) -> None:
        with self._lock:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        self._running.active = True
        try:
            self._run_batch(batch)
        except BaseException as err:  # a bug in the runner must not leave callers waiting forever
            for unit in batch:
                unit.error = err
            raise
        finally:
            self._running.active = False
            for unit in batch:
                unit.done = True
                if not unit.lead:
                    unit.wake.release()
            with self._lock:
                if self._pending:
                    successor = self._pending[0]
                    successor.lead = True
                    successor.wake.release()
                else:
                    self._leading = False
