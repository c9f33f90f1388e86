"""Giving a ticket to someone with `take` (services/tickets.py): only to a leader of the ticket's own
office — never to a leader of another office, an official, a representative or an unknown login,
and `assignee` comes only with `take`. The messages are written out by hand."""

import pytest

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.tickets import NewTicket
from tests.unit.test_rules_service import desk_with_everyone


@pytest.fixture
def desk_and_ticket():
    desk, people = desk_with_everyone()
    ticket = desk.tickets.create(people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    return desk, people, ticket["id"]


def test_a_leader_gives_the_ticket_to_another_leader_of_its_office(desk_and_ticket):
    desk, people, ticket = desk_and_ticket
    change = desk.tickets.act(people["lider.plock"], ticket, "take", assignee="lider2.plock")
    assert (change["assignee"], change["state"]) == ("lider2.plock", "in_progress")
    by_coordinator = desk.tickets.act(people["koordynator"], ticket, "take", assignee="lider.plock")
    assert by_coordinator["assignee"] == "lider.plock"


@pytest.mark.parametrize(
    "login", ["lider.slupno", "urz2.plock", "przedst.plock", "koordynator", "nikt", "x" * 80]
)
def test_nobody_but_a_leader_of_the_tickets_office_is_given_it(desk_and_ticket, login):
    desk, people, ticket = desk_and_ticket
    with pytest.raises(InvalidInput) as caught:
        desk.tickets.act(people["lider.plock"], ticket, "take", assignee=login)
    assert str(caught.value) == f"'{login[:60]}' nie jest liderem urzędu tego zgłoszenia"
    assert desk.tickets.get(people["lider.plock"], ticket)["assignee"] is None


def test_an_assignee_comes_only_with_take(desk_and_ticket):
    desk, people, ticket = desk_and_ticket
    for action, assignee in (("comment", "lider2.plock"), ("take", 5)):
        with pytest.raises(InvalidInput) as caught:
            desk.tickets.act(people["lider.plock"], ticket, action, text="x", assignee=assignee)
        assert str(caught.value) == "pole 'assignee' (login lidera) przyjmuje tylko akcja 'take'"
