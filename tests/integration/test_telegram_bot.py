"""The real python-telegram-bot against our Bot API stand-in: linking, answers, tickets, notices."""

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.files.articles import load_articles
from helpdesk.bootstrap import Container
from helpdesk.lifecycle import running
from helpdesk.web.app import create_app
from tests.support.forms import with_token
from tests.support.telegram_api import FakeBotApi, Sent
from tests.support.world import START, make_container, populate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
OFFICIAL, OFFICIAL2, LEADER, STRANGER, SLUPNO = 70001, 70002, 70003, 79999, 70004


class Bot:
    """A running bot with its container, world and Bot API stand-in."""

    def __init__(self, api: FakeBotApi, container: Container, world: dict[str, Any]) -> None:
        self.api, self.container, self.world = api, container, world

    async def link(self, login: str, telegram_id: int) -> Sent:
        """Link `login` the way a person does it: /start CODE."""
        code = self.container.people.issue_link_code(login, self.container.clock.now())
        await self.api.text(telegram_id, f"/start {code}")
        return await self.api.wait_for(lambda s: s.chat_id == telegram_id and "połączone" in s.text)

    async def ask(self, telegram_id: int, text: str) -> Sent:
        """Send a question and wait for the answer that quotes it."""
        update = await self.api.text(telegram_id, text)
        message_id = update["message"]["message_id"]
        return await self.api.wait_for(lambda s: s.chat_id == telegram_id and s.reply_to == message_id)


async def start_bot(tmp_path: Path, **extra: str) -> tuple[FakeBotApi, Container, Any]:
    """A container with the telegram channel pointed at a fresh stand-in, and its background started
    as `helpdesk serve` starts it (the bot, its outbox sender, the periodic jobs); returns the stop."""
    api = FakeBotApi("123:ABC")
    await api.__aenter__()
    env = {"HELPDESK_TELEGRAM_TOKEN": "123:ABC", "HELPDESK_TELEGRAM_API_URL": api.base_url, **extra}
    container = make_container(f"sqlite:///{tmp_path}/h.db", ManualClock(START), **env)
    container.kb.import_articles(load_articles([FIXTURES]))
    background = contextlib.AsyncExitStack()
    await background.enter_async_context(running(container))
    return api, container, background.aclose


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The running bot over a small world with the fixture articles; the official and leader linked."""
    api, container, stop = await start_bot(tmp_path)
    world = populate(container)
    harness = Bot(api, container, world)
    try:
        yield harness
    finally:
        await stop()
        await api.__aexit__(None, None, None)
        container.close()


async def test_start_with_a_code_links_the_account_and_greets_by_name(bot: Bot) -> None:
    reply = await bot.link("urz.plock", OFFICIAL)
    assert "Osoba" in reply.text
    assert bot.container.people.find(telegram_id=OFFICIAL).login == "urz.plock"


async def test_an_unknown_person_is_told_how_to_get_access_and_nothing_else(bot: Bot) -> None:
    update = await bot.api.text(STRANGER, "Nie mogę się zalogować do EZD, pomocy")
    reply = await bot.api.wait_for(lambda s: s.chat_id == STRANGER)
    assert "/start KOD" in reply.text and "kod" in reply.text.lower()
    assert reply.buttons == []
    await bot.api.text(STRANGER, "/moje")
    await bot.api.wait_count(lambda s: s.chat_id == STRANGER, 2)
    assert all("/start KOD" in s.text for s in bot.api.to(STRANGER))
    assert (
        bot.container.tickets.db.read(lambda tx: tx.list_tickets({}, bot.world["koordynator"], 10, 0))[1] == 0
    )
    assert update["message"]["from"]["id"] == STRANGER


async def test_a_wrong_code_is_explained_politely(bot: Bot) -> None:
    await bot.api.text(STRANGER, "/start ZLYKOD12")
    reply = await bot.api.wait_for(lambda s: s.chat_id == STRANGER)
    assert "nie działa" in reply.text and "nieznany kod" in reply.text


async def test_a_question_gets_the_article_with_helped_and_not_helped_buttons(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    answer = await bot.ask(OFFICIAL, "Nie pamiętam hasła do EZD, jak je zresetować?")
    assert "Resetowanie hasła do EZD" in answer.text
    assert "/kb/tg-ezd-reset-hasla" in answer.text
    assert answer.button("Pomogło")["callback_data"].startswith("fb:")
    assert answer.button("Nie pomogło")["callback_data"].endswith(":0")
    await bot.api.press(OFFICIAL, answer, answer.button("Pomogło")["callback_data"])
    thanks = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "pomogło" in s.text)
    assert "Cieszę" in thanks.text


async def test_greetings_and_thanks_get_a_friendly_answer_not_an_article(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    hello = await bot.ask(OFFICIAL, "Dzień dobry!")
    assert "W czym mogę pomóc" in hello.text and not hello.buttons
    thanks = await bot.ask(OFFICIAL, "dziekuje bardzo")
    assert "Proszę bardzo" in thanks.text and not thanks.buttons


async def test_not_helped_leads_to_a_ticket_the_leader_is_told_and_the_reply_reaches_the_official(
    bot: Bot,
) -> None:
    await bot.link("urz.plock", OFFICIAL)
    await bot.link("lider.plock", LEADER)
    answer = await bot.ask(OFFICIAL, "Nie pamiętam hasła do EZD, jak je zresetować?")
    await bot.api.press(OFFICIAL, answer, answer.button("Nie pomogło")["callback_data"])
    ask_what = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "1/3" in s.text)
    await bot.api.text(OFFICIAL, "Link z e-maila nie działa, pisze że wygasł")
    ask_system = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "2/3" in s.text)
    assert ask_what.button("Pomiń")
    await bot.api.press(OFFICIAL, ask_system, ask_system.button("EZD")["callback_data"])
    ask_urgency = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "3/3" in s.text)
    await bot.api.press(OFFICIAL, ask_urgency, ask_urgency.button("Nie mogę pracować")["callback_data"])
    created = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "T-000001" in s.text)
    assert "Przyjęte" in created.text

    ticket = bot.container.tickets.get(bot.world["lider.plock"], "T-000001")
    assert ticket["component"] == "EZD" and ticket["priority"] == "high" and ticket["channel"] == "telegram"
    assert "wygasł" in ticket["description"]

    notice = await bot.api.wait_for(lambda s: s.chat_id == LEADER and "T-000001" in s.text)
    assert "Nowe zgłoszenie" in notice.text
    assert notice.button("Przejmij")["callback_data"] == "take:T-000001"
    assert notice.button("Odpowiedz")["callback_data"] == "ans:T-000001"

    bot.container.tickets.act(
        bot.world["lider.plock"], "T-000001", "reply", text="Wysłałem nowy link, sprawdź pocztę."
    )
    delivered = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "Wysłałem nowy link" in s.text)
    assert "T-000001" in delivered.text


async def test_the_leader_takes_and_answers_from_telegram_buttons(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    await bot.link("lider.plock", LEADER)
    answer = await bot.ask(OFFICIAL, "Ile kosztuje paliwo na stacji benzynowej?")
    await bot.api.press(OFFICIAL, answer, answer.button("Załóż zgłoszenie")["callback_data"])
    ask_what = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "1/3" in s.text)
    await bot.api.press(OFFICIAL, ask_what, "t:skip")
    ask_system = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "2/3" in s.text)
    await bot.api.press(OFFICIAL, ask_system, "t:skip")
    ask_urgency = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "3/3" in s.text)
    await bot.api.press(OFFICIAL, ask_urgency, "t:skip")
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "T-000001" in s.text)
    notice = await bot.api.wait_for(lambda s: s.chat_id == LEADER and "Nowe zgłoszenie" in s.text)

    await bot.api.press(LEADER, notice, "take:T-000001")
    await bot.api.wait_for(lambda s: s.chat_id == LEADER and "jest teraz Twoje" in s.text)
    state_notice = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "w realizacji" in s.text)
    assert "T-000001" in state_notice.text

    await bot.api.press(LEADER, notice, "ans:T-000001")
    await bot.api.wait_for(lambda s: s.chat_id == LEADER and "Napisz odpowiedź" in s.text)
    await bot.api.text(LEADER, "Proszę zadzwonić do mnie, wewn. 123.")
    await bot.api.wait_for(lambda s: s.chat_id == LEADER and "wysłana" in s.text)
    reply = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "wewn. 123" in s.text)

    # The official answers in the ticket's thread: a reply to the bot's message.
    await bot.api.text(OFFICIAL, "Dzwoniłam, nikt nie odbiera", reply_to=reply)
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "Dopisałem" in s.text)
    events = bot.container.tickets.get(bot.world["lider.plock"], "T-000001")["events"]
    assert [e["text"] for e in events if e["type"] == "commented"] == ["Dzwoniłam, nikt nie odbiera"]
    comment_notice = await bot.api.wait_for(lambda s: s.chat_id == LEADER and "nikt nie odbiera" in s.text)
    assert "dopisał" in comment_notice.text


async def test_a_photo_sent_in_reply_is_attached_and_a_too_large_one_is_refused(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    answer = await bot.ask(OFFICIAL, "Ile kosztuje paliwo na stacji benzynowej?")
    await bot.api.press(OFFICIAL, answer, answer.button("Załóż zgłoszenie")["callback_data"])
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "1/3" in s.text)
    await bot.api.text(OFFICIAL, "Ekran jest cały czerwony")
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "2/3" in s.text)
    await bot.api.text(OFFICIAL, "ezd")
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "3/3" in s.text)
    await bot.api.text(OFFICIAL, "może poczekać")
    created = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "T-000001" in s.text)
    row = bot.container.tickets.get(bot.world["lider.plock"], "T-000001")
    assert row["component"] == "EZD" and row["priority"] == "low"

    await bot.api.photo(OFFICIAL, b"\x89PNG fake image bytes", reply_to=created, caption="zrzut ekranu")
    attached = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "Dołączyłem" in s.text)
    assert "T-000001" in attached.text
    files = bot.container.db.read(lambda tx: tx.attachments_of(1))
    assert len(files) == 1 and files[0]["size"] == len(b"\x89PNG fake image bytes")

    await bot.api.photo(OFFICIAL, b"x", reply_to=created, declared_size=50 * 1024 * 1024)
    refused = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "za duży" in s.text)
    assert "10 MB" in refused.text
    assert len(bot.container.db.read(lambda tx: tx.attachments_of(1))) == 1


async def test_my_tickets_lists_them_with_their_state_and_logout_forgets_the_account(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    from helpdesk.services.tickets import NewTicket

    bot.container.tickets.create(bot.world["urz.plock"], NewTicket("Drukarka nie drukuje", "", channel="api"))
    await bot.api.text(OFFICIAL, "/moje")
    mine = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "Twoje zgłoszenia" in s.text)
    assert "T-000001" in mine.text and "nowe" in mine.text
    await bot.api.text(OFFICIAL, "/wyloguj")
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "odłączone" in s.text)
    assert bot.container.people.find(telegram_id=OFFICIAL) is None


async def test_an_update_delivered_twice_is_processed_once(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    update = bot.api.message_update(OFFICIAL, "gdzie jest UPO z ePUAP?")
    await bot.api.push(json.loads(json.dumps(update)))
    await bot.api.wait_for(lambda s: s.reply_to == update["message"]["message_id"])
    await bot.api.push(json.loads(json.dumps(update)))  # redelivered, same update_id
    marker = await bot.api.text(OFFICIAL, "dziękuję")
    await bot.api.wait_for(lambda s: s.reply_to == marker["message"]["message_id"])
    assert len([s for s in bot.api.sent if s.reply_to == update["message"]["message_id"]]) == 1


async def test_a_reply_longer_than_telegram_allows_is_split(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    from helpdesk.services.tickets import NewTicket

    bot.container.tickets.create(bot.world["urz.plock"], NewTicket("Długa sprawa", "opis", channel="api"))
    long_text = ("Bardzo długie wyjaśnienie krok po kroku. " * 300).strip()
    bot.container.tickets.act(bot.world["lider.plock"], "T-000001", "reply", text=long_text)
    parts = await bot.api.wait_count(lambda s: s.chat_id == OFFICIAL and "krok po kroku" in s.text, 4)
    assert all(len(p.text) <= 4096 for p in parts)
    assert sum(len(p.text) for p in parts) >= len(long_text)


async def test_a_notice_that_fails_to_send_is_retried_from_the_outbox(bot: Bot) -> None:
    await bot.link("urz.plock", OFFICIAL)
    from helpdesk.services.tickets import NewTicket

    bot.container.tickets.create(bot.world["urz.plock"], NewTicket("Skaner", "opis", channel="api"))
    bot.api.fail_next["sendMessage"] = 1
    bot.container.tickets.act(bot.world["lider.plock"], "T-000001", "reply", text="Proszę o zrzut ekranu.")
    await asyncio.sleep(0.5)  # the first attempt fails; the retry waits for the backoff
    assert not [s for s in bot.api.to(OFFICIAL) if "zrzut ekranu" in s.text]
    clock: ManualClock = bot.container.clock  # type: ignore[assignment]
    clock.set(clock.now().replace(minute=5))
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "zrzut ekranu" in s.text)


async def test_a_notice_to_someone_who_blocked_the_bot_is_given_up_not_reported_sent(bot: Bot) -> None:
    from helpdesk.services.tickets import NewTicket

    await bot.link("urz.plock", OFFICIAL)
    bot.container.tickets.create(bot.world["urz.plock"], NewTicket("Skaner", "opis", channel="api"))
    bot.api.blocked.add(OFFICIAL)
    bot.container.tickets.act(bot.world["lider.plock"], "T-000001", "reply", text="Proszę o zrzut ekranu.")
    outbox = bot.container.outbox

    async def given_up() -> list[dict[str, Any]]:
        for _ in range(200):
            rows = outbox.given_up("telegram")
            if rows:
                return rows
            await asyncio.sleep(0.05)
        raise AssertionError("the notice was not given up")

    rows = await given_up()
    assert len(rows) == 1 and rows[0]["recipient"] == str(OFFICIAL) and rows[0]["sent_at"] is None
    assert "blocked" in rows[0]["last_error"]
    assert outbox.counts()[("telegram", "given_up")] == 1
    assert outbox.pending("telegram") == 0

    bot.api.blocked.clear()  # the official unblocks the bot; an admin runs `helpdesk outbox retry --all`
    assert outbox.retry() == 1
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "zrzut ekranu" in s.text)
    assert outbox.given_up("telegram") == []


async def test_a_flood_of_200_questions_from_five_officials_is_answered_once_each(tmp_path: Path) -> None:
    api, container, stop = await start_bot(tmp_path)
    try:
        world = populate(container)
        logins = ["urz.plock", "urz2.plock", "urz.slupno", "przedst.plock", "lider2.plock"]
        ids = [71000 + i for i in range(5)]
        harness = Bot(api, container, world)
        for login, tg in zip(logins, ids, strict=True):
            await harness.link(login, tg)
        questions = [
            "Nie pamiętam hasła do EZD",
            "skaner nie działa",
            "gdzie jest UPO",
            "wygasł certyfikat podpisu",
            "Ile kosztuje paliwo?",
        ]
        message_ids = []
        for i in range(200):
            update = await api.text(ids[i % 5], f"{questions[i % 5]} ({i})")
            message_ids.append(update["message"]["message_id"])
        wanted = set(message_ids)
        answers = await api.wait_count(lambda s: s.reply_to in wanted, 200, timeout=60)
        await asyncio.sleep(0.3)
        answers = [s for s in api.sent if s.reply_to in wanted]
        assert sorted(s.reply_to for s in answers) == sorted(message_ids)  # none lost, none doubled
        assert not [s for s in api.sent if "Za dużo" in s.text]
    finally:
        await stop()
        await api.__aexit__(None, None, None)
        container.close()


async def test_a_person_over_the_rate_limit_is_told_once_to_slow_down(tmp_path: Path) -> None:
    api, container, stop = await start_bot(
        tmp_path, HELPDESK_TELEGRAM_RATE_BURST="3", HELPDESK_TELEGRAM_RATE_PER_S="0.01"
    )
    try:
        world = populate(container)
        code = container.people.issue_link_code("urz.plock", container.clock.now())
        container.people.link_telegram(code, OFFICIAL, container.clock.now())
        for i in range(8):
            await api.text(OFFICIAL, f"gdzie jest UPO {i}")
        await api.wait_for(lambda s: "Za dużo wiadomości" in s.text)
        # The warning goes out at once; the three answers wait for the matcher, which on a
        # loaded machine may take seconds for its first question: wait for them, not a fixed time.
        await api.wait_count(lambda s: s.chat_id == OFFICIAL and "UPO" in s.text, 3)
        await asyncio.sleep(0.5)
        assert len([s for s in api.to(OFFICIAL) if "Za dużo" in s.text]) == 1
        assert len([s for s in api.to(OFFICIAL) if "UPO" in s.text]) == 3
        assert world
    finally:
        await stop()
        await api.__aexit__(None, None, None)
        container.close()


async def test_escalation_news_and_breach_warnings_reach_linked_agents_and_coordinators(bot: Bot) -> None:
    from helpdesk.services.tickets import NewTicket
    from tests.support.world import contract_for

    contractor = contract_for(bot.container, "EZD").contractor
    agent = next(p for p in bot.world.values() if p.role.value == "agent" and p.contractor == contractor)
    now = bot.container.clock.now()
    bot.container.people.link_telegram(bot.container.people.issue_link_code(agent.login, now), 73001, now)
    bot.container.people.link_telegram(bot.container.people.issue_link_code("koordynator", now), 73002, now)
    bot.container.tickets.create(
        bot.world["urz.plock"], NewTicket("EZD nie działa", "nic", component="EZD", channel="api")
    )
    bot.container.tickets.act(bot.world["lider.plock"], "T-000001", "escalate", priority="critical")
    for chat in (73001, 73002):
        news = await bot.api.wait_for(lambda s, c=chat: s.chat_id == c and "przekazane Wykonawcy" in s.text)
        assert "T-000001" in news.text and "awaria krytyczna" in news.text

    recorder = bot.container.tickets.recorder

    def warn(tx):
        record = recorder.append(tx, 1, "sla_warning", None, now, {"metric": "reaction"})
        recorder.publish(tx, tx.ticket(1), [record], now)

    bot.container.db.write(warn)
    warning = await bot.api.wait_for(lambda s: s.chat_id == 73001 and "zbliża się termin" in s.text)
    assert "czas reakcji" in warning.text  # the clock named in Polish


async def test_the_officials_answer_in_the_bot_ends_the_waiting_and_the_agent_is_told(bot: Bot) -> None:
    from helpdesk.services.tickets import NewTicket
    from tests.support.world import contract_for

    await bot.link("urz.plock", OFFICIAL)
    contractor = contract_for(bot.container, "EZD").contractor
    agent = next(p for p in bot.world.values() if p.role.value == "agent" and p.contractor == contractor)
    clock = bot.container.clock
    now = clock.now()
    bot.container.people.link_telegram(bot.container.people.issue_link_code(agent.login, now), 73001, now)
    tickets = bot.container.tickets
    tickets.create(bot.world["urz.plock"], NewTicket("EZD nie działa", "nic", component="EZD", channel="api"))
    tickets.act(bot.world["lider.plock"], "T-000001", "escalate", priority="normal")
    clock.advance(minutes=20)
    tickets.act(agent, "T-000001", "wait_for_office", text="Jaki jest numer pisma?")
    waiting = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "numer pisma" in s.text)
    clock.advance(minutes=40)

    await bot.api.text(OFFICIAL, "Pismo nr 12/2027", reply_to=waiting)

    told = await bot.api.wait_for(lambda s: s.chat_id == 73001 and "urząd odpowiedział" in s.text)
    assert "T-000001" in told.text and "znów biegnie" in told.text
    events = tickets.get(bot.world["koordynator"], "T-000001")["events"]
    assert [(e["type"], e["actor"]) for e in events][-2:] == [
        ("commented", "urz.plock"),
        ("resumed", "urz.plock"),
    ]
    assert events[-1]["at"] == clock.now().isoformat(timespec="seconds")
    sla = tickets.get(bot.world["koordynator"], "T-000001")["sla"]
    assert sla["metrics"]["reaction"]["elapsed_min"] == 20.0 and not sla["metrics"]["reaction"]["paused"]


async def test_a_question_between_answers_offers_may_be_about_and_the_chosen_article_is_proposed(
    bot: Bot,
) -> None:
    await bot.link("urz.plock", OFFICIAL)
    answer = await bot.ask(OFFICIAL, "problem z hasłem")
    assert "Nie znalazłem" in answer.text and "Może chodzi o…" in answer.text
    choice = answer.button("Resetowanie hasła do EZD")["callback_data"]
    assert choice.startswith("a:") and choice.endswith(":tg-ezd-reset-hasla")
    assert answer.button("Załóż zgłoszenie")
    await bot.api.press(OFFICIAL, answer, choice)
    shown = await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "/kb/tg-ezd-reset-hasla" in s.text)
    await bot.api.press(OFFICIAL, shown, shown.button("Pomogło")["callback_data"])
    await bot.api.wait_for(lambda s: s.chat_id == OFFICIAL and "Cieszę" in s.text)
    # the choice teaches the knowledge base once a coordinator accepts it
    [proposal] = bot.container.kb_proposals.list(bot.world["koordynator"])
    assert (proposal["kind"], proposal["article_id"]) == ("phrasing", "tg-ezd-reset-hasla")
    assert proposal["text"] == "problem z hasłem" and proposal["proposed_by"] == "urz.plock"


async def test_a_stranger_is_sent_to_the_account_page_and_links_with_the_code_it_gives(bot: Bot) -> None:
    await bot.api.text(STRANGER, "Dzień dobry")
    reply = await bot.api.wait_for(lambda s: s.chat_id == STRANGER)
    site = bot.container.settings.public_url.rstrip("/")
    assert f"{site}/konto" in reply.text and "Połącz z Telegramem" in reply.text
    # The official signs in on the web, asks for a code on "Moje konto" and sends it to the bot.
    bot.container.people.set_password("urz.slupno", "haslo-testowe-1")
    async with TestClient(TestServer(create_app(bot.container))) as web:
        form = {"login": "urz.slupno", "password": "haslo-testowe-1"}
        assert (await web.post("/login", data=form, allow_redirects=False)).status == 303
        page = await (await web.get("/konto")).text()
        assert "<dd>niepołączony</dd>" in page and "Połącz z Telegramem" in page
        page = await (await web.post("/konto/telegram", data=with_token(web))).text()
        code = re.search(r"/start ([0-9A-F]{8})</code>", page)
        assert code and "24 godziny" in page
        await bot.api.text(STRANGER, f"/start {code[1]}")
        await bot.api.wait_for(lambda s: s.chat_id == STRANGER and "połączone" in s.text)
        assert bot.container.people.find(telegram_id=STRANGER).login == "urz.slupno"
        page = await (await web.get("/konto")).text()
        assert "<dd>połączony</dd>" in page and "Odłącz Telegram" in page
        page = await (await web.post("/konto/telegram/odlacz", data=with_token(web))).text()
        assert "Telegram odłączony." in page
        assert bot.container.people.find(telegram_id=STRANGER) is None
