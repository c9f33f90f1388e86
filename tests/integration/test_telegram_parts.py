"""The Telegram channel's parts: texts, message splitting, rate limiting, wiring, webhook mode."""

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.telegram.bot import file_base_url, webhook_secret
from helpdesk.adapters.telegram.rate import RateLimiter
from helpdesk.adapters.telegram.render import split_message
from helpdesk.adapters.telegram.texts import PACKAGE_DIR, REPO_BOT_DIR, load_texts
from helpdesk.adapters.telegram.webhook import SECRET_HEADER, webhook_path
from helpdesk.lifecycle import serving_app
from helpdesk.services.intake.dialogue import guess_component, guess_priority, ticket_id_in
from helpdesk.web.app import create_app
from tests.support.telegram_api import FakeBotApi
from tests.support.world import START, make_container, populate, settings_for

REPO = Path(__file__).resolve().parents[2]


def test_the_packaged_texts_are_identical_to_the_ones_in_bot() -> None:
    assert (REPO_BOT_DIR / "texts.pl.toml").read_bytes() == (PACKAGE_DIR / "texts.pl.toml").read_bytes()


def test_the_texts_are_polish_with_diacritics_and_every_template_formats(tmp_path: Path) -> None:
    texts = load_texts(settings_for(f"sqlite:///{tmp_path}/h.db"))
    assert "Pomogło" in texts.raw("answer.helped") and "Nie pomogło" in texts.raw("answer.not_helped")
    values = {
        k: "x"
        for k in (
            "name",
            "reason",
            "title",
            "excerpt",
            "url",
            "id",
            "priority",
            "component",
            "role",
            "filename",
            "size",
            "limit",
            "state",
            "office",
            "author",
            "description",
            "actor",
            "text",
            "contractor",
            "question",
            "contract",
            "metric",
        )
    }

    def paths(node: dict, prefix: str) -> list[str]:  # every text, also the channels' own ([web.*])
        found = []
        for key, item in node.items():
            found += paths(item, f"{prefix}{key}.") if isinstance(item, dict) else [f"{prefix}{key}"]
        return found

    for path in paths({k: v for k, v in texts.data.items() if isinstance(v, dict)}, ""):
        assert texts(path, **values)
    web = texts.for_channel("web")
    assert "otwórz zgłoszenie" in web.raw("ticket.created") and "odpowiedz na tę" not in web.raw(
        "ticket.created"
    )
    assert web.raw("answer.maybe") == texts.raw("answer.maybe")  # what the web does not override
    assert web.raw("answer.helped") == "Pomogło"  # no emoji on the page
    assert set(dict(texts.data["commands"])) == {"start", "help", "moje", "wyloguj"}


def test_inserted_values_are_escaped_for_telegram_html(tmp_path: Path) -> None:
    texts = load_texts(settings_for(f"sqlite:///{tmp_path}/h.db"))
    assert "&lt;script&gt;" in texts("smalltalk.greeting", name="<script>")


def test_long_text_is_split_under_the_limit_without_cutting_tags_or_entities() -> None:
    text = ("<b>Tytuł</b>\n" + "słowo &amp; " * 1000).strip()
    parts = split_message(text)
    assert len(parts) > 2 and all(len(p) <= 4096 for p in parts)
    assert all(p.count("&amp") == p.count("&amp;") for p in parts)
    unbroken = "x" * 9000
    assert [len(p) for p in split_message(unbroken)] == [4096, 4096, 808]
    assert split_message("") == [" "]


def test_the_rate_limiter_allows_a_burst_then_warns_once_then_recovers() -> None:
    limiter = RateLimiter(burst=3, per_second=1.0)
    assert [limiter.allow(1, now=0.0) for _ in range(3)] == [(True, False)] * 3
    assert limiter.allow(1, now=0.0) == (False, True)
    assert limiter.allow(1, now=0.1) == (False, False)
    assert limiter.allow(2, now=0.1) == (True, False)
    assert limiter.allow(1, now=2.0) == (True, False)


def test_free_text_answers_in_the_ticket_conversation_are_understood() -> None:
    assert guess_component("to chyba ePUAP") == "EPUAP"
    assert guess_component("skaner w pokoju 12") == "SKANOWANIE"
    assert guess_component("nie wiem") is None
    assert guess_priority("bardzo pilne, nie mogę pracować") == "high"
    assert guess_priority("stoi cały urząd") == "critical"
    assert guess_priority("może poczekać do jutra") == "low"
    assert guess_priority("hmm") is None
    assert ticket_id_in("Zgłoszenie T-000042 zostało…") == "T-000042"
    assert ticket_id_in("bez numeru") is None


def test_file_and_webhook_addresses_follow_telegram_conventions() -> None:
    assert file_base_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_base_url("http://127.0.0.1:9/bot") == "http://127.0.0.1:9/file/bot"
    assert webhook_path("https://helpdesk.example.pl/tg/hook") == "/tg/hook"
    assert webhook_path("https://helpdesk.example.pl") == "/telegram/webhook"


def test_without_a_token_the_channel_adds_nothing(tmp_path: Path) -> None:
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        HELPDESK_TELEGRAM_WEBHOOK_URL="https://helpdesk.example.pl/telegram/webhook",
    )
    try:
        assert container.telegram is None
        app = serving_app(container)
        assert not [r for r in app.router.resources() if "telegram" in r.canonical]
        assert not [ctx for ctx in app.cleanup_ctx if "telegram" in ctx.__name__]
    finally:
        container.close()


async def test_webhook_mode_receives_updates_through_the_same_web_server(tmp_path: Path) -> None:
    async with FakeBotApi("123:ABC") as api:
        container = make_container(
            f"sqlite:///{tmp_path}/h.db",
            ManualClock(START),
            HELPDESK_TELEGRAM_TOKEN="123:ABC",
            HELPDESK_TELEGRAM_API_URL=api.base_url,
            HELPDESK_TELEGRAM_WEBHOOK_URL="https://helpdesk.example.pl/telegram/webhook",
        )
        populate(container)
        # The server's own start: the web app with the bot among its background resources.
        client = TestClient(TestServer(serving_app(container)))
        await client.start_server()
        try:
            assert (
                api.webhook is not None
                and api.webhook["url"] == "https://helpdesk.example.pl/telegram/webhook"
            )
            secret = api.webhook["secret_token"]
            update = api.message_update(79999, "Dzień dobry")
            refused = await client.post("/telegram/webhook", json=update)
            assert refused.status == 403
            accepted = await client.post(
                "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert accepted.status == 200
            reply = await api.wait_for(lambda s: s.chat_id == 79999)
            assert "/start KOD" in reply.text
            again = await client.post(
                "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert again.status == 200
            marker = api.message_update(79999, "/help")
            await client.post(
                "/telegram/webhook", json=marker, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            await api.wait_count(lambda s: s.chat_id == 79999, 2)
            assert len(api.to(79999)) == 2  # the redelivered update was not answered twice
        finally:
            await client.close()
            container.close()


async def test_the_webhook_route_answers_503_until_the_bot_runs(tmp_path: Path) -> None:
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        HELPDESK_TELEGRAM_TOKEN="123:ABC",
        HELPDESK_TELEGRAM_WEBHOOK_URL="https://helpdesk.example.pl/tg/hook",
    )
    try:
        # The web app alone has the route (it is the same server) but no running bot behind it.
        async with TestClient(TestServer(create_app(container))) as client:
            update = {
                "update_id": 1,
                "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}},
            }
            assert (await client.post("/tg/hook", json=update)).status == 403
            secret = webhook_secret("123:ABC")
            answer = await client.post("/tg/hook", json=update, headers={SECRET_HEADER: secret})
            assert answer.status == 503 and "nie działa" in (await answer.json())["error"]
    finally:
        container.close()


async def test_a_webhook_update_is_stored_before_the_200_and_one_a_dead_worker_left_is_answered(
    tmp_path: Path,
) -> None:
    import asyncio
    import json
    from datetime import timedelta

    from sqlalchemy import select

    from helpdesk.adapters.db.telegram_store import update_t
    from helpdesk.lifecycle import replay_webhook_updates

    async with FakeBotApi("123:ABC") as api:
        clock = ManualClock(START)
        container = make_container(
            f"sqlite:///{tmp_path}/h.db",
            clock,
            HELPDESK_TELEGRAM_TOKEN="123:ABC",
            HELPDESK_TELEGRAM_API_URL=api.base_url,
            HELPDESK_TELEGRAM_WEBHOOK_URL="https://helpdesk.example.pl/telegram/webhook",
        )
        populate(container)
        client = TestClient(TestServer(serving_app(container)))
        await client.start_server()
        try:
            secret = webhook_secret("123:ABC")
            update = api.message_update(79998, "Dzień dobry")
            answer = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
            assert answer.status == 200
            stored = container.db.read(
                lambda tx: tx.conn.execute(
                    select(update_t.c.payload).where(update_t.c.update_id == update["update_id"])
                ).scalar()
            )
            assert json.loads(stored) == update
            await api.wait_for(lambda s: s.chat_id == 79998)

            # A worker stored this one, answered 200 and died before processing it.
            orphan = api.message_update(79997, "Dzień dobry")
            container.db.write(
                lambda tx: tx.tg_store_updates(
                    [(orphan["update_id"], json.dumps(orphan))], clock.now() - timedelta(minutes=5)
                )
            )
            loop = asyncio.get_running_loop()
            assert await asyncio.to_thread(replay_webhook_updates, container, loop) == 1
            reply = await api.wait_for(lambda s: s.chat_id == 79997)
            assert "/start KOD" in reply.text
            bot = container.telegram.bot  # type: ignore[union-attr]
            for _ in range(100):  # the "processed" marks are written in batches, after the reply
                await bot.flush_done()
                if len(bot.claims.done) == 0 and await asyncio.to_thread(
                    lambda: container.db.read(lambda tx: tx.tg_unprocessed(clock.now(), 10)) == []
                ):
                    break
                await asyncio.sleep(0.05)
            clock.advance(minutes=10)
            assert (
                await asyncio.to_thread(replay_webhook_updates, container, loop) == 0
            )  # processed: not again
        finally:
            await client.close()
            container.close()
