"""Run the alembic migrations shipped inside the package, one migrator at a time.

`helpdesk migrate` (and `helpdesk init`) may be started on several hosts at once during an
upgrade: the migrations run under a lock, so the second waits and then finds nothing to do. On
PostgreSQL the lock is an advisory lock held on its own connection for as long as the migration
runs (released by the server if the migrating process dies); on SQLite it is an exclusive `flock`
on a file beside the database file. `helpdesk serve` does not migrate: it asks `schema_state` and
refuses to start on a schema older (or newer) than the code.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed 64-bit number, the same for every helpdesk process: the key of the advisory lock.
ADVISORY_KEY = 0x48454C5044455348  # "HELPDESH"


def alembic_config(engine: Engine) -> Config:
    """An alembic Config bound to `engine`, independent of the working directory."""
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
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), "head")


def schema_state(engine: Engine) -> tuple[str | None, str | None]:
    """(revision the database is at, or None when empty; newest revision the code knows)."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head
