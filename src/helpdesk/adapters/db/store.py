"""The database adapter: units of work over SQLAlchemy Core, and the repository (`Tx`).

Appends lock the single `log_head` row, so ticket numbers and the hash chain stay gapless and
linear under any concurrency: on PostgreSQL with `SELECT … FOR UPDATE`, on SQLite because every
write transaction starts with `BEGIN IMMEDIATE` (and, within one process, a lock avoids busy waits).
"""

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from helpdesk.adapters.db.engine import is_sqlite, make_engine, normalise_url
from helpdesk.adapters.db.group_commit import GroupCommitter, Unit
from helpdesk.adapters.db.kb_store import KbTxMixin
from helpdesk.adapters.db.mail_store import MailTxMixin
from helpdesk.adapters.db.outbox_store import OutboxTxMixin
from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.sla_store import SlaTxMixin
from helpdesk.adapters.db.tables import (
    CredentialRow,
    EventRow,
    LogHeadRow,
    OfficeRow,
    OutboxRow,
    PersonRow,
    TicketRow,
)
from helpdesk.adapters.db.telegram_store import TelegramTxMixin
from helpdesk.domain.errors import Unavailable
from helpdesk.domain.events import GENESIS_HASH, chain_hash, make_record
from helpdesk.domain.offices import Office, OfficeType
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.tickets import format_ticket_id

T = TypeVar("T")

ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
event_t = EventRow.__table__  # type: ignore[attr-defined]
head_t = LogHeadRow.__table__  # type: ignore[attr-defined]
person_t = PersonRow.__table__  # type: ignore[attr-defined]
office_t = OfficeRow.__table__  # type: ignore[attr-defined]
outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]
credential_t = CredentialRow.__table__  # type: ignore[attr-defined]

# Hot-path statements are built once: constructing `.values(...)` per call costs more than the SQL.
_HEAD = select(head_t).where(head_t.c.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_HEAD_UPDATE = update(head_t).where(head_t.c.id == 1)
_EVENT_INSERT = insert(event_t)
_TICKET_INSERT = insert(ticket_t)
_TICKET_COLUMNS = tuple(c.key for c in ticket_t.c)
_TICKET_BY_NO = select(ticket_t).where(ticket_t.c.no == bindparam("no"))
_TICKET_SEQ = select(ticket_t.c.last_seq).where(ticket_t.c.no == bindparam("no"))
_TICKET_UPDATE = update(ticket_t).where(ticket_t.c.no == bindparam("ticket_no_"))
_OUTBOX_INSERT = insert(outbox_t)
# A message with a used dedupe key is skipped by the database itself (one statement, race-free).
_OUTBOX_INSERT_ONCE = {
    "sqlite": sqlite_insert(outbox_t).on_conflict_do_nothing(index_elements=["dedupe"]),
    "postgresql": pg_insert(outbox_t).on_conflict_do_nothing(index_elements=["dedupe"]),
}

# The columns a new ticket starts without (a prepared INSERT always names every column it sets).
_NEW_TICKET_DEFAULTS: dict[str, Any] = {
    "resume_state": None,
    "escalated": False,
    "contract": None,
    "contractor": None,
    "assignee": None,
    "escalated_at": None,
    "next_deadline": None,
    "first_line_level": 0,
}

_OFFICE_BY_CODE = select(office_t).where(office_t.c.code == bindparam("code"))
_PERSON_BY_ID = select(person_t).where(person_t.c.id == bindparam("id"))
_OFFICE_PEOPLE = (
    select(person_t)
    .where(person_t.c.jst == bindparam("jst"), person_t.c.active.is_(True))
    .order_by(person_t.c.id)
)
_OFFICE_PEOPLE_OF_ROLE = (
    select(person_t)
    .where(
        person_t.c.jst == bindparam("jst"), person_t.c.active.is_(True), person_t.c.role == bindparam("role")
    )
    .order_by(person_t.c.id)
)

# person_by: case-insensitive for login and e-mail, exact for the Telegram id.
_PERSON_BY = {
    column: select(person_t)
    .where(
        (func.lower(person_t.c[column]) == bindparam("value"))
        if column in ("login", "email")
        else (person_t.c[column] == bindparam("value")),
        person_t.c.active.is_(True),
    )
    .order_by(person_t.c.id)
    for column in ("login", "email", "telegram_id")
}

_EVENT_COLUMNS = (
    event_t.c.id,
    event_t.c.ticket_no,
    event_t.c.seq,
    event_t.c.at,
    event_t.c.type,
    event_t.c.actor,
    event_t.c.data,
    event_t.c.prev,
    event_t.c.hash,
)


def office_from_row(row: Any) -> Office:
    """Domain Office from an `office` row."""
    comps = tuple(c for c in (row.components or "").split(";") if c)
    return Office(row.code, row.name, OfficeType(row.type), row.employees, comps, row.leaders_max)


def person_from_row(row: Any) -> Person:
    """Domain Person from a `person` row."""
    return Person(
        id=row.id,
        login=row.login,
        name=row.name,
        role=Role(row.role),
        jst=row.jst,
        contractor=row.contractor,
        email=row.email,
        telegram_id=row.telegram_id,
    )


def record_from_row(row: Any) -> dict[str, Any]:
    """The SPEC §4.3 event record (with prev and hash) from an `event` row."""
    record = make_record(
        format_ticket_id(row.ticket_no),
        row.seq,
        datetime.fromisoformat(row.at),
        row.type,
        row.actor,
        json.loads(row.data),
    )
    record["at"] = row.at  # exactly as stored and hashed
    record["prev"] = row.prev
    record["hash"] = row.hash
    return record


class Tx(KbTxMixin, OutboxTxMixin, MailTxMixin, TelegramTxMixin, SlaTxMixin):
    """Repository bound to one transaction (implements services.ports.Repo)."""

    def __init__(self, conn: Connection, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres
        self.fast = PreparedRunner(conn)
        # Offices and people read within this transaction: the ticket service and every notice
        # listener ask for the same author, office and leaders; writes to either table clear it.
        self._registry: dict[tuple[Any, ...], Any] = {}

    def _forget_registry(self) -> None:
        self._registry.clear()

    def _registered(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        """The registry value for `key`, loaded on the first ask within this transaction."""
        if key not in self._registry:
            self._registry[key] = load()
        value: T = self._registry[key]
        return value

    # --- offices and people -------------------------------------------------------------
    def get_office(self, code: str) -> Office | None:
        """The office with TERYT `code`, or None."""

        def load() -> Office | None:
            row = self.fast.first(_OFFICE_BY_CODE, {"code": code})
            return office_from_row(row) if row else None

        return self._registered(("office", code), load)

    def person_by_id(self, person_id: int) -> Person | None:
        """The person with `person_id`, or None."""

        def load() -> Person | None:
            row = self.fast.first(_PERSON_BY_ID, {"id": person_id})
            return person_from_row(row) if row else None

        return self._registered(("person", person_id), load)

    def people_of_office(self, code: str, role: str | None = None) -> list[Person]:
        """Active people of an office, optionally of one role."""

        def load() -> list[Person]:
            if role:
                rows = self.fast.all(_OFFICE_PEOPLE_OF_ROLE, {"jst": code, "role": role})
            else:
                rows = self.fast.all(_OFFICE_PEOPLE, {"jst": code})
            return [person_from_row(r) for r in rows]

        return list(self._registered(("office_people", code, role), load))

    def people_by_role(self, role: str, contractor: str | None = None) -> list[Person]:
        """Active people of a role (agents optionally of one contractor)."""
        q = select(person_t).where(person_t.c.role == role, person_t.c.active.is_(True))
        if contractor:
            q = q.where(person_t.c.contractor == contractor)
        return [person_from_row(r) for r in self.conn.execute(q.order_by(person_t.c.id))]

    # --- the log ------------------------------------------------------------------------
    def _lock_head(self) -> Any:
        head = self.fast.first(_HEAD_LOCKED if self.postgres else _HEAD, {})
        if head is None:
            raise Unavailable("baza danych nie jest zainicjowana: uruchom `helpdesk init`")
        return head

    def _append_locked(
        self,
        head: Any,
        no: int,
        seq: int,
        type_: str,
        actor: str | None,
        at: datetime,
        data: Mapping[str, Any] | None,
    ) -> tuple[Any, dict[str, Any]]:
        record = make_record(format_ticket_id(no), seq, at, type_, actor, data)
        prev = head.last_hash
        digest = chain_hash(prev, record)
        position = head.event_count + 1
        extra = {k: v for k, v in record.items() if k not in ("ticket", "seq", "at", "type", "actor")}
        self.fast.execute(
            _EVENT_INSERT,
            keyed=True,
            params={
                "id": position,
                "ticket_no": no,
                "seq": seq,
                "at": record["at"],
                "at_utc": at,
                "type": type_,
                "actor": actor,
                "data": json.dumps(extra, ensure_ascii=False, sort_keys=True),
                "prev": prev,
                "hash": digest,
            },
        )
        record["prev"], record["hash"] = prev, digest
        return _Head(digest, position, head.last_ticket_no), record

    def new_ticket(
        self, fields: Mapping[str, Any], record_data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Allocate a number, insert the ticket and its `created` event; return (ticket row, record)."""
        head = self._lock_head()
        no = head.last_ticket_no + 1
        values = {
            **_NEW_TICKET_DEFAULTS,
            "no": no,
            "created_at": at,
            "updated_at": at,
            "last_seq": 1,
            **fields,
        }
        self.fast.execute(_TICKET_INSERT, values, keyed=True)
        new_head, record = self._append_locked(head, no, 1, "created", actor, at, record_data)
        self.fast.execute(
            _HEAD_UPDATE,
            {"last_hash": new_head.last_hash, "event_count": new_head.event_count, "last_ticket_no": no},
            keyed=True,
        )
        # Every column was given, so the row is what was inserted (no read-back, no type parsing).
        return {column: values[column] for column in _TICKET_COLUMNS}, record

    def append(
        self, no: int, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Append one event to ticket `no` (next seq) and to the chain; return the record."""
        head = self._lock_head()
        last_seq = self.fast.first(_TICKET_SEQ, {"no": no}).last_seq
        new_head, record = self._append_locked(head, no, last_seq + 1, type_, actor, at, data)
        self.fast.execute(
            _HEAD_UPDATE, {"last_hash": new_head.last_hash, "event_count": new_head.event_count}, keyed=True
        )
        self.fast.execute(
            _TICKET_UPDATE, {"ticket_no_": no, "last_seq": last_seq + 1, "updated_at": at}, keyed=True
        )
        return record

    def events(self, no: int) -> list[dict[str, Any]]:
        """All event records of one ticket, in seq order."""
        rows = self.conn.execute(
            select(*_EVENT_COLUMNS).where(event_t.c.ticket_no == no).order_by(event_t.c.seq)
        )
        return [record_from_row(r) for r in rows]

    def iter_log(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every event of the whole log in chain order, in batches (for export and verify)."""
        last = 0
        while True:
            rows = self.conn.execute(
                select(*_EVENT_COLUMNS).where(event_t.c.id > last).order_by(event_t.c.id).limit(batch)
            ).all()
            if not rows:
                return
            for row in rows:
                yield record_from_row(row)
            last = rows[-1].id

    def head(self) -> tuple[str, int]:
        """(hash of the last event, number of events) — what reports cite."""
        row = self.conn.execute(select(head_t).where(head_t.c.id == 1)).first()
        return (row.last_hash, row.event_count) if row else (GENESIS_HASH, 0)

    # --- tickets ------------------------------------------------------------------------
    def ticket(self, no: int, *, lock: bool = False) -> dict[str, Any] | None:
        """The ticket row as a dict, or None."""
        q = _TICKET_BY_NO.with_for_update() if lock and self.postgres else _TICKET_BY_NO
        row = self.fast.first(q, {"no": no})
        return row._asdict() if row else None  # type: ignore[no-any-return]

    def update_ticket(self, no: int, values: Mapping[str, Any]) -> None:
        """Update the projection columns of a ticket."""
        if values:
            self.conn.execute(update(ticket_t).where(ticket_t.c.no == no).values(**values))

    def list_tickets(
        self, where: Mapping[str, Any], scope: Person, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of tickets visible to `scope` matching `where`, newest first, and the total."""
        conds = []
        if scope.role is Role.OFFICIAL:
            conds.append(ticket_t.c.author_id == scope.id)
        elif scope.role in (Role.LEADER, Role.REPRESENTATIVE):
            conds.append(ticket_t.c.office == scope.jst)
        elif scope.role is Role.AGENT:
            conds.append(ticket_t.c.contractor == scope.contractor)
        elif scope.role not in SEE_ALL_ROLES:
            conds.append(ticket_t.c.no < 0)
        for key, value in where.items():
            column = ticket_t.c[key]
            conds.append(column.in_(value) if isinstance(value, list | tuple) else column == value)
        total = self.conn.execute(select(func.count()).select_from(ticket_t).where(*conds)).scalar_one()
        rows = self.conn.execute(
            select(ticket_t).where(*conds).order_by(ticket_t.c.no.desc()).limit(limit).offset(offset)
        )
        return [dict(r._mapping) for r in rows], int(total)

    # --- registry: offices, people, credentials ------------------------------------------
    def upsert_office(self, office: Office) -> bool:
        """Insert or update an office; True if it was new."""
        self._forget_registry()
        values = {
            "name": office.name,
            "type": office.type.value,
            "employees": office.employees,
            "components": ";".join(office.components),
            "leaders_max": office.leaders_max,
        }
        if self.get_office(office.code) is None:
            self.conn.execute(insert(office_t).values(code=office.code, **values))
            return True
        self.conn.execute(update(office_t).where(office_t.c.code == office.code).values(**values))
        return False

    def list_offices(self) -> list[Office]:
        """Every office, by code."""
        return [office_from_row(r) for r in self.conn.execute(select(office_t).order_by(office_t.c.code))]

    def count_role_in_office(self, code: str, role: str) -> int:
        """How many active people of `role` the office has."""
        return int(
            self.conn.execute(
                select(func.count())
                .select_from(person_t)
                .where(person_t.c.jst == code, person_t.c.role == role, person_t.c.active.is_(True))
            ).scalar_one()
        )

    def add_person(self, values: Mapping[str, Any]) -> Person:
        """Insert a person and return it."""
        self._forget_registry()
        new_id = self.conn.execute(insert(person_t).values(**values).returning(person_t.c.id)).scalar_one()
        person = self.person_by_id(int(new_id))
        assert person is not None
        return person

    def person_by(self, column: str, value: Any) -> Person | None:
        """The active person whose `column` (login, email, telegram_id) equals `value`."""
        if column not in _PERSON_BY:
            raise ValueError(f"person_by: unknown column {column!r}")
        param = str(value).lower() if column in ("login", "email") else value
        row = self.fast.first(_PERSON_BY[column], {"value": param})
        return person_from_row(row) if row else None

    def set_person(self, person_id: int, values: Mapping[str, Any]) -> None:
        """Update columns of a person (password hash, telegram id, …)."""
        self._forget_registry()
        self.conn.execute(update(person_t).where(person_t.c.id == person_id).values(**values))

    def password_hash(self, person_id: int) -> str | None:
        """The stored password hash of a person."""
        return self.conn.execute(select(person_t.c.password_hash).where(person_t.c.id == person_id)).scalar()

    def add_credential(
        self, digest: str, kind: str, person_id: int, at: datetime, expires_at: datetime | None
    ) -> None:
        """Store the digest of a token, session or link code."""
        self.conn.execute(
            insert(credential_t).values(
                digest=digest, kind=kind, person_id=person_id, created_at=at, expires_at=expires_at
            )
        )

    def credential(self, digest: str, kind: str) -> tuple[Person, Any] | None:
        """(person, credential row) for a digest of `kind`, or None."""
        row = self.conn.execute(
            select(credential_t).where(credential_t.c.digest == digest, credential_t.c.kind == kind)
        ).first()
        if row is None:
            return None
        person = self.person_by_id(row.person_id)
        return (person, row) if person else None

    def use_credential(self, digest: str, at: datetime) -> None:
        """Mark a one-time credential as used."""
        self.conn.execute(update(credential_t).where(credential_t.c.digest == digest).values(used_at=at))

    def drop_credential(self, digest: str) -> None:
        """Forget a session or token."""
        self.conn.execute(delete(credential_t).where(credential_t.c.digest == digest))

    # --- outbox -------------------------------------------------------------------------
    def enqueue(
        self,
        channel: str,
        recipient: str,
        subject: str,
        body: str,
        *,
        at: datetime,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
        ticket_no: int | None = None,
        dedupe: str | None = None,
    ) -> bool:
        """Put a message in the outbox; False if `dedupe` was already used."""
        statement = (
            _OUTBOX_INSERT
            if dedupe is None
            else _OUTBOX_INSERT_ONCE["postgresql" if self.postgres else "sqlite"]
        )
        return bool(
            self.fast.execute(
                statement,
                keyed=True,
                params={
                    "channel": channel,
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "html": html,
                    "headers": json.dumps(dict(headers or {}), ensure_ascii=False),
                    "ticket_no": ticket_no,
                    "dedupe": dedupe,
                    "created_at": at,
                    "next_attempt_at": at,
                    "attempts": 0,
                },
            )
        )


class _Head:
    """The chain head after an append within the current transaction."""

    __slots__ = ("event_count", "last_hash", "last_ticket_no")

    def __init__(self, last_hash: str, event_count: int, last_ticket_no: int) -> None:
        self.last_hash, self.event_count, self.last_ticket_no = last_hash, event_count, last_ticket_no


class SqlDatabase:
    """Units of work on SQLite or PostgreSQL (implements services.ports.Database)."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = normalise_url(url)
        self.sqlite = is_sqlite(self.url)
        self.engine: Engine = make_engine(self.url, pool_size=pool_size)
        # SQLite readers must not take the write lock: a second engine with deferred BEGIN.
        self.read_engine: Engine = self.engine
        if self.sqlite:
            from sqlalchemy import create_engine, event

            from helpdesk.adapters.db.engine import _sqlite_pragmas

            self.read_engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=pool_size,
                max_overflow=pool_size,
            )
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
            event.listen(self.read_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        # SQLite has one writer: concurrent writes of this process share transactions (group_commit).
        self._committer = GroupCommitter(self._run_sqlite_batch) if self.sqlite else None

    def write(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` in a write transaction (committed if it returns, rolled back if it raises).

        On SQLite, `fn` may share the transaction with other concurrent writes, each isolated by
        a savepoint: its own failure rolls back only its own work. It returns after the commit.
        """
        try:
            if self._committer is not None:
                return self._committer.submit(fn)
            with self.engine.begin() as conn:
                return fn(Tx(conn, True))
        except OperationalError as err:
            raise Unavailable("baza danych jest chwilowo niedostępna; spróbuj ponownie") from err

    def _run_sqlite_batch(self, units: list[Unit[Any]]) -> None:
        """Run queued units of work in one SQLite transaction, a savepoint each; commit once."""
        if len(units) == 1:  # the common case when idle: no savepoint needed
            unit = units[0]
            try:
                with self.engine.begin() as conn:
                    unit.result = unit.run(Tx(conn, False))
            except Exception as err:
                unit.error, unit.result = err, None
            return
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

    def read(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` in a read transaction."""
        try:
            with self.read_engine.begin() as conn:
                return fn(Tx(conn, not self.sqlite))
        except OperationalError as err:
            raise Unavailable("baza danych jest chwilowo niedostępna; spróbuj ponownie") from err

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

    def close(self) -> None:
        """Dispose of the connection pools."""
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
