"""Outbox rows: claim due messages (SKIP LOCKED on PostgreSQL), mark them sent, failed or given up."""

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from helpdesk.adapters.db.tables import OutboxRow

outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]


class OutboxTxMixin:
    """Outbox methods of the repository (mixed into store.Tx)."""

    conn: Connection
    postgres: bool

    def outbox_claim(self, channel: str, now: datetime, lease: timedelta, limit: int) -> list[dict[str, Any]]:
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
    ) -> list[dict[str, Any]]:
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
