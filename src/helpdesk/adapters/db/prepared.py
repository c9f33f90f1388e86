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
"""

from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
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


class PreparedRunner:
    """Runs prepared statements on the DBAPI connection under one SQLAlchemy `Connection`."""

    __slots__ = ("_dialect_key", "_raw", "conn")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._raw: Any = None
        self._dialect_key = (conn.dialect.name, conn.dialect.server_version_info)

    def _prepared(self, statement: ClauseElement, params: Mapping[str, Any], keyed: bool) -> Prepared:
        # Keyed by the statement object itself (not its id), so a key can never be reused.
        key = (statement, tuple(params) if keyed else None, self._dialect_key)
        prepared = _CACHE.get(key)
        if prepared is None:
            prepared = Prepared(statement, self.conn.dialect, list(params) if keyed else None)
            _CACHE[key] = prepared
        return prepared

    def _run(self, statement: ClauseElement, params: Mapping[str, Any], keyed: bool, fetch: str) -> Any:
        prepared = self._prepared(statement, params, keyed)
        if self._raw is None:
            self._raw = self.conn.connection.driver_connection
        cursor = self._raw.cursor()
        dbapi = self.conn.dialect.loaded_dbapi
        arguments = prepared.parameters(params)
        try:
            cursor.execute(prepared.sql, arguments)
            if fetch == "count":
                return int(cursor.rowcount)
            if fetch == "first":
                raw = cursor.fetchone()
                return prepared.row(raw) if raw is not None else None
            return [prepared.row(raw) for raw in cursor.fetchall()]
        except dbapi.Error as err:  # the same exception classes SQLAlchemy would raise
            raise DBAPIError.instance(prepared.sql, arguments, err, dbapi.Error) from err
        finally:
            cursor.close()

    def execute(self, statement: ClauseElement, params: Mapping[str, Any], *, keyed: bool = False) -> int:
        """Run a statement without rows; return the row count. `keyed`: compile for these columns."""
        count: int = self._run(statement, params, keyed, "count")
        return count

    def first(self, statement: ClauseElement, params: Mapping[str, Any], *, keyed: bool = False) -> Any:
        """The first result row (a named tuple), or None."""
        return self._run(statement, params, keyed, "first")

    def all(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """Every result row."""
        rows: list[Any] = self._run(statement, params, False, "all")
        return rows
