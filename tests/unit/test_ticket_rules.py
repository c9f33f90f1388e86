"""The permission table, checked over every (action, role, state, stage) combination."""

import itertools

import pytest

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import (
    RULES,
    Action,
    State,
    allowed_actions,
    find_rule,
    format_ticket_id,
    parse_action,
    parse_priority,
    parse_ticket_id,
)

ALL = list(itertools.product(Action, Role, State, (False, True)))


def outcome(action, role, state, escalated):
    try:
        return find_rule(action, role, state, escalated).to or "same"
    except Forbidden:
        return "forbidden"
    except Conflict:
        return "conflict"


def test_allowed_actions_agree_with_find_rule_for_every_combination():
    for action, role, state, escalated in ALL:
        listed = action in allowed_actions(role, state, escalated)
        assert listed == (outcome(action, role, state, escalated) not in ("forbidden", "conflict")), (
            action,
            role,
            state,
            escalated,
        )


def test_auditors_and_admins_can_never_change_a_ticket():
    for action, _role, state, escalated in ALL:
        for role in (Role.AUDITOR, Role.ADMIN):
            assert outcome(action, role, state, escalated) == "forbidden"


def test_a_closed_ticket_accepts_no_action_from_anyone():
    for action, role, _state, escalated in ALL:
        assert outcome(action, role, State.CLOSED, escalated) in ("forbidden", "conflict")


def test_agents_act_only_after_escalation():
    for action, _role, state, _esc in ALL:
        assert outcome(action, Role.AGENT, state, False) == "forbidden"


def test_only_agents_acknowledge_and_give_workarounds():
    for action in (Action.ACKNOWLEDGE, Action.WORKAROUND):
        for role in Role:
            allowed_somewhere = any(action in allowed_actions(role, s, True) for s in State)
            assert allowed_somewhere == (role is Role.AGENT)


def test_officials_only_comment_resume_reopen_and_close():
    official = {a for s in State for e in (False, True) for a in allowed_actions(Role.OFFICIAL, s, e)}
    assert official == {Action.COMMENT, Action.RESUME, Action.REOPEN, Action.CLOSE}


def test_the_flow_from_official_to_contractor_is_possible_step_by_step():
    steps = [
        (Action.TAKE, Role.LEADER, State.NEW, False, State.IN_PROGRESS),
        (Action.ESCALATE, Role.LEADER, State.IN_PROGRESS, False, State.ESCALATED),
        (Action.ACKNOWLEDGE, Role.AGENT, State.ESCALATED, True, State.ACKNOWLEDGED),
        (Action.WAIT_FOR_OFFICE, Role.AGENT, State.ACKNOWLEDGED, True, State.WAITING),
        (Action.WORKAROUND, Role.AGENT, State.ACKNOWLEDGED, True, State.WORKAROUND),
        (Action.RESOLVE, Role.AGENT, State.WORKAROUND, True, State.RESOLVED),
        (Action.REOPEN, Role.OFFICIAL, State.RESOLVED, True, State.REOPENED),
        (Action.RESOLVE, Role.AGENT, State.REOPENED, True, State.RESOLVED),
        (Action.CLOSE, Role.OFFICIAL, State.RESOLVED, True, State.CLOSED),
    ]
    for action, role, state, escalated, target in steps:
        assert find_rule(action, role, state, escalated).to is target


def test_forbidden_means_the_role_never_does_it_and_conflict_means_not_now():
    with pytest.raises(Forbidden):
        find_rule(Action.ESCALATE, Role.OFFICIAL, State.NEW, False)
    with pytest.raises(Conflict):
        find_rule(Action.ACKNOWLEDGE, Role.AGENT, State.RESOLVED, True)
    with pytest.raises(Conflict):
        find_rule(Action.ESCALATE, Role.LEADER, State.RESOLVED, False)


def test_every_rule_lands_in_an_open_state_or_closed_and_never_from_closed():
    for rule in RULES:
        assert State.CLOSED not in rule.states


def test_parsers_give_clear_polish_errors():
    assert parse_action(" Take ") is Action.TAKE
    assert parse_priority("awaria krytyczna").value == "critical"
    assert parse_ticket_id("t-42") == 42 and format_ticket_id(42) == "T-000042"
    for bad, fn in (("fly", parse_action), ("urgent", parse_priority), ("42", parse_ticket_id)):
        with pytest.raises(InvalidInput):
            fn(bad)
