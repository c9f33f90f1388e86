"""Delivery through the outbox: claim due messages, report success or failure, back off and retry.

Notices are written to the outbox inside the transaction that caused them; a sender (e-mail,
Telegram) claims them with a lease, so a crash or a second worker never loses or doubles one.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from helpdesk.services.ports import Clock

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class OutboxMessage:
    """One message to deliver."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    html: str | None
    headers: dict[str, str]
    ticket_no: int | None
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, … up to an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts, 0)), MAX_BACKOFF)


class OutboxService:
    """Claim, complete and retry outbox messages of one channel."""

    def __init__(self, db: Any, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def claim(self, channel: str, limit: int = 50) -> list[OutboxMessage]:
        """Due messages of `channel`, leased to this caller for a minute."""
        now = self.clock.now()
        rows = self.db.write(lambda tx: tx.outbox_claim(channel, now, LEASE, limit))
        return [OutboxMessage(id=r["id"], channel=r["channel"], recipient=r["recipient"], subject=r["subject"],
                              body=r["body"], html=r["html"], headers=r["headers"], ticket_no=r["ticket_no"],
                              attempts=r["attempts"]) for r in rows]

    def sent(self, message: OutboxMessage) -> None:
        """The message was delivered."""
        now = self.clock.now()
        self.db.write(lambda tx: tx.outbox_done(message.id, now))

    def failed(self, message: OutboxMessage, error: str) -> None:
        """Delivery failed; try again later with a growing pause."""
        retry_at = self.clock.now() + backoff(message.attempts)
        self.db.write(lambda tx: tx.outbox_failed(message.id, error, retry_at))

    def pending(self, channel: str | None = None) -> int:
        """How many messages still wait."""
        count: int = self.db.read(lambda tx: tx.outbox_pending(channel))
        return count
