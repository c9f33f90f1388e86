"""The database adapter's units of work: SQLite or PostgreSQL transactions around a `Tx`.

A service hands `write` or `read` a function of the repository (adapters/db/tx.py); it runs in one
transaction, committed when it returns and rolled back when it raises. Concurrent writes of this
process share transactions (adapters/db/group_commit.py), each in its own savepoint: on SQLite
because there is one writer anyway, on PostgreSQL because every event appended waits for the one
`log_head` row lock, so one commit per batch instead of one per request is what lets several
workers take a burst (README "Production"). On SQLite readers use a second engine that never takes
the write lock.

On PostgreSQL the writes whose outcome nobody reads are sent together (adapters/db/prepared.py,
deferred writes) and the units of a batch share what they read of offices and people: the batch
holds the head lock for as few round trips to the server as it can. A batch takes no savepoints (two round trips each, under the head lock): when any
unit of it fails, or PostgreSQL aborts it (a deadlock between one worker's batch and another's),
nothing of it was committed and its units run again one transaction each, so a failing unit or
an unlucky interleaving costs time, never another unit's work. A database that does not answer (down,
restarting, the network cut) is `Unavailable`: HTTP 503 with a Polish message, nothing written.
"""

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError

from helpdesk.adapters.db.engine import is_sqlite, make_engine, normalise_url
from helpdesk.adapters.db.group_commit import GroupCommitter, Unit
from helpdesk.adapters.db.prepared import PreparedRunner, run_deferred, watch_deferred
from helpdesk.adapters.db.ticket_store import head_t
from helpdesk.adapters.db.tx import Tx
from helpdesk.domain.errors import Unavailable
from helpdesk.domain.events import GENESIS_HASH

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

UNAVAILABLE = "baza danych jest chwilowo niedostępna; spróbuj ponownie za chwilę"
# SQLSTATEs after which a whole batch is worth running again unit by unit: nothing was committed.
RETRY_ALONE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def _is_outage(err: BaseException) -> bool:
    """True for errors that mean the database is not reachable (rather than a bad statement)."""
    if isinstance(err, OperationalError | InterfaceError):
        return True
    return isinstance(err, DBAPIError) and bool(err.connection_invalidated)


def unavailable(err: BaseException) -> Unavailable:
    """The error a person sees when the database cannot take the work: what is wrong, nothing written."""
    detail = str(getattr(err, "orig", err)).lower()
    if "disk is full" in detail or "no space left" in detail or _sqlstate(err) == "53100":
        return Unavailable("brak miejsca na dysku bazy danych: nic nie zapisano; spróbuj ponownie później")
    if "readonly" in detail or "read-only" in detail:
        return Unavailable("baza danych jest tylko do odczytu: nic nie zapisano; spróbuj ponownie później")
    return Unavailable(UNAVAILABLE)


def _sqlstate(err: BaseException) -> str | None:
    orig = getattr(err, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


class _Keyed(Generic[K]):
    """A `lookup_together` caller's unit of work: its key, and picking its value from the batch's."""

    __slots__ = ("key",)

    def __init__(self, key: K) -> None:
        self.key = key

    def __call__(self, found: Mapping[K, V]) -> V | None:
        return found.get(self.key)


class SqlDatabase:
    """Units of work on SQLite or PostgreSQL (a services.ports.Database of `Tx`)."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = normalise_url(url)
        self.sqlite = is_sqlite(self.url)
        self.engine: Engine = make_engine(self.url, pool_size=pool_size)
        # The threads the server runs database work in: on SQLite twice the pool, so that readers
        # go on while a writer waits for the file's write lock.
        self.workers = 2 * pool_size if self.sqlite else pool_size
        # SQLite readers must not take the write lock: a second engine with deferred BEGIN.
        self.read_engine: Engine = self.engine
        if self.sqlite:
            from sqlalchemy import create_engine, event

            from helpdesk.adapters.db.engine import _sqlite_pragmas

            self.read_engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": 30},
                # A connection for each of the server's threads: a reader beyond the pool would
                # open a connection, set it up (_sqlite_pragmas) and close it again per request.
                pool_size=self.workers,
                max_overflow=pool_size,
            )
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
            event.listen(self.read_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        else:
            watch_deferred(self.engine)
        # PostgreSQL one-statement reads (`lookup`): autocommit, so no BEGIN or COMMIT; no ping at
        # checkout either — a connection the server dropped fails its statement, and the lookup
        # tries once more on a new one.
        self.lookup_engine: Engine | None = None
        if not self.sqlite:
            self.lookup_engine = make_engine(
                self.url, pool_size=pool_size, pre_ping=False, isolation_level="AUTOCOMMIT"
            )
        # Concurrent writes of this process share transactions (group_commit, see the module docstring).
        self._committer = GroupCommitter(self._run_batch)
        # Concurrent `lookup_together` calls of one function share a statement (PostgreSQL).
        self._together: dict[Callable[..., Any], GroupCommitter] = {}
        self._together_lock = threading.Lock()

    def write(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` in a write transaction (committed if it returns, rolled back if it raises).

        On SQLite, `fn` may share the transaction with other concurrent writes, each isolated by
        a savepoint: its own failure rolls back only its own work. It returns after the commit.
        """
        try:
            return self._committer.submit(fn)
        except SQLAlchemyError as err:
            if _is_outage(err):
                raise unavailable(err) from err
            raise

    def write_each(self, fns: Sequence[Callable[[Tx], T]]) -> list[T | Exception]:
        """Each `fn` in its own unit of work, all queued at once (usually one shared transaction);
        each one's result, or the exception it (or its commit) ended with. Exceptions that are not
        `Exception`s (an interrupt) are raised."""
        out: list[T | Exception] = []
        for unit in self._committer.submit_each(fns):
            try:
                out.append(unit.outcome())
            except SQLAlchemyError as err:
                out.append(unavailable(err) if _is_outage(err) else err)
            except Exception as err:
                out.append(err)
        return out

    def _run_one(self, unit: Unit[Any]) -> None:
        try:
            with self.engine.begin() as conn:
                if self.sqlite:
                    unit.result = unit.run(Tx(conn, False))
                else:
                    run_deferred(conn, lambda fast: self._run_units(conn, fast, [unit]))
        except Exception as err:
            unit.error, unit.result = err, None

    @staticmethod
    def _run_units(conn: Any, fast: PreparedRunner, units: list[Unit[Any]]) -> None:
        """PostgreSQL: `units` in one transaction, sharing the deferring runner and what they read."""
        registry: dict[tuple[Any, ...], Any] = {}
        for unit in units:
            unit.result = unit.run(Tx(conn, True, fast=fast, registry=registry))

    def _run_batch(self, units: list[Unit[Any]]) -> None:
        """Run queued units of work in one transaction and commit once (see the module docstring)."""
        if len(units) == 1:  # the common case when idle
            self._run_one(units[0])
            return
        if self.sqlite:
            self._run_with_savepoints(units)
        else:
            self._run_optimistic(units)

    def _run_with_savepoints(self, units: list[Unit[Any]]) -> None:
        """SQLite: a savepoint per unit (in-process, nearly free), so a failing unit is undone alone."""
        try:
            with self.engine.begin() as conn:
                # Savepoints straight on the driver: SQLAlchemy's nested transactions cost 10x more.
                raw = conn.connection.driver_connection
                assert raw is not None
                for unit in units:
                    raw.execute("SAVEPOINT helpdesk_unit")
                    try:
                        unit.result = unit.run(Tx(conn, False))
                    except Exception as err:
                        raw.execute("ROLLBACK TO helpdesk_unit")
                        unit.error = err
                    raw.execute("RELEASE helpdesk_unit")
        except Exception as err:  # nothing of this batch was committed
            for unit in units:
                unit.error, unit.result = err, None

    def _run_optimistic(self, units: list[Unit[Any]]) -> None:
        """PostgreSQL: the units one after another without savepoints, one commit.

        A savepoint costs two round trips to the server per unit, while the batch holds the
        `log_head` row lock; units almost always succeed. So none is taken: should any unit raise,
        the whole batch is rolled back (nothing of it was committed) and every unit runs again
        alone, in its own transaction, getting exactly the outcome it would have had alone.
        """
        try:
            with self.engine.begin() as conn:
                run_deferred(conn, lambda fast: self._run_units(conn, fast, units))
            return
        except Exception as err:
            if _is_outage(err) and _sqlstate(err) not in RETRY_ALONE:
                for unit in units:
                    unit.error, unit.result = err, None
                return
        for unit in units:
            unit.error = unit.result = None
            self._run_one(unit)

    def read(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` in a read transaction."""
        try:
            with self.read_engine.begin() as conn:
                return fn(Tx(conn, not self.sqlite))
        except SQLAlchemyError as err:
            if _is_outage(err):
                raise unavailable(err) from err
            raise

    def lookup(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn`, one statement's read, outside a transaction block (services/ports.py).

        Every API request authenticates through here: on PostgreSQL it costs one round trip (the
        statement in autocommit) where `read` costs three (the pool's ping, BEGIN with the
        statement, COMMIT). A connection that turns out dead is thrown away with its pool and the
        read tried once more; a second failure is `Unavailable`. SQLite: the same as `read`.
        """
        if self.lookup_engine is None:
            return self.read(fn)
        for attempt in (1, 2):
            try:
                with self.lookup_engine.connect() as conn:
                    try:
                        return fn(Tx(conn, True))
                    except SQLAlchemyError as err:
                        if _is_outage(err):
                            conn.invalidate()  # not back into the pool
                        raise
            except SQLAlchemyError as err:
                if not _is_outage(err):
                    raise
                if attempt == 2:
                    raise unavailable(err) from err
                # Whatever else the pool holds was opened before the outage as well.
                self.lookup_engine.dispose()
        raise AssertionError("unreachable")

    def lookup_together(self, key: K, fn: Callable[[Tx, list[K]], Mapping[K, V]]) -> V | None:
        """`key`'s value in `fn(tx, keys)`, run once for the keys concurrent callers ask `fn` for.

        The batching is the group commit's (adapters/db/group_commit.py) applied to a read: the
        first caller looks up every key waiting when it starts, in one statement (a `lookup`:
        autocommit, one round trip), and hands each caller its own value; the callers who came
        meanwhile form the next batch. Nothing is cached: each value comes from a statement that
        started after its caller asked. `fn` should be one long-lived function (a module-level
        one): callers of different function objects are never put together. SQLite: a `read`.
        """
        if self.lookup_engine is None:
            return self.read(lambda tx: fn(tx, [key]).get(key))
        committer = self._together.get(fn)
        if committer is None:
            with self._together_lock:
                committer = self._together.setdefault(
                    fn, GroupCommitter(lambda units: self._lookup_batch(fn, units))
                )
        return committer.submit(_Keyed(key))

    def _lookup_batch(self, fn: Callable[[Tx, list[Any]], Mapping[Any, Any]], units: list[Unit[Any]]) -> None:
        keys = list(dict.fromkeys(cast(_Keyed[Any], unit.fn).key for unit in units))  # each once, in order
        try:
            found = self.lookup(lambda tx: fn(tx, keys))
        except Exception as err:  # every caller of the batch gets the same failure (503 when down)
            for unit in units:
                unit.error, unit.result = err, None
            return
        for unit in units:
            unit.result = unit.run(found)

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.read_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def ensure_head(self) -> None:
        """Create the single chain-head row if missing (after migrations)."""

        def _do(tx: Tx) -> None:
            if tx.conn.execute(select(head_t.c.id)).first() is None:
                tx.conn.execute(
                    insert(head_t).values(id=1, last_hash=GENESIS_HASH, event_count=0, last_ticket_no=0)
                )

        with contextlib.suppress(IntegrityError):  # another process created it first
            self.write(_do)

    def flush_deleted(self) -> None:
        """Make deleted personal data leave the database files (after a retention run).

        SQLite: the write-ahead log, which still holds the pages as they were, is written back and
        emptied (deleted cells were overwritten, `secure_delete`). PostgreSQL: the changed tables
        are vacuumed so their space can be reused; the README says what else an operator does.
        """
        try:
            if self.sqlite:
                raw = self.engine.raw_connection()
                try:
                    raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
                finally:
                    raw.close()
                return
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in (
                    "event",
                    "attachment",
                    "raw_mail",
                    "outbox",
                    "kb_query",
                    "ticket",
                    "telegram_update",
                ):
                    conn.exec_driver_sql(f"VACUUM {table}")
        except SQLAlchemyError as err:
            raise Unavailable(f"nie udało się oczyścić plików bazy po usunięciu danych: {err}") from err

    def close(self) -> None:
        """Dispose of the connection pools."""
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
        if self.lookup_engine is not None:
            self.lookup_engine.dispose()
