"""The Polish messages of the rules, word for word: a refusal names the role, the action and its
Polish label; an unknown action or priority lists the allowed ones; a bad ticket number is shown
cut to 40 characters and with any unencodable character replaced, never a traceback."""

import pytest

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import Action, State, find_rule, parse_action, parse_priority, parse_ticket_id


def message(fn, *args):
    with pytest.raises((Forbidden, Conflict, InvalidInput)) as caught:
        fn(*args)
    return str(caught.value)


def test_a_forbidden_action_names_the_role_the_action_and_its_label():
    assert message(find_rule, Action.TAKE, Role.REPRESENTATIVE, State.NEW, False) == (
        "rola 'representative' nie może wykonać akcji 'take' (przejmij)"
    )


def test_an_action_not_possible_now_names_the_state_and_its_label():
    assert message(find_rule, Action.TAKE, Role.LEADER, State.RESOLVED, False) == (
        "akcja 'take' (przejmij) nie jest możliwa, gdy zgłoszenie ma stan 'resolved' (rozwiązane)"
    )


def test_unknown_actions_and_priorities_list_the_allowed_ones():
    assert message(parse_action, "fly") == (
        "nieznana akcja 'fly' (dozwolone: take, comment, reply, wait_for_office, resume, escalate, "
        "acknowledge, workaround, resolve, reopen, close, set_priority, set_component)"
    )
    assert message(parse_priority, "urgent") == (
        "nieznany priorytet 'urgent' (dozwolone: critical, high, normal, low)"
    )


def test_a_bad_ticket_number_is_shown_cut_and_storable():
    assert (
        message(parse_ticket_id, "x" * 50)
        == f"niepoprawny numer zgłoszenia '{'x' * 40}' (oczekiwano np. T-000042)"
    )
    assert (
        message(parse_ticket_id, "T-\ud800") == "niepoprawny numer zgłoszenia 'T-?' (oczekiwano np. T-000042)"
    )


def test_a_throttle_refusal_waits_at_least_a_second_and_whole_seconds():
    from helpdesk.domain.errors import TooManyRequests

    assert [TooManyRequests("Zbyt wiele prób", s).retry_after for s in (0, 1, 30)] == [1, 1, 30]


def test_who_may_join_an_office_is_refused_in_words_that_say_what_to_add_or_leave_out():
    from helpdesk.domain.people import check_new_person

    def refusal(role, jst=None, contractor=None, known=frozenset({"wykonawca-ezd", "wykonawca-esb"})):
        return message(check_new_person, role, jst, contractor, 0, 0, 3, set(known))

    assert refusal(Role.LEADER) == "rola 'leader' wymaga podania urzędu (--jst KOD_TERYT)"
    assert refusal(Role.AGENT) == "rola 'agent' wymaga podania Wykonawcy (--contractor ID)"
    assert refusal(Role.AGENT, contractor="x") == (
        "nieznany Wykonawca 'x' (znani z umów: wykonawca-esb, wykonawca-ezd)"
    )
    assert refusal(Role.AGENT, contractor="x", known=()) == (
        "nieznany Wykonawca 'x' (znani z umów: brak umów w katalogu sla/contracts)"
    )
    assert refusal(Role.COORDINATOR, contractor="wykonawca-ezd") == "--contractor dotyczy tylko roli 'agent'"
