"""The proposals learned from tickets on the drafts review page (`/drafts`): listed, escaped, decided by
coordinators with one button, read-only for leaders."""

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.web.app import create_app
from tests.integration.test_kb_proposals import ARTICLE, ARTICLES, ask_and_open_ticket
from tests.support.forms import with_token
from tests.support.world import populate

PASSWORD = "tajne-haslo-1"
QUESTION = "system <b>co kwartał</b> wymusza nowy szyfr dostępowy & co teraz"


@pytest.fixture
async def browser(container):
    people = populate(container)
    for login in people:
        container.people.set_password(login, PASSWORD)
    container.kb.import_articles(ARTICLES)
    _answer, ticket = ask_and_open_ticket(container, people["urz.plock"], QUESTION)
    container.tickets.act(people["lider.plock"], ticket, "take")
    container.tickets.act(people["lider.plock"], ticket, "resolve", text=f"/kb/{ARTICLE}")
    clients: list[TestClient] = []

    async def login(who):
        client = TestClient(TestServer(create_app(container)))
        await client.start_server()
        clients.append(client)
        resp = await client.post("/login", data={"login": who, "password": PASSWORD}, allow_redirects=False)
        assert resp.status == 303
        return client

    login.container = container
    yield login
    for client in clients:
        await client.close()


async def test_a_coordinator_accepts_a_proposal_on_the_drafts_page_and_the_bot_answers_with_it(browser):
    client = await browser("koordynator")
    home = await (await client.get("/")).text()
    assert "Propozycje z pytań</a> czekające na decyzję: 1" in home
    text = await (await client.get("/drafts")).text()
    assert (
        "Propozycje z pytań" in text
        and "&lt;b&gt;co kwartał&lt;/b&gt;" in text
        and "<b>co kwartał" not in text
    )
    assert 'action="/proposals/1/accept"' in text and "Resetowanie zapomnianego hasła" in text
    resp = await client.post("/proposals/1/accept", data=with_token(client), allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/drafts?")
    text = await (await client.get(resp.headers["Location"])).text()
    assert "Propozycja 1: przyjęta." in text and "Brak propozycji czekających na decyzję." in text
    answer = browser.container.kb.answer(QUESTION, record=False)
    assert answer["answered"] and answer["article"]["id"] == ARTICLE
    resp = await client.post("/proposals/1/reject", data=with_token(client), allow_redirects=False)
    assert resp.status == 409 and "jest już przyjęta" in await resp.text()
    for bad, status in (("abc", 400), ("99", 404)):
        resp = await client.post(f"/proposals/{bad}/accept", data=with_token(client), allow_redirects=False)
        assert resp.status == status


async def test_a_leader_sees_the_offices_proposals_without_buttons_and_cannot_decide(browser):
    client = await browser("lider.plock")
    text = await (await client.get("/drafts")).text()
    assert "wymusza nowy szyfr" in text and "/proposals/1/accept" not in text
    resp = await client.post("/proposals/1/accept", data=with_token(client), allow_redirects=False)
    assert resp.status == 403
