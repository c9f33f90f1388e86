"""The proposals learned from tickets on the drafts review page (`/drafts`): listed, escaped, decided by
coordinators with one button, read-only for leaders."""

import re

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


async def test_the_review_page_escapes_what_people_wrote_and_every_form_carries_the_token(browser):
    container = browser.container
    official, leader = container.people.person("urz.plock"), container.people.person("lider.plock")
    hostile = "<script>alert('x')</script> drukarka & faks nie drukują z sieci"
    _answer, ticket = ask_and_open_ticket(container, official, hostile)
    container.tickets.act(leader, ticket, "take")
    container.tickets.act(leader, ticket, "resolve", text=f"/kb/{ARTICLE}")
    client = await browser("koordynator")
    # The notices come back from a redirect's address, which anyone can type into a link.
    resp = await client.get("/drafts", params={"propozycja": "<b>przyjęta</b>", "odrzucono": "<i>x</i>"})
    html = await resp.text()
    assert resp.status == 200
    assert "„&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; drukarka &amp; faks nie drukują z sieci”" in html
    assert "<script>alert" not in html
    assert 'role="status">&lt;b&gt;przyjęta&lt;/b&gt;</p>' in html and "<b>przyjęta" not in html
    assert "Odrzucono szkic &lt;i&gt;x&lt;/i&gt;." in html and "<i>x" not in html
    # Every form that posts (accept and reject of both proposals, logging out) carries the token.
    forms = re.findall(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
    token = with_token(client)["csrf"]
    assert len(forms) == 5 and all(f'<input type="hidden" name="csrf" value="{token}">' in f for f in forms)
    assert "method='post'" not in html  # nothing hand-built is left
    resp = await client.post("/proposals/2/accept", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    decided = container.kb_proposals.list(container.people.person("koordynator"), None)
    assert {p["id"]: p["status"] for p in decided}[2] == "accepted"
