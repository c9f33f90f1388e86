"""The ticket service against the written rules (tests/fixtures/rules/, README "Kto może co"):
every action by every role, on a ticket of its own office or contractor and of another one, in
every state a ticket can be in — on the in-memory fakes, so all the cells stay cheap."""

import copy

import pytest

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import Action, State
from helpdesk.services.tickets import NewTicket
from tests.support.fake_desk import FakeDesk, fake_desk
from tests.support.fakes import add_people
from tests.support.rules_table import (
    CONFLICT,
    CONTRACTOR,
    CREATE,
    FORBIDDEN,
    NOT_FOUND,
    PATHS,
    STAGE_STATES,
    STAGES,
    TRIERS,
    action_args,
    expected,
    landing,
)

SLUPNO = "1419112"
PLOCK = "1462011"


def desk_with_everyone() -> tuple[FakeDesk, dict]:
    """The fake desk with the people of tests/support/rules_table.py TRIERS."""
    desk = fake_desk()
    extra = [
        ("urz2.plock", "official", PLOCK),
        ("urz.slupno", "official", SLUPNO),
        ("lider.slupno", "leader", SLUPNO),
        ("przedst.slupno", "representative", SLUPNO),
        ("audytor", "auditor", None),
        ("admin", "admin", None),
    ]
    desk.people.update(
        add_people(
            desk.db,
            [],
            [
                {"login": login, "role": role, "jst": jst, "email": f"{login}@example.pl"}
                for login, role, jst in extra
            ],
        )
    )
    agent = desk.agent_for("EZD")
    people = dict(desk.people)
    people["agent_ezd"] = agent
    people["agent_other"] = next(
        p for p in desk.people.values() if p.role is Role.AGENT and p.contractor != agent.contractor
    )
    return desk, people


def ticket_in(desk: FakeDesk, people: dict, stage: str, state: State) -> str:
    """A new EZD ticket of the Płock official, brought into `state` along PATHS."""
    tid = desk.tickets.create(people["urz.plock"], NewTicket("EZD nie otwiera pism", "opis", "EZD"))["id"]
    who = {"leader": "lider.plock", "agent": "agent_ezd", "official": "urz.plock"}
    for role, action in PATHS[(stage, state)]:
        desk.tickets.act(people[who[role]], tid, action)
    row = desk.db.repo.tickets[int(tid[2:])]
    assert (row["state"], bool(row["escalated"])) == (state.value, stage == CONTRACTOR)
    return str(tid)


def attempt(desk: FakeDesk, person, tid: str, action: Action) -> str:
    try:
        ticket = desk.tickets.act(person, tid, action.value, **action_args(action))
    except NotFound:
        return NOT_FOUND
    except Forbidden:
        return FORBIDDEN
    except Conflict:
        return CONFLICT
    return str(ticket["state"])


@pytest.mark.parametrize(
    ("stage", "state"), [(stage, state) for stage in STAGES for state in STAGE_STATES[stage]], ids=str
)
def test_every_role_and_action_on_a_ticket_in_this_state_does_what_the_written_rules_say(stage, state):
    desk, people = desk_with_everyone()
    tid = ticket_in(desk, people, stage, state)
    # Every attempt starts from this moment: an allowed one gets the ticket as it was, and the
    # fake holds one ticket, so its units of work stay cheap.
    saved = copy.deepcopy(desk.db.repo.__dict__)
    events = len(desk.db.repo.log)
    wrong = []
    for login, role, before, after in TRIERS:
        relation = after if stage == CONTRACTOR else before
        for action in Action:
            desk.db.repo.__dict__.update(copy.deepcopy(saved))
            want = expected(role, relation, stage, state, action)
            refused = want in (NOT_FOUND, FORBIDDEN, CONFLICT)
            if not refused:
                want = landing(stage, state, want).value
            got = attempt(desk, people[login], tid, action)
            written = len(desk.db.repo.log) - events
            if got != want or (refused and written):
                wrong.append(f"{login} {action.value}: {got} ≠ {want} ({written} events written)")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_a_coordinator_files_into_another_office_whatever_the_request_says(role):
    desk, people = desk_with_everyone()
    person = next(
        p
        for login, p in people.items()
        if p.role is role and (p.jst in (None, PLOCK)) and not login.startswith("agent_")
    )
    request = NewTicket("Skaner nie działa", "opis", "EZD", office=SLUPNO)
    rule = CREATE[role]
    if rule is None:
        with pytest.raises(Forbidden):
            desk.tickets.create(person, request)
        assert desk.db.repo.tickets == {}
        return
    ticket = desk.tickets.create(person, request)
    assert ticket["office"] == (SLUPNO if rule == "named" else person.jst)
    # Asking for its own office, or for none, changes nothing for an office role.
    if rule == "own":
        for office in (PLOCK, None, "9999999"):
            other = desk.tickets.create(person, NewTicket("Skaner", "opis", "EZD", office=office))
            assert other["office"] == PLOCK
    else:
        with pytest.raises(InvalidInput):
            desk.tickets.create(person, NewTicket("Skaner", "opis", "EZD"))
        with pytest.raises(InvalidInput):
            desk.tickets.create(person, NewTicket("Skaner", "opis", "EZD", office="9999999"))
