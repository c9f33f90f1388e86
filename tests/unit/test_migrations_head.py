"""The revision a serving process expects is the newest migration script's (adapters/db/migrate.py)."""

from sqlalchemy import create_engine

from helpdesk.adapters.db.migrate import HEAD_REVISION, schema_state, script_head, upgrade


def test_head_revision_is_the_newest_migration_script(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/h.db")
    assert script_head(engine) == HEAD_REVISION, "a new migration: set HEAD_REVISION to its revision"


def test_schema_state_reads_the_revision_without_alembic(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/h.db")
    assert schema_state(engine) == (None, HEAD_REVISION)  # an empty database
    upgrade(engine)
    assert schema_state(engine) == (HEAD_REVISION, HEAD_REVISION)
