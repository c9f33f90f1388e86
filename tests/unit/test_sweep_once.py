"""The sweep warns of a clock once and records its breach once, even when the ticket comes due again
before the next deadline (a restart, a second worker or a recomputed deadline bring it back): the
"already warned" and "already breached" rules on their own, on the in-memory desk."""

from datetime import UTC, timedelta

from tests.support.fake_desk import FakeDesk, fake_desk
from tests.unit.test_sla_sweep_service import at, escalated


def due_again(desk: FakeDesk, moment) -> None:
    """Bring the ticket back to the sweep at `moment`, as a restart recomputing deadlines may."""
    desk.db.write(lambda tx: tx.update_ticket(1, {"next_deadline": moment}))


def events(desk: FakeDesk, type_: str) -> list[str]:
    return [r["metric"] for r in desk.db.repo.log if r["type"] == type_]


def test_a_clock_already_warned_is_not_warned_again_when_the_ticket_comes_due_again():
    desk = fake_desk()
    ticket = escalated(desk)
    first = desk.sweep.sweep(at(1, 15, 30).astimezone(UTC))
    assert first.warnings == [(ticket, "reaction")]
    queued = len(desk.queued())
    later = at(1, 15, 45).astimezone(UTC)
    due_again(desk, later)
    again = desk.sweep.sweep(later)
    assert (again.tickets, again.warnings, again.breaches, again.notices) == (1, [], [], 0)
    assert events(desk, "sla_warning") == ["reaction"]
    assert len(desk.queued()) == queued


def test_a_breach_already_recorded_is_not_recorded_or_told_again():
    desk = fake_desk()
    ticket = escalated(desk)
    desk.sweep.sweep(at(1, 15, 30).astimezone(UTC))
    breach = desk.sweep.sweep(at(2, 9, 5).astimezone(UTC))
    assert breach.breaches == [(ticket, "reaction")]
    queued = len(desk.queued())
    later = at(2, 9, 5).astimezone(UTC) + timedelta(minutes=10)
    due_again(desk, later)
    again = desk.sweep.sweep(later)
    assert (again.tickets, again.warnings, again.breaches, again.notices) == (1, [], [], 0)
    assert events(desk, "sla_breached") == ["reaction"]
    assert events(desk, "sla_warning") == ["reaction"]
    assert len(desk.queued()) == queued
