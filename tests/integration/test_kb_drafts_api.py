"""The review of article drafts over HTTP (`/api/v1/kb/drafts…`), role by role, with bad input of every
kind answered 4xx as JSON, never 500."""

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.insights import KbInsights
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.calls import api_caller
from tests.support.world import populate

DRAFT = "szkic-t-000001"
NEW_ID = "sprzet-rzutnik-nie-wyswietla-obrazu"
PATH = f"/api/v1/kb/drafts/{DRAFT}"
QUESTION = "Jak podłączyć laptopa do rzutnika w sali narad?"
ARTICLES = [
    Article(
        id="ezd-reset-hasla",
        title="Resetowanie hasła do EZD",
        component="EZD",
        tags=("hasło",),
        questions=("Jak zresetować hasło do EZD?",),
        body="Kliknij „Nie pamiętam hasła”.",
    ),
    Article(
        id="sprzet-toner",
        title="Zamawianie tonera do drukarki",
        component="SPRZET",
        tags=("drukarka",),
        questions=("Jak zamówić toner?",),
        body="Toner zamawia się u informatyka.",
    ),
]


@pytest.fixture
async def api(any_container):
    container = any_container
    people = populate(container)
    container.kb.import_articles(ARTICLES)
    ticket = container.tickets.create(
        people["urz.plock"],
        NewTicket(
            title="Rzutnik nie wyświetla obrazu",
            description="Rzutnik w sali narad: brak sygnału.",
            component="SPRZET",
        ),
    )
    for action, text in (("take", None), ("reply", "Przełącz źródło na HDMI 2."), ("resolve", "Działa.")):
        container.tickets.act(people["lider.plock"], ticket["id"], action, text=text)
    KbInsights(container.db, container.clock, container.kb, container.settings.tz).draft_from_ticket(
        people["lider.plock"], ticket["id"]
    )
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()

    call = api_caller(client, tokens, never_500=True)
    call.client = client
    call.container = container
    call.ticket = ticket["id"]
    yield call
    await client.close()


async def test_a_leader_edits_and_a_coordinator_publishes_then_the_answer_and_the_page_use_it(api):
    status, listing = await api("GET", "/api/v1/kb/drafts", "lider.plock")
    assert status == 200 and listing["total"] == 1
    [item] = listing["items"]
    assert item["id"] == DRAFT and item["ticket"] == api.ticket and item["drafted_by"] == "lider.plock"
    assert item["drafted_at"].startswith("2027-03-01T09:00") and item["office"] == "1462011"
    status, draft = await api("GET", PATH, "lider.plock")
    assert status == 200 and draft["version"] == 1 and "HDMI 2" in draft["body"] and draft["url"] is None
    status, draft = await api(
        "PUT", PATH, "lider.plock", {"questions": [QUESTION], "tags": ["rzutnik"], "version": 1}
    )
    assert status == 200 and draft["version"] == 2 and draft["questions"] == [QUESTION]
    assert draft["title"] == "Rzutnik nie wyświetla obrazu" and draft["outcome"] == "updated"
    status, body = await api("POST", f"{PATH}/publish", "lider.plock")
    assert status == 403 and "koordynatorzy" in body["error"]
    assert draft["suggested_id"] == NEW_ID
    status, article = await api("POST", f"{PATH}/publish", "koordynator", {"version": 2})
    assert status == 200 and article["status"] == "published" and article["url"].endswith(f"/kb/{NEW_ID}")
    assert article["id"] == NEW_ID and article["renamed_from"] == DRAFT and article["ticket"] == api.ticket
    assert [v["by"] for v in article["history"]] == ["lider.plock", "lider.plock", "koordynator"]
    status, answer = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": QUESTION})
    assert status == 200 and answer["answered"] and answer["article"]["id"] == NEW_ID
    assert answer["article"]["url"].endswith(f"/kb/{NEW_ID}")
    status, page = await api("GET", f"/kb/{NEW_ID}")
    assert status == 200 and "Rzutnik nie wyświetla obrazu" in page
    status, listing = await api("GET", "/api/v1/kb/drafts", "koordynator")
    assert (status, listing) == (200, {"items": [], "total": 0})
    status, body = await api("POST", f"{PATH}/publish", "koordynator")
    assert status == 409 and f"już opublikowany jako artykuł '{NEW_ID}'" in body["error"]
    status, body = await api("GET", PATH, "koordynator")
    assert status == 404 and f"opublikowano go jako artykuł '{NEW_ID}'" in body["error"]


async def test_a_draft_is_never_shown_at_its_article_address_and_a_discarded_one_never_again(api):
    status, _ = await api("GET", f"/kb/{DRAFT}")
    assert status == 404
    status, body = await api("POST", f"{PATH}/discard", "admin")
    assert status == 200 and body["status"] == "discarded" and body["history"][-1]["by"] == "admin"
    status, _ = await api("GET", f"/kb/{DRAFT}")
    assert status == 404
    status, listing = await api("GET", "/api/v1/kb/drafts", "admin")
    assert listing["total"] == 0
    for method, path in (("POST", f"{PATH}/publish"), ("POST", f"{PATH}/discard")):
        status, body = await api(method, path, "koordynator")
        assert status == 409 and "odrzucony" in body["error"]
    status, body = await api("PUT", PATH, "koordynator", {"title": "Wskrzeszony"})
    assert status == 409


@pytest.mark.parametrize(
    "who, list_status, get_status, put_status, publish_status",
    [
        ("lider.plock", 200, 200, 200, 403),
        ("lider2.plock", 200, 200, 200, 403),
        ("lider.slupno", 200, 404, 404, 403),
        ("urz.plock", 403, 403, 403, 403),
        ("przedst.plock", 403, 403, 403, 403),
        ("agent1", 403, 403, 403, 403),
        ("audytor", 403, 403, 403, 403),
        ("koordynator", 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200),
        (None, 401, 401, 401, 401),
    ],
)
async def test_every_role_gets_what_it_may(api, who, list_status, get_status, put_status, publish_status):
    status, listing = await api("GET", "/api/v1/kb/drafts", who)
    assert status == list_status
    if who == "lider.slupno":
        assert listing["total"] == 0
    assert (await api("GET", PATH, who))[0] == get_status
    assert (await api("PUT", PATH, who, {"title": f"Poprawka {who}"}))[0] == put_status
    assert (await api("POST", f"{PATH}/discard" if who == "admin" else f"{PATH}/publish", who))[
        0
    ] == publish_status


@pytest.mark.parametrize(
    "method, path, body, raw, status, needle",
    [
        ("PUT", PATH, {"title": 12.5e300}, None, 400, "'title'"),
        ("PUT", PATH, {"title": ["a"]}, None, 400, "'title' musi być tekstem"),
        ("PUT", PATH, {"title": ""}, None, 400, "'title'"),
        ("PUT", PATH, {"title": "x" * 50_000}, None, 400, "'title' jest za długie"),
        ("PUT", PATH, {"body": "x" * 200_000}, None, 400, "'body' jest za długie"),
        ("PUT", PATH, {"body": "x" * 2_000_000}, None, 413, "za duża"),
        ("PUT", PATH, {"body": "zero\u0000bajt"}, None, 400, "'body' zawiera niedozwolone znaki"),
        ("PUT", PATH, {"component": "KAWA"}, None, 400, "'component'"),
        ("PUT", PATH, {"component": None}, None, 400, "'component'"),
        ("PUT", PATH, {"tags": "jeden"}, None, 200, None),
        ("PUT", PATH, {"tags": {"a": 1}}, None, 400, "'tags' musi być listą"),
        ("PUT", PATH, {"questions": [{"q": 1}]}, None, 400, "'questions' musi być listą"),
        ("PUT", PATH, {"questions": ["q"] * 1000}, None, 400, "'questions' może mieć najwyżej"),
        ("PUT", PATH, {"id": "inne"}, None, 400, "nieznane pola: id"),
        ("PUT", PATH, {"version": 1}, None, 400, "co najmniej jedno pole"),
        ("PUT", PATH, {"title": "x", "version": "1"}, None, 400, "'version'"),
        ("PUT", PATH, {"title": "x", "version": True}, None, 400, "'version'"),
        ("PUT", PATH, {"title": "x", "version": 10**30}, None, 400, "'version'"),
        ("PUT", PATH, {"title": "x", "version": 7}, None, 409, "wersja 1"),
        ("PUT", PATH, None, "[1, 2]", 400, "obiektem JSON"),
        ("PUT", PATH, None, "{nie json", 400, "JSON"),
        ("PUT", PATH, None, "", 400, "brak treści"),
        ("PUT", PATH, None, b"\xff\xfe", 400, "JSON"),
        ("PUT", "/api/v1/kb/drafts/Zle_ID", {"title": "x"}, None, 400, "niepoprawny identyfikator"),
        ("PUT", "/api/v1/kb/drafts/" + "a" * 5000, {"title": "x"}, None, 400, "niepoprawny identyfikator"),
        ("GET", "/api/v1/kb/drafts/%00", None, None, 400, "niepoprawny identyfikator"),
        ("GET", "/api/v1/kb/drafts/szkic-t-999999999999", None, None, 404, "nie ma szkicu"),
        ("GET", "/api/v1/kb/drafts/ezd-reset-hasla", None, None, 404, "nie jest już szkicem"),
        ("POST", f"{PATH}/publish", None, "[]", 400, "obiektem JSON"),
        ("POST", f"{PATH}/publish", {"zatwierdzam": True}, None, 400, "nieznane pola"),
        ("POST", f"{PATH}/publish", {"title": ""}, None, 400, "'title'"),
        ("POST", f"{PATH}/publish", {"version": -1}, None, 400, "'version'"),
        ("POST", f"{PATH}/discard", {"title": "x"}, None, 400, "nieznane pola: title"),
        ("POST", "/api/v1/kb/drafts/ezd-reset-hasla/publish", None, None, 409, "już opublikowany"),
        ("POST", "/api/v1/kb/drafts/ezd-reset-hasla/discard", {}, None, 409, "już opublikowany"),
        ("POST", "/api/v1/kb/drafts/nie-ma-takiego/publish", None, None, 404, "nie ma szkicu"),
        ("POST", f"{PATH}/publish", {"id": 42}, None, 400, "'id' musi być tekstem"),
        ("POST", f"{PATH}/publish", {"id": 4.2e300}, None, 400, "'id' musi być tekstem"),
        ("POST", f"{PATH}/publish", {"id": True}, None, 400, "'id' musi być tekstem"),
        ("POST", f"{PATH}/publish", {"id": ["sprzet-a"]}, None, 400, "'id' musi być tekstem"),
        ("POST", f"{PATH}/publish", {"id": {"id": "sprzet-a"}}, None, 400, "'id' musi być tekstem"),
        ("POST", f"{PATH}/publish", {"id": ""}, None, 400, "'id' nie może być puste"),
        ("POST", f"{PATH}/publish", {"id": "a" * 129}, None, 400, "za długie (limit 128"),
        ("POST", f"{PATH}/publish", {"id": "a" * 500_000}, None, 400, "za długie (limit 128"),
        ("POST", f"{PATH}/publish", {"id": "Sprzet Rzutnik"}, None, 400, "tylko małe litery ascii"),
        ("POST", f"{PATH}/publish", {"id": "sprzęt-rzutnik"}, None, 400, "tylko małe litery ascii"),
        ("POST", f"{PATH}/publish", {"id": "../etc/passwd"}, None, 400, "tylko małe litery ascii"),
        ("POST", f"{PATH}/publish", {"id": "<script>"}, None, 400, "tylko małe litery ascii"),
        ("POST", f"{PATH}/publish", {"id": "a\u0000b"}, None, 400, "tylko małe litery ascii"),
        ("POST", f"{PATH}/publish", {"id": "szkic-t-000002"}, None, 400, "zarezerwowane dla szkiców"),
        (
            "POST",
            f"{PATH}/publish",
            {"id": "ezd-reset-hasla"},
            None,
            409,
            "id 'ezd-reset-hasla' jest już zajęte",
        ),
        (
            "POST",
            f"{PATH}/publish",
            {"id": "sprzet-toner", "title": "x"},
            None,
            409,
            "'sprzet-toner' jest już zajęte",
        ),
        ("DELETE", PATH, None, None, 405, "metoda"),
    ],
)
async def test_bad_input_is_a_clear_4xx_never_a_500(api, method, path, body, raw, status, needle):
    got, payload = await api(method, path, "koordynator", body, raw)
    assert got == status, payload
    if needle:
        assert needle in payload["error"], payload
    if got != 200:
        assert api.container.db.read(lambda tx: tx.kb_article(DRAFT))["status"] == "draft"


async def test_publishing_with_last_changes_publishes_them_in_one_version(api):
    status, article = await api(
        "POST", f"{PATH}/publish", "koordynator", {"title": "Rzutnik: brak sygnału", "questions": [QUESTION]}
    )
    assert status == 200 and article["title"] == "Rzutnik: brak sygnału" and article["version"] == 2
    assert article["id"] == "sprzet-rzutnik-brak-sygnalu"
    status, answer = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": QUESTION})
    assert answer["article"]["id"] == "sprzet-rzutnik-brak-sygnalu"


async def test_publishing_under_a_given_id_and_the_draft_address_leads_to_the_article(api):
    status, article = await api(
        "POST",
        f"{PATH}/publish",
        "koordynator",
        {"id": "sprzet-rzutnik-hdmi", "questions": [QUESTION], "version": 1},
    )
    assert status == 200 and article["id"] == "sprzet-rzutnik-hdmi" and article["renamed_from"] == DRAFT
    assert article["url"].endswith("/kb/sprzet-rzutnik-hdmi") and article["version"] == 2
    assert [h["renamed_from"] for h in article["history"]] == [None, DRAFT]
    status, answer = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": QUESTION})
    assert answer["article"]["id"] == "sprzet-rzutnik-hdmi"
    # Old links (bot messages, e-mails, bookmarks) lead to the article, for anyone.
    resp = await api.client.get(f"/kb/{DRAFT}", allow_redirects=False)
    assert resp.status == 301 and resp.headers["Location"] == "/kb/sprzet-rzutnik-hdmi"
    status, page = await api("GET", f"/kb/{DRAFT}")  # followed
    assert status == 200 and "Rzutnik nie wyświetla obrazu" in page
    resp = await api.client.get("/kb/szkic-t-000002", allow_redirects=False)
    assert resp.status == 404
    status, body = await api("GET", PATH, "lider.plock")
    assert (
        status == 404
        and "'sprzet-rzutnik-hdmi'" in body["error"]
        and "/kb/sprzet-rzutnik-hdmi" in body["error"]
    )
    status, body = await api("PUT", PATH, "lider.plock", {"title": "Za późno"})
    assert status == 409 and "'sprzet-rzutnik-hdmi'" in body["error"]
    status, body = await api("POST", f"{PATH}/discard", "admin")
    assert status == 409 and "'sprzet-rzutnik-hdmi'" in body["error"]
    status, body = await api("GET", "/api/v1/kb/drafts/sprzet-rzutnik-hdmi", "koordynator")
    assert status == 404 and "nie jest już szkicem" in body["error"]
    status, body = await api("POST", f"/api/v1/tickets/{api.ticket}/draft-article", "lider.plock")
    assert status == 409 and "'sprzet-rzutnik-hdmi' z tego zgłoszenia jest już opublikowany" in body["error"]


async def test_an_id_of_null_is_the_suggested_one_and_the_document_describes_the_field(api):
    status, article = await api("POST", f"{PATH}/publish", "koordynator", {"id": None})
    assert status == 200 and article["id"] == NEW_ID
    status, doc = await api("GET", "/api/v1/openapi.json")
    field = doc["components"]["schemas"]["KbDraftPublish"]["properties"]["id"]
    assert (
        field["type"] == "string" and field["maxLength"] == 128 and field["pattern"].startswith("^[a-z0-9]")
    )
    assert "suggested_id" in doc["components"]["schemas"]["KbDraftSummary"]["properties"]
