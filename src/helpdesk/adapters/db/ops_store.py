"""What the operators' endpoints read (mixed into tx.Tx): outbox age, sweep lag, KB outcomes.

Every query here is bounded by an index (`ix_outbox_unsent`, `ticket.next_deadline`, `kb_query.at`),
so /metrics and /healthz stay cheap however long the help-desk has run.
"""

from datetime import datetime

from sqlalchemy import Connection, func, select

from helpdesk.adapters.db.tables import KbQueryRow, OutboxRow, TicketRow

_outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]
_ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
_kb_query_t = KbQueryRow.__table__  # type: ignore[attr-defined]


class OpsTxMixin:
    """Operators' figures (services.ports.OpsRepo)."""

    conn: Connection

    def outbox_oldest_pending(self) -> dict[str, datetime]:
        """Per channel, when the oldest message still waiting (not sent, not given up) was queued."""
        rows = self.conn.execute(
            select(_outbox_t.c.channel, func.min(_outbox_t.c.created_at))
            .where(_outbox_t.c.sent_at.is_(None), _outbox_t.c.given_up_at.is_(None))
            .group_by(_outbox_t.c.channel)
        )
        return {str(channel): at for channel, at in rows if at is not None}

    def earliest_deadline(self) -> datetime | None:
        """The earliest stored SLA deadline the sweep has still to act on (None when there is none)."""
        at: datetime | None = self.conn.execute(select(func.min(_ticket_t.c.next_deadline))).scalar()
        return at

    def kb_outcomes(self, since: datetime) -> dict[str, int]:
        """Knowledge-base questions since `since`: how many were answered and how many met silence."""
        rows = self.conn.execute(
            select(_kb_query_t.c.answered, func.count())
            .where(_kb_query_t.c.at >= since)
            .group_by(_kb_query_t.c.answered)
        )
        counts = {"answered": 0, "silent": 0}
        for answered, n in rows:
            counts["answered" if answered else "silent"] += int(n)
        return counts
