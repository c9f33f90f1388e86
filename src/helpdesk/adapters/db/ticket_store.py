"""Tickets and their events (mixed into tx.Tx): the hash-chained log, the ticket projection, lists.

Appends lock the single `log_head` row, so ticket numbers and the hash chain stay gapless and
linear under any concurrency: on PostgreSQL with `SELECT … FOR UPDATE`, on SQLite because every
write transaction starts with `BEGIN IMMEDIATE` (and, within one process, a lock avoids busy waits).
Opening a ticket and appending an event are the hot path: their statements are built once and run
through the prepared runner (adapters/db/prepared.py).
"""

import json
import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, case, func, insert, or_, select, update

from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import EventRow, LogHeadRow, PersonRow, TicketRow
from helpdesk.domain.audit import BrokenRow, StoredEvent, TicketFacts, log_record
from helpdesk.domain.errors import Conflict, Unavailable
from helpdesk.domain.events import (
    GENESIS_HASH,
    LOG_TICKET,
    PERSONAL,
    PERSONAL_DIGEST,
    chain_hash,
    make_record,
    seal,
    unseal,
)
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.ports import EventRecord, Row, Ticket

ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
event_t = EventRow.__table__  # type: ignore[attr-defined]
head_t = LogHeadRow.__table__  # type: ignore[attr-defined]
_person_t = PersonRow.__table__  # type: ignore[attr-defined]

_PRIORITY_RANK = case({"critical": 0, "high": 1, "normal": 2, "low": 3}, value=ticket_t.c.priority, else_=4)
# How many first-line reminders an untaken new ticket has raised (0 for any other ticket): the
# leaders' "first line" order puts the ones whose target passed longest ago first, while the
# stored due instant of those is the next reminder's, or none after the last one.
_OVERDUE_LEVEL = case(
    (
        (ticket_t.c.state == "new") & ticket_t.c.assignee.is_(None) & ticket_t.c.escalated.is_(False),
        ticket_t.c.first_line_level,
    ),
    else_=0,
)
_ORDER: dict[str, tuple[Any, ...]] = {
    "newest": (ticket_t.c.no.desc(),),
    "oldest": (ticket_t.c.no.asc(),),
    "updated": (ticket_t.c.updated_at.desc(), ticket_t.c.no.desc()),
    "priority": (_PRIORITY_RANK, ticket_t.c.no.desc()),
    "deadline": (ticket_t.c.next_deadline.is_(None), ticket_t.c.next_deadline.asc(), ticket_t.c.no.asc()),
    "first_line": (
        _OVERDUE_LEVEL.desc(),
        ticket_t.c.first_line_due.is_(None),
        ticket_t.c.first_line_due.asc(),
        ticket_t.c.no.asc(),
    ),
}
"""The orders a ticket list may take (the ticket service names them for people)."""
_OPEN_STATES = ("new", "in_progress", "waiting", "escalated", "acknowledged", "workaround", "reopened")

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
    "system": None,
}

_EVENT_COLUMNS = (
    event_t.c.id,
    event_t.c.ticket_no,
    event_t.c.seq,
    event_t.c.at,
    event_t.c.at_utc,
    event_t.c.type,
    event_t.c.actor,
    event_t.c.data,
    event_t.c.personal,
    event_t.c.prev,
    event_t.c.hash,
)


def stored_event(row: Any) -> StoredEvent:
    """The `event` row as the audit reads it."""
    return StoredEvent(
        row.id,
        row.ticket_no,
        row.seq,
        row.at,
        row.at_utc,
        row.type,
        row.actor,
        row.data,
        row.personal,
        row.prev,
        row.hash,
    )


def log_record_from_row(row: Any) -> EventRecord:
    """The event in its log form (personal content under `personal`), as exported and hashed."""
    try:
        return log_record(stored_event(row))
    except BrokenRow as err:
        raise Conflict(
            f"zdarzenie nr {row.id} ({format_ticket_id(row.ticket_no)}, seq {row.seq}) jest uszkodzone: "
            f"{err}; sprawdź dziennik: helpdesk audit verify"
        ) from None


def record_from_row(row: Any) -> EventRecord:
    """The event record the services use (flat, with prev and hash) from an `event` row."""
    return unseal(log_record_from_row(row))


class _Head:
    """The chain head after an append within the current transaction."""

    __slots__ = ("event_count", "last_hash", "last_ticket_no")

    def __init__(self, last_hash: str, event_count: int, last_ticket_no: int) -> None:
        self.last_hash, self.event_count, self.last_ticket_no = last_hash, event_count, last_ticket_no


class TicketTxMixin:
    """Ticket and event methods of the repository (services.ports.TicketRepo)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner

    # --- the log ------------------------------------------------------------------------
    def _lock_head(self) -> Any:
        # Within one transaction the head, once locked, is what this transaction last wrote.
        if self.fast.head is not None:
            return self.fast.head
        head = self.fast.first(_HEAD_LOCKED if self.postgres else _HEAD, {})
        if head is None:
            raise Unavailable("baza danych nie jest zainicjowana: uruchom `helpdesk init`")
        return head

    def _move_head(self, head: "_Head", last_ticket_no: int | None = None) -> None:
        """Write the chain's new head (deferred, and only the batch's last value is sent)."""
        if last_ticket_no is not None:
            head = _Head(head.last_hash, head.event_count, last_ticket_no)
        # Every column, always: the head's whole state is known here, and one column set is one
        # prepared statement that a later append's value can replace (PreparedRunner.defer_latest).
        values = {
            "last_hash": head.last_hash,
            "event_count": head.event_count,
            "last_ticket_no": head.last_ticket_no,
        }
        self.fast.defer_latest("log_head", _HEAD_UPDATE, values, keyed=True)
        if self.fast.deferring:
            self.fast.head = head

    def _append_locked(
        self,
        head: Any,
        no: int,
        seq: int,
        type_: str,
        actor: str | None,
        at: datetime,
        data: Mapping[str, Any] | None,
    ) -> tuple[Any, EventRecord]:
        record = make_record(format_ticket_id(no), seq, at, type_, actor, data)
        logged = seal(record, secrets.token_hex(16))
        prev = head.last_hash
        digest = chain_hash(prev, logged)
        position = head.event_count + 1
        personal = logged.pop(PERSONAL, None)
        extra = {k: v for k, v in logged.items() if k not in ("ticket", "seq", "at", "type", "actor")}
        self.fast.defer(
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
                "personal": json.dumps(personal, ensure_ascii=False, sort_keys=True) if personal else None,
                "prev": prev,
                "hash": digest,
            },
        )
        if personal:
            record[PERSONAL_DIGEST] = logged[PERSONAL_DIGEST]
        record["prev"], record["hash"] = prev, digest
        return _Head(digest, position, head.last_ticket_no), record

    def new_ticket(
        self, fields: Mapping[str, Any], record_data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[Ticket, EventRecord]:
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
        self.fast.defer(_TICKET_INSERT, values, keyed=True)
        new_head, record = self._append_locked(head, no, 1, "created", actor, at, record_data)
        self._move_head(new_head, last_ticket_no=no)
        # Every column was given, so the row is what was inserted (no read-back, no type parsing).
        return cast(Ticket, {column: values[column] for column in _TICKET_COLUMNS}), record

    def append(
        self, no: int, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> EventRecord:
        """Append one event to ticket `no` (next seq) and to the chain; return the record."""
        head = self._lock_head()
        last_seq = self.fast.first(_TICKET_SEQ, {"no": no}).last_seq
        new_head, record = self._append_locked(head, no, last_seq + 1, type_, actor, at, data)
        self._move_head(new_head)
        self.fast.defer(
            _TICKET_UPDATE, {"ticket_no_": no, "last_seq": last_seq + 1, "updated_at": at}, keyed=True
        )
        return record

    def append_log(
        self, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> EventRecord:
        """Append an event about something other than a ticket (`T-000000`) to the chain."""
        head = self._lock_head()
        last_seq = (
            self.conn.execute(
                select(func.max(event_t.c.seq)).where(event_t.c.ticket_no == LOG_TICKET)
            ).scalar()
            or 0
        )
        new_head, record = self._append_locked(head, LOG_TICKET, int(last_seq) + 1, type_, actor, at, data)
        self._move_head(new_head)
        return record

    def events(self, no: int) -> list[EventRecord]:
        """All event records of one ticket, in seq order."""
        rows = self.conn.execute(
            select(*_EVENT_COLUMNS).where(event_t.c.ticket_no == no).order_by(event_t.c.seq)
        )
        return [record_from_row(r) for r in rows]

    def _rows_in_chain_order(self, batch: int) -> Iterator[Any]:
        """Every row of `event` by id — all of them: no lower bound hides a row stored at id 0 or below."""
        last: int | None = None
        while True:
            q = select(*_EVENT_COLUMNS).order_by(event_t.c.id).limit(batch)
            if last is not None:
                q = q.where(event_t.c.id > last)
            rows = self.conn.execute(q).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def log_rows(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event as it is, in chain order (what `audit verify` checks)."""
        return (stored_event(row) for row in self._rows_in_chain_order(batch))

    def iter_log(self, batch: int = 5000) -> Iterator[EventRecord]:
        """Every event of the whole log in chain order, in its log form (export); Conflict on a broken row."""
        return (log_record_from_row(row) for row in self._rows_in_chain_order(batch))

    def head(self) -> tuple[str, int]:
        """(hash of the last event, number of events) as `log_head` stores them."""
        row = self.conn.execute(select(head_t).where(head_t.c.id == 1)).first()
        return (row.last_hash, row.event_count) if row else (GENESIS_HASH, 0)

    def log_extent(self) -> tuple[int, int | None, int | None, str | None]:
        """(number of event rows, lowest id, highest id, hash of the highest): a cheap look at the log."""
        count, low, high = self.conn.execute(
            select(func.count(), func.min(event_t.c.id), func.max(event_t.c.id)).select_from(event_t)
        ).one()
        last = None
        if high is not None:
            last = self.conn.execute(select(event_t.c.hash).where(event_t.c.id == high)).scalar()
        return int(count), low, high, last

    def ticket_facts(self, batch: int = 5000) -> Iterator[TicketFacts]:
        """Every ticket row's columns that reports and access control rely on, with its author's login."""
        last = -1
        columns = (
            ticket_t.c.no,
            ticket_t.c.office,
            _person_t.c.login,
            ticket_t.c.component,
            ticket_t.c.state,
            ticket_t.c.escalated,
            ticket_t.c.priority,
            ticket_t.c.contract,
            ticket_t.c.contractor,
            ticket_t.c.last_seq,
        )
        while True:
            rows = self.conn.execute(
                select(*columns)
                .select_from(ticket_t.outerjoin(_person_t, _person_t.c.id == ticket_t.c.author_id))
                .where(ticket_t.c.no > last)
                .order_by(ticket_t.c.no)
                .limit(batch)
            ).all()
            if not rows:
                return
            for r in rows:
                yield TicketFacts(
                    r.no,
                    r.office,
                    r.login,
                    r.component,
                    r.state,
                    bool(r.escalated),
                    r.priority,
                    r.contract,
                    r.contractor,
                    r.last_seq,
                )
            last = rows[-1].no

    # --- tickets ------------------------------------------------------------------------
    def ticket(self, no: int, *, lock: bool = False) -> Ticket | None:
        """The ticket row as a dict, or None."""
        q = _TICKET_BY_NO.with_for_update() if lock and self.postgres else _TICKET_BY_NO
        row = self.fast.first(q, {"no": no})
        return cast(Ticket, row._asdict()) if row else None

    def update_ticket(self, no: int, values: Mapping[str, Any]) -> None:
        """Update the projection columns of a ticket."""
        if values:
            self.conn.execute(update(ticket_t).where(ticket_t.c.no == no).values(**values))

    def office_overview(self) -> list[Row]:
        """Per office with open tickets: open, untaken, escalated, breached, the oldest open one's
        time, and the open tickets per assignee (`load`: login → count).

        Two aggregate queries, each answered from an index and returning a few hundred rows, never
        one per ticket: the open tickets per office and assignee (counted inside the database from
        the covering (state, office, escalated, assignee, created_at) index, then summed per office
        here), and the breached ones from the `sla_breached` events (event type index). The closed
        tickets are never read.
        """
        open_ = ticket_t.c.state.in_(_OPEN_STATES)
        # Grouping by the bare column lets SQLite's planner walk the whole (office, state) index in
        # office order to skip a sort — reading every closed ticket's row too (~70 ms at 100,000
        # tickets instead of ~15). The same value wrapped in coalesce (office is never NULL) keeps
        # it on the open states of the covering index; PostgreSQL plans both alike.
        office = func.coalesce(ticket_t.c.office, "")
        untaken = case(
            (ticket_t.c.assignee.is_(None) & ticket_t.c.state.in_(("new", "reopened")), 1), else_=0
        )
        groups = self.conn.execute(
            select(
                office,
                ticket_t.c.assignee,
                func.count(),
                func.sum(untaken),
                func.sum(case((ticket_t.c.escalated, 1), else_=0)),
                func.min(ticket_t.c.created_at),
            )
            .where(open_)
            .group_by(office, ticket_t.c.assignee)
        )
        out: dict[str, Row] = {}
        for code, assignee, count, untaken_n, escalated, oldest in groups:
            o = out.setdefault(
                code,
                {
                    "office": code,
                    "open": 0,
                    "untaken": 0,
                    "escalated": 0,
                    "breached": 0,
                    "oldest": oldest,
                    "load": {},
                },
            )
            o["open"] += int(count)
            o["untaken"] += int(untaken_n or 0)
            o["escalated"] += int(escalated or 0)
            o["oldest"] = min(o["oldest"], oldest)
            if assignee is not None:
                o["load"][assignee] = int(count)
        breached_nos = select(event_t.c.ticket_no).where(event_t.c.type == "sla_breached")
        breached = self.conn.execute(
            select(ticket_t.c.office, func.count())
            .where(ticket_t.c.no.in_(breached_nos), open_)
            .group_by(ticket_t.c.office)
        )
        for code, count in breached:
            if code in out:
                out[code]["breached"] = int(count)
        return [out[k] for k in sorted(out)]

    def list_tickets(
        self, where: Mapping[str, Any], scope: Person, limit: int, offset: int, sort: str = "newest"
    ) -> tuple[list[Ticket], int]:
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
            if key == "q":  # (text, ticket number or None): in the title or description, or the number
                text, number = value
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                # SQLite's LIKE already ignores ASCII case (ilike would add lower() to every row).
                like = "like" if self.conn.dialect.name == "sqlite" else "ilike"
                found = or_(
                    getattr(ticket_t.c.title, like)(pattern, escape="\\"),
                    getattr(ticket_t.c.description, like)(pattern, escape="\\"),
                )
                conds.append(or_(found, ticket_t.c.no == number) if number is not None else found)
            elif key == "breached":
                # The few breached tickets first (event type index), then probed per ticket.
                breached = select(event_t.c.ticket_no).where(event_t.c.type == "sla_breached")
                conds.append(ticket_t.c.no.in_(breached) if value else ticket_t.c.no.notin_(breached))
            elif value is None:
                conds.append(ticket_t.c[key].is_(None))
            else:
                column = ticket_t.c[key]
                conds.append(column.in_(value) if isinstance(value, list | tuple) else column == value)
        # The page's numbers first (sorting narrow rows), then those rows whole.
        numbers = select(ticket_t.c.no).where(*conds).order_by(*_ORDER[sort]).limit(limit).offset(offset)
        if "q" in where:
            # A text search reads every candidate row (no index holds the words), so the matches are
            # counted in that same pass instead of reading them all a second time for the total.
            matched = self.conn.execute(numbers.add_columns(func.count().over())).all()
            page = [no for no, _ in matched]
            total: int | None = int(matched[0][1]) if matched else None
        else:
            page = [no for (no,) in self.conn.execute(numbers)]
            total = None
        if total is None:
            total = self.conn.execute(select(func.count()).select_from(ticket_t).where(*conds)).scalar_one()
        by_no = (
            {r.no: r for r in self.conn.execute(select(ticket_t).where(ticket_t.c.no.in_(page)))}
            if page
            else {}
        )
        # Which of the page's tickets had a contractor's clock run out: a queue shows it even when
        # no deadline is left to count down (every clock already breached).
        ran_out = (
            set(
                self.conn.execute(
                    select(event_t.c.ticket_no)
                    .where(event_t.c.type == "sla_breached", event_t.c.ticket_no.in_(page))
                    .distinct()
                ).scalars()
            )
            if page
            else set()
        )
        return [
            cast(Ticket, {**by_no[no]._mapping, "breached": no in ran_out}) for no in page if no in by_no
        ], int(total)
