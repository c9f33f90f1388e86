"""What a new ticket costs the database on PostgreSQL: the token lookup in one statement outside a
transaction, and a group-commit batch whose units wait for the server no more often than one unit
alone (the office, its leaders and the author read in one round trip; the notices, the chain head's
row sent together), with nothing lost; the pool's check at checkout.

Each case fails when its part is taken away: the lookup through `read` (ping, BEGIN, COMMIT), the
notices queued with a round trip each, the head rewritten for every ticket.
"""

import socket
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.adapters.db import engine as engine_module
from helpdesk.adapters.db import prepared
from helpdesk.adapters.db.group_commit import Unit
from helpdesk.adapters.db.outbox_store import outbox_t
from helpdesk.adapters.db.store import SqlDatabase
from helpdesk.adapters.db.ticket_store import ticket_t
from helpdesk.domain.errors import Unavailable
from helpdesk.services.audit import verify_log
from helpdesk.services.tickets import NewTicket
from tests.support.world import populate

pytestmark = pytest.mark.postgres

NEW = NewTicket(title="Drukarka nie drukuje", description="Od rana", component="EZD")


class Statements:
    """Every statement the driver is given, in order (psycopg's Cursor.execute)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sql: list[str] = []
        original = psycopg.Cursor.execute

        def execute(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
            self.sql.append(str(query))
            return original(cursor, query, params, **kw)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)

    def starting(self, prefix: str) -> list[str]:
        return [s for s in self.sql if s.lstrip().upper().startswith(prefix)]


# --- the token lookup ----------------------------------------------------------------------------


def test_a_token_is_looked_up_in_one_statement_outside_any_transaction(pg_container, monkeypatch):
    container = pg_container
    populate(container)
    token = container.people.issue_token("urz.plock", container.clock.now())
    container.people.by_token(token, container.clock.now())  # the lookup's pool has a connection
    statements = Statements(monkeypatch)
    states: list[Any] = []
    original = container.db.lookup

    def watched(fn: Any) -> Any:
        def inner(tx: Any) -> Any:
            out = fn(tx)
            states.append(tx.conn.connection.driver_connection.info.transaction_status)
            return out

        return original(inner)

    monkeypatch.setattr(container.db, "lookup", watched)
    person = container.people.by_token(token, container.clock.now())
    assert person.login == "urz.plock"
    assert len(statements.sql) == 1  # no ping at checkout
    assert statements.sql[0].lstrip().startswith("SELECT")
    assert states == [psycopg.pq.TransactionStatus.IDLE]  # autocommit: no BEGIN, nothing to COMMIT


def test_a_lookup_on_a_connection_the_server_dropped_is_made_again_on_a_new_one(pg_container):
    container = pg_container
    populate(container)
    token = container.people.issue_token("urz.plock", container.clock.now())
    assert container.people.by_token(token, container.clock.now()).login == "urz.plock"
    with container.db.engine.connect() as conn:  # as a PostgreSQL restart would: every other session ends
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert container.people.by_token(token, container.clock.now()).login == "urz.plock"


def test_a_lookup_when_the_server_does_not_answer_is_unavailable_in_polish():
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = SqlDatabase(f"postgresql+psycopg://postgres@127.0.0.1:{port}/nikt")
    try:
        with pytest.raises(Unavailable, match="baza danych jest chwilowo niedostępna"):
            db.lookup(lambda tx: tx.conn.execute(text("SELECT 1")).scalar())
    finally:
        db.close()


def test_a_lookup_that_fails_for_another_reason_is_not_tried_again(pg_container):
    calls = []

    def broken(tx: Any) -> Any:
        calls.append(1)
        return tx.conn.execute(text("SELECT * FROM no_such_table")).all()

    with pytest.raises(SQLAlchemyError):
        pg_container.db.lookup(broken)
    assert len(calls) == 1


# --- a batch of new tickets ----------------------------------------------------------------------


def captured_units(container: Any, official: Any, n: int, monkeypatch: pytest.MonkeyPatch) -> list[Unit[Any]]:
    """The units of work `n` ticket creations hand the group committer, not yet run."""
    fns: list[Any] = []

    class Captured(Exception):
        pass

    def capture(fn: Any) -> Any:
        fns.append(fn)
        raise Captured

    with monkeypatch.context() as patch:
        patch.setattr(container.db._committer, "submit", capture)
        for _ in range(n):
            with pytest.raises(Captured):
                container.tickets.create(official, NEW)
    return [Unit(fn) for fn in fns]


def waits_in_batch(container: Any, units: list[Unit[Any]], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run `units` as one batch; how many statements waited for the server's answer."""
    waited = []
    original = prepared.PreparedRunner._run

    def counted(self: Any, *args: Any) -> Any:
        waited.append(args[0])
        return original(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(prepared.PreparedRunner, "_run", counted)
        container.db._run_batch(units)
    for unit in units:
        assert unit.error is None, unit.error
    return len(waited)


def test_the_units_of_a_batch_wait_for_the_server_no_more_often_than_one_unit(pg_container, monkeypatch):
    container = pg_container
    official = populate(container)["urz.plock"]  # two leaders with e-mail: two notices a ticket
    container.tickets.create(official, NEW)  # the statements compiled, the pool warm
    two = waits_in_batch(container, captured_units(container, official, 2, monkeypatch), monkeypatch)
    six = waits_in_batch(container, captured_units(container, official, 6, monkeypatch), monkeypatch)
    assert six == two  # the office, the head's lock, the author, the leaders: once per batch


def test_a_batch_commits_every_ticket_its_event_and_its_notices_with_one_head_update(
    pg_container, monkeypatch
):
    container = pg_container
    official = populate(container)["urz.plock"]
    units = captured_units(container, official, 5, monkeypatch)
    statements = Statements(monkeypatch)
    container.db._run_batch(units)
    numbers = [unit.outcome()["no"] for unit in units]
    assert numbers == list(range(numbers[0], numbers[0] + 5))  # contiguous, in submission order
    # Nothing reads between the units (the author and the leaders were read with the office,
    # before the head's lock): only the last value is sent, with the commit.
    assert len(statements.starting("UPDATE LOG_HEAD")) == 1
    # The office, the author and the leaders: one round trip, three statements, once per batch.
    assert len(statements.starting("SELECT PERSON")) == 2
    with container.db.engine.connect() as conn:
        stored = conn.execute(select(ticket_t.c.no).order_by(ticket_t.c.no)).scalars().all()
        notices = conn.execute(
            select(outbox_t.c.ticket_no, func.count())
            .group_by(outbox_t.c.ticket_no)
            .order_by(outbox_t.c.ticket_no)
        ).all()
        head = conn.execute(text("SELECT event_count, last_ticket_no FROM log_head")).one()
    assert stored == numbers
    assert [tuple(n) for n in notices] == [(no, 2) for no in numbers]
    assert tuple(head) == (5, numbers[-1])
    verdict = verify_log(container.db)
    assert verdict.events == 5 and not verdict.problems


def test_a_failing_unit_of_a_batch_leaves_the_others_committed_with_their_notices(pg_container, monkeypatch):
    container = pg_container
    official = populate(container)["urz.plock"]
    units = captured_units(container, official, 3, monkeypatch)

    def refused(tx: Any) -> Any:
        raise Unavailable("odmowa")

    units.insert(1, Unit(refused))
    container.db._run_batch(units)  # the batch fails as a whole, then each unit runs alone
    assert isinstance(units[1].error, Unavailable)
    numbers = [unit.outcome()["no"] for unit in units if unit is not units[1]]
    with container.db.engine.connect() as conn:
        stored = conn.execute(select(ticket_t.c.no).order_by(ticket_t.c.no)).scalars().all()
        queued = conn.execute(select(func.count()).select_from(outbox_t)).scalar()
    assert stored == numbers == list(range(numbers[0], numbers[0] + 3))
    assert queued == 6
    assert not verify_log(container.db).problems


# --- the commit ------------------------------------------------------------------------------------


def test_a_commit_the_server_refuses_fails_the_write_and_leaves_nothing(pg_container):
    db = pg_container.db
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE later_checked (k INTEGER, "
                "CONSTRAINT later_checked_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    table = text("INSERT INTO later_checked (k) VALUES (1)")

    def twice(tx: Any) -> None:
        tx.conn.execute(table)
        tx.conn.execute(table)  # refused only at COMMIT

    with pytest.raises(SQLAlchemyError, match="later_checked_k"):
        db.write(twice)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM later_checked")).scalar() == 0
    db.write(lambda tx: tx.conn.execute(table))  # the pool's connection is fine afterwards


# --- the pool's check at checkout ------------------------------------------------------------------


def pings(db: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = db.engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> Any:
        calls.append(1)
        return original(dbapi_conn)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return calls


def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged(pg_container, monkeypatch):
    db = pg_container.db
    db.write(lambda tx: tx.conn.execute(text("SELECT 1")))
    calls = pings(db, monkeypatch)
    for _ in range(3):
        db.write(lambda tx: tx.conn.execute(text("SELECT 1")))
    assert calls == []


def test_a_connection_idle_for_a_while_is_pinged_and_replaced_when_the_server_ended_it(
    pg_container, monkeypatch
):
    db = pg_container.db
    db.write(lambda tx: tx.conn.execute(text("SELECT 1")))
    with db.engine.connect() as conn:  # as a PostgreSQL restart would: every other session ends
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    monkeypatch.setattr(engine_module, "PING_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    calls = pings(db, monkeypatch)
    assert db.write(lambda tx: tx.conn.execute(text("SELECT 41 + 1")).scalar()) == 42
    assert calls  # the dead connection was found by the ping, not by the write


def test_the_office_read_for_notices_answers_as_the_lookups_one_by_one(pg_container):
    container = pg_container
    people = populate(container)
    author, coordinator = people["urz.plock"], people["koordynator"]

    def answers(tx: Any, code: str, author_id: int) -> tuple[Any, ...]:
        return (tx.get_office(code), tx.person_by_id(author_id), tx.people_of_office(code, "leader"))

    for code, author_id in (("1462011", author.id), ("1419112", coordinator.id), ("9999999", author.id)):
        one_by_one = container.db.read(lambda tx, c=code, a=author_id: answers(tx, c, a))

        def together(tx: Any, c: str = code, a: int = author_id) -> tuple[Any, ...]:
            office = tx.office_for_notices(c, a, ("leader",))
            return (office, *answers(tx, c, a)[1:])

        assert container.db.write(together) == one_by_one
    assert [p.login for p in one_by_one[2]] == []  # the unknown office has no leaders


def test_a_batch_of_tickets_from_several_offices_reads_them_all_before_the_head_lock(
    pg_container, monkeypatch
):
    """`create_each` (a burst through web/intake.py) reads every office, author and leaders of the
    batch in one round trip ahead of its first unit; unit by unit, the second office's read would
    wait for the server while the batch holds the chain head's lock."""
    container = pg_container
    people = populate(container)
    statements = Statements(monkeypatch)
    authors = ["urz.plock", "urz.slupno", "lider.slupno", "urz2.plock"]
    created = container.tickets.create_each([(people[login], NEW) for login in authors])
    assert [t["office"] for t in created] == ["1462011", "1419112", "1419112", "1462011"]  # type: ignore[index]
    lock = next(i for i, sql in enumerate(statements.sql) if "FOR UPDATE" in sql)
    reads = [i for i, sql in enumerate(statements.sql) if "FROM office" in sql or "FROM person" in sql]
    assert reads and max(reads) < lock
    assert len(statements.starting("SELECT")) == len(reads) + 1  # nothing read again under the lock
