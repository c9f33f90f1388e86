"""Proposals learned from tickets over HTTP (`/api/v1/kb/proposals…`, the `article` field of ticket
actions) and from the console (`helpdesk kb proposals|accept|reject`)."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.cli import main
from helpdesk.web.app import create_app
from tests.integration.test_kb_proposals import ARTICLE, ARTICLES, UNANSWERED, ask_and_open_ticket
from tests.support.calls import api_caller, one_error_line, run
from tests.support.world import REPO, make_container, populate


@pytest.fixture
async def api(container):
    people = populate(container)
    container.kb.import_articles(ARTICLES)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    call = api_caller(client, tokens, never_500=True)
    call.container = container
    call.people = people
    yield call
    await client.close()


async def test_a_leader_chooses_the_article_in_the_reply_and_a_coordinator_accepts_over_the_api(api):
    container, people = api.container, api.people
    _answer, ticket = ask_and_open_ticket(container, people["urz.plock"], UNANSWERED)
    path = f"/api/v1/tickets/{ticket}/actions"
    assert (await api("POST", path, "lider.plock", {"action": "take"}))[0] == 200
    status, body = await api("POST", path, "lider.plock", {"action": "reply", "article": "nie-ma-takiego"})
    assert status == 400 and "nie-ma-takiego" in body["error"]
    status, body = await api(
        "POST", path, "lider.plock", {"action": "reply", "text": "Proszę spojrzeć tutaj.", "article": ARTICLE}
    )
    assert status == 200
    status, detail = await api("GET", f"/api/v1/tickets/{ticket}", "urz.plock")
    reply = [e for e in detail["events"] if e["type"] == "replied"][-1]
    assert reply["text"].startswith("Proszę spojrzeć tutaj.") and f"/kb/{ARTICLE}" in reply["text"]

    status, listing = await api("GET", "/api/v1/kb/proposals", "koordynator")
    assert status == 200 and listing["total"] == 1
    [item] = listing["items"]
    assert item["kind"] == "phrasing" and item["article_title"] == "Resetowanie zapomnianego hasła"
    assert (await api("GET", "/api/v1/kb/proposals", "urz.plock"))[0] == 403
    assert (await api("GET", "/api/v1/kb/proposals?status=maybe", "koordynator"))[0] == 400
    assert (await api("GET", "/api/v1/kb/proposals?colour=red", "koordynator"))[0] == 400
    assert (await api("POST", f"/api/v1/kb/proposals/{item['id']}/accept", "lider.plock"))[0] == 403
    assert (await api("POST", "/api/v1/kb/proposals/abc/accept", "koordynator"))[0] == 400
    assert (await api("POST", "/api/v1/kb/proposals/777/accept", "koordynator"))[0] == 404
    status, decided = await api("POST", f"/api/v1/kb/proposals/{item['id']}/accept", "koordynator")
    assert status == 200 and decided["status"] == "accepted" and decided["decided_by"] == "koordynator"
    assert (await api("POST", f"/api/v1/kb/proposals/{item['id']}/reject", "koordynator"))[0] == 409
    status, answer = await api("POST", "/api/v1/kb/answer", "urz2.plock", {"text": UNANSWERED})
    assert status == 200 and answer["answered"] and answer["article"]["id"] == ARTICLE
    status, everything = await api("GET", "/api/v1/kb/proposals?status=all", "koordynator")
    assert everything["total"] == 1


async def test_the_openapi_document_describes_the_proposals(api):
    status, doc = await api("GET", "/api/v1/openapi.json")
    assert status == 200
    for path in (
        "/api/v1/kb/proposals",
        "/api/v1/kb/proposals/{id}/accept",
        "/api/v1/kb/proposals/{id}/reject",
    ):
        assert path in doc["paths"]
    assert "article" in doc["components"]["schemas"]["ActionRequest"]["properties"]
    assert "suggestions" in doc["components"]["schemas"]["KbAnswer"]["properties"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/h.db"
    for key, value in {
        "HELPDESK_DATABASE_URL": url,
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_SMTP_LISTEN": "",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["init"]) == 0
    container = make_container(url)
    people = populate(container)
    container.kb.import_articles(ARTICLES)
    _answer, ticket = ask_and_open_ticket(container, people["urz.plock"], UNANSWERED)
    container.tickets.act(people["lider.plock"], ticket, "take")
    container.tickets.act(people["lider.plock"], ticket, "resolve", text=f"/kb/{ARTICLE}")
    answer = container.kb.answer("jak zresetować hasło do EZD", people["urz.plock"])
    container.kb.feedback(answer["query_id"], False, people["urz.plock"])
    yield container
    container.close()


def test_the_console_lists_accepts_and_rejects_proposals(env, capsys):
    code, out, _ = run(capsys, "kb", "proposals", "--json")
    items = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [i["kind"] for i in items] == ["phrasing", "counter_example"]
    code, out, _ = run(capsys, "kb", "proposals")
    assert code == 0 and "nowe sformułowanie pytania → konto-reset-hasla" in out and UNANSWERED[:40] in out
    code, out, _ = run(capsys, "kb", "accept", str(items[0]["id"]), "--as", "koordynator")
    assert code == 0 and "przyjęta" in out
    code, out, _ = run(capsys, "kb", "reject", str(items[1]["id"]), "--json")
    assert (code == 0 and json.loads(out)["decided_by"] == "operator") or json.loads(out)[
        "status"
    ] == "rejected"
    code, out, _ = run(capsys, "kb", "proposals")
    assert code == 0 and "Brak propozycji" in out
    code, out, _ = run(capsys, "kb", "proposals", "--all", "--json")
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["accepted", "rejected"]
    code, out, _ = run(capsys, "kb", "ask", UNANSWERED, "--json")
    assert json.loads(out)["article"]["id"] == ARTICLE


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["accept", "abc"], "numer propozycji"),
        (["accept", "4242"], "nie ma propozycji"),
        (["reject", "1", "--as", "lider.plock"], "nie może"),
    ],
)
def test_bad_console_input_is_one_polish_line_and_exit_2(env, capsys, args, needle):
    code, _, err = run(capsys, "kb", *args)
    assert code == 2 and needle in one_error_line(err)
