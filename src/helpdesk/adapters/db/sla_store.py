"""Repository methods of the SLA engine (mixed into tx.Tx): sweep claims and report inputs.

The sweep reads only the two indexed deadline columns of `ticket`; on PostgreSQL the claim takes
row locks with `FOR UPDATE SKIP LOCKED`, so several workers share the due tickets without waiting
for or doubling each other. On SQLite every write transaction is `BEGIN IMMEDIATE`, which already
serialises the workers.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, literal, select

from helpdesk.adapters.db.tables import EventRow, TicketRow

_ticket = TicketRow.__table__  # type: ignore[attr-defined]
_event = EventRow.__table__  # type: ignore[attr-defined]

# Event types the SLA clocks read (domain/sla.py), plus the escalation that selects the ticket
# and what the first line's clocks read (created, assigned, replied).
_CLOCK_TYPES = (
    "created",
    "assigned",
    "replied",
    "escalated",
    "acknowledged",
    "workaround",
    "resolved",
    "paused",
    "resumed",
    "reopened",
    "priority_changed",
)


class SlaTxMixin:
    """SLA methods of the repository."""

    conn: Connection
    postgres: bool

    # --- sweep ----------------------------------------------------------------------------
    def sla_anything_due(self, now: datetime) -> bool:
        """One indexed query: does any ticket have a deadline or first-line alert at or before `now`?"""
        sla_due = exists(select(_ticket.c.no).where(_ticket.c.next_deadline <= now))
        first_due = exists(select(_ticket.c.no).where(_ticket.c.first_line_due <= now))
        row = self.conn.execute(select(literal(1)).where(sla_due | first_due)).first()
        return row is not None

    def claim_sla_due(self, now: datetime, limit: int) -> list[int]:
        """Lock (PostgreSQL: skipping rows others hold) up to `limit` tickets whose deadline passed."""
        q = (
            select(_ticket.c.no)
            .where(_ticket.c.next_deadline <= now)
            .order_by(_ticket.c.next_deadline)
            .limit(limit)
        )
        if self.postgres:
            q = q.with_for_update(skip_locked=True)
        return [int(n) for n in self.conn.execute(q).scalars()]

    def claim_first_line_due(self, now: datetime, limit: int) -> list[int]:
        """Lock up to `limit` tickets whose first-line (office) deadline passed."""
        q = (
            select(_ticket.c.no)
            .where(_ticket.c.first_line_due <= now)
            .order_by(_ticket.c.first_line_due)
            .limit(limit)
        )
        if self.postgres:
            q = q.with_for_update(skip_locked=True)
        return [int(n) for n in self.conn.execute(q).scalars()]

    # --- report ---------------------------------------------------------------------------
    def sla_report_inputs(
        self,
        start: datetime,
        end: datetime,
        *,
        contract: str | None = None,
        office: str | None = None,
        contractor: str | None = None,
        batch: int = 20_000,
        created: bool = False,
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(ticket, clock events) of tickets with an `escalated` event in [start, end), by number
        (with `created`: of tickets opened in [start, end)).

        The ticket dict has `no`, `office`, `component`, `contractor`; events are records with
        `seq`, `at`, `type` and `contract`/`priority` when present, in seq order. The caller
        decides from the events whether the *first* escalation lies in the period.
        """
        escalated_in = (
            select(_event.c.ticket_no)
            .where(_event.c.type == "escalated", _event.c.at_utc >= start, _event.c.at_utc < end)
            .distinct()
            .scalar_subquery()
        )
        conds: list[Any] = [_ticket.c.no.in_(escalated_in)]
        if created:  # the first line's report: tickets opened in the period, escalated or not
            conds = [_ticket.c.created_at >= start, _ticket.c.created_at < end, _ticket.c.no > 0]
        if office is not None:
            conds.append(_ticket.c.office == office)
        if contractor is not None:
            conds.append(_ticket.c.contractor == contractor)
        if contract is not None:
            conds.append(_ticket.c.contract == contract)
        last = 0
        while True:
            tickets = self.conn.execute(
                select(_ticket.c.no, _ticket.c.office, _ticket.c.component, _ticket.c.contractor)
                .where(and_(*conds), _ticket.c.no > last)
                .order_by(_ticket.c.no)
                .limit(batch)
            ).all()
            if not tickets:
                return
            numbers = [t.no for t in tickets]
            events: dict[int, list[dict[str, Any]]] = {n: [] for n in numbers}
            rows = self.conn.execute(
                select(
                    _event.c.ticket_no,
                    _event.c.seq,
                    _event.c.at,
                    _event.c.type,
                    _event.c.actor,
                    _event.c.data,
                )
                .where(
                    _event.c.ticket_no >= numbers[0],
                    _event.c.ticket_no <= numbers[-1],
                    _event.c.type.in_(_CLOCK_TYPES),
                )
                .order_by(_event.c.ticket_no, _event.c.seq)
            )
            for row in rows:
                bucket = events.get(row.ticket_no)
                if bucket is None:
                    continue
                record: dict[str, Any] = {"seq": row.seq, "at": row.at, "type": row.type}
                if row.type in ("escalated", "priority_changed", "created", "assigned"):
                    data = json.loads(row.data)
                    record["contract"] = data.get("contract")
                    record["priority"] = data.get("priority")
                    record["office"] = data.get("office")
                    if row.type == "assigned":
                        record["assignee"] = data.get("assignee") or row.actor
                bucket.append(record)
            for t in tickets:
                yield (
                    {"no": t.no, "office": t.office, "component": t.component, "contractor": t.contractor},
                    events[t.no],
                )
            last = numbers[-1]
