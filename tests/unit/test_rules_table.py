"""The domain's permission table against the rules as written in tests/fixtures/rules/ (README
"Kto może co"), cell by cell: changing the code's table alone, or the written one alone, fails here."""

from helpdesk.domain.errors import Conflict, Forbidden
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import CREATE_ROLES, Action, allowed_actions, find_rule
from tests.support.rules_table import (
    BACK,
    CONFLICT,
    CONTRACTOR,
    CREATE,
    FORBIDDEN,
    PERMISSIONS,
    RELATIONS,
    SAME,
    SCOPE,
    STAGE_STATES,
    STAGES,
    allowed,
    cells,
    readme_tables,
)


def domain_outcome(action, role, state, escalated):
    try:
        rule = find_rule(action, role, state, escalated)
    except Forbidden:
        return FORBIDDEN
    except Conflict:
        return CONFLICT
    return rule.to


def test_find_rule_answers_every_cell_as_the_written_rules_say():
    wrong = []
    for cell in cells():
        got = domain_outcome(cell.action, cell.role, cell.state, cell.stage == CONTRACTOR)
        if cell.value in (FORBIDDEN, "-"):
            want = FORBIDDEN if cell.value == FORBIDDEN else CONFLICT
        elif cell.value in (SAME, BACK):
            want = None  # the state stays, or resume returns to where it was (the events decide)
        else:
            want = cell.value
        if got != want:
            wrong.append(
                f"{cell.stage} {cell.action.value} {cell.role.value} {cell.state.value}: {got} ≠ {want}"
            )
    assert wrong == [], "\n".join(wrong)


def test_the_actions_offered_to_each_role_are_the_written_ones():
    wrong = []
    for stage in STAGES:
        for state in STAGE_STATES[stage]:
            for role in Role:
                got = set(allowed_actions(role, state, stage == CONTRACTOR))
                want = allowed(role, stage, state)
                if got != want:
                    wrong.append(f"{stage} {state.value} {role.value}: {sorted(got)} ≠ {sorted(want)}")
    assert wrong == [], "\n".join(wrong)


def test_the_rules_most_likely_to_be_loosened_by_mistake_are_written_as_refusals():
    # Read straight from the fixture, so that editing it to match a loosened code table shows here.
    for stage in STAGES:
        assert (stage, Action.TAKE, Role.REPRESENTATIVE) not in PERMISSIONS
        assert (stage, Action.SET_PRIORITY, Role.AGENT) not in PERMISSIONS
        for role in (Role.AUDITOR, Role.ADMIN):
            assert not any(r is role for (_, _, r) in PERMISSIONS)
        for row in PERMISSIONS.values():
            for state, value in row.items():
                if state.value == "closed":
                    assert value == "-"
    assert not any(stage == "office" and role is Role.AGENT for stage, _, role in PERMISSIONS)


def test_who_opens_tickets_is_as_written():
    assert {role for role, office in CREATE.items() if office} == set(CREATE_ROLES)
    assert {role for role, office in CREATE.items() if office == "named"} == {Role.COORDINATOR}


def test_the_readme_shows_the_same_tables_as_the_fixture():
    tables = readme_tables()
    by_stage = {
        "office": next(rows for head, rows in tables.items() if head.startswith("Przed przekazaniem")),
        "contractor": next(rows for head, rows in tables.items() if head.startswith("Po przekazaniu")),
    }
    for stage, rows in by_stage.items():
        header, *body = rows
        states = STAGE_STATES[stage]
        assert header == ["action", "role", *(s.value for s in states)], stage
        readme = {(stage, Action(r[0]), Role(r[1])): dict(zip(states, r[2:], strict=True)) for r in body}
        assert len(readme) == len(body), f"a row twice in README ({stage})"
        fixture = {k: v for k, v in PERMISSIONS.items() if k[0] == stage}
        assert readme == fixture, stage

    header, *body = next(rows for head, rows in tables.items() if head.startswith("Kto widzi"))
    assert header == ["role", *RELATIONS]
    shown = {None: "", True: "yes", False: "no"}
    assert {Role(r[0]): r[1:] for r in body} == {
        role: [shown[v[rel]] for rel in RELATIONS] for role, v in SCOPE.items()
    }

    header, *body = next(rows for head, rows in tables.items() if head.startswith("Kto zakłada"))
    assert header == ["role", "files", "office"]
    assert {Role(r[0]): (r[1], r[2]) for r in body} == {
        role: ("yes" if office else "no", office or "") for role, office in CREATE.items()
    }
