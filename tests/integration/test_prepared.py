"""Prepared hot-path statements (`Tx.fast`) against plain SQLAlchemy, on SQLite and on PostgreSQL.

What the prepared path writes must read back through `conn.execute(select(...))` exactly as if
SQLAlchemy had written it (and the stored values must be the same), and what SQLAlchemy wrote
must read back identically through `tx.fast`: the same type processing (aware datetimes stored
in UTC, booleans, NULLs), the same exception classes, literals bound without being passed, and
only plain-value column defaults. The PostgreSQL cases run when HELPDESK_TEST_POSTGRES_URL is set.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.schema import Column, MetaData, Table
from sqlalchemy.types import Boolean, DateTime, Integer, String
from sqlmodel.sql.sqltypes import UTCDateTime

from helpdesk.adapters.db import outbox_store, ticket_store
from helpdesk.adapters.db.outbox_store import outbox_t
from helpdesk.adapters.db.prepared import Prepared
from helpdesk.adapters.db.ticket_store import head_t, ticket_t
from helpdesk.adapters.db.tx import Tx
from helpdesk.domain.events import GENESIS_HASH
from tests.support.world import WARSAW, populate

# Aware, in Warsaw (stored in UTC), with microseconds: any lost type processing shows.
AT = datetime(2027, 3, 1, 9, 15, 30, 123456, tzinfo=WARSAW)
LATER = AT + timedelta(hours=4, microseconds=1)


def ticket_values(author_id: int, **extra: Any) -> dict[str, Any]:
    """Every column of a fresh ticket except `no` (what `Tx.new_ticket` writes, spelled out)."""
    values = {
        "office": "1462011",
        "author_id": author_id,
        "title": "Zgłoszenie żółć",
        "description": "opis",
        "component": "EZD",
        "priority": "high",
        "state": "new",
        "resume_state": None,
        "escalated": False,
        "contract": None,
        "contractor": None,
        "assignee": None,
        "channel": "email",
        "created_at": AT,
        "updated_at": AT,
        "escalated_at": None,
        "last_seq": 1,
        "next_deadline": None,
        "first_line_due": LATER,
        "first_line_level": 0,
    }
    values.update(extra)
    return values


def without(row: Any, *keys: str) -> dict[str, Any]:
    return {k: v for k, v in dict(row).items() if k not in keys}


def raw_rows(tx: Tx, table: str, key: str) -> list[dict[str, Any]]:
    """The rows as the driver returns them, without any SQLAlchemy type processing."""
    return [dict(r) for r in tx.conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {key}").mappings()]


# --- prepared writes, plain reads ------------------------------------------------------------------


def test_a_ticket_written_through_the_prepared_path_reads_back_through_sqlalchemy(any_container):
    db = any_container.db
    official = populate(any_container)["urz.plock"]
    full = ticket_values(official.id)
    fields = {
        k: full[k]
        for k in (
            "office",
            "author_id",
            "title",
            "description",
            "component",
            "priority",
            "state",
            "channel",
            "first_line_due",
        )
    }

    def write(tx: Tx) -> dict[str, Any]:
        row, _record = tx.new_ticket(fields, {"title": full["title"]}, official.login, AT)  # prepared
        tx.conn.execute(insert(ticket_t).values(no=row["no"] + 1, **full))  # its twin, plain SQLAlchemy
        return row

    returned = db.write(write)

    def read(tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
        rows = [dict(r._mapping) for r in tx.conn.execute(select(ticket_t).order_by(ticket_t.c.no))]
        event = tx.conn.execute(select(ticket_store.event_t)).one()
        return rows, raw_rows(tx, "ticket", "no"), event

    (prepared, plain), (raw_prepared, raw_plain), event = db.read(read)

    assert without(prepared, "no") == without(plain, "no")
    assert without(raw_prepared, "no") == without(raw_plain, "no")  # stored the same, not just read the same
    assert returned == prepared  # RETURNING through the prepared path gives what SQLAlchemy reads
    assert prepared["created_at"] == AT and prepared["created_at"].utcoffset() == timedelta(0)
    assert prepared["first_line_due"] == LATER
    assert prepared["escalated"] is False
    assert (
        prepared["contract"] is None
        and prepared["escalated_at"] is None
        and prepared["next_deadline"] is None
    )
    assert event.at_utc == AT and event.ticket_no == prepared["no"] and event.seq == 1


def test_an_outbox_message_written_through_the_prepared_path_reads_back_through_sqlalchemy(any_container):
    db = any_container.db
    headers = {"X-Ticket": "T-000001", "Temat": "zażółć"}

    def write(tx: Tx) -> None:
        assert tx.enqueue("telegram", "12345", "Temat", "Treść", at=AT, headers=headers, dedupe="prepared")
        tx.conn.execute(
            insert(outbox_t).values(
                channel="telegram",
                recipient="12345",
                subject="Temat",
                body="Treść",
                html=None,
                headers=json.dumps(headers, ensure_ascii=False),
                ticket_no=None,
                dedupe="plain",
                created_at=AT,
                next_attempt_at=AT,
                attempts=0,
            )
        )

    db.write(write)

    def read(tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rows = [dict(r._mapping) for r in tx.conn.execute(select(outbox_t).order_by(outbox_t.c.id))]
        return rows, raw_rows(tx, "outbox", "id")

    (prepared, plain), (raw_prepared, raw_plain) = db.read(read)

    assert prepared["dedupe"] == "prepared" and plain["dedupe"] == "plain"
    assert without(prepared, "id", "dedupe") == without(plain, "id", "dedupe")
    assert without(raw_prepared, "id", "dedupe") == without(raw_plain, "id", "dedupe")
    assert prepared["created_at"] == AT and prepared["created_at"].utcoffset() == timedelta(0)
    assert prepared["html"] is None and prepared["sent_at"] is None and prepared["ticket_no"] is None
    assert json.loads(prepared["headers"]) == headers


# --- plain writes, prepared reads ------------------------------------------------------------------


def test_rows_written_through_sqlalchemy_read_back_identically_through_fast(any_container):
    db = any_container.db
    official = populate(any_container)["urz.plock"]

    def write(tx: Tx) -> None:
        tx.conn.execute(insert(ticket_t).values(no=1, **ticket_values(official.id)))
        tx.conn.execute(
            insert(ticket_t).values(
                no=2,
                **ticket_values(
                    official.id,
                    escalated=True,
                    escalated_at=LATER,
                    next_deadline=LATER,
                    first_line_due=None,
                    contract="umowa",
                    contractor="wykonawca",
                    assignee="agent1",
                    first_line_level=2,
                ),
            )
        )

    db.write(write)
    everything = select(ticket_t).order_by(ticket_t.c.no)

    def read(tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any, Any]:
        fast = [r._asdict() for r in tx.fast.all(everything, {})]
        plain = [dict(r._mapping) for r in tx.conn.execute(everything)]
        return (
            fast,
            plain,
            tx.fast.first(ticket_store._TICKET_BY_NO, {"no": 2}),
            tx.fast.first(ticket_store._TICKET_BY_NO, {"no": 3}),
        )

    fast, plain, second, missing = db.read(read)

    assert fast == plain
    assert second._asdict() == plain[1]
    assert missing is None
    assert second.escalated is True and fast[0]["escalated"] is False
    assert second.escalated_at == LATER and second.escalated_at.tzinfo == UTC
    assert second.first_line_due is None and fast[0]["first_line_due"] == LATER
    assert db.read(lambda tx: tx.ticket(2)) == plain[1]  # a repository method on the prepared path


# --- errors --------------------------------------------------------------------------------------


def test_a_duplicate_primary_key_through_fast_raises_sqlalchemys_integrity_error(any_container):
    db = any_container.db
    assert db.write(lambda tx: tx.enqueue("email", "a@example.pl", "s", "b", at=AT, dedupe="one")) is True
    existing = db.read(lambda tx: tx.outbox_messages()[0]["id"])
    clash = {
        "id": existing,
        "channel": "email",
        "recipient": "b@example.pl",
        "subject": "s",
        "body": "b",
        "headers": "{}",
        "created_at": AT,
        "next_attempt_at": AT,
        "attempts": 0,
    }

    with pytest.raises(IntegrityError) as caught:
        db.write(lambda tx: tx.fast.execute(outbox_store._OUTBOX_INSERT, clash, keyed=True))

    driver = db.engine.dialect.loaded_dbapi
    assert isinstance(caught.value.orig, driver.IntegrityError)
    assert not isinstance(caught.value, driver.Error)
    assert db.read(lambda tx: [m["recipient"] for m in tx.outbox_messages()]) == ["a@example.pl"]


def test_execute_returns_the_row_count(any_container):
    db = any_container.db
    first = db.write(lambda tx: tx.enqueue("email", "a@example.pl", "s", "b", at=AT, dedupe="once"))
    again = db.write(lambda tx: tx.enqueue("email", "a@example.pl", "s", "b", at=AT, dedupe="once"))
    assert (first, again) == (True, False)  # the second insert was skipped by ON CONFLICT DO NOTHING
    assert db.read(lambda tx: tx.outbox_pending()) == 1


# --- defaults and literals ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def dialect(request):
    """A dialect to compile for (no database needed)."""
    return sqlite.dialect() if request.param == "sqlite" else postgresql.psycopg.dialect()


def test_prepared_refuses_an_insert_whose_missing_column_has_a_callable_default(dialect):
    table = Table(
        "throwaway",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("stamp", DateTime, default=lambda: datetime.now(UTC)),
        Column("made", DateTime, default=func.now()),
        Column("n", Integer, default=5),
    )
    with pytest.raises(ValueError, match="'stamp' needs a value"):
        Prepared(insert(table), dialect, ["id"])
    # Given that column, the rest is fine: the SQL default is rendered into the statement itself
    # and the plain scalar default becomes a parameter default.
    prepared = Prepared(insert(table), dialect, ["id", "stamp"])
    assert prepared.defaults == {"n": 5}
    assert str(func.now().compile(dialect=dialect)) in prepared.sql


def test_plain_scalar_defaults_fill_the_columns_left_out(any_container):
    db = any_container.db
    bare = {
        "channel": "email",
        "recipient": "a@example.pl",
        "body": "b",
        "created_at": AT,
        "next_attempt_at": AT,
    }

    def write(tx: Tx) -> None:
        tx.fast.execute(outbox_store._OUTBOX_INSERT, bare, keyed=True)
        # A different set of columns must get its own compiled statement, not the cached one above.
        tx.fast.execute(
            outbox_store._OUTBOX_INSERT, {**bare, "subject": "S", "attempts": 3, "dedupe": "d"}, keyed=True
        )

    db.write(write)

    rows = db.read(lambda tx: tx.outbox_messages())
    assert [(r["subject"], r["headers"], r["attempts"], r["dedupe"]) for r in rows] == [
        ("", "{}", 0, None),
        ("S", "{}", 3, "d"),
    ]


_WITH_DEFAULTS = Table(
    "prepared_defaults",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("flag", Boolean, nullable=False, default=True),
    Column("stamp", UTCDateTime, nullable=False, default=AT),
)
_WITH_DEFAULTS_INSERT = insert(_WITH_DEFAULTS)


def test_scalar_defaults_get_their_columns_type_processing(any_container):
    db = any_container.db

    def write(tx: Tx) -> None:
        _WITH_DEFAULTS.create(tx.conn)
        tx.fast.execute(_WITH_DEFAULTS_INSERT, {"id": 1}, keyed=True)  # flag and stamp from their defaults
        tx.conn.execute(insert(_WITH_DEFAULTS).values(id=2))  # the same through plain SQLAlchemy

    db.write(write)

    def read(tx: Tx) -> tuple[list[Any], list[dict[str, Any]]]:
        rows = tx.conn.execute(select(_WITH_DEFAULTS).order_by(_WITH_DEFAULTS.c.id)).all()
        return [tuple(r) for r in rows], raw_rows(tx, "prepared_defaults", "id")

    rows, raw = db.read(read)
    assert rows == [(1, True, AT), (2, True, AT)]
    assert without(raw[0], "id") == without(raw[1], "id")


def test_a_naive_datetime_is_refused_on_the_prepared_path_as_on_the_plain_one(any_container):
    db = any_container.db
    naive = AT.replace(tzinfo=None)
    values = {
        "channel": "email",
        "recipient": "a@example.pl",
        "body": "b",
        "created_at": naive,
        "next_attempt_at": naive,
    }
    with pytest.raises(StatementError, match="timezone"):
        db.write(lambda tx: tx.conn.execute(insert(outbox_t).values(**values)))
    # The column type's bind processing runs on the prepared path too (the driver alone would take it).
    with pytest.raises((ValueError, StatementError), match="timezone"):
        db.write(lambda tx: tx.fast.execute(outbox_store._OUTBOX_INSERT, values, keyed=True))
    assert db.read(lambda tx: tx.outbox_messages()) == []


def test_a_literal_in_the_where_clause_is_bound_without_being_passed(any_container):
    db = any_container.db

    def write(tx: Tx) -> tuple[Any, int]:
        tx.conn.execute(insert(head_t).values(id=2, last_hash="f" * 64, event_count=7, last_ticket_no=9))
        head = tx.fast.first(ticket_store._HEAD, {})  # WHERE id = 1, with nothing passed
        return head, tx.fast.execute(ticket_store._HEAD_UPDATE, {"last_hash": "a" * 64}, keyed=True)

    head, count = db.write(write)

    assert (head.id, head.last_hash, head.event_count, head.last_ticket_no) == (1, GENESIS_HASH, 0, 0)
    assert count == 1
    rows = db.read(
        lambda tx: tx.conn.execute(select(head_t.c.id, head_t.c.last_hash).order_by(head_t.c.id)).all()
    )
    assert [tuple(r) for r in rows] == [(1, "a" * 64), (2, "f" * 64)]


def test_a_bound_literal_gets_its_columns_type_processing(any_container):
    db = any_container.db
    db.write(lambda tx: tx.enqueue("email", "a@example.pl", "s", "b", at=AT, dedupe="x"))
    # 30 minutes before AT, given in Warsaw time: only compares right once converted to UTC like the column.
    newer = select(outbox_t.c.dedupe).where(outbox_t.c.next_attempt_at > AT - timedelta(minutes=30))
    older = select(outbox_t.c.dedupe).where(outbox_t.c.next_attempt_at < AT - timedelta(minutes=30))
    assert db.read(lambda tx: [r.dedupe for r in tx.fast.all(newer, {})]) == ["x"]
    assert db.read(lambda tx: tx.fast.all(older, {})) == []


# --- literals and update-time defaults ------------------------------------------------------------------------------------

_CLEAR_ERROR = update(outbox_t).where(outbox_t.c.id == bindparam("id_")).values(last_error=None)


def test_a_literal_none_in_values_is_bound_like_any_other_literal(any_container):
    db = any_container.db
    db.write(lambda tx: tx.enqueue("email", "a@example.pl", "s", "b", at=AT, dedupe="x"))
    message = db.read(lambda tx: tx.outbox_messages()[0])
    db.write(lambda tx: tx.outbox_failed(message["id"], "boom", AT))
    assert db.write(lambda tx: tx.fast.execute(_CLEAR_ERROR, {"id_": message["id"]})) == 1
    assert db.read(lambda tx: tx.outbox_messages()[0]["last_error"]) is None


def test_an_update_with_an_onupdate_default_is_refused_or_filled(dialect):
    table = Table(
        "throwaway",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("s", String),
        Column("touched", Integer, onupdate=7),
    )
    statement = update(table).where(table.c.id == bindparam("k"))
    try:
        prepared = Prepared(statement, dialect, ["s"])
    except ValueError:
        return  # refused when prepared: fine
    parameters = prepared.parameters({"s": "x", "k": 1})
    values = dict(zip(prepared.names, parameters, strict=True)) if prepared.names else parameters
    assert values["touched"] == 7


# --- deferred writes (PostgreSQL batches) --------------------------------------------------------


def test_deferred_writes_reach_the_server_before_any_later_statement_and_before_the_commit(any_container):
    """A deferred write is seen by the next statement of either path, and committed with the unit."""
    db = any_container.db
    author = populate(any_container)["urz.plock"].id

    def unit(tx: Tx) -> tuple[Any, Any, Any]:
        tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7001), keyed=True)
        through_fast = tx.fast.first(ticket_store._TICKET_BY_NO, {"no": 7001})
        tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7002), keyed=True)
        through_sqlalchemy = tx.conn.execute(select(ticket_t.c.no).where(ticket_t.c.no == 7002)).first()
        tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7003), keyed=True)
        return through_fast, through_sqlalchemy, tx.fast.deferring

    through_fast, through_sqlalchemy, deferring = db.write(unit)

    assert deferring is (not db.sqlite)  # PostgreSQL defers; SQLite (no round trips) runs at once
    assert through_fast is not None and through_fast.no == 7001
    assert through_sqlalchemy is not None and through_sqlalchemy.no == 7002
    # The last one was still waiting when the unit returned: it went out before the commit.
    assert db.read(lambda tx: tx.ticket(7003)) is not None


def test_a_failing_deferred_write_fails_its_unit_and_leaves_nothing_behind(any_container):
    db = any_container.db
    author = populate(any_container)["urz.plock"].id
    db.write(
        lambda tx: tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7101), keyed=True)
    )

    def clash(tx: Tx) -> None:
        tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7102), keyed=True)
        tx.fast.defer(ticket_store._TICKET_INSERT, ticket_values(author, no=7101), keyed=True)  # taken

    with pytest.raises(IntegrityError):
        db.write(clash)
    assert db.read(lambda tx: tx.ticket(7102)) is None


def test_the_chain_head_remembered_in_a_transaction_is_forgotten_after_any_statement_of_sqlalchemy(
    pg_container,
):
    """Within one PostgreSQL transaction the locked head is remembered; a statement the prepared path
    did not send (which could move it) makes the next append read it again."""
    db = pg_container.db

    def unit(tx: Tx) -> tuple[Any, Any, Any]:
        tx.append_log("checkpoint", "audytor", AT, {"n": 1})
        remembered = tx.fast.head
        tx.conn.execute(
            update(head_t).where(head_t.c.id == 1).values(last_ticket_no=head_t.c.last_ticket_no + 5)
        )
        forgotten = tx.fast.head
        tx.append_log("checkpoint", "audytor", AT, {"n": 2})
        return remembered, forgotten, tx.conn.execute(select(head_t)).one()

    remembered, forgotten, head = db.write(unit)
    assert remembered is not None and forgotten is None
    assert head.event_count == remembered.event_count + 1
    assert head.last_ticket_no == remembered.last_ticket_no + 5  # the SQLAlchemy update was kept
    assert db.read(lambda tx: tx.head())[1] == head.event_count
