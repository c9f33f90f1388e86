"""Webhook mode, the cheap path: a stored update is the storing worker's claim, a redelivery held by
another worker is not answered a second time, plain texts are answered without PTB's Update
objects, and replies carry their keyboard as JSON."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.db.telegram_store import update_t
from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.telegram import webhook
from helpdesk.adapters.telegram.bot import webhook_secret
from helpdesk.adapters.telegram.webhook import SECRET_HEADER
from helpdesk.lifecycle import Role, serving_app
from tests.support.telegram_api import FakeBotApi
from tests.support.world import START, make_container, populate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
HOOK = "https://helpdesk.example.pl/telegram/webhook"
HEADERS = {SECRET_HEADER: webhook_secret("123:ABC")}


async def start(
    tmp_path: Path, api: FakeBotApi, role: Role = Role.ALL, *, articles: bool = True
) -> tuple[Any, TestClient]:
    """A container with the bot in webhook mode on SQLite, served in `role` (with the KB fixtures)."""
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        ManualClock(START),
        HELPDESK_TELEGRAM_TOKEN="123:ABC",
        HELPDESK_TELEGRAM_API_URL=api.base_url,
        HELPDESK_TELEGRAM_WEBHOOK_URL=HOOK,
    )
    populate(container)
    if articles:
        container.kb.import_articles(load_articles([FIXTURES]))
    client = TestClient(TestServer(serving_app(container, role)))
    await client.start_server()
    return container, client


def stored_row(container: Any, update_id: int) -> Any:
    return container.db.read(
        lambda tx: tx.conn.execute(
            select(update_t.c.data, update_t.c.payload).where(update_t.c.update_id == update_id)
        ).first()
    )


async def test_the_stored_update_is_this_workers_claim_and_one_another_worker_holds_is_left_alone(
    tmp_path: Path,
) -> None:
    async with FakeBotApi("123:ABC") as api:
        container, client = await start(tmp_path, api)
        try:
            bot = container.telegram.bot
            first = api.message_update(79990, "Dzień dobry")
            assert (await client.post("/telegram/webhook", json=first, headers=HEADERS)).status == 200
            await api.wait_for(lambda s: s.chat_id == 79990)
            row = stored_row(container, first["update_id"])
            assert row.data == bot.claims.owner and json.loads(row.payload) == first

            # Another worker stored this one a moment ago and is still answering it; Telegram's
            # retry reaches this worker: 200, and it is not answered here.
            held = api.message_update(79991, "Dzień dobry")
            container.db.write(
                lambda tx: tx.tg_store_updates([(held["update_id"], json.dumps(held))], START, "other-worker")
            )
            assert (await client.post("/telegram/webhook", json=held, headers=HEADERS)).status == 200
            marker = api.message_update(79991, "Dzień dobry jeszcze raz")
            await client.post("/telegram/webhook", json=marker, headers=HEADERS)
            await api.wait_for(lambda s: s.chat_id == 79991)
            await asyncio.sleep(0.2)
            assert len(api.to(79991)) == 1  # the marker's answer only
            assert stored_row(container, held["update_id"]).data == "other-worker"
        finally:
            await client.close()
            container.close()


async def test_a_plain_text_is_answered_without_building_ptbs_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any) -> None:
        raise AssertionError("Update.de_json called for a plain text")

    async with FakeBotApi("123:ABC") as api:
        container, client = await start(tmp_path, api)
        try:
            code = container.people.issue_link_code("urz.plock", START)
            container.people.link_telegram(code, 70001, START, chat=70001)
            monkeypatch.setattr(webhook.Update, "de_json", refuse)
            question = api.message_update(70001, "Nie pamiętam hasła do EZD, jak je zresetować?")
            assert (await client.post("/telegram/webhook", json=question, headers=HEADERS)).status == 200
            answer = await api.wait_for(lambda s: s.chat_id == 70001)
            assert answer.reply_to == question["message"]["message_id"]
            # The keyboard arrives as a JSON object in a JSON body, not a form field.
            assert {b["text"] for b in answer.buttons} >= {"👍 Pomogło", "👎 Nie pomogło"}
            assert answer.params["link_preview_options"] == {"is_disabled": True}
            bot = container.telegram.bot
            for _ in range(100):  # the processed mark is written in a batch after the reply
                await bot.flush_done()
                done = await asyncio.to_thread(
                    lambda: container.db.read(lambda tx: tx.tg_unprocessed(START.replace(year=2100), 10))
                )
                if not done:
                    break
                await asyncio.sleep(0.05)
            assert done == []
            assert bot.claims.held == set()  # handed over, not kept for ever
            # Commands still go through PTB (and so still refuse to work without it here).
            command = api.message_update(70001, "/moje")
            assert (await client.post("/telegram/webhook", json=command, headers=HEADERS)).status == 500
        finally:
            await client.close()
            container.close()


async def test_a_person_over_the_rate_limit_is_told_once_on_the_direct_path(tmp_path: Path) -> None:
    async with FakeBotApi("123:ABC") as api:
        container, client = await start(tmp_path, api)
        try:
            bot = container.telegram.bot
            bot.rate.burst = 1  # one message, then the limit
            for i in range(3):
                update = api.message_update(79992, f"Dzień dobry {i}")
                await client.post("/telegram/webhook", json=update, headers=HEADERS)
            await api.wait_count(lambda s: s.chat_id == 79992, 2)
            await asyncio.sleep(0.2)
            texts = [s.text for s in api.to(79992)]
            assert len(texts) == 2 and sum("/start KOD" in t for t in texts) == 1
        finally:
            await client.close()
            container.close()


async def test_a_worker_without_the_singletons_writes_its_own_processed_marks(tmp_path: Path) -> None:
    # Such a worker runs no outbox sender (which also writes the marks in the singletons' worker);
    # a mark never written would let the replay answer the update again after STALE_CLAIM.
    async with FakeBotApi("123:ABC") as api:
        container, client = await start(tmp_path, api, Role.WEB, articles=False)
        try:
            text = api.message_update(79993, "Dzień dobry")
            command = api.message_update(79993, "/help")
            for update in (text, command):
                assert (await client.post("/telegram/webhook", json=update, headers=HEADERS)).status == 200
            await api.wait_count(lambda s: s.chat_id == 79993, 2)
            later = START.replace(year=2100)
            for _ in range(100):
                left = await asyncio.to_thread(
                    lambda: container.db.read(lambda tx: tx.tg_unprocessed(later, 10))
                )
                if not left:
                    break
                await asyncio.sleep(0.05)
            assert left == []
        finally:
            await client.close()
            container.close()
