"""Outbox rows (mixed into tx.Tx): queue a message once, claim due ones (SKIP LOCKED on PostgreSQL),
mark them sent, failed or given up."""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import OutboxRow
from helpdesk.services.ports import Row

outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]

_OUTBOX_INSERT = insert(outbox_t)
# A message with a used dedupe key is skipped by the database itself (one statement, race-free).
_OUTBOX_INSERT_ONCE = {
    "sqlite": sqlite_insert(outbox_t).on_conflict_do_nothing(index_elements=["dedupe"]),
    "postgresql": pg_insert(outbox_t).on_conflict_do_nothing(index_elements=["dedupe"]),
}


class OutboxTxMixin:
    """Outbox methods of the repository (services.ports.OutboxRepo)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner

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
        fresh: bool = False,
    ) -> bool:
        """Put a message in the outbox; False if `dedupe` was already used.

        A `fresh` message (services/ports.py) is a deferred write on PostgreSQL batches
        (adapters/db/prepared.py): nobody waits for its row count, so a new ticket's notices cost
        no round trip while the batch holds the chain head's lock. The statement still skips a used
        key, so a caller wrong about freshness gets no duplicate, only a count one too high.
        """
        statement = (
            _OUTBOX_INSERT
            if dedupe is None
            else _OUTBOX_INSERT_ONCE["postgresql" if self.postgres else "sqlite"]
        )
        params = {
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
        }
        if fresh and self.fast.deferring:
            self.fast.defer(statement, params, keyed=True)
            return True
        return bool(self.fast.execute(statement, keyed=True, params=params))

    def outbox_claim(self, channel: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
        """Due unsent messages of `channel`, leased to the caller until now + lease."""
        q = (
            select(outbox_t)
            .where(
                outbox_t.c.channel == channel,
                outbox_t.c.sent_at.is_(None),
                outbox_t.c.given_up_at.is_(None),
                outbox_t.c.next_attempt_at <= now,
            )
            .order_by(outbox_t.c.next_attempt_at, outbox_t.c.id)
            .limit(limit)
        )
        if self.postgres:
            q = q.with_for_update(skip_locked=True)
        rows = [dict(r._mapping) for r in self.conn.execute(q)]
        if rows:
            self.conn.execute(
                update(outbox_t)
                .where(outbox_t.c.id.in_([r["id"] for r in rows]))
                .values(next_attempt_at=now + lease)
            )
        for row in rows:
            row["headers"] = json.loads(row["headers"] or "{}")
        return rows

    def outbox_done(self, message_id: int, now: datetime) -> None:
        """Mark a message sent."""
        self.conn.execute(
            update(outbox_t).where(outbox_t.c.id == message_id).values(sent_at=now, last_error=None)
        )

    def outbox_failed(self, message_id: int, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and schedule the next one."""
        self.conn.execute(
            update(outbox_t)
            .where(outbox_t.c.id == message_id)
            .values(attempts=outbox_t.c.attempts + 1, last_error=error[:1000], next_attempt_at=retry_at)
        )

    def outbox_give_up(self, message_id: int, error: str, at: datetime) -> None:
        """Count a last failed attempt and stop trying (until someone asks for a retry)."""
        self.conn.execute(
            update(outbox_t)
            .where(outbox_t.c.id == message_id)
            .values(attempts=outbox_t.c.attempts + 1, last_error=error[:1000], given_up_at=at)
        )

    def outbox_retry(self, message_ids: list[int] | None, now: datetime) -> int:
        """Make given-up messages due again (all of them when `message_ids` is None); how many."""
        q = update(outbox_t).where(outbox_t.c.sent_at.is_(None), outbox_t.c.given_up_at.is_not(None))
        if message_ids is not None:
            q = q.where(outbox_t.c.id.in_(message_ids))
        return int(self.conn.execute(q.values(given_up_at=None, attempts=0, next_attempt_at=now)).rowcount)

    def outbox_pending(self, channel: str | None = None) -> int:
        """How many messages wait to be sent (given-up ones do not wait)."""
        q = (
            select(func.count())
            .select_from(outbox_t)
            .where(outbox_t.c.sent_at.is_(None), outbox_t.c.given_up_at.is_(None))
        )
        if channel:
            q = q.where(outbox_t.c.channel == channel)
        return int(self.conn.execute(q).scalar_one())

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Unsent messages by (channel, "pending" | "given_up"), for /metrics and the CLI."""
        state = (outbox_t.c.given_up_at.is_not(None)).label("given_up")
        rows = self.conn.execute(
            select(outbox_t.c.channel, state, func.count())
            .where(outbox_t.c.sent_at.is_(None))
            .group_by(outbox_t.c.channel, state)
        )
        return {
            (str(channel), "given_up" if given_up else "pending"): int(n) for channel, given_up, n in rows
        }

    def outbox_messages(
        self,
        channel: str | None = None,
        ticket_no: int | None = None,
        *,
        given_up: bool | None = None,
        unsent: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        """Messages (sent or not; only given-up or not given-up ones; only unsent), oldest first."""
        q = select(outbox_t).order_by(outbox_t.c.id)
        if channel:
            q = q.where(outbox_t.c.channel == channel)
        if ticket_no is not None:
            q = q.where(outbox_t.c.ticket_no == ticket_no)
        if given_up is not None:
            q = q.where(outbox_t.c.given_up_at.is_not(None) if given_up else outbox_t.c.given_up_at.is_(None))
        if unsent:
            q = q.where(outbox_t.c.sent_at.is_(None))
        if limit is not None:
            q = q.limit(limit)
        return [dict(r._mapping) for r in self.conn.execute(q)]
