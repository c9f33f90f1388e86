"""The HTTP API against the written rules (tests/fixtures/rules/, README "Kto może co"): every
action by every role in every state a ticket can be in, on a ticket of its own office or contractor
and of another one, answered 200 / 403 / 404 / 409 as the tables say; the actions each ticket offers
(`allowed_actions`); who sees a ticket in the list; and who files into which office."""

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import Action, State
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.calls import api_caller
from tests.support.rules_table import (
    CONFLICT,
    CONTRACTOR,
    CREATE,
    FORBIDDEN,
    NOT_FOUND,
    OFFICE,
    PATHS,
    SCOPE,
    STAGE_STATES,
    STAGES,
    TRIERS,
    action_args,
    allowed,
    expected,
    landing,
)
from tests.support.world import contract_for, populate

STATUS = {NOT_FOUND: 404, FORBIDDEN: 403, CONFLICT: 409}
PLOCK, SLUPNO = "1462011", "1419112"


async def api_for(container):
    people = populate(container)
    ezd = contract_for(container, "EZD").contractor
    people["agent_ezd"] = next(p for p in people.values() if p.role is Role.AGENT and p.contractor == ezd)
    people["agent_other"] = next(p for p in people.values() if p.role is Role.AGENT and p.contractor != ezd)
    tokens = {
        login: container.people.issue_token(p.login, container.clock.now()) for login, p in people.items()
    }
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    call = api_caller(client, tokens, never_500=True)
    call.container, call.people, call.client = container, people, client
    return call


@pytest.fixture
async def api(container):
    call = await api_for(container)
    yield call
    await call.client.close()


@pytest.fixture
async def any_api(any_container):
    call = await api_for(any_container)
    yield call
    await call.client.close()


def ticket_in(api, stage: str, state: State) -> str:
    """A new EZD ticket of the Płock official brought into `state` (set up through the service; the
    request under test is the only one that goes through HTTP)."""
    tickets, people = api.container.tickets, api.people
    tid = tickets.create(people["urz.plock"], NewTicket("EZD nie otwiera pism", "opis", "EZD"))["id"]
    who = {"leader": "lider.plock", "agent": "agent_ezd", "official": "urz.plock"}
    for role, action in PATHS[(stage, state)]:
        tickets.act(people[who[role]], tid, action)
    return str(tid)


def event_count(api, tid: str) -> int:
    return len(api.container.tickets.get(api.people["koordynator"], tid)["events"])


@pytest.mark.parametrize(
    ("stage", "state"), [(stage, state) for stage in STAGES for state in STAGE_STATES[stage]], ids=str
)
async def test_every_role_and_action_is_answered_over_http_as_the_written_rules_say(api, stage, state):
    shared = ticket_in(api, stage, state)  # refusals must leave it as it was
    events = event_count(api, shared)
    wrong = []
    for login, role, before, after in TRIERS:
        relation = after if stage == CONTRACTOR else before
        status, body = await api("GET", f"/api/v1/tickets/{shared}", login)
        if SCOPE[role][relation]:
            offered = {Action(a) for a in body["allowed_actions"]} if status == 200 else None
            if offered != allowed(role, stage, state):
                wrong.append(f"{login} GET: {status}, offered {offered}")
        elif status != 404:
            wrong.append(f"{login} GET: {status} ≠ 404")
        # Not seeing the ticket answers every action alike (404): of those, try the ones the role
        # could do on a ticket of its own in this state, and a comment.
        tried = Action if SCOPE[role][relation] else sorted(allowed(role, stage, state) | {Action.COMMENT})
        for action in tried:
            want = expected(role, relation, stage, state, action)
            refused = want in STATUS
            tid = shared if refused else ticket_in(api, stage, state)
            status, body = await api(
                "POST",
                f"/api/v1/tickets/{tid}/actions",
                login,
                {"action": action.value, **action_args(action)},
            )
            if refused:
                if status != STATUS[want] or "error" not in body:
                    wrong.append(f"{login} {action.value}: {status} {body} ≠ {STATUS[want]}")
            else:
                state_want = landing(stage, state, want).value
                if status != 200 or body.get("state") != state_want:
                    wrong.append(f"{login} {action.value}: {status} {body} ≠ 200 {state_want}")
    assert event_count(api, shared) == events
    assert wrong == [], "\n".join(wrong)


async def test_the_list_shows_each_role_exactly_the_tickets_the_written_rules_let_it_see(any_api):
    api = any_api
    plain = ticket_in(api, OFFICE, State.NEW)
    escalated = ticket_in(api, CONTRACTOR, State.ESCALATED)
    wrong = []
    for login, role, before, after in TRIERS:
        status, body = await api("GET", "/api/v1/tickets?per_page=200", login)
        assert status == 200, (login, body)
        seen = {t["id"] for t in body["items"]}
        want = {tid for tid, rel in ((plain, before), (escalated, after)) if SCOPE[role][rel]}
        if seen != want:
            wrong.append(f"{login}: sees {sorted(seen)} ≠ {sorted(want)}")
    assert wrong == [], "\n".join(wrong)


async def test_only_a_coordinator_files_into_another_office_over_http(api):
    body = {"title": "Skaner nie działa", "description": "opis", "component": "EZD", "office": SLUPNO}
    for login, role, *_ in TRIERS:
        status, ticket = await api("POST", "/api/v1/tickets", login, body)
        rule = CREATE[role]
        if rule is None:
            assert status == 403 and "error" in ticket, (login, status, ticket)
            continue
        assert status == 201, (login, ticket)
        home = api.people[login].jst
        assert ticket["office"] == (SLUPNO if rule == "named" else home), (login, ticket["office"])
    # An office role that names its own office, another one or none still files into its own.
    for office in (PLOCK, SLUPNO, None):
        status, ticket = await api("POST", "/api/v1/tickets", "lider.plock", {**body, "office": office})
        assert (status, ticket["office"]) == (201, PLOCK)
    status, ticket = await api("POST", "/api/v1/tickets", "koordynator", {**body, "office": None})
    assert status == 400 and "urząd" in ticket["error"]
