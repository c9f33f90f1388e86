"""Engines for SQLite (embedded default) and PostgreSQL, with the settings each needs.

SQLite: WAL, foreign keys on, `BEGIN IMMEDIATE` for writes so two writers never deadlock on a
lock upgrade, and a busy timeout so a second process waits instead of failing.
"""

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError
from sqlalchemy.pool import NullPool

from helpdesk.domain.errors import InvalidInput


def normalise_url(url: str) -> str:
    """Map the async/bare PostgreSQL drivers HELPDESK_DATABASE_URL may name (README: Configuration) onto psycopg 3, which we run in threads."""
    if url.startswith("postgresql+asyncpg://"):
        return "postgresql+psycopg://" + url[len("postgresql+asyncpg://") :]
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    """True for sqlite URLs."""
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level; SQLAlchemy's begin event issues BEGIN IMMEDIATE itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # NORMAL in WAL mode keeps every commit across a process crash (kill -9); only an OS crash
    # may lose the last transactions, which is the documented trade-off.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # Each pooled connection keeps its own page cache (2 MB by default, up to 16 connections):
    # 512 kB each keeps the hot pages (indexes, recent tickets) while a read of every article at an
    # index build does not leave megabytes of article pages behind in each connection; the
    # system's file cache holds the rest.
    cur.execute("PRAGMA cache_size=-512")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str, *, pool_size: int = 8, pre_ping: bool = True, isolation_level: str | None = None
) -> Engine:
    """Create the engine for `url`; the folder of a SQLite file is created if missing.

    PostgreSQL only: `pre_ping` makes sure a connection taken from the pool still works
    (`_ping_when_idle`; off for callers that handle a dropped connection themselves);
    `isolation_level` e.g. AUTOCOMMIT."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as err:
        raise InvalidInput(f"HELPDESK_DATABASE_URL: niepoprawny adres bazy danych ({err})") from err
    if is_sqlite(url):
        database = parsed.database or ""
        # A `file:` URI (uri=true, e.g. a read-only open) names an existing file: nothing to create.
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    extra: dict[str, Any] = {"isolation_level": isolation_level} if isolation_level else {}
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"connect_timeout": 5},
        **extra,
    )
    if pre_ping:
        _ping_when_idle(engine)
    return engine


# A connection back in the pool for less than this was working a moment ago: no ping.
PING_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection at checkout — with a round trip only when it sat idle.

    SQLAlchemy's `pool_pre_ping` pings at every checkout: under load that is one round trip per
    request or batch, for a connection that answered milliseconds ago. Here a connection the
    driver already knows to be dead (closed, or broken by a lost server) is replaced without
    asking; one idle for `PING_IDLE_SECONDS` or more (through an outage, a restart, a cut
    network) is pinged first, as before. A failed check makes the pool open a new connection
    (after a failed ping, for every connection that was in it, as SQLAlchemy's own ping does).
    """

    def connected(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = None  # new: nothing to check

    def checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if dbapi_conn.closed or getattr(dbapi_conn, "broken", False):
            raise DisconnectionError("the connection was lost")
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:  # the server went away: so did every connection opened before
            raise InvalidatePoolError("the connection does not answer") from err

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def make_nullpool_engine(url: str) -> Engine:
    """An engine without pooling, for one-off admin work (creating/dropping test databases)."""
    return create_engine(normalise_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
