"""Delivery through the outbox: claim due messages, report success or failure, back off and retry.

Notices are written to the outbox inside the transaction that caused them; a sender (e-mail,
Telegram) claims them with a lease, so a crash or a second worker never loses or doubles one.

A message is given up on when the other side refuses it for good (a mailbox that does not exist,
a Telegram user who blocked the bot) or after MAX_ATTEMPTS failures (about a day and a half of
tries). It is never deleted and never reported as sent: it stays visible in `helpdesk outbox list
--given-up` and in /metrics (`helpdesk_outbox_messages{state="given_up"}`) until someone fixes the
cause and runs `helpdesk outbox retry`.
"""

from dataclasses import dataclass
from datetime import timedelta

from helpdesk.services.ports import Clock, Database, OutboxRepo, Row

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=1)
CHANNELS = ("email", "telegram")
"""The outbox channels; /metrics and `helpdesk outbox list` report each, even when empty."""
MAX_ATTEMPTS = 40  # 30 s, 1 min, 2 min … then hourly: about 36 hours of trying


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

    def __init__(self, db: Database[OutboxRepo], clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def claim(self, channel: str, limit: int = 50) -> list[OutboxMessage]:
        """Due messages of `channel`, leased to this caller for a minute."""
        now = self.clock.now()
        rows = self.db.write(lambda tx: tx.outbox_claim(channel, now, LEASE, limit))
        return [
            OutboxMessage(
                id=r["id"],
                channel=r["channel"],
                recipient=r["recipient"],
                subject=r["subject"],
                body=r["body"],
                html=r["html"],
                headers=r["headers"],
                ticket_no=r["ticket_no"],
                attempts=r["attempts"],
            )
            for r in rows
        ]

    def sent(self, message: OutboxMessage) -> None:
        """The message was delivered."""
        now = self.clock.now()
        self.db.write(lambda tx: tx.outbox_done(message.id, now))

    def failed(self, message: OutboxMessage, error: str, *, permanent: bool = False) -> bool:
        """Delivery failed; try again later with a growing pause, or give up.

        `permanent`: the other side refused the message for good, so retrying cannot help.
        Returns True when the message was given up on.
        """
        now = self.clock.now()
        if permanent or message.attempts + 1 >= MAX_ATTEMPTS:
            self.db.write(lambda tx: tx.outbox_give_up(message.id, error, now))
            return True
        retry_at = now + backoff(message.attempts)
        self.db.write(lambda tx: tx.outbox_failed(message.id, error, retry_at))
        return False

    def given_up(self, channel: str | None = None, limit: int = 1000) -> list[Row]:
        """Unsent messages given up on, oldest first."""
        return self.db.read(lambda tx: tx.outbox_messages(channel, given_up=True, unsent=True, limit=limit))

    def retry(self, message_ids: list[int] | None = None) -> int:
        """Make given-up messages due now (all when `message_ids` is None); how many were."""
        now = self.clock.now()
        return self.db.write(lambda tx: tx.outbox_retry(message_ids, now))

    def counts(self) -> dict[tuple[str, str], int]:
        """Unsent messages by (channel, "pending" | "given_up")."""
        return self.db.read(lambda tx: tx.outbox_counts())

    def pending(self, channel: str | None = None) -> int:
        """How many messages still wait."""
        return self.db.read(lambda tx: tx.outbox_pending(channel))
