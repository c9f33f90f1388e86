"""The draft review pages (`/drafts`, `/drafts/{id}`) through a real aiohttp server with a web session:
who sees the link, the list and the buttons, what a save / publish / discard does, escaping."""

import re
from html import unescape

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.forms import with_token
from tests.support.world import populate

DRAFT = "szkic-t-000001"
NEW_ID = "sprzet-rzutnik-b-nie-b-dziala"  # SPRZET + "Rzutnik <b>nie</b> działa"
PASSWORD = "tajne-haslo-1"


@pytest.fixture
async def web(any_container):
    container = any_container
    people = populate(container)
    for login in people:
        container.people.set_password(login, PASSWORD)
    ticket = container.tickets.create(
        people["urz.plock"],
        NewTicket(
            title="Rzutnik <b>nie</b> działa", description="Brak sygnału & obrazu.", component="SPRZET"
        ),
    )
    for action, text in (("take", None), ("resolve", "Przełączono źródło na HDMI 2.")):
        container.tickets.act(people["lider.plock"], ticket["id"], action, text=text)
    KbInsights(container.db, container.clock, container.kb, container.settings.tz).draft_from_ticket(
        people["lider.plock"], ticket["id"]
    )
    clients: list[TestClient] = []

    async def browser(login):
        client = TestClient(TestServer(create_app(container)))
        await client.start_server()
        clients.append(client)
        resp = await client.post("/login", data={"login": login, "password": PASSWORD}, allow_redirects=False)
        assert resp.status == 303
        return client

    browser.container = container
    browser.ticket = ticket["id"]
    yield browser
    for client in clients:
        await client.close()


async def page(client, path):
    resp = await client.get(path, allow_redirects=False)
    return resp.status, await resp.text()


async def post(client, path, data):
    resp = await client.post(path, data=with_token(client, data), allow_redirects=False)
    return resp.status, resp.headers.get("Location"), await resp.text()


def form_of(html):
    """Field values of the draft form as a browser would send them."""

    def field(pattern):
        return unescape(re.search(pattern, html, re.S).group(1))

    data = {
        "title": field(r'id="title" name="title"[^>]*value="([^"]*)"'),
        "questions": field(r'<textarea id="questions"[^>]*>(.*?)</textarea>'),
        "body": field(r'<textarea id="body"[^>]*>(.*?)</textarea>'),
        "tags": field(r'id="tags" name="tags"[^>]*value="([^"]*)"'),
        "component": field(r'<option value="([A-Z_]+)" selected>'),
        "version": field(r'name="version" value="(\d+)"'),
    }
    if 'id="new_id"' in html:  # the final id, for those who publish
        data["id"] = field(r'id="new_id" name="id"[^>]*value="([^"]*)"')
        data["suggested_id"] = field(r'name="suggested_id" value="([^"]*)"')
    return data


async def test_home_links_the_drafts_for_leaders_coordinators_and_admins_only(web):
    for login, linked in (
        ("lider.plock", True),
        ("koordynator", True),
        ("admin", True),
        ("lider.slupno", True),
        ("urz.plock", False),
        ("agent1", False),
        ("audytor", False),
    ):
        client = await web(login)
        status, html = await page(client, "/")
        assert status == 200 and (("href='/drafts'" in html) is linked), login
        if linked:
            count = 0 if login == "lider.slupno" else 1
            assert f"Szkice artykułów</a> bazy wiedzy do przejrzenia: {count}" in html, login


async def test_the_list_and_the_draft_page_escape_everything_and_show_buttons_by_role(web):
    leader = await web("lider.plock")
    status, html = await page(leader, "/drafts")
    assert status == 200 and f'href="/drafts/{DRAFT}"' in html and web.ticket in html
    assert "Rzutnik &lt;b&gt;nie&lt;/b&gt; działa" in html and "<b>nie</b>" not in html
    status, html = await page(leader, f"/drafts/{DRAFT}")
    assert (
        status == 200 and "Zapisz szkic" in html and "Zapisz i opublikuj" not in html and "Odrzuć" not in html
    )
    assert "Brak sygnału &amp; obrazu." in html and "lider.plock" in html
    boss = await web("koordynator")
    status, html = await page(boss, f"/drafts/{DRAFT}")
    assert "Zapisz i opublikuj" in html and "Odrzuć szkic" in html
    other = await web("lider.slupno")
    status, html = await page(other, f"/drafts/{DRAFT}")
    assert status == 404 and "nie ma szkicu" in html
    official = await web("urz.plock")
    status, html = await page(official, "/drafts")
    assert status == 403 and "nie może przeglądać" in html
    anonymous = TestClient(TestServer(create_app(web.container)))
    await anonymous.start_server()
    try:
        status, _ = await page(anonymous, "/drafts")
        assert status == 303
        status, location, _ = await post(anonymous, f"/drafts/{DRAFT}/publish", {})
        assert (status, location) == (303, "/login")
    finally:
        await anonymous.close()


async def test_a_leader_saves_an_edit_and_a_coordinator_publishes_it_to_the_article_page(web):
    leader = await web("lider.plock")
    _, html = await page(leader, f"/drafts/{DRAFT}")
    data = form_of(html)
    assert data["title"] == "Rzutnik <b>nie</b> działa" and data["version"] == "1"
    data.update(
        title="Rzutnik nie pokazuje obrazu",
        questions="Co zrobić, gdy rzutnik nie ma sygnału?\n\n",
        tags="rzutnik, hdmi",
    )
    status, location, _ = await post(leader, f"/drafts/{DRAFT}", data)
    assert (status, location) == (303, f"/drafts/{DRAFT}?zapisano=1")
    _, html = await page(leader, location)
    assert "Zapisano zmiany szkicu." in html and form_of(html)["version"] == "2"
    status, _, html = await post(leader, f"/drafts/{DRAFT}/publish", form_of(html))
    assert status == 403
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    data = form_of(html)
    assert data["id"] == data["suggested_id"] == "sprzet-rzutnik-nie-pokazuje-obrazu"
    status, location, _ = await post(boss, f"/drafts/{DRAFT}/publish", data)
    assert (status, location) == (303, "/kb/sprzet-rzutnik-nie-pokazuje-obrazu")
    status, html = await page(boss, location)
    assert status == 200 and "Rzutnik nie pokazuje obrazu" in html
    article = web.container.kb.article("sprzet-rzutnik-nie-pokazuje-obrazu")
    assert article.questions == ("Co zrobić, gdy rzutnik nie ma sygnału?",) and article.tags == (
        "rzutnik",
        "hdmi",
    )
    status, html = await page(boss, f"/drafts/{DRAFT}")
    assert status == 301


async def test_a_bad_edit_shows_the_form_again_with_what_was_typed_and_the_field_named(web):
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    data = {**form_of(html), "title": "", "body": "Nowa <treść>, której nie wolno zgubić"}
    status, _, html = await post(boss, f"/drafts/{DRAFT}", data)
    assert status == 400 and "pole &#39;title&#39;" in html
    assert "Nowa &lt;treść&gt;, której nie wolno zgubić" in html
    data = {**form_of(html), "title": "Dobry tytuł", "version": "1"}
    # Someone else saves in between: the stale version is refused, nothing is overwritten.
    web.container.db.write(
        lambda tx: tx.kb_upsert(
            {**tx.kb_article(DRAFT), "title": "Cudza zmiana"},
            web.container.clock.now(),
            "lider.plock",
            status="draft",
        )
    )
    status, _, html = await post(boss, f"/drafts/{DRAFT}/publish", data)
    assert status == 409 and "lider.plock" in html
    assert web.container.db.read(lambda tx: tx.kb_article(DRAFT))["status"] == "draft"


async def test_a_coordinator_discards_a_draft_and_it_is_gone_from_the_list(web):
    boss = await web("admin")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    status, location, _ = await post(boss, f"/drafts/{DRAFT}/discard", {"version": form_of(html)["version"]})
    assert (status, location) == (303, f"/drafts?odrzucono={DRAFT}")
    status, html = await page(boss, location)
    assert status == 200 and f"Odrzucono szkic {DRAFT}." in html and "Brak szkiców do przejrzenia." in html
    status, html = await page(boss, f"/kb/{DRAFT}")
    assert status == 404
    status, _, html = await post(boss, f"/drafts/{DRAFT}/discard", {})
    assert status == 409 and "został odrzucony" in html


@pytest.mark.parametrize("path", ["/drafts/Zle_ID", "/drafts/" + "a" * 3000, "/drafts/%3Cscript%3E"])
async def test_bad_ids_are_a_clear_page_never_a_500(web, path):
    boss = await web("koordynator")
    status, html = await page(boss, path)
    assert status == 400 and "niepoprawny identyfikator" in html and "<script>" not in html
    status, _, html = await post(boss, path, {"title": "x"})
    assert status == 400 and "<script>" not in html


# --- the final id ---------------------------------------------------------------------------------


async def test_only_those_who_publish_see_the_id_field_prefilled_with_the_suggestion(web):
    _, html = await page(await web("lider.plock"), f"/drafts/{DRAFT}")
    assert 'id="new_id"' not in html and "suggested_id" not in html
    _, html = await page(await web("koordynator"), f"/drafts/{DRAFT}")
    assert "Adres artykułu po publikacji" in html and form_of(html)["id"] == NEW_ID


async def test_a_coordinator_publishes_under_a_typed_id_and_old_addresses_redirect_to_it(web):
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    status, location, _ = await post(
        boss, f"/drafts/{DRAFT}/publish", {**form_of(html), "id": " sprzet-rzutnik-hdmi "}
    )
    assert (status, location) == (303, "/kb/sprzet-rzutnik-hdmi")
    for old in (f"/kb/{DRAFT}", f"/drafts/{DRAFT}"):
        resp = await boss.get(old, allow_redirects=False)
        assert resp.status == 301 and resp.headers["Location"] == "/kb/sprzet-rzutnik-hdmi", old
        resp = await boss.get(old)
        assert resp.status == 200 and str(resp.url).endswith("/kb/sprzet-rzutnik-hdmi")
        assert "Rzutnik &lt;b&gt;nie&lt;/b&gt; działa" in await resp.text()
    anonymous = TestClient(TestServer(create_app(web.container)))  # links in e-mails: no session
    await anonymous.start_server()
    try:
        resp = await anonymous.get(f"/kb/{DRAFT}", allow_redirects=False)
        assert resp.status == 301 and resp.headers["Location"] == "/kb/sprzet-rzutnik-hdmi"
        for missing in ("/kb/szkic-t-000777", "/kb/nie-ma-takiego", "/kb/Zle_ID"):
            assert (await anonymous.get(missing, allow_redirects=False)).status == 404, missing
    finally:
        await anonymous.close()
    # Publishing again from a stale page: the error says where the article is.
    status, _, html = await post(boss, f"/drafts/{DRAFT}/publish", form_of(html))
    assert status == 409 and 'href="/kb/sprzet-rzutnik-hdmi"' in html and "już opublikowany" in html


async def test_an_id_left_as_suggested_follows_the_title_published_with_it(web):
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    data = {**form_of(html), "title": "Rzutnik: brak sygnału HDMI"}
    status, location, _ = await post(boss, f"/drafts/{DRAFT}/publish", data)
    assert (status, location) == (303, "/kb/sprzet-rzutnik-brak-sygnalu-hdmi")


@pytest.mark.parametrize(
    "typed, code, needle",
    [
        ("konto-reset-hasla", 409, "id &#39;konto-reset-hasla&#39; jest już zajęte"),
        ("Zły <id>", 400, "tylko małe litery ascii"),
        ("szkic-t-000009", 400, "zarezerwowane dla szkiców"),
        ("x" * 300, 400, "za długie"),
    ],
)
async def test_a_bad_or_taken_id_shows_the_form_again_with_everything_typed(web, typed, code, needle):
    web.container.kb.import_articles(
        [Article(id="konto-reset-hasla", title="Reset hasła", component="KONTO", body="Treść.")]
    )
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    data = {**form_of(html), "id": typed, "body": "Treść, której nie wolno zgubić"}
    status, _, html = await post(boss, f"/drafts/{DRAFT}/publish", data)
    assert status == code and needle in html and "<id>" not in html
    again = form_of(html)
    assert again["id"] == typed and again["body"] == "Treść, której nie wolno zgubić"
    assert web.container.db.read(lambda tx: tx.kb_article(DRAFT))["status"] == "draft"


async def test_the_draft_page_keeps_quotes_and_markup_as_typed_and_its_forms_carry_the_token(web):
    boss = await web("koordynator")
    _, html = await page(boss, f"/drafts/{DRAFT}")
    typed = {
        **form_of(html),
        "title": "Rzutnik \"HDMI 2\" i 'VGA' <b>nie</b> działa",
        "body": "**Uwaga:** kabel & <script>alert(1)</script>",
    }
    status, location, _ = await post(boss, f"/drafts/{DRAFT}", typed)
    assert (status, location) == (303, f"/drafts/{DRAFT}?zapisano=1")
    _, html = await page(boss, location)
    again = form_of(html)
    assert (again["title"], again["body"]) == (typed["title"], typed["body"])
    # The preview is the sanitising Markdown renderer's: Markdown made HTML, raw HTML shown as text.
    assert "<p><strong>Uwaga:</strong> kabel &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<script>alert" not in html and "<b>nie" not in html
    # The edit form, the discard form and logging out: each carries the session's token.
    forms = re.findall(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
    token = with_token(boss)["csrf"]
    assert len(forms) == 3 and all(f'<input type="hidden" name="csrf" value="{token}">' in f for f in forms)


async def test_the_pages_name_components_states_and_times_in_polish(web):
    leader = await web("lider.plock")
    _, html = await page(leader, "/drafts")
    main = html.split('<main id="main">')[1]
    assert "<td>sprzęt</td>" in main and "SPRZET" not in main
    assert "<td>Urząd Miasta Płocka</td>" in main and "<td>Osoba lider.plock</td>" in main
    assert not re.search(r"\d{4}-\d\d-\d\d", main)  # no ISO times: 04.02.2026 10:15 as elsewhere
    assert re.search(r"<td>\d\d\.\d\d\.\d{4} \d\d:\d\d</td>", main)
    _, html = await page(leader, f"/drafts/{DRAFT}")
    assert re.search(
        r"<tr><td>1</td><td>szkic</td><td>\d\d\.\d\d\.\d{4} \d\d:\d\d</td><td>Osoba lider.plock</td></tr>",
        html,
    )
    # People and offices by name, as on the ticket pages.
    assert " · Urząd Miasta Płocka · szkic: Osoba lider.plock, " in html
    assert "<td>draft</td>" not in html
