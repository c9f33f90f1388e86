"""The HTTP API through a real aiohttp server: roles across two offices and two contractors,
the whole flow, bad input on every endpoint, and the OpenAPI document against the real routes."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.web.app import create_app
from helpdesk.web.openapi import document
from tests.support.calls import api_caller
from tests.support.world import contract_for, populate


@pytest.fixture
async def api(any_container):
    container = any_container
    people = populate(container)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()

    call = api_caller(client, tokens)
    call.container = container
    call.people = people
    yield call
    await client.close()


def agent_of(api, component):
    contractor = contract_for(api.container, component).contractor
    return next(login for login, p in api.people.items() if p.contractor == contractor)


def other_agent(api, component):
    contractor = contract_for(api.container, component).contractor
    return next(
        login for login, p in api.people.items() if p.role.value == "agent" and p.contractor != contractor
    )


async def open_ticket(api, who="urz.plock", **extra):
    body = {"title": "EZD nie otwiera pism", "description": "Błąd 500 przy otwieraniu", "component": "EZD"}
    body.update(extra)
    status, ticket = await api("POST", "/api/v1/tickets", who, body)
    assert status == 201, ticket
    return ticket["id"]


async def act(api, who, ticket, action, **extra):
    return await api("POST", f"/api/v1/tickets/{ticket}/actions", who, {"action": action, **extra})


async def test_the_whole_flow_from_official_to_contractor_and_back(api):
    tid = await open_ticket(api)
    assert tid.startswith("T-")
    agent = agent_of(api, "EZD")
    for who, action, extra, state in [
        ("lider.plock", "take", {}, "in_progress"),
        ("lider.plock", "escalate", {"priority": "high"}, "escalated"),
        (agent, "acknowledge", {"text": "Przyjęte"}, "acknowledged"),
        (agent, "wait_for_office", {"text": "Prosimy o zrzut ekranu"}, "waiting"),
        ("lider.plock", "resume", {}, "acknowledged"),
        (agent, "workaround", {}, "workaround"),
        (agent, "resolve", {}, "resolved"),
        ("urz.plock", "reopen", {"text": "Nadal nie działa"}, "reopened"),
        (agent, "resolve", {}, "resolved"),
        ("urz.plock", "close", {}, "closed"),
    ]:
        status, body = await act(api, who, tid, action, **extra)
        assert status == 200, (action, body)
        assert body["state"] == state
    status, detail = await api("GET", f"/api/v1/tickets/{tid}", "audytor")
    assert status == 200
    types = [e["type"] for e in detail["events"]]
    assert types[:3] == ["created", "assigned", "escalated"] and types[-1] == "closed"
    assert detail["sla"]["metrics"]["reaction"]["state"] in ("met", "running", "breached")
    assert detail["contractor"] == contract_for(api.container, "EZD").contractor


async def test_a_comment_of_the_office_side_through_the_api_ends_the_waiting(api):
    tid = await open_ticket(api)
    agent = agent_of(api, "EZD")
    await act(api, "lider.plock", tid, "escalate", priority="high")
    await act(api, agent, tid, "wait_for_office", text="Prosimy o zrzut ekranu")
    # A comment of the contractor's side does not end the office's waiting.
    status, body = await act(api, agent, tid, "comment", text="Przypominamy o zrzucie")
    assert (status, body["state"]) == (200, "waiting")

    status, body = await act(api, "przedst.plock", tid, "comment", text="Zrzut w załączniku")

    assert (status, body["state"]) == (200, "escalated")
    status, detail = await api("GET", f"/api/v1/tickets/{tid}", "audytor")
    last = detail["events"][-1]
    assert (last["type"], last["actor"], last["reason"]) == ("resumed", "przedst.plock", "office_answer")
    assert detail["sla"]["metrics"]["reaction"]["paused"] is False


async def test_each_role_sees_only_what_it_may(api):
    plock = await open_ticket(api, "urz.plock")
    plock2 = await open_ticket(api, "urz2.plock")
    slupno = await open_ticket(api, "urz.slupno")
    await act(api, "lider.plock", plock, "escalate", priority="normal")

    async def visible(who):
        status, page = await api("GET", "/api/v1/tickets", who)
        assert status == 200
        return {t["id"] for t in page["items"]}

    assert await visible("urz.plock") == {plock}
    assert await visible("lider.plock") == {plock, plock2}
    assert await visible("przedst.slupno") == {slupno}
    assert await visible(agent_of(api, "EZD")) == {plock}
    assert await visible(other_agent(api, "EZD")) == set()
    assert await visible("audytor") == await visible("koordynator") == {plock, plock2, slupno}
    for who, tid in [("urz.plock", plock2), ("lider.slupno", plock), (other_agent(api, "EZD"), plock)]:
        status, body = await api("GET", f"/api/v1/tickets/{tid}", who)
        assert status == 404, (who, body)


async def test_actions_outside_the_role_or_state_are_refused(api):
    tid = await open_ticket(api)
    assert (await act(api, "urz.plock", tid, "escalate"))[0] == 403
    assert (await act(api, "audytor", tid, "comment", text="x"))[0] == 403
    assert (await act(api, "lider.plock", tid, "reopen"))[0] == 409
    assert (await act(api, "lider.slupno", tid, "take"))[0] == 404
    assert (await api("POST", "/api/v1/tickets", "audytor", {"title": "x"}))[0] == 403
    assert (await api("POST", "/api/v1/tickets", agent_of(api, "EZD"), {"title": "x"}))[0] == 403
    status, _body = await act(api, "lider.plock", tid, "escalate", priority="critical")
    assert status == 200
    assert (await act(api, "lider.plock", tid, "acknowledge"))[0] == 403
    assert (await act(api, agent_of(api, "EZD"), tid, "resolve"))[0] == 200
    assert (await act(api, agent_of(api, "EZD"), tid, "acknowledge"))[0] == 409


async def test_escalation_needs_a_component_covered_by_a_contract(api):
    tid = await open_ticket(api, component=None)
    status, body = await act(api, "lider.plock", tid, "escalate", priority="normal")
    assert status == 409 and "komponent" in body["error"]


async def test_filters_and_pages_work(api):
    for _ in range(3):
        await open_ticket(api, priority="low")
    await open_ticket(api, priority="critical")
    status, page = await api("GET", "/api/v1/tickets?priority=low&per_page=2&page=2", "lider.plock")
    assert status == 200 and page["total"] == 3 and len(page["items"]) == 1
    status, page = await api("GET", "/api/v1/tickets?status=new,in_progress&escalated=false", "koordynator")
    assert status == 200 and page["total"] == 4
    status, page = await api("GET", "/api/v1/tickets?office=1419112", "koordynator")
    assert page["total"] == 0


BAD_REQUESTS = [
    ("POST", "/api/v1/tickets", "{not json", 400),
    ("POST", "/api/v1/tickets", "[1,2]", 400),
    ("POST", "/api/v1/tickets", "", 400),
    ("POST", "/api/v1/tickets", '{"title": 5}', 400),
    ("POST", "/api/v1/tickets", '{"title": ""}', 400),
    ("POST", "/api/v1/tickets", '{"title": "x", "priority": "pilne"}', 400),
    ("POST", "/api/v1/tickets", '{"title": "x", "component": "WORD"}', 400),
    ("POST", "/api/v1/tickets", '{"title": "x", "surprise": 1}', 400),
    ("POST", "/api/v1/tickets", json.dumps({"title": "x" * 201}), 400),
    ("POST", "/api/v1/tickets", "\xff\xfe", 400),
    ("GET", "/api/v1/tickets?page=0", None, 400),
    ("GET", "/api/v1/tickets?page=abc", None, 400),
    ("GET", "/api/v1/tickets?per_page=100000", None, 400),
    ("GET", "/api/v1/tickets?status=lost", None, 400),
    ("GET", "/api/v1/tickets?escalated=maybe", None, 400),
    ("GET", "/api/v1/tickets?colour=red", None, 400),
    ("GET", "/api/v1/tickets/T-999999", None, 404),
    ("GET", "/api/v1/tickets/42", None, 400),
    ("GET", "/api/v1/tickets/T-" + "9" * 40, None, 400),
    ("POST", "/api/v1/tickets/T-000001/actions", '{"action": "dance"}', 400),
    ("POST", "/api/v1/tickets/T-000001/actions", '{"text": "x"}', 400),
    ("POST", "/api/v1/tickets/T-000001/actions", '{"action": "comment"}', 400),
    ("POST", "/api/v1/tickets/T-000001/actions", '{"action": "comment", "text": 7}', 400),
    ("POST", "/api/v1/tickets/T-000001/actions", '{"action": "set_priority", "priority": 1}', 400),
    ("POST", "/api/v1/tickets/T-000001/actions", "null", 400),
    ("POST", "/api/v1/kb/answer", '{"text": 1}', 400),
    ("POST", "/api/v1/kb/answer", "{}", 400),
    ("POST", "/api/v1/kb/feedback", '{"query_id": "x"}', 400),
    ("GET", "/api/v1/nothing-here", None, 404),
    ("DELETE", "/api/v1/tickets", None, 405),
]


@pytest.mark.parametrize("method,path,raw,expected", BAD_REQUESTS)
async def test_bad_input_gets_a_json_error_never_a_500(api, method, path, raw, expected):
    await open_ticket(api)
    headers = {"Content-Type": "application/json"} if raw else None
    status, body = await api(
        method, path, "lider.plock", raw=raw.encode("latin-1") if raw else None, headers=headers
    )
    assert status == expected, body
    assert isinstance(body, dict) and body["error"]
    # The error is Polish throughout: none of the json module's or the codec's English words.
    assert not any(w in body["error"] for w in ("Expecting", "char ", "codec", "invalid", "decode")), body


async def test_a_huge_body_is_refused_with_413(api):
    status, body = await api(
        "POST",
        "/api/v1/tickets",
        "urz.plock",
        raw=b'{"title": "' + b"x" * 2_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert status == 413 and body["error"]


async def test_missing_or_wrong_credentials_get_401(api):
    assert (await api("GET", "/api/v1/tickets"))[0] == 401
    assert (await api("GET", "/api/v1/tickets", headers={"Authorization": "Bearer nope"}))[0] == 401
    assert (await api("GET", "/api/v1/tickets", headers={"Authorization": "Basic abc"}))[0] == 401
    assert (await api("POST", "/api/v1/kb/answer", body={"text": "hasło"}))[0] == 401


async def test_health_and_metrics_answer(api):
    status, body = await api("GET", "/healthz")
    assert status == 200 and body["status"] == "ok" and body["checks"]["database"] == "ok"
    await open_ticket(api)
    status, text = await api("GET", "/metrics")
    assert status == 200 and "helpdesk_tickets_created_total 1" in text and "helpdesk_database_up 1" in text


async def test_the_openapi_document_lists_exactly_the_served_api_routes(api):
    status, doc = await api("GET", "/api/v1/openapi.json")
    assert status == 200 and doc == json.loads(json.dumps(document()))
    app = create_app(api.container)
    served = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/v1") or path in ("/healthz", "/metrics"):
            if route.method != "HEAD":
                served.add((path, route.method.lower()))
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    undocumented = served - documented
    # The Telegram webhook is Telegram's, not ours to describe.
    assert {p for p, _ in undocumented} <= {"/api/v1/telegram/webhook"}
    assert documented - served == set()
