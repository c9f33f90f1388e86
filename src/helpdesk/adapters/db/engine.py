"""Engines for SQLite (embedded default) and PostgreSQL, with the settings each needs.

SQLite: WAL, foreign keys on, `BEGIN IMMEDIATE` for writes so two writers never deadlock on a
lock upgrade, and a busy timeout so a second process waits instead of failing.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
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
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str, *, pool_size: int = 8, pre_ping: bool = True, isolation_level: str | None = None
) -> Engine:
    """Create the engine for `url`; the folder of a SQLite file is created if missing.

    PostgreSQL only: `pre_ping` checks each connection taken from the pool with a round trip (off
    for callers that handle a dropped connection themselves); `isolation_level` e.g. AUTOCOMMIT."""
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
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        connect_args={"connect_timeout": 5},
        **extra,
    )


def make_nullpool_engine(url: str) -> Engine:
    """An engine without pooling, for one-off admin work (creating/dropping test databases)."""
    return create_engine(normalise_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
