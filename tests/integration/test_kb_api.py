"""Knowledge-base feedback, reports and drafts through a real aiohttp server, role by role."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.domain.kb.article import Article
from helpdesk.web.app import create_app
from tests.support.world import populate

ARTICLES = [
    Article(
        id="ezd-reset-hasla",
        title="Resetowanie hasła do EZD",
        component="EZD",
        tags=("hasło",),
        questions=("Jak zresetować hasło do EZD?",),
        body="Kliknij „Nie pamiętam hasła”.",
    ),
]
PERIOD = "from=2027-03-01&to=2027-03-07"


@pytest.fixture
async def api(any_container):
    container = any_container
    people = populate(container)
    container.kb.import_articles(ARTICLES)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()

    async def call(method, path, who=None, body=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        resp = await client.request(
            method, path, data=json.dumps(body) if body is not None else None, headers=headers
        )
        text = await resp.text()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    call.container = container
    call.people = people
    yield call
    await client.close()


def stored_query(api, query_id):
    rows = api.container.db.read(
        lambda tx: tx.kb_queries(
            api.container.clock.now().replace(year=2000), api.container.clock.now().replace(year=2100)
        )
    )
    return next(r for r in rows if r["id"] == query_id)


async def test_an_answer_then_feedback_is_stored_on_that_answer(api):
    status, answer = await api(
        "POST", "/api/v1/kb/answer", "urz.plock", {"text": "Jak zresetować hasło do EZD?"}
    )
    assert status == 200 and isinstance(answer["query_id"], int)
    row = stored_query(api, answer["query_id"])
    assert (
        row["person_id"] == api.people["urz.plock"].id
        and row["office"] == "1462011"
        and row["helpful"] is None
    )
    status, body = await api(
        "POST", "/api/v1/kb/feedback", "urz.plock", {"query_id": answer["query_id"], "helpful": False}
    )
    assert (status, body) == (200, {"ok": True})
    assert stored_query(api, answer["query_id"])["helpful"] is False


async def test_a_question_over_the_limit_is_413_and_a_flood_of_made_up_words_is_answered(api):
    status, body = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": "a" * 20_001})
    assert status == 413 and "za długie" in body["error"]
    # Made-up words without Polish letters, up to the limit: each could be respelled in dozens of
    # ways; the lexicon respells only so many per text, and the answer is silence, not an error.
    flood = " ".join(f"zaslonce{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(1_900))[:20_000]
    status, body = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": flood})
    assert status == 200 and body["answered"] is False


async def test_an_official_cannot_give_feedback_on_someone_elses_question(api):
    _, answer = await api("POST", "/api/v1/kb/answer", "urz.plock", {"text": "Jak zresetować hasło do EZD?"})
    for who in ("urz2.plock", "urz.slupno"):
        status, body = await api(
            "POST", "/api/v1/kb/feedback", who, {"query_id": answer["query_id"], "helpful": True}
        )
        assert status == 404 and "nie ma pytania" in body["error"]
    assert stored_query(api, answer["query_id"])["helpful"] is None
    status, _ = await api("POST", "/api/v1/kb/feedback", "urz.plock", {"query_id": 10**9, "helpful": True})
    assert status == 404
    status, body = await api("POST", "/api/v1/kb/feedback", "urz.plock", {"query_id": "1", "helpful": "tak"})
    assert status == 400 and "query_id" in body["error"]


async def ask_both_offices(api):
    for who, text in (
        ("urz.plock", "Jak zresetować hasło do EZD?"),
        ("urz.plock", "kiedy jest wigilia firmowa"),
        ("urz.slupno", "wigilia firmowa kiedy"),
        ("urz.slupno", "Jak zresetować hasło do EZD?"),
    ):
        status, _ = await api("POST", "/api/v1/kb/answer", who, {"text": text})
        assert status == 200


@pytest.mark.parametrize("report", ["deflection", "unanswered"])
async def test_reports_are_scoped_to_the_callers_office_or_everything(api, report):
    await ask_both_offices(api)
    path = f"/api/v1/kb/reports/{report}?{PERIOD}"
    seen = {}
    for who in ("lider.plock", "przedst.slupno", "koordynator", "audytor", "admin"):
        status, body = await api("GET", path, who)
        assert status == 200, body
        seen[who] = body
    assert seen["lider.plock"]["office"] == "1462011" and seen["przedst.slupno"]["office"] == "1419112"
    assert seen["koordynator"]["office"] is None
    if report == "deflection":
        assert [r["office"] for r in seen["lider.plock"]["offices"]] == ["1462011"]
        assert seen["lider.plock"]["total"]["questions"] == 2 and seen["audytor"]["total"]["questions"] == 4
        # Asked just now: every answer is still pending; only unanswered questions are final.
        total = seen["admin"]["total"]
        assert total["deflected"] == 0 and total["pending"] == total["answered"]
        assert total["final"] == total["questions"] - total["answered"]
    else:
        assert sum(g["count"] for g in seen["lider.plock"]["groups"]) == seen["lider.plock"]["unanswered"]
        assert all(g["offices"] == ["1462011"] for g in seen["lider.plock"]["groups"])
        assert seen["koordynator"]["unanswered"] >= seen["lider.plock"]["unanswered"]
    for who in ("urz.plock", "agent1"):
        status, body = await api("GET", path, who)
        assert status == 403 and "raportów" in body["error"]
    status, _ = await api("GET", path)
    assert status == 401


@pytest.mark.parametrize(
    "query, needle",
    [
        ("", "podaj okres"),
        ("from=2027-03-01", "podaj okres"),
        ("from=2027-02-30&to=2027-03-01", "niepoprawna data"),
        ("from=2027-03-07&to=2027-03-01", "wcześniejsza"),
        (f"{PERIOD}&office=1462011", "nieznane parametry"),
    ],
)
async def test_bad_report_parameters_are_400_with_a_clear_message(api, query, needle):
    status, body = await api("GET", f"/api/v1/kb/reports/deflection?{query}", "koordynator")
    assert status == 400 and needle in body["error"]


async def test_a_leader_drafts_an_article_from_a_resolved_ticket_over_http(api):
    status, ticket = await api(
        "POST",
        "/api/v1/tickets",
        "urz.plock",
        {"title": "Brak tonera", "description": "Drukarka pokazuje brak tonera.", "component": "SPRZET"},
    )
    assert status == 201
    path = f"/api/v1/tickets/{ticket['id']}/draft-article"
    status, body = await api("POST", path, "lider.plock")
    assert status == 409 and "rozwiązanego" in body["error"]
    for action, text in (("reply", "Kaseta jest w sekretariacie."), ("resolve", "Wymieniono kasetę.")):
        status, _ = await api(
            "POST", f"/api/v1/tickets/{ticket['id']}/actions", "lider.plock", {"action": action, "text": text}
        )
        assert status == 200
    for who, expected in (
        ("urz.plock", 403),
        ("agent1", 403),
        ("audytor", 403),
        ("przedst.plock", 403),
        ("lider.slupno", 404),
    ):
        status, _ = await api("POST", path, who)
        assert status == expected, who
    status, draft = await api("POST", path, "lider.plock")
    assert status == 201 and draft["id"] == "szkic-t-000001" and draft["status"] == "draft"
    assert "Kaseta jest w sekretariacie." in draft["body"] and "Wymieniono kasetę." in draft["body"]
    status, draft = await api("POST", path, "koordynator")
    assert status == 201 and draft["outcome"] == "unchanged"
    status, _ = await api("POST", "/api/v1/tickets/T-000999/draft-article", "koordynator")
    assert status == 404
    status, _ = await api("POST", "/api/v1/tickets/nonsense/draft-article", "koordynator")
    assert status == 400
