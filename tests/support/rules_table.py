"""Test support: the permission rules as people wrote them down, in tests/fixtures/rules/.

The three tables there are the reviewable statement of who may do what (README "Kto może co"
shows the same tables). They are written by hand, never derived from the code's own permission
table in `domain/tickets.py`, so the tests that compare the code with them fail when either
changes alone:

- `permissions.csv` — one row per stage (`office`: before escalation, `contractor`: after it),
  action and role that may do the action somewhere at that stage; a cell per state the ticket can
  be in at that stage: `-` refused, `yes` allowed and the state stays, `back` allowed and the
  ticket returns to the state it had before waiting, or the state the ticket lands in. An empty
  cell is a state a ticket never has at that stage. A (stage, action, role) without a row: that
  role never does that action at that stage.
- `scope.csv` — whether a role sees a ticket, by how the ticket relates to the person (their own,
  a colleague's in the same office, another office's — for an agent one not escalated to any
  contractor — or escalated to the agent's contractor or another one); empty: does not apply.
  What a person does not see they cannot act on either: it does not exist for them.
- `create.csv` — which roles open tickets and into which office (`own`: the person's own office,
  whatever the request names; `named`: the office the request names).

The expected outcome of one attempt follows from them: not visible → not found (404); no row
for the stage, action and role → forbidden (403); a `-` cell → conflict (409, not in this
state); otherwise allowed, landing where the cell says.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import Action, State

RULES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
README = Path(__file__).resolve().parents[2] / "README.md"

OFFICE, CONTRACTOR = "office", "contractor"
STAGES = (OFFICE, CONTRACTOR)
NOT_FOUND, FORBIDDEN, CONFLICT = "not_found", "forbidden", "conflict"
SAME, BACK = "yes", "back"
REFUSED = "-"

# The states a ticket can be in at each stage, in the order the README tables show them.
STAGE_STATES: dict[str, tuple[State, ...]] = {
    OFFICE: (State.NEW, State.IN_PROGRESS, State.WAITING, State.RESOLVED, State.CLOSED, State.REOPENED),
    CONTRACTOR: (
        State.ESCALATED,
        State.ACKNOWLEDGED,
        State.WORKAROUND,
        State.WAITING,
        State.RESOLVED,
        State.CLOSED,
        State.REOPENED,
    ),
}
RELATIONS = ("author", "same_office", "other_office", "own_contractor", "other_contractor")


def _read(name: str) -> list[dict[str, str]]:
    with (RULES_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Cell:
    """One cell of permissions.csv."""

    stage: str
    action: Action
    role: Role
    state: State
    value: str  # "-", "yes", "back" or a state name


def load_permissions() -> dict[tuple[str, Action, Role], dict[State, str]]:
    """permissions.csv as {(stage, action, role): {state: cell}} — only the states of the stage."""
    table: dict[tuple[str, Action, Role], dict[State, str]] = {}
    for row in _read("permissions.csv"):
        stage, action, role = row["stage"], Action(row["action"]), Role(row["role"])
        assert stage in STAGES, row
        key = (stage, action, role)
        assert key not in table, f"twice in permissions.csv: {key}"
        cells = {}
        for state in State:
            value = row[state.value].strip()
            if state in STAGE_STATES[stage]:
                assert value in (REFUSED, SAME, BACK) or value in set(State), (key, state, value)
                cells[state] = value
            else:
                assert value == "", f"{key}: state {state.value} does not happen at stage {stage}"
        table[key] = cells
    return table


def load_scope() -> dict[Role, dict[str, bool | None]]:
    """scope.csv as {role: {relation: sees (None: does not apply)}}."""
    out: dict[Role, dict[str, bool | None]] = {}
    for row in _read("scope.csv"):
        values = {}
        for rel in RELATIONS:
            value = row[rel].strip()
            assert value in ("yes", "no", ""), row
            values[rel] = None if value == "" else value == "yes"
        out[Role(row["role"])] = values
    assert set(out) == set(Role)
    return out


def load_create() -> dict[Role, str | None]:
    """create.csv as {role: 'own' | 'named' | None (may not open tickets)}."""
    out: dict[Role, str | None] = {}
    for row in _read("create.csv"):
        files = row["files"].strip()
        assert files in ("yes", "no"), row
        office = row["office"].strip() or None
        assert (files == "yes") == (office in ("own", "named")), row
        out[Role(row["role"])] = office if files == "yes" else None
    assert set(out) == set(Role)
    return out


PERMISSIONS = load_permissions()
SCOPE = load_scope()
CREATE = load_create()


def cells() -> list[Cell]:
    """Every (stage, action, role, state) a ticket can meet, with the table's answer."""
    out = []
    for stage in STAGES:
        for action in Action:
            for role in Role:
                row = PERMISSIONS.get((stage, action, role))
                for state in STAGE_STATES[stage]:
                    value = row[state] if row is not None else FORBIDDEN
                    out.append(Cell(stage, action, role, state, value))
    return out


def expected(role: Role, relation: str, stage: str, state: State, action: Action) -> str:
    """NOT_FOUND, FORBIDDEN, CONFLICT, or the cell ("yes", "back", a state name)."""
    sees = SCOPE[role][relation]
    assert sees is not None, f"scope.csv: {role.value} × {relation} does not apply"
    if not sees:
        return NOT_FOUND
    row = PERMISSIONS.get((stage, action, role))
    if row is None:
        return FORBIDDEN
    value = row[state]
    return CONFLICT if value == REFUSED else value


def allowed(role: Role, stage: str, state: State) -> set[Action]:
    """The actions the table lets `role` do on a ticket it sees."""
    return {
        action
        for (s, action, r), row in PERMISSIONS.items()
        if s == stage and r is role and row[state] != REFUSED
    }


# --- bringing a ticket into a state ---------------------------------------------------------
# Each path starts from a new ticket of component EZD opened by the Płock official; steps are
# (who, action): "leader" the Płock leader, "agent" the agent of the EZD contractor, "official"
# the author. The state before the last step is where `back` (resume) returns to.
_ESC = [("leader", "escalate")]
PATHS: dict[tuple[str, State], list[tuple[str, str]]] = {
    (OFFICE, State.NEW): [],
    (OFFICE, State.IN_PROGRESS): [("leader", "take")],
    (OFFICE, State.WAITING): [("leader", "take"), ("leader", "wait_for_office")],
    (OFFICE, State.RESOLVED): [("leader", "resolve")],
    (OFFICE, State.CLOSED): [("leader", "close")],
    (OFFICE, State.REOPENED): [("leader", "resolve"), ("official", "reopen")],
    (CONTRACTOR, State.ESCALATED): _ESC,
    (CONTRACTOR, State.ACKNOWLEDGED): [*_ESC, ("agent", "acknowledge")],
    (CONTRACTOR, State.WORKAROUND): [*_ESC, ("agent", "workaround")],
    (CONTRACTOR, State.WAITING): [*_ESC, ("agent", "acknowledge"), ("agent", "wait_for_office")],
    (CONTRACTOR, State.RESOLVED): [*_ESC, ("agent", "resolve")],
    (CONTRACTOR, State.CLOSED): [*_ESC, ("agent", "resolve"), ("official", "close")],
    (CONTRACTOR, State.REOPENED): [*_ESC, ("agent", "resolve"), ("official", "reopen")],
}
BEFORE_WAITING = {OFFICE: State.IN_PROGRESS, CONTRACTOR: State.ACKNOWLEDGED}


def landing(stage: str, state: State, value: str) -> State:
    """The state an allowed action leaves the ticket in."""
    if value == SAME:
        return state
    if value == BACK:
        return BEFORE_WAITING[stage]
    return State(value)


def action_args(action: Action) -> dict[str, Any]:
    """What an attempt of `action` sends besides its name: a text, a new priority or component."""
    if action is Action.SET_PRIORITY:
        return {"priority": "high"}
    if action is Action.SET_COMPONENT:
        return {"component": "ESB"}
    return {"text": "Sprawdzam uprawnienia"}


# --- who tries ------------------------------------------------------------------------------
# (login, relation to a Płock ticket before escalation, after escalation to the EZD contractor).
# The ticket is opened by `urz.plock` in office 1462011; `agent_ezd` / `agent_other` stand for the
# agents of the EZD contractor and of the other one (their logins differ per world).
TRIERS: list[tuple[str, Role, str, str]] = [
    ("urz.plock", Role.OFFICIAL, "author", "author"),
    ("urz2.plock", Role.OFFICIAL, "same_office", "same_office"),
    ("urz.slupno", Role.OFFICIAL, "other_office", "other_office"),
    ("lider.plock", Role.LEADER, "same_office", "same_office"),
    ("lider.slupno", Role.LEADER, "other_office", "other_office"),
    ("przedst.plock", Role.REPRESENTATIVE, "same_office", "same_office"),
    ("przedst.slupno", Role.REPRESENTATIVE, "other_office", "other_office"),
    ("agent_ezd", Role.AGENT, "other_office", "own_contractor"),
    ("agent_other", Role.AGENT, "other_office", "other_contractor"),
    ("koordynator", Role.COORDINATOR, "other_office", "other_office"),
    ("audytor", Role.AUDITOR, "other_office", "other_office"),
    ("admin", Role.ADMIN, "other_office", "other_office"),
]


def readme_tables() -> dict[str, list[list[str]]]:
    """The tables of README's "Kto może co" section, by the heading line above each
    (`Przed przekazaniem…`, `Po przekazaniu…`, `Kto widzi…`, `Kto zakłada…`): rows of cells."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Kto może co\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README has no section '## Kto może co'"
    tables: dict[str, list[list[str]]] = {}
    heading = None
    for line in match.group(1).splitlines():
        if line.startswith("**") and line.rstrip().endswith("**"):
            heading = line.strip("* ").rstrip(":")
            tables[heading] = []
        elif line.startswith("|") and heading is not None:
            row = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in row):
                tables[heading].append(row)
    return tables
