"""Hostile input: every cause that once answered 500 now answers 400 with a Polish message (one test per
cause), titles lose their control characters, the webhook refuses a non-ASCII secret with 403, and
the API takes only JSON bodies for writes (415)."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.web.app import create_app
from helpdesk.web.openapi import document
from tests.support.calls import api_caller
from tests.support.world import make_container, populate


@pytest.fixture
async def api(container):
    people = populate(container)
    tokens = {login: container.people.issue_token(login, container.clock.now()) for login in people}
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    call = api_caller(client, tokens, never_500=True)
    call.client = client
    call.container = container
    status, ticket = await call("POST", "/api/v1/tickets", "urz.plock", {"title": "EZD", "component": "EZD"})
    assert status == 201
    call.ticket = ticket["id"]
    yield call
    await client.close()


async def bad(api, method, path, who="lider.plock", **kw):
    status, body = await api(method, path, who, **kw)
    assert status == 400, body
    assert isinstance(body, dict) and body["error"]
    return body["error"]


async def test_superscript_digits_in_a_ticket_id(api):
    assert "T-000042" in await bad(api, "GET", "/api/v1/tickets/T-%C2%B2")


async def test_fullwidth_digits_do_not_open_ticket_1(api):
    assert "T-000042" in await bad(api, "GET", "/api/v1/tickets/T-%EF%BC%91")


async def test_superscript_digits_in_a_page_number(api):
    assert "0–9" in await bad(api, "GET", "/api/v1/tickets?page=%C2%B2")


async def test_a_page_number_beyond_64_bits(api):
    assert "zakresie" in await bad(api, "GET", "/api/v1/tickets?page=9223372036854775807")


async def test_a_feedback_query_id_beyond_64_bits(api):
    assert "64 bity" in await bad(
        api, "POST", "/api/v1/kb/feedback", body={"query_id": 2**70, "helpful": True}
    )


async def test_dates_at_the_calendars_edge(api):
    error = await bad(api, "GET", "/api/v1/reports/sla?from=9999-12-31&to=9999-12-31", "audytor")
    assert "zakresem lat" in error
    await bad(api, "GET", "/api/v1/reports/sla?from=0001-01-01&to=0001-01-02", "audytor")


async def test_a_lone_surrogate_in_a_text_field(api):
    raw = b'{"title": "\\ud800 awaria"}'
    assert "surogaty" in await bad(api, "POST", "/api/v1/tickets", "urz.plock", raw=raw)
    raw = b'{"action": "comment", "text": "x\\udfff"}'
    await bad(api, "POST", f"/api/v1/tickets/{api.ticket}/actions", raw=raw)


async def test_json_nested_100000_deep(api):
    raw = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert "zagnieżdżona" in await bad(api, "POST", "/api/v1/tickets", "urz.plock", raw=raw)


async def test_an_integer_of_5000_digits(api):
    raw = b'{"query_id": ' + b"9" * 5000 + b', "helpful": true}'
    assert "zakresem" in await bad(api, "POST", "/api/v1/kb/feedback", raw=raw)


@pytest.mark.parametrize("body", [b"login=%FF%FE&password=x", b"login=\xff\xfe&password=x"])
async def test_an_undecodable_form_body(api, body):
    resp = await api.client.post(
        "/login",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
    )
    assert resp.status == 400 and "UTF-8" in (await resp.json())["error"]


async def test_a_title_with_cr_lf_is_one_clean_line_and_its_notices_go_out(api):
    status, ticket = await api(
        "POST",
        "/api/v1/tickets",
        "urz.plock",
        {"title": "Awaria\r\nBcc: ktos@evil.example\x00\x1b[31m", "component": "EZD"},
    )
    assert status == 201 and ticket["title"] == "Awaria Bcc: ktos@evil.example [31m"
    no = int(ticket["id"][2:])
    mails = api.container.db.read(lambda tx: tx.outbox_messages("email", no))
    assert mails and all("\r" not in m["subject"] and "\n" not in m["subject"] for m in mails)


async def test_the_json_api_takes_only_json_for_writes(api):
    body = json.dumps({"title": "CSRF", "component": "EZD"})
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ):
        status, answer = await api(
            "POST", "/api/v1/tickets", "urz.plock", raw=body, headers={"Content-Type": content_type}
        )
        assert status == 415 and "application/json" in answer["error"]
    status, _ = await api(
        "POST",
        "/api/v1/kb/drafts/szkic-t-000001/discard",
        "koordynator",
        raw=b"",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415  # even an empty form may not act


def test_the_openapi_document_names_the_refusals_of_writes():
    """Clients generated from the document must expect 415 on every write with a body."""
    doc = document()
    writes = [op for path in doc["paths"].values() for op in path.values() if "requestBody" in op]
    assert writes and all("415" in op["responses"] and "503" in op["responses"] for op in writes)


async def test_a_non_ascii_webhook_secret_is_refused_with_403(tmp_path):
    container = make_container(
        f"sqlite:///{tmp_path}/tg.db",
        HELPDESK_TELEGRAM_TOKEN="123456:TEST",
        HELPDESK_TELEGRAM_WEBHOOK_URL="https://helpdesk.example.org/tg/hook",
        HELPDESK_TELEGRAM_API_URL="http://127.0.0.1:9/bot",
    )
    client = TestClient(TestServer(create_app(container)))
    await client.start_server()
    try:
        for secret in ("zażółć", "\u20ac" * 3, ""):
            resp = await client.post(
                "/tg/hook",
                data=b"{}",
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": secret.encode("utf-8").decode("latin-1"),
                    "Content-Type": "application/json",
                },
            )
            assert resp.status == 403
    finally:
        await client.close()
        container.close()
