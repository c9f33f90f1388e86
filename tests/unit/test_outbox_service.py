"""The outbox service on the in-memory fakes: leases, back-off, giving up, retrying."""

from datetime import timedelta

from helpdesk.adapters.clock import ManualClock
from helpdesk.services.notify.outbox import LEASE, MAX_ATTEMPTS, OutboxService, backoff
from tests.support.fakes import FakeDatabase
from tests.support.world import START


def outbox_with(*recipients: str) -> tuple[OutboxService, ManualClock, FakeDatabase]:
    clock, db = ManualClock(START), FakeDatabase()
    for recipient in recipients:
        db.write(lambda repo, r=recipient: repo.enqueue("email", r, "Temat", "Treść", at=START))
    return OutboxService(db, clock), clock, db


def test_a_claimed_message_is_leased_to_one_sender_until_the_lease_runs_out() -> None:
    outbox, clock, _ = outbox_with("a@example.pl")
    [message] = outbox.claim("email")
    assert outbox.claim("email") == []  # a second worker finds nothing while the lease holds
    clock.advance(seconds=LEASE.total_seconds() + 1)
    [again] = outbox.claim("email")  # the first sender died: the message is not lost
    assert again.id == message.id and outbox.claim("telegram") == []


def test_failures_back_off_then_give_up_and_a_retry_brings_the_message_back() -> None:
    outbox, clock, _ = outbox_with("a@example.pl")
    assert [backoff(n) for n in (0, 1, 2)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
    ]
    assert backoff(20) == timedelta(hours=1)
    [message] = outbox.claim("email")
    assert outbox.failed(message, "451 later") is False
    clock.advance(seconds=29)
    assert outbox.claim("email") == []  # not before its pause
    clock.advance(seconds=2)
    [message] = outbox.claim("email")
    assert message.attempts == 1
    for _ in range(MAX_ATTEMPTS - 2):
        outbox.failed(message, "451 later")
        clock.advance(hours=2)
        [message] = outbox.claim("email")
    assert outbox.failed(message, "451 later") is True
    clock.advance(days=3)
    assert outbox.claim("email") == [] and outbox.counts() == {("email", "given_up"): 1}
    assert outbox.retry() == 1 and outbox.pending("email") == 1
    [message] = outbox.claim("email")
    assert message.attempts == 0


def test_a_permanent_refusal_is_given_up_at_once_and_a_sent_message_stays_sent() -> None:
    outbox, _, db = outbox_with("a@example.pl", "b@example.pl")
    first, second = outbox.claim("email")
    assert outbox.failed(first, "550 no such user", permanent=True) is True
    outbox.sent(second)
    assert [m["recipient"] for m in outbox.given_up()] == ["a@example.pl"]
    assert outbox.retry([second.id]) == 0 and db.repo.outbox[1]["sent_at"] is not None
