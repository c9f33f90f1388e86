"""The ticket service on the in-memory fakes: one event path, one transaction, one time rule."""

from datetime import UTC

import pytest

from helpdesk.domain.errors import NotFound
from helpdesk.services.ports import Change
from helpdesk.services.tickets import File, NewTicket
from tests.support.fake_desk import fake_desk


class Recording:
    """A listener that remembers what it heard."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, repo, change: Change) -> int:
        self.changes.append(change)
        return 0


def test_opening_a_ticket_is_heard_once_with_its_created_event_stamped_in_local_time() -> None:
    desk = fake_desk()
    heard = Recording()
    desk.recorder.listeners.append(heard)
    desk.clock.set(desk.clock.now().astimezone(UTC))  # a clock that answers in UTC, like the system's
    ticket = desk.tickets.create(desk.people["urz.plock"], NewTicket("Drukarka", "Nie drukuje.", "EZD"))

    [change] = heard.changes
    assert [r["type"] for r in change.records] == ["created"]
    assert change.records[0]["at"] == "2027-03-01T09:00:00+01:00"
    assert change.ticket["no"] == 1 and ticket["id"] == "T-000001"
    assert desk.db.commits == 2  # the people, then the ticket with its notices: one unit of work


def test_a_listener_that_fails_undoes_the_change_and_every_notice_of_it() -> None:
    desk = fake_desk()

    def broken(repo, change: Change) -> int:
        raise RuntimeError("listener failed")

    desk.recorder.listeners.append(broken)
    with pytest.raises(RuntimeError):
        desk.tickets.create(desk.people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    assert desk.db.repo.tickets == {} and desk.db.repo.log == [] and desk.queued() == []


def test_an_action_and_the_files_that_came_with_it_are_heard_as_one_change_of_the_updated_ticket() -> None:
    desk = fake_desk()
    heard = Recording()
    desk.recorder.listeners.append(heard)
    official, leader = desk.people["urz.plock"], desk.people["lider.plock"]
    desk.tickets.create(official, NewTicket("Drukarka", "opis", "EZD"))
    desk.tickets.act(leader, "T-000001", "take")
    desk.tickets.act(
        official,
        "T-000001",
        "comment",
        text="Zrzut w załączniku",
        attachments=[File("a.png", "image/png", b"x")],
    )
    change = heard.changes[-1]
    assert [r["type"] for r in change.records] == ["commented", "attachment_added"]
    assert change.records[1]["filename"] == "a.png" and change.records[1]["attachment_id"] == 1
    assert change.ticket["assignee"] == "lider.plock" and change.ticket["last_seq"] == 4
    assert heard.changes[1].ticket["state"] == "in_progress"  # the take, as the ticket was after it


def test_attaching_to_a_ticket_one_may_not_see_stores_nothing() -> None:
    desk = fake_desk()
    desk.tickets.create(desk.people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    with pytest.raises(NotFound):
        desk.tickets.attach(desk.agent_for("EZD"), "T-000001", File("a.png", "image/png", b"x"))
    assert desk.db.repo.attachments == []
    stored = desk.tickets.attach(desk.people["lider.plock"], "T-000001", File("a.png", "image/png", b"xy"))
    assert (stored["ticket"], stored["size"]) == ("T-000001", 2)
    assert [r["type"] for r in desk.db.repo.log] == ["created", "attachment_added"]


def test_a_new_ticket_tells_the_office_leaders_by_mail_and_telegram_not_the_author() -> None:
    desk = fake_desk()
    desk.tickets.create(desk.people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    assert sorted(m["recipient"] for m in desk.queued("email")) == [
        "lider.plock@example.pl",
        "lider2.plock@example.pl",
    ]
    assert sorted(m["recipient"] for m in desk.queued("telegram")) == ["5001", "5002"]
