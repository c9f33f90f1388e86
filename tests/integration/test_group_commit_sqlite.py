"""Group commit on a real SQLite file: concurrent `db.write` calls share a transaction, each unit alone.

Batching is forced deterministically: a first write holds the leadership (its unit waits on an
Event) while the callers under test queue one after another (`QueueWatch` lets the test wait,
without sleeping, until each is queued, so the order inside the batch is known); then the first
write is released and the queued units run as one batch, each in its own savepoint. The recorded
batch sizes prove that the batch really was shared.
"""

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from helpdesk.adapters.db import outbox_store, people_store, ticket_store
from helpdesk.adapters.db.outbox_store import outbox_t
from helpdesk.adapters.db.store import SqlDatabase
from helpdesk.adapters.db.tx import Tx
from helpdesk.domain.errors import Unavailable
from helpdesk.domain.events import verify_chain
from helpdesk.services.tickets import NewTicket
from tests.support.world import START, populate

TIMEOUT = 20  # seconds; only reached when something hangs
NOW = START

CALLER: contextvars.ContextVar[str] = contextvars.ContextVar(
    "test_group_commit_sqlite_caller", default="none"
)


class QueueWatch:
    """Stands in for the committer's lock and announces each release, so tests can await the queue."""

    def __init__(self, db: SqlDatabase) -> None:
        assert db._committer is not None, "SQLite writes must go through the group committer"
        self._committer = db._committer
        self._inner = self._committer._lock
        self._changed = threading.Condition()
        self._committer._lock = self  # type: ignore[assignment]

    def __enter__(self) -> "QueueWatch":
        self._inner.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.release()
        with self._changed:
            self._changed.notify_all()

    def wait_queued(self, n: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self._committer._pending) >= n, TIMEOUT), (
                f"{n} writes never queued"
            )


def record_batches(db: SqlDatabase) -> list[int]:
    """Wrap the batch runner to record the size of every batch it runs."""
    committer = db._committer
    assert committer is not None
    sizes: list[int] = []
    run = committer._run_batch

    def recording(units: list[Any]) -> None:
        sizes.append(len(units))
        run(units)

    committer._run_batch = recording
    return sizes


class Call(threading.Thread):
    """Runs one call (which makes one `db.write`) and keeps ("ok", result) or ("error", exception)."""

    def __init__(self, call: Callable[[], Any], label: str) -> None:
        super().__init__(daemon=True, name=label)
        self.call, self.label = call, label
        self.outcome: tuple[str, Any] | None = None

    def run(self) -> None:
        CALLER.set(self.label)
        try:
            self.outcome = ("ok", self.call())
        except Exception as err:
            self.outcome = ("error", err)


def finish(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"writers never returned: {stuck}"


def run_as_one_batch(db: SqlDatabase, calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run `calls` (one `db.write` each) concurrently so their units form one batch, in this order."""
    sizes = record_batches(db)
    watch = QueueWatch(db)
    entered, release = threading.Event(), threading.Event()

    def hold(tx: Tx) -> None:
        entered.set()
        assert release.wait(TIMEOUT)

    holder = Call(lambda: db.write(hold), "holder")
    holder.start()
    assert entered.wait(TIMEOUT)
    threads = []
    for i, call in enumerate(calls):
        thread = Call(call, f"caller-{i}")
        thread.start()
        watch.wait_queued(i + 1)
        threads.append(thread)
    release.set()
    finish([holder, *threads])
    assert holder.outcome == ("ok", None)
    assert sizes == [1, len(calls)], "the queued writes did not run as one batch"
    return [t.outcome for t in threads]  # type: ignore[misc]


def enqueue(key: str) -> Callable[[Tx], str]:
    """A unit that puts one outbox message with dedupe key `key` and returns the key."""

    def fn(tx: Tx) -> str:
        assert tx.enqueue("email", f"{key}@example.pl", key, "treść", at=NOW, dedupe=key)
        return key

    return fn


def stored_keys(db: SqlDatabase) -> set[str]:
    return db.read(lambda tx: {m["dedupe"] for m in tx.outbox_messages()})


def outbox_row(id_: int) -> dict[str, Any]:
    """A complete outbox row with an explicit id (for primary-key clashes)."""
    return {
        "id": id_,
        "channel": "email",
        "recipient": "x@example.pl",
        "subject": "s",
        "body": "b",
        "headers": "{}",
        "created_at": NOW,
        "next_attempt_at": NOW,
        "attempts": 0,
    }


# --- tickets -------------------------------------------------------------------------------------


def test_batched_and_concurrent_ticket_creations_keep_numbers_gapless_and_the_chain_whole(container):
    people = populate(container)
    official = people["urz.plock"]
    db = container.db

    def create(title: str) -> Callable[[], Any]:
        return lambda: container.tickets.create(official, NewTicket(title, "opis", "EZD"))

    def number_then_fail() -> Any:
        def fn(tx: Tx) -> None:
            fields = {
                "office": official.jst,
                "author_id": official.id,
                "title": "odrzucone",
                "description": "",
                "component": "EZD",
                "priority": "normal",
                "state": "new",
                "channel": "api",
                "first_line_due": None,
            }
            tx.new_ticket(fields, {"title": "odrzucone"}, official.login, NOW)
            raise ValueError("after taking a number")

        return db.write(fn)

    # One batch: three creations, a unit that takes the next number and then fails, two more.
    outcomes = run_as_one_batch(
        db, [create("b0"), create("b1"), create("b2"), number_then_fail, create("b3"), create("b4")]
    )
    assert [o[0] for o in outcomes] == ["ok", "ok", "ok", "error", "ok", "ok"]
    assert isinstance(outcomes[3][1], ValueError)
    # The failed unit's number was rolled back with it and given to the next unit of the batch.
    batched = [int(o[1]["id"][2:]) for i, o in enumerate(outcomes) if i != 3]
    assert batched == [1, 2, 3, 4, 5]

    # Then a free-for-all: 16 threads x 25 creations.
    start = threading.Barrier(16)

    def burst(worker: int) -> list[int]:
        start.wait(TIMEOUT)
        return [int(create(f"w{worker}-{i}")()["id"][2:]) for i in range(25)]

    results: dict[int, list[int]] = {}
    workers = [
        threading.Thread(target=lambda w=w: results.__setitem__(w, burst(w)), daemon=True) for w in range(16)
    ]
    for thread in workers:
        thread.start()
    finish(workers)

    numbers = sorted(n for chunk in results.values() for n in chunk)
    assert numbers == list(range(6, 406))
    count, broken = db.read(lambda tx: verify_chain(tx.iter_log()))
    assert broken is None and count == 405
    assert db.read(lambda tx: tx.head())[1] == 405
    titles = db.read(lambda tx: tx.conn.execute(select(ticket_store.ticket_t.c.title)).scalars().all())
    assert "odrzucone" not in titles and len(titles) == 405


# --- one batch, one unit fails --------------------------------------------------------------------


def test_in_a_shared_batch_a_raising_unit_loses_only_its_own_write(container):
    db = container.db
    seen_by: dict[str, tuple[str, int]] = {}
    visible_on_return: dict[str, bool] = {}

    def unit(key: str, fail: bool = False) -> Callable[[], Any]:
        def fn(tx: Tx) -> str:
            seen_by[key] = (CALLER.get(), threading.get_ident())
            enqueue(key)(tx)
            if fail:
                raise ValueError(key)
            return key

        def call() -> str:
            result: str = db.write(fn)
            # Answered means stored: another connection sees the row as soon as write returns.
            visible_on_return[key] = key in stored_keys(db)
            return result

        return call

    outcomes = run_as_one_batch(db, [unit("k0"), unit("k1"), unit("bad", fail=True), unit("k3")])

    assert outcomes[0] == ("ok", "k0") and outcomes[1] == ("ok", "k1") and outcomes[3] == ("ok", "k3")
    assert outcomes[2][0] == "error" and isinstance(outcomes[2][1], ValueError)
    assert outcomes[2][1].args == ("bad",)
    assert stored_keys(db) == {"k0", "k1", "k3"}
    assert visible_on_return == {"k0": True, "k1": True, "k3": True}
    # Each unit ran in its caller's context, all on the batch leader's thread (one transaction).
    assert {k: v[0] for k, v in seen_by.items()} == {
        "k0": "caller-0",
        "k1": "caller-1",
        "bad": "caller-2",
        "k3": "caller-3",
    }
    assert len({v[1] for v in seen_by.values()}) == 1


def test_an_integrity_error_in_a_shared_batch_loses_only_that_units_work(container):
    db = container.db
    db.write(enqueue("existing"))
    existing_id = db.read(lambda tx: tx.outbox_messages()[0]["id"])
    seen_after_failures: list[set[str]] = []

    def clash_via_sqlalchemy(tx: Tx) -> None:
        enqueue("lost-1")(tx)
        tx.conn.execute(insert(outbox_t).values(**outbox_row(existing_id)))

    def clash_via_prepared(tx: Tx) -> None:
        enqueue("lost-2")(tx)
        tx.fast.execute(outbox_store._OUTBOX_INSERT, outbox_row(existing_id), keyed=True)

    def look(tx: Tx) -> str:
        # Same transaction: earlier units' work is visible, the failed units' work is already gone.
        seen_after_failures.append({m["dedupe"] for m in tx.outbox_messages()})
        return enqueue("after")(tx)

    outcomes = run_as_one_batch(
        db,
        [
            lambda: db.write(enqueue("before")),
            lambda: db.write(clash_via_sqlalchemy),
            lambda: db.write(clash_via_prepared),
            lambda: db.write(look),
        ],
    )

    assert outcomes[0] == ("ok", "before")
    assert outcomes[1][0] == "error" and isinstance(outcomes[1][1], IntegrityError)
    assert outcomes[2][0] == "error" and isinstance(outcomes[2][1], IntegrityError)
    assert outcomes[3] == ("ok", "after")
    assert seen_after_failures == [{"existing", "before"}]
    assert stored_keys(db) == {"existing", "before", "after"}


# --- the batch's commit fails -----------------------------------------------------------------------


def test_when_the_batch_commit_fails_every_unit_of_the_batch_gets_unavailable(container):
    db = container.db
    armed = threading.Event()

    def failing_commit(conn: Any) -> None:
        if armed.is_set():
            armed.clear()
            raise OperationalError("COMMIT", None, Exception("disk I/O error"))

    event.listen(db.engine, "commit", failing_commit)
    try:

        def arm(tx: Tx) -> str:  # the first unit of the batch arms the fault for this batch's commit
            armed.set()
            return enqueue("a")(tx)

        outcomes = run_as_one_batch(
            db, [lambda: db.write(arm), lambda: db.write(enqueue("b")), lambda: db.write(enqueue("c"))]
        )
    finally:
        event.remove(db.engine, "commit", failing_commit)

    assert [o[0] for o in outcomes] == ["error"] * 3
    assert all(isinstance(o[1], Unavailable) for o in outcomes)
    assert all(isinstance(o[1].__cause__, OperationalError) for o in outcomes)
    assert stored_keys(db) == set()
    # The committer is not stuck and the connection is usable again.
    assert db.write(enqueue("later")) == "later"
    assert stored_keys(db) == {"later"}


def test_a_real_commit_failure_fails_every_unit_of_the_batch(container):
    db = container.db

    def deferred_violation(tx: Tx) -> str:
        # A foreign-key violation checked only at COMMIT: the whole batch's commit fails.
        tx.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        tx.add_credential("d" * 64, "token", 999_999, NOW, None)
        return enqueue("v")(tx)

    outcomes = run_as_one_batch(
        db,
        [
            lambda: db.write(enqueue("x")),
            lambda: db.write(deferred_violation),
            lambda: db.write(enqueue("y")),
        ],
    )

    assert [o[0] for o in outcomes] == ["error"] * 3
    assert all(isinstance(o[1], IntegrityError) for o in outcomes)
    assert stored_keys(db) == set()
    assert (
        db.read(
            lambda tx: tx.conn.execute(
                select(func.count()).select_from(people_store.credential_t)
            ).scalar_one()
        )
        == 0
    )
    assert db.write(enqueue("later")) == "later"


# --- many threads, some units failing ------------------------------------------------------------


def test_many_concurrent_writers_each_get_their_own_outcome(container):
    db = container.db
    sizes = record_batches(db)
    start = threading.Barrier(16)
    wrong: list[str] = []

    def worker(w: int) -> None:
        CALLER.set(f"w{w}")
        start.wait(TIMEOUT)
        for i in range(25):
            key = f"{w}-{i}"

            def fn(tx: Tx, key: str = key, fail: bool = i % 5 == 2) -> tuple[str, str]:
                enqueue(key)(tx)
                if fail:
                    raise LookupError(key)
                return key, CALLER.get()

            try:
                got: Any = db.write(fn)
            except LookupError as err:
                got = ("failed", err.args[0])
            expected = ("failed", key) if i % 5 == 2 else (key, f"w{w}")
            if got != expected:
                wrong.append(f"{key}: {got!r}")

    workers = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(16)]
    for thread in workers:
        thread.start()
    finish(workers)

    assert wrong == []
    assert sum(sizes) == 16 * 25  # every unit ran exactly once
    assert max(sizes) <= 64
    assert stored_keys(db) == {f"{w}-{i}" for w in range(16) for i in range(25) if i % 5 != 2}
    assert db.read(lambda tx: tx.outbox_pending()) == 16 * 20


def test_a_write_started_inside_a_write_is_refused_instead_of_waiting_for_ever(container):
    db = container.db

    def nested(tx: Tx) -> None:
        tx.enqueue("email", "a@example.pl", "s", "b", at=START, dedupe="outer")
        db.write(enqueue("inner"))

    try:
        db.write(nested)
    except RuntimeError as err:
        assert "nested" in str(err)
    else:
        raise AssertionError("a nested write was accepted")
    assert stored_keys(db) == set()  # the outer unit was rolled back with its error
    assert db.write(enqueue("after")) == "after" and stored_keys(db) == {"after"}
