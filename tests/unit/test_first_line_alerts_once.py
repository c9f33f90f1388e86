"""The first line's reminders from the sweep (services/sla/sweep.py), on the in-memory desk: level 1
when the office's target passes, level 2 one target later, never a third, each level once even when
the ticket comes due again, and none for a ticket taken, escalated or no longer new. Times written
out by hand (office hours 08:00–16:00, a four-hour target)."""

from datetime import datetime

import pytest

from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import NewTicket
from tests.support.fake_desk import FakeDesk, fake_desk
from tests.support.world import WARSAW


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


def new_ticket(desk: FakeDesk) -> int:
    return int(desk.tickets.create(desk.people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))["id"][2:])


def alerts(desk: FakeDesk) -> list[int]:
    return [r["level"] for r in desk.db.repo.log if r["type"] == "first_line_alert"]


def row(desk: FakeDesk, no: int) -> dict:
    return desk.db.read(lambda tx: tx.ticket(no))


def due_again(desk: FakeDesk, no: int, moment: datetime, level: int) -> None:
    desk.db.write(lambda tx: tx.update_ticket(no, {"first_line_due": moment, "first_line_level": level}))


def test_two_levels_each_once_and_never_a_third():
    desk = fake_desk()
    no = new_ticket(desk)
    assert desk.sweep.sweep(at(1, 12, 59)).first_line_alerts == []
    first = desk.sweep.sweep(at(1, 13, 0))
    assert (first.tickets, first.first_line_alerts) == (1, [("T-000001", 1)])
    assert (row(desk, no)["first_line_due"], row(desk, no)["first_line_level"]) == (at(2, 9, 0), 1)
    due_again(desk, no, at(1, 13, 30), 0)  # a restart that lost the level: level 1 was already sent
    again = desk.sweep.sweep(at(1, 13, 30))
    assert (again.tickets, again.first_line_alerts, again.notices) == (1, [], 0)
    assert (row(desk, no)["first_line_due"], row(desk, no)["first_line_level"]) == (at(2, 9, 30), 1)
    second = desk.sweep.sweep(at(2, 9, 30))
    assert second.first_line_alerts == [("T-000001", 2)]
    assert (row(desk, no)["first_line_due"], row(desk, no)["first_line_level"]) == (None, 2)
    due_again(desk, no, at(2, 10, 0), 2)
    third = desk.sweep.sweep(at(2, 10, 0))
    assert (third.tickets, third.first_line_alerts) == (1, [])
    assert row(desk, no)["first_line_due"] is None
    assert alerts(desk) == [1, 2]


def test_no_reminder_for_a_ticket_taken_escalated_or_no_longer_new():
    for act in (("take",), ("escalate",), ("resolve",)):
        desk = fake_desk()
        no = new_ticket(desk)
        desk.tickets.act(desk.people["lider.plock"], f"T-{no:06d}", act[0])
        due_again(desk, no, at(1, 13, 0), 0)
        result = desk.sweep.sweep(at(1, 13, 0))
        assert (result.tickets, result.first_line_alerts) == (1, []), act
        assert row(desk, no)["first_line_due"] is None, act
        assert alerts(desk) == [], act


def test_every_batch_is_counted_in_the_result():
    desk = fake_desk()
    new_ticket(desk)
    new_ticket(desk)
    result = SlaSweep(desk.db, desk.sla, desk.recorder, batch=1).sweep(at(1, 13, 0))
    assert (result.tickets, sorted(result.first_line_alerts)) == (2, [("T-000001", 1), ("T-000002", 1)])
    assert result.notices > 0


def test_the_sweep_counts_every_ticket_of_a_batch_names_its_time_and_signs_as_the_system():
    desk = fake_desk()
    new_ticket(desk)
    new_ticket(desk)
    result = desk.sweep.sweep(at(1, 13, 0))
    assert (result.at, result.tickets) == (at(1, 13, 0), 2)
    assert {r["actor"] for r in desk.db.repo.log if r["type"] == "first_line_alert"} == {"system"}
    with pytest.raises(ValueError) as caught:
        desk.sweep.sweep(datetime(2027, 3, 1, 13, 0))
    assert str(caught.value) == "now must be timezone-aware"


def test_a_ticket_due_but_not_escalated_has_its_deadline_cleared_without_a_notice():
    desk = fake_desk()
    no = new_ticket(desk)
    desk.db.write(lambda tx: tx.update_ticket(no, {"next_deadline": at(1, 10, 0), "first_line_due": None}))
    result = desk.sweep.sweep(at(1, 10, 0))
    assert (result.tickets, result.warnings, result.breaches, result.notices) == (1, [], [], 0)
    assert row(desk, no)["next_deadline"] is None
