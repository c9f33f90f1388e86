"""What the outbox hands over and lists (services/notify/outbox.py), on the in-memory fakes: a
claimed message exactly as it was queued, at most fifty at a time; the given-up list and the
pending count of one channel or of all."""

from helpdesk.adapters.clock import ManualClock
from helpdesk.services.notify.outbox import OutboxMessage, OutboxService
from tests.support.fakes import FakeDatabase
from tests.support.world import START


def outbox() -> tuple[OutboxService, FakeDatabase]:
    db = FakeDatabase()
    return OutboxService(db, ManualClock(START)), db


def queue(db: FakeDatabase, channel: str, recipient: str, **extra) -> None:
    db.write(lambda repo: repo.enqueue(channel, recipient, "Temat", "Treść", at=START, **extra))


def test_a_claimed_message_is_handed_over_exactly_as_it_was_queued():
    service, db = outbox()
    queue(db, "telegram", "5001", html="<b>x</b>", headers={"parse_mode": "HTML"}, ticket_no=7)
    assert service.claim("telegram") == [
        OutboxMessage(1, "telegram", "5001", "Temat", "Treść", "<b>x</b>", {"parse_mode": "HTML"}, 7, 0)
    ]


def test_at_most_fifty_messages_are_claimed_at_once_unless_asked_otherwise():
    service, db = outbox()
    for i in range(52):
        queue(db, "email", f"u{i}@example.pl")
    assert len(service.claim("email")) == 50
    assert [m.recipient for m in service.claim("email", limit=1)] == ["u50@example.pl"]
    assert [m.recipient for m in service.claim("email")] == ["u51@example.pl"]


def test_given_up_and_pending_messages_are_counted_per_channel_or_for_all():
    service, db = outbox()
    queue(db, "email", "a@example.pl")
    queue(db, "telegram", "5001")
    queue(db, "email", "b@example.pl")
    email_a, email_b = service.claim("email")
    [telegram] = service.claim("telegram")
    service.failed(email_a, "550 no such user", permanent=True)
    service.failed(telegram, "403 blocked", permanent=True)
    assert [m["recipient"] for m in service.given_up("telegram")] == ["5001"]
    assert [m["recipient"] for m in service.given_up("email")] == ["a@example.pl"]
    assert [m["recipient"] for m in service.given_up()] == ["a@example.pl", "5001"]
    assert [m["recipient"] for m in service.given_up(limit=1)] == ["a@example.pl"]
    assert (service.pending("email"), service.pending("telegram"), service.pending()) == (1, 0, 1)
    service.sent(email_b)
    assert service.pending() == 0
