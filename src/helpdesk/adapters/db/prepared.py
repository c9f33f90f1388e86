"""Prepared hot-path statements: a Core statement compiled once, run straight on the DBAPI cursor.

SQLAlchemy's `Connection.execute` spends about 40 µs per statement on cache keys, execution
contexts, events and result wrappers, where SQLite itself needs 5. Opening a ticket runs a handful
of fixed statements, so for those few we compile the statement once per dialect (same SQL text
SQLAlchemy would send) and apply the same type processors it would (SQLAlchemy's own
`bind_processor` / `result_processor` of each column type), on the connection SQLAlchemy manages
inside its transaction. Everything else keeps using `Connection.execute`.

Limits, checked when a statement is prepared: INSERTs and UPDATEs are compiled for one fixed set
of columns, and a column default (or `onupdate`) that Python must compute has to be a plain value;
callable ones are refused. SQL defaults (`func.now()`) are part of the SQL text and just work.

Deferred writes (PostgreSQL batches, adapters/db/store.py): a write whose outcome nobody reads
(a ticket's row, its event, the chain head's new value) may be `defer`red: it is kept and sent
with the others in psycopg's pipeline mode — all in one round trip, together with the next
statement of any kind on the connection, or before the commit at the latest. So the order of
statements the server sees is the order they were issued, an error still rolls the whole
transaction back, and a batch of new tickets waits for the server four times (its reads, the
head's lock, its writes, the COMMIT) however many units it holds. The chain head itself, once
read under its lock, is remembered for the rest of the transaction (`head`): nobody else can
change it until the commit, and every statement that is not one of ours forgets it.
"""

import contextlib
import re
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


class Prepared:
    """One statement compiled for one dialect (and, for INSERT/UPDATE, one set of columns)."""

    __slots__ = ("binds", "defaults", "names", "results", "row_type", "sql")

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
    ) -> None:
        compiled = cast(
            SQLCompiler,
            statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None),
        )
        self.sql: str = compiled.string
        defaults: dict[str, Any] = {}
        prefetch = [(column, column.default) for column in getattr(compiled, "insert_prefetch", ()) or ()]
        prefetch += [(column, column.onupdate) for column in getattr(compiled, "update_prefetch", ()) or ()]
        for column, default in prefetch:
            if default is None or not getattr(default, "is_scalar", False):
                raise ValueError(f"prepared statement: column {column.key!r} needs a value")
            defaults[column.key] = default.arg
        for name, bind in compiled.binds.items():
            if not bind.required and name not in defaults:
                defaults[name] = bind.value  # a literal bound in the statement (`WHERE id = 1`, `= NULL`)
        self.defaults = defaults
        positions = compiled.positiontup
        self.names: list[str] | None = list(positions) if positions is not None else None
        if self.names is None and dialect.paramstyle == "pyformat":
            self.sql, self.names = _positional(self.sql)
        self.binds: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds[name] = _remember_last(processor)
        for column, _default in prefetch:
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds[column.key] = _remember_last(processor)
        columns = list(getattr(statement, "exported_columns", ()))
        self.results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.row_type = namedtuple("PreparedRow", [c.key for c in columns]) if columns else None  # type: ignore[misc]

    def parameters(self, params: Mapping[str, Any]) -> Any:
        """The DBAPI parameters (a tuple for qmark dialects, a dict otherwise)."""
        defaults, binds = self.defaults, self.binds
        if self.names is not None:
            out = []
            for name in self.names:  # a plain loop: this runs for every hot-path statement
                value = params[name] if name in params else defaults[name]
                processor = binds.get(name)
                out.append(value if processor is None else processor(value))
            return tuple(out)
        values = {**defaults, **params} if defaults else params
        return {n: (binds[n](v) if n in binds else v) for n, v in values.items()}

    def row(self, raw: Sequence[Any]) -> Any:
        """A result row (a named tuple) with the column types' result processing applied."""
        assert self.row_type is not None
        return self.row_type(*(p(v) if p is not None else v for p, v in zip(self.results, raw, strict=True)))


_PYFORMAT = re.compile(r"%%|%\(([^)]+)\)s")


def _positional(sql: str) -> tuple[str, list[str]]:
    """`%(name)s` placeholders (psycopg's named style) turned into `%s`, with the names in order.

    psycopg takes a tuple in one pass; a dict it reorders into a tuple at every execution, which
    on the hot path costs as much as dumping the values. `%%` (a literal percent) is kept.
    """
    names: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%%"
        names.append(match.group(1))
        return "%s"

    return _PYFORMAT.sub(swap, sql), names


def _remember_last(processor: Any) -> Any:
    """`processor` that answers again at once for the very same object it was just given.

    One write passes the same `now` to every statement (ticket, event, outbox rows); converting it
    to the stored text once instead of a dozen times matters on the hot path. Identity, not
    equality: only immutable values passed twice hit, and the swap of one tuple is thread-safe.
    """
    last: tuple[Any, Any] = (object(), None)

    def process(value: Any) -> Any:
        nonlocal last
        seen = last
        if seen[0] is value:
            return seen[1]
        result = processor(value)
        last = (value, result)
        return result

    return process


# Shared by every connection: keyed by statement, column set, dialect and server version.
_CACHE: dict[Any, Prepared] = {}


def _pipeline(raw: Any) -> Any:
    """psycopg's pipeline mode (statements sent without waiting for each answer), where there is one."""
    pipeline = getattr(raw, "pipeline", None)
    return pipeline() if pipeline is not None else contextlib.nullcontext()


DEFERRED = "helpdesk_deferred"  # Connection.info key of the runner holding deferred writes


class PreparedRunner:
    """Runs prepared statements on the DBAPI connection under one SQLAlchemy `Connection`.

    With `deferring`, `defer` keeps writes to send together (see the module docstring); the owner
    must call `flush` before the commit (`run_deferred` does both).
    """

    __slots__ = ("_dialect_key", "_held", "_latest", "_pending", "_raw", "conn", "deferring", "head")

    def __init__(self, conn: Connection, *, deferring: bool = False) -> None:
        self.conn = conn
        self._raw: Any = None
        self._dialect_key = (conn.dialect.name, conn.dialect.server_version_info)
        self.deferring = deferring
        self._pending: list[tuple[Prepared, Any]] = []
        # Writes of which only the last one issued counts (`defer_latest`), by slot.
        self._latest: dict[str, tuple[Prepared, Any]] = {}
        # The same, kept until the commit and then sent in slot order (`defer_latest(…, held=True)`).
        self._held: dict[str, tuple[Prepared, Any]] = {}
        # The chain head as this transaction last left it (adapters/db/ticket_store.py), or None.
        self.head: Any = None

    def _prepared(self, statement: ClauseElement, params: Mapping[str, Any], keyed: bool) -> Prepared:
        # Keyed by the statement object itself (not its id), so a key can never be reused.
        key = (statement, tuple(params) if keyed else None, self._dialect_key)
        prepared = _CACHE.get(key)
        if prepared is None:
            prepared = Prepared(statement, self.conn.dialect, list(params) if keyed else None)
            _CACHE[key] = prepared
        return prepared

    def _driver(self) -> Any:
        if self._raw is None:
            self._raw = self.conn.connection.driver_connection
        return self._raw

    def _run(self, statement: ClauseElement, params: Mapping[str, Any], keyed: bool, fetch: str) -> Any:
        prepared = self._prepared(statement, params, keyed)
        raw = self._driver()
        cursor = raw.cursor()
        dbapi = self.conn.dialect.loaded_dbapi
        arguments = prepared.parameters(params)
        try:
            if self._pending or self._latest:  # the deferred writes go first, in the same round trip
                with _pipeline(raw):
                    self._send_pending(raw)
                    cursor.execute(prepared.sql, arguments)
            else:
                cursor.execute(prepared.sql, arguments)
            if fetch == "count":
                return int(cursor.rowcount)
            if fetch == "first":
                raw_row = cursor.fetchone()
                return prepared.row(raw_row) if raw_row is not None else None
            return [prepared.row(r) for r in cursor.fetchall()]
        except dbapi.Error as err:  # the same exception classes SQLAlchemy would raise
            raise DBAPIError.instance(prepared.sql, arguments, err, dbapi.Error) from err
        finally:
            cursor.close()

    def execute(self, statement: ClauseElement, params: Mapping[str, Any], *, keyed: bool = False) -> int:
        """Run a statement without rows; return the row count. `keyed`: compile for these columns."""
        count: int = self._run(statement, params, keyed, "count")
        return count

    def defer(self, statement: ClauseElement, params: Mapping[str, Any], *, keyed: bool = False) -> None:
        """Run a write whose row count nobody needs: now, or with the next statement when deferring."""
        if not self.deferring:
            self._run(statement, params, keyed, "count")
            return
        prepared = self._prepared(statement, params, keyed)
        self._pending.append((prepared, prepared.parameters(params)))

    def defer_latest(
        self,
        slot: str,
        statement: ClauseElement,
        params: Mapping[str, Any],
        *,
        keyed: bool = False,
        held: bool = False,
    ) -> None:
        """Like `defer`, for a write that the next one of the same `slot` makes void.

        The chain head's row is rewritten by every event appended; the units of a batch append one
        after another with nothing reading it in between (a reader first sends what is deferred), so
        only the last value issued is sent, after the other deferred writes, with the next statement
        of any kind or before the commit: a batch of new tickets sends one UPDATE, not one per event.

        `held`: for a row other workers' transactions write too (a conversation's state, which two
        workers may both be answering). Such writes are kept back until `flush` — the last thing
        before the commit — and then sent in the order of their slots, after everything else: two
        transactions then lock those rows in the same order, at their very end, and never wait for
        each other in a circle (a deadlock that PostgreSQL breaks only after a second). Until then
        nobody in the transaction may read those rows (`flush` first: `dialogue_load` does).
        """
        if not self.deferring:
            self._run(statement, params, keyed, "count")
            return
        prepared = self._prepared(statement, params, keyed)
        entry = (prepared, prepared.parameters(params))
        if held:
            self._held[slot] = entry
        else:
            self._latest[slot] = entry

    def has_deferred(self) -> bool:
        """Whether writes wait to be sent (not counting the held ones, which wait for `flush`)."""
        return bool(self._pending or self._latest)

    def flush(self) -> None:
        """Send every deferred write in one round trip: in the order they were issued, then the
        held ones in slot order."""
        if not self._pending and not self._latest and not self._held:
            return
        raw = self._driver()
        dbapi = self.conn.dialect.loaded_dbapi
        try:
            with _pipeline(raw):
                self._send_pending(raw, with_held=True)
        except dbapi.Error as err:
            raise DBAPIError.instance("(deferred writes)", None, err, dbapi.Error) from err

    def _send_pending(self, raw: Any, *, with_held: bool = False) -> None:
        pending, self._pending = self._pending, []
        if self._latest:
            pending += self._latest.values()
            self._latest = {}
        if with_held and self._held:
            pending += [self._held[slot] for slot in sorted(self._held)]
            self._held = {}
        cursor = raw.cursor()
        try:
            for prepared, arguments in pending:
                cursor.execute(prepared.sql, arguments)
        finally:
            cursor.close()

    def first(self, statement: ClauseElement, params: Mapping[str, Any], *, keyed: bool = False) -> Any:
        """The first result row (a named tuple), or None."""
        return self._run(statement, params, keyed, "first")

    def all_of(self, queries: Sequence[tuple[ClauseElement, Mapping[str, Any]]]) -> list[list[Any]]:
        """Every result row of each query, the queries sent together (and after the deferred
        writes) in one round trip on PostgreSQL."""
        if not queries:
            return []
        prepared = [(self._prepared(statement, params, False), params) for statement, params in queries]
        raw = self._driver()
        dbapi = self.conn.dialect.loaded_dbapi
        cursors = [raw.cursor() for _ in prepared]
        try:
            with _pipeline(raw):
                if self.has_deferred():
                    self._send_pending(raw)
                for cursor, (one, params) in zip(cursors, prepared, strict=True):
                    cursor.execute(one.sql, one.parameters(params))
            return [
                [one.row(r) for r in cursor.fetchall()]
                for cursor, (one, _params) in zip(cursors, prepared, strict=True)
            ]
        except dbapi.Error as err:
            raise DBAPIError.instance(prepared[0][0].sql, None, err, dbapi.Error) from err
        finally:
            for cursor in cursors:
                cursor.close()

    def all(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """Every result row."""
        rows: list[Any] = self._run(statement, params, False, "all")
        return rows


def run_deferred(conn: Connection, work: Callable[[PreparedRunner], None]) -> None:
    """Run `work` with a deferring runner on `conn`, flushing its writes before returning.

    While it runs, any statement SQLAlchemy itself sends on the connection first sends the
    deferred writes and forgets the remembered chain head (`watch_deferred` below), so the server
    sees every statement in the order it was issued whichever path issued it. The COMMIT is left
    to the caller, sent on its own once the writes were answered: put at the end of their round
    trip, a connection cut meanwhile would leave the server committing work whose answer never
    came back (a 503 for a stored ticket) far more often.
    """
    runner = PreparedRunner(conn, deferring=True)
    conn.info[DEFERRED] = runner
    try:
        work(runner)
        runner.flush()
    finally:
        conn.info.pop(DEFERRED, None)


def _before_statement(conn: Connection, *_args: Any) -> None:
    runner = conn.info.get(DEFERRED)
    if runner is not None:
        runner.head = None
        if runner.has_deferred():
            runner.flush()


def watch_deferred(engine: Any) -> None:
    """Make `engine`'s own statements send the deferred writes first (and forget the head)."""
    event.listen(engine, "before_cursor_execute", _before_statement)
