"""Run the alembic migrations shipped inside the package, one migrator at a time.

`helpdesk migrate` (and `helpdesk init`) may be started on several hosts at once during an
upgrade: the migrations run under a lock, so the second waits and then finds nothing to do. On
PostgreSQL the lock is an advisory lock held on its own connection for as long as the migration
runs (released by the server if the migrating process dies); on SQLite it is an exclusive `flock`
on a file beside the database file. `helpdesk serve` does not migrate: it asks `schema_state` and
refuses to start on a schema older (or newer) than the code.

Alembic is imported only to migrate: a serving process checks the revision against HEAD_REVISION
with one query, and so never holds alembic and the migration scripts in memory (about 11 MB of the
server's 250 MB budget). A test keeps HEAD_REVISION equal to the newest script's revision.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0015_api"
"""The newest migration's revision: the schema this code runs on (tests/unit/test_migrations_head.py)."""
# Any fixed 64-bit number, the same for every helpdesk process: the key of the advisory lock.
ADVISORY_KEY = 0x48454C5044455348  # "HELPDESH"


def alembic_config(engine: Engine) -> Config:
    """An alembic Config bound to `engine`, independent of the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the migration lock of the database behind `engine` (blocks while another process holds it)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()
        return
    database = engine.url.database or ""
    if not database or database == ":memory:":
        yield
        return
    # A `file:` URI (uri=true, e.g. a read-only open) names the same file without the scheme.
    database = database.removeprefix("file:").split("?", 1)[0]
    lock_path = Path(database).expanduser().with_name(Path(database).name + ".migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on an empty database), under the lock."""
    from alembic import command

    with migration_lock(engine):
        command.upgrade(alembic_config(engine), "head")


def script_head(engine: Engine) -> str | None:
    """The newest revision among the migration scripts, as alembic reads them."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def schema_state(engine: Engine) -> tuple[str | None, str | None]:
    """(revision the database is at, or None when empty; newest revision the code knows)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None, HEAD_REVISION
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    # One row on a linear history; alembic's own reader refuses several heads, and so do we.
    if len(rows) > 1:
        raise RuntimeError(f"alembic_version holds {len(rows)} revisions: {', '.join(map(str, rows))}")
    return (str(rows[0]) if rows else None), HEAD_REVISION
