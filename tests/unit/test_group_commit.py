"""GroupCommitter on its own, with a fake batch runner: who gets which outcome, batching, leadership.

The runner stands in for `SqlDatabase._run_batch`: it calls each unit with a fake
transaction and sets its result or error. To make batching deterministic without sleeping, the
first leader's unit blocks on an Event while the other callers queue up; `QueueWatch` wraps the
committer's lock so the test can wait (on a Condition) until exactly n units are queued.
"""

import contextvars
import threading
from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.adapters.db.group_commit import GroupCommitter, Unit

TIMEOUT = 10  # seconds; only reached when something hangs

CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("test_group_commit_caller", default="none")


class QueueWatch:
    """Stands in for the committer's lock and announces each release, so tests can await the queue."""

    def __init__(self, committer: GroupCommitter) -> None:
        self._committer = committer
        self._inner = committer._lock
        self._changed = threading.Condition()
        committer._lock = self  # type: ignore[assignment]

    def __enter__(self) -> "QueueWatch":
        self._inner.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.release()
        with self._changed:
            self._changed.notify_all()

    def wait_queued(self, n: int) -> None:
        """Block until n units wait in the committer's queue."""
        with self._changed:
            assert self._changed.wait_for(lambda: len(self._committer._pending) >= n, TIMEOUT), (
                f"{n} units never queued"
            )


class Recorder:
    """A fake batch runner: runs every unit with the fake tx "TX", records batches and threads."""

    def __init__(self, fail_if: Callable[[list[Unit[Any]]], BaseException | None] | None = None) -> None:
        self.batches: list[list[Any]] = []  # the callers' labels, per batch
        self.threads: list[int] = []  # the thread that ran each batch
        self.active = 0
        self.max_active = 0
        self._fail_if = fail_if
        self._guard = threading.Lock()

    def __call__(self, units: list[Unit[Any]]) -> None:
        with self._guard:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self.batches.append([u.fn.label for u in units])  # type: ignore[attr-defined]
            self.threads.append(threading.get_ident())
            for unit in units:
                try:
                    unit.result = unit.run("TX")
                except Exception as err:
                    unit.error = err
            failure = self._fail_if(units) if self._fail_if else None
            if failure is not None:
                raise failure
        finally:
            with self._guard:
                self.active -= 1


def labelled(label: Any, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`fn` with a label the recorder can read (the caller's identity)."""

    def unit_fn(tx: Any) -> Any:
        return fn(tx)

    unit_fn.label = label  # type: ignore[attr-defined]
    return unit_fn


class Caller(threading.Thread):
    """A thread that submits one unit and keeps its outcome: ("ok", result) or ("error", exception)."""

    def __init__(self, committer: GroupCommitter, fn: Callable[[Any], Any], context_value: str | None = None):
        super().__init__(daemon=True)
        self.committer, self.fn, self.context_value = committer, fn, context_value
        self.outcome: tuple[str, Any] | None = None
        self.ident_seen: int | None = None

    def run(self) -> None:
        if self.context_value is not None:
            CALLER.set(self.context_value)
        try:
            self.outcome = ("ok", self.committer.submit(self.fn))
        except BaseException as err:
            self.outcome = ("error", err)


def finish(threads: list[threading.Thread]) -> None:
    """Join every thread with a timeout and fail (instead of hanging) if one never finished."""
    for thread in threads:
        thread.join(TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"callers never returned: {stuck}"


def blocked_leader(committer: GroupCommitter) -> tuple[Caller, threading.Event]:
    """Start a caller whose unit holds the leadership until the returned Event is set."""
    entered, release = threading.Event(), threading.Event()

    def hold(tx: Any) -> str:
        entered.set()
        assert release.wait(TIMEOUT)
        return "leader"

    leader = Caller(committer, labelled("leader", hold), context_value="leader")
    leader.start()
    assert entered.wait(TIMEOUT)
    return leader, release


def queue_in_order(
    committer: GroupCommitter, watch: QueueWatch, fns: list[Callable[[Any], Any]], context: bool = False
) -> list[Caller]:
    """Start one caller per fn, each only after the previous one is queued (so the order is known)."""
    callers = []
    for i, fn in enumerate(fns):
        caller = Caller(committer, fn, context_value=f"caller-{i}" if context else None)
        caller.start()
        watch.wait_queued(i + 1)
        callers.append(caller)
    return callers


# --- results reach the right callers ---------------------------------------------------------


def test_each_caller_gets_its_own_result_or_error_under_many_threads():
    runner = Recorder()
    committer = GroupCommitter(runner, max_batch=8)
    threads, per_thread = 16, 150
    start = threading.Barrier(threads)
    wrong: list[str] = []
    seen_tx: set[Any] = set()

    def worker(w: int) -> None:
        start.wait(TIMEOUT)
        for i in range(per_thread):

            def fn(tx: Any, w: int = w, i: int = i) -> tuple[int, int]:
                seen_tx.add(tx)
                if i % 7 == 3:
                    raise ValueError(w, i)
                return (w, i)

            try:
                got: Any = committer.submit(labelled((w, i), fn))
            except ValueError as err:
                got = ("raised", err.args)
            expected = ("raised", (w, i)) if i % 7 == 3 else (w, i)
            if got != expected:
                wrong.append(f"{w}/{i}: {got!r}")

    pool = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(threads)]
    for thread in pool:
        thread.start()
    finish(pool)

    assert wrong == []
    ran = [label for batch in runner.batches for label in batch]
    assert sorted(ran) == [(w, i) for w in range(threads) for i in range(per_thread)]  # each unit once
    assert max(len(batch) for batch in runner.batches) <= 8
    assert runner.max_active == 1  # one leader at a time
    assert seen_tx == {"TX"}


def test_a_lone_caller_leads_its_own_batch_and_gets_its_result():
    runner = Recorder()
    committer = GroupCommitter(runner)
    assert committer.submit(labelled("only", lambda tx: ("got", tx))) == ("got", "TX")
    with pytest.raises(KeyError):
        committer.submit(labelled("failing", lambda tx: {}["missing"]))
    assert committer.submit(labelled("again", lambda tx: 42)) == 42
    assert runner.batches == [["only"], ["failing"], ["again"]]
    assert runner.threads == [threading.get_ident()] * 3


# --- real batching ---------------------------------------------------------------------------


def test_callers_that_queue_behind_a_leader_share_the_next_batch_in_arrival_order():
    runner = Recorder()
    committer = GroupCommitter(runner)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)
    callers = queue_in_order(committer, watch, [labelled(f"u{i}", lambda tx, i=i: i * 10) for i in range(5)])
    release.set()
    finish([leader, *callers])

    assert runner.batches == [["leader"], ["u0", "u1", "u2", "u3", "u4"]]
    assert leader.outcome == ("ok", "leader")
    assert [c.outcome for c in callers] == [("ok", i * 10) for i in range(5)]
    # Leadership passed on: the first queued caller ran the second batch, not the first leader.
    assert runner.threads == [leader.ident, callers[0].ident]


def test_a_batch_never_exceeds_max_batch():
    runner = Recorder()
    committer = GroupCommitter(runner, max_batch=3)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)
    callers = queue_in_order(committer, watch, [labelled(i, lambda tx, i=i: i) for i in range(10)])
    release.set()
    finish([leader, *callers])

    assert runner.batches == [["leader"], [0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [c.outcome for c in callers] == [("ok", i) for i in range(10)]
    # Each batch is led by its own first caller.
    assert runner.threads == [leader.ident] + [callers[i].ident for i in (0, 3, 6, 9)]


def test_a_failing_unit_gets_its_own_error_and_its_batch_mates_their_results():
    runner = Recorder()
    committer = GroupCommitter(runner)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)
    boom = ValueError("only mine")

    def fail(tx: Any) -> None:
        raise boom

    fns = [labelled("a", lambda tx: "A"), labelled("bad", fail), labelled("c", lambda tx: "C")]
    callers = queue_in_order(committer, watch, fns)
    release.set()
    finish([leader, *callers])

    assert runner.batches[1] == ["a", "bad", "c"]
    assert callers[0].outcome == ("ok", "A")
    assert callers[1].outcome == ("error", boom)
    assert callers[2].outcome == ("ok", "C")


# --- a runner that fails -----------------------------------------------------------------------


def test_a_runner_that_raises_fails_its_whole_batch_and_leadership_passes_on():
    commit_failed = RuntimeError("commit failed")
    runner = Recorder(fail_if=lambda units: commit_failed if units[0].fn.label == "a" else None)
    committer = GroupCommitter(runner, max_batch=2)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)
    callers = queue_in_order(committer, watch, [labelled(x, lambda tx, x=x: x.upper()) for x in "abcde"])
    release.set()
    finish([leader, *callers])

    assert runner.batches == [["leader"], ["a", "b"], ["c", "d"], ["e"]]
    assert leader.outcome == ("ok", "leader")
    # Both callers of the failed batch get that very error (the unit results are not handed out) ...
    assert callers[0].outcome == ("error", commit_failed)
    assert callers[1].outcome == ("error", commit_failed)
    # ... and the callers queued behind them are still served.
    assert [c.outcome for c in callers[2:]] == [("ok", "C"), ("ok", "D"), ("ok", "E")]
    # The committer is idle again: a new caller leads at once.
    assert committer.submit(labelled("later", lambda tx: "fine")) == "fine"
    assert runner.threads[-1] == threading.get_ident()


class Crash(BaseException):
    """Not an Exception: the kind of error a runner might let through (like KeyboardInterrupt)."""


def test_a_lone_leader_whose_runner_raises_does_not_block_the_next_caller():
    fail_once = [Crash()]
    runner = Recorder(fail_if=lambda units: fail_once.pop() if fail_once else None)
    committer = GroupCommitter(runner)
    with pytest.raises(Crash):
        committer.submit(labelled("first", lambda tx: 1))
    caller = Caller(committer, labelled("second", lambda tx: 2))
    caller.start()
    finish([caller])
    assert caller.outcome == ("ok", 2)


# --- contextvars ---------------------------------------------------------------------------------


def test_units_run_in_their_callers_context_even_on_the_leaders_thread():
    runner = Recorder()
    committer = GroupCommitter(runner)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)

    def look(tx: Any) -> tuple[str, int]:
        seen = CALLER.get()
        CALLER.set("scribbled")  # must not leak into the next unit of the same batch
        return seen, threading.get_ident()

    callers = queue_in_order(committer, watch, [labelled(i, look) for i in range(4)], context=True)
    release.set()
    finish([leader, *callers])

    outcomes = [c.outcome for c in callers]
    assert [o[1][0] for o in outcomes] == [f"caller-{i}" for i in range(4)]
    # All four ran on one thread (the batch leader's), so three of them ran away from their caller.
    assert {o[1][1] for o in outcomes} == {callers[0].ident}


def test_the_context_is_captured_at_submit():
    committer = GroupCommitter(Recorder())
    CALLER.set("before submit")
    try:
        assert committer.submit(labelled("x", lambda tx: CALLER.get())) == "before submit"
    finally:
        CALLER.set("none")


# --- nobody returns before the commit ----------------------------------------------------------


def test_no_caller_returns_before_its_batch_is_committed():
    log: list[str] = []
    at_commit, commit_gate = threading.Event(), threading.Event()

    def runner(units: list[Unit[Any]]) -> None:
        for unit in units:
            unit.result = unit.run("TX")
        if "u0" in [u.fn.label for u in units]:  # type: ignore[attr-defined]
            at_commit.set()
            assert commit_gate.wait(TIMEOUT)
        log.append("commit " + ",".join(u.fn.label for u in units))  # type: ignore[attr-defined]

    committer = GroupCommitter(runner)
    watch = QueueWatch(committer)
    leader, release = blocked_leader(committer)
    returned = threading.Event()

    class Reporting(Caller):
        def run(self) -> None:
            super().run()
            log.append(f"returned {self.fn.label}")  # type: ignore[attr-defined]
            returned.set()

    callers = []
    for i in range(3):
        caller = Reporting(committer, labelled(f"u{i}", lambda tx, i=i: i))
        caller.start()
        watch.wait_queued(i + 1)
        callers.append(caller)
    release.set()
    assert at_commit.wait(TIMEOUT)
    # Every result of the batch is set, but the commit has not happened: nobody may return yet.
    # (A bounded look, not a timing wait: a premature return would show up within microseconds.)
    assert not returned.wait(0.1)
    commit_gate.set()
    finish([leader, *callers])

    assert [c.outcome for c in callers] == [("ok", 0), ("ok", 1), ("ok", 2)]
    commit = log.index("commit u0,u1,u2")
    assert all(log.index(f"returned u{i}") > commit for i in range(3))
