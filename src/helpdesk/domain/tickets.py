"""Ticket states, actions, and the one table of who may do what in which state.

The flow is official → leader (first line, in the office) → contractor (second line, under SLA).
`escalated` is a flag on the ticket besides its state: after escalation the contractor's
actions apply, and `reopened` / `waiting` mean different queues for an escalated ticket.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput
from helpdesk.domain.roles import Role


class State(StrEnum):
    """Where a ticket is in its life."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    WORKAROUND = "workaround"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


STATE_LABELS_PL: dict[State, str] = {
    State.NEW: "nowe",
    State.IN_PROGRESS: "w realizacji w urzędzie",
    State.WAITING: "oczekuje na urząd",
    State.ESCALATED: "przekazane Wykonawcy",
    State.ACKNOWLEDGED: "przyjęte przez Wykonawcę",
    State.WORKAROUND: "obejście udostępnione",
    State.RESOLVED: "rozwiązane",
    State.CLOSED: "zamknięte",
    State.REOPENED: "ponownie otwarte",
}


class Priority(StrEnum):
    """Contract priorities; Polish categories in PRIORITY_LABELS_PL."""

    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


PRIORITY_LABELS_PL: dict[Priority, str] = {
    Priority.CRITICAL: "awaria krytyczna",
    Priority.HIGH: "awaria",
    Priority.NORMAL: "błąd",
    Priority.LOW: "usterka",
}


def parse_priority(value: str) -> Priority:
    """Return the priority named by `value` (English or Polish) or raise InvalidInput."""
    text = value.strip().lower()
    for priority, label in PRIORITY_LABELS_PL.items():
        if text in (priority.value, label):
            return priority
    raise InvalidInput(f"nieznany priorytet '{value}' (dozwolone: {', '.join(p.value for p in Priority)})")


class Action(StrEnum):
    """What people do to a ticket (the `action` of `POST /api/v1/tickets/{id}/actions`)."""

    TAKE = "take"
    COMMENT = "comment"
    REPLY = "reply"
    WAIT_FOR_OFFICE = "wait_for_office"
    RESUME = "resume"
    ESCALATE = "escalate"
    ACKNOWLEDGE = "acknowledge"
    WORKAROUND = "workaround"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"
    SET_PRIORITY = "set_priority"
    SET_COMPONENT = "set_component"


ACTION_LABELS_PL: dict[Action, str] = {
    Action.TAKE: "przejmij",
    Action.COMMENT: "komentarz",
    Action.REPLY: "odpowiedz zgłaszającemu",
    Action.WAIT_FOR_OFFICE: "czekaj na urząd",
    Action.RESUME: "wznów",
    Action.ESCALATE: "przekaż Wykonawcy",
    Action.ACKNOWLEDGE: "potwierdź przyjęcie",
    Action.WORKAROUND: "obejście",
    Action.RESOLVE: "rozwiąż",
    Action.REOPEN: "otwórz ponownie",
    Action.CLOSE: "zamknij",
    Action.SET_PRIORITY: "zmień priorytet",
    Action.SET_COMPONENT: "zmień komponent",
}

# Which stage a rule applies to: before escalation, after it, or both.
OFFICE, CONTRACTOR, ANY = "office", "contractor", "any"

S = State
R = Role
_OPEN_STATES = frozenset(s for s in State if s is not State.CLOSED)


@dataclass(frozen=True)
class Rule:
    """One row of the permission table: roles may do action in states at a stage, landing in `to`."""

    action: Action
    roles: frozenset[Role]
    states: frozenset[State]
    stage: str
    to: State | None  # None: the state does not change; RESUME returns to the state before waiting


def _rule(
    action: Action, roles: set[Role], states: set[State] | frozenset[State], stage: str, to: State | None
) -> Rule:
    return Rule(action, frozenset(roles), frozenset(states), stage, to)


RULES: tuple[Rule, ...] = (
    _rule(Action.TAKE, {R.LEADER, R.COORDINATOR}, {S.NEW, S.IN_PROGRESS, S.REOPENED}, OFFICE, S.IN_PROGRESS),
    _rule(Action.COMMENT, {R.OFFICIAL, R.LEADER, R.REPRESENTATIVE, R.COORDINATOR}, _OPEN_STATES, ANY, None),
    _rule(Action.COMMENT, {R.AGENT}, _OPEN_STATES, CONTRACTOR, None),
    _rule(Action.REPLY, {R.LEADER, R.COORDINATOR}, _OPEN_STATES, ANY, None),
    _rule(Action.REPLY, {R.AGENT}, _OPEN_STATES, CONTRACTOR, None),
    _rule(Action.WAIT_FOR_OFFICE, {R.LEADER, R.COORDINATOR}, {S.IN_PROGRESS}, OFFICE, S.WAITING),
    _rule(
        Action.WAIT_FOR_OFFICE,
        {R.AGENT, R.COORDINATOR},
        {S.ESCALATED, S.ACKNOWLEDGED, S.WORKAROUND, S.REOPENED},
        CONTRACTOR,
        S.WAITING,
    ),
    _rule(Action.RESUME, {R.LEADER, R.COORDINATOR, R.OFFICIAL}, {S.WAITING}, OFFICE, None),
    _rule(Action.RESUME, {R.AGENT, R.LEADER, R.COORDINATOR}, {S.WAITING}, CONTRACTOR, None),
    _rule(
        Action.ESCALATE, {R.LEADER, R.COORDINATOR}, {S.NEW, S.IN_PROGRESS, S.REOPENED}, OFFICE, S.ESCALATED
    ),
    _rule(Action.ACKNOWLEDGE, {R.AGENT}, {S.ESCALATED}, CONTRACTOR, S.ACKNOWLEDGED),
    _rule(Action.WORKAROUND, {R.AGENT}, {S.ESCALATED, S.ACKNOWLEDGED, S.REOPENED}, CONTRACTOR, S.WORKAROUND),
    _rule(
        Action.RESOLVE,
        {R.LEADER, R.COORDINATOR},
        {S.NEW, S.IN_PROGRESS, S.WAITING, S.REOPENED},
        OFFICE,
        S.RESOLVED,
    ),
    _rule(
        Action.RESOLVE,
        {R.AGENT},
        {S.ESCALATED, S.ACKNOWLEDGED, S.WORKAROUND, S.REOPENED},
        CONTRACTOR,
        S.RESOLVED,
    ),
    _rule(Action.REOPEN, {R.OFFICIAL, R.LEADER, R.COORDINATOR}, {S.RESOLVED}, ANY, S.REOPENED),
    _rule(Action.CLOSE, {R.OFFICIAL, R.LEADER, R.COORDINATOR}, {S.RESOLVED}, ANY, S.CLOSED),
    _rule(Action.CLOSE, {R.LEADER, R.COORDINATOR}, {S.NEW, S.IN_PROGRESS, S.WAITING}, OFFICE, S.CLOSED),
    _rule(
        Action.SET_PRIORITY,
        {R.LEADER, R.COORDINATOR},
        {S.ESCALATED, S.ACKNOWLEDGED, S.WORKAROUND, S.WAITING, S.REOPENED},
        CONTRACTOR,
        None,
    ),
    _rule(
        Action.SET_PRIORITY,
        {R.LEADER, R.COORDINATOR},
        {S.NEW, S.IN_PROGRESS, S.WAITING, S.REOPENED},
        OFFICE,
        None,
    ),
    # Before escalation only: the contract is chosen by the component when the ticket is escalated.
    _rule(
        Action.SET_COMPONENT,
        {R.LEADER, R.COORDINATOR},
        {S.NEW, S.IN_PROGRESS, S.WAITING, S.REOPENED},
        OFFICE,
        None,
    ),
)


def _stage_matches(rule: Rule, escalated: bool) -> bool:
    return rule.stage == ANY or (rule.stage == CONTRACTOR) == escalated


def find_rule(action: Action, role: Role, state: State, escalated: bool) -> Rule:
    """Return the rule that allows `role` to do `action`, or raise Forbidden / Conflict.

    Forbidden: the role never does this action at this stage. Conflict: it could, but not now.
    """
    role_ok = False
    for rule in RULES:
        if rule.action is not action or role not in rule.roles or not _stage_matches(rule, escalated):
            continue
        role_ok = True
        if state in rule.states:
            return rule
    label = ACTION_LABELS_PL[action]
    if not role_ok:
        raise Forbidden(f"rola '{role.value}' nie może wykonać akcji '{action.value}' ({label})")
    raise Conflict(
        f"akcja '{action.value}' ({label}) nie jest możliwa, gdy zgłoszenie ma stan "
        f"'{state.value}' ({STATE_LABELS_PL[state]})"
    )


def allowed_actions(role: Role, state: State, escalated: bool) -> list[Action]:
    """The actions `role` may do now; used to draw buttons and to document the API."""
    result: list[Action] = []
    for rule in RULES:
        if (
            role in rule.roles
            and state in rule.states
            and _stage_matches(rule, escalated)
            and rule.action not in result
        ):
            result.append(rule.action)
    return result


def parse_action(value: str) -> Action:
    """Return the action named by `value` or raise InvalidInput listing the known ones."""
    try:
        return Action(value.strip().lower())
    except ValueError as err:
        raise InvalidInput(
            f"nieznana akcja '{value}' (dozwolone: {', '.join(a.value for a in Action)})"
        ) from err


CREATE_ROLES = frozenset({Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE, Role.COORDINATOR})
"""Roles that may open a ticket (a coordinator names the office)."""

TICKET_ID_WIDTH = 6


def format_ticket_id(number: int) -> str:
    """T-000042 for 42."""
    return f"T-{number:0{TICKET_ID_WIDTH}d}"


_TICKET_ID = re.compile(r"[Tt]-([0-9]{1,12})")


def parse_ticket_id(value: str) -> int:
    """42 for 'T-000042' (also 't-42'); InvalidInput otherwise — only ASCII digits count (a fullwidth
    `T-１` or a superscript `T-²` is not a ticket number)."""
    match = _TICKET_ID.fullmatch(value.strip())
    if match is None:
        shown = value[:40].encode("utf-8", "replace").decode("utf-8")
        raise InvalidInput(f"niepoprawny numer zgłoszenia '{shown}' (oczekiwano np. T-000042)")
    return int(match.group(1))
