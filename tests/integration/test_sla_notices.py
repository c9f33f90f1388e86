"""SLA notices end to end: a ticket whose title Telegram's HTML mode would choke on breaches its SLA
under a fake clock, and the warnings reach people readable, once, by Telegram (python-telegram-bot
over HTTP to the Bot API stand-in, which refuses unparsable HTML like Telegram does) and by mail
(a real SMTP relay on loopback), the mail threaded with the ticket's other mail."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.email.sender import MailSender
from helpdesk.bootstrap import Container
from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import NewTicket
from tests.integration.test_email_gateway import Sink, free_port, start_sink
from tests.support.telegram_api import FakeBotApi
from tests.support.world import START, WARSAW, contract_for, make_container, populate

TITLE = "Awaria <EZD> & ESB"
DOMAIN = "helpdesk.example.pl"
AGENT_CHAT, COORDINATOR_CHAT = 81001, 81002


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


@dataclass
class Desk:
    """A container with the Telegram bot running against the stand-in and a relay sink for mail."""

    container: Container
    clock: ManualClock
    api: FakeBotApi
    sink: Sink
    mail: MailSender
    people: dict[str, Any]
    agent: Any

    def sweeper(self) -> SlaSweep:
        """A sweeper like the one each worker runs."""
        return SlaSweep(self.container.db, self.container.sla, self.container.tickets.recorder)

    async def deliver_mail(self) -> int:
        return await asyncio.to_thread(self.mail.send_once)

    def outbox(self) -> list[Any]:
        return self.container.db.read(
            lambda tx: tx.conn.execute(
                text("SELECT channel, recipient, dedupe FROM outbox WHERE dedupe LIKE 'sla:%' ORDER BY id")
            ).all()
        )


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    clock = ManualClock(START)
    relay_port = free_port()
    sink, sink_server = await start_sink(relay_port)
    api = FakeBotApi("123:ABC")
    await api.__aenter__()
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        clock,
        HELPDESK_TELEGRAM_TOKEN="123:ABC",
        HELPDESK_TELEGRAM_API_URL=api.base_url,
        HELPDESK_SMTP_RELAY=f"127.0.0.1:{relay_port}",
        HELPDESK_MAIL_FROM=f"helpdesk@{DOMAIN}",
    )
    people = populate(container)
    contractor = contract_for(container, "EZD").contractor
    agent = next(p for p in people.values() if p.role.value == "agent" and p.contractor == contractor)
    now = clock.now()
    for login, chat in ((agent.login, AGENT_CHAT), ("koordynator", COORDINATOR_CHAT)):
        container.people.link_telegram(container.people.issue_link_code(login, now), chat, now)
    mail = MailSender(container.outbox, clock, ("127.0.0.1", relay_port), f"helpdesk@{DOMAIN}")
    # Only the bot and its outbox sender run: the test sweeps and delivers mail itself.
    assert container.telegram is not None
    bot, sender = container.telegram.bot, container.telegram.sender
    await bot.start()
    sender.start()
    try:
        yield Desk(container, clock, api, sink, mail, people, agent)
    finally:
        await sender.stop()
        await bot.stop()
        await api.__aexit__(None, None, None)
        sink_server.close()
        await sink_server.wait_closed()
        container.close()


def sla_mail(sink: Sink, address: str, subject_part: str) -> list[EmailMessage]:
    return [m for m in sink.to(address) if subject_part in str(m["Subject"])]


async def test_a_breach_of_a_ticket_with_markup_in_its_title_is_told_readably_once_by_telegram_and_mail(
    desk: Desk,
) -> None:
    container, people = desk.container, desk.people
    ticket = container.tickets.create(people["urz.plock"], NewTicket(TITLE, "Szyna nie odpowiada.", "EZD"))
    container.tickets.act(people["lider.plock"], ticket["id"], "take")
    container.tickets.act(people["lider.plock"], ticket["id"], "escalate")
    assert await desk.deliver_mail() > 0  # the escalation reaches the agent: the ticket's thread starts
    sweeper = desk.sweeper()

    # The warning at 80 % of the reaction time (8 working hours from Monday 09:00): 15:24.
    desk.clock.set(at(1, 15, 30))
    result = sweeper.sweep(desk.clock.now().astimezone(UTC))  # the scheduler's clock answers in UTC
    assert result.warnings == [(ticket["id"], "reaction")]
    warning = await desk.api.wait_for(lambda s: s.chat_id == AGENT_CHAT and "Ostrzeżenie SLA" in s.text)
    assert TITLE in warning.shown
    assert "zbliża się termin (czas reakcji)" in warning.shown
    assert "Termin upływa 02.03.2027 09:00." in warning.shown
    assert "Urząd: Urząd Miasta Płocka (1462011)" in warning.shown
    await desk.api.wait_for(lambda s: s.chat_id == COORDINATOR_CHAT and "Ostrzeżenie SLA" in s.text)

    # The breach on Tuesday 09:00.
    desk.clock.set(at(2, 9, 1))
    assert sweeper.sweep(desk.clock.now()).breaches == [(ticket["id"], "reaction")]
    breach = await desk.api.wait_for(lambda s: s.chat_id == AGENT_CHAT and "Przekroczenie SLA" in s.text)
    assert TITLE in breach.shown and "przekroczony termin (czas reakcji)" in breach.shown
    contract = contract_for(container, "EZD").id
    assert f"Umowa: {contract}" in breach.shown and "Priorytet: błąd" in breach.shown  # "normal" in Polish
    assert "Upłynęło: 8 h 1 min z 8 h (czas roboczy umowy)." in breach.shown
    await desk.api.wait_for(lambda s: s.chat_id == COORDINATOR_CHAT and "Przekroczenie SLA" in s.text)

    assert await desk.deliver_mail() == 4  # warning and breach, to the agent and the coordinator
    agent_address = desk.agent.email
    [warned] = sla_mail(desk.sink, agent_address, "Ostrzeżenie SLA (czas reakcji)")
    [breached] = sla_mail(desk.sink, agent_address, "Przekroczenie SLA (czas reakcji)")
    assert len(sla_mail(desk.sink, "koordynator@example.pl", "SLA (czas reakcji)")) == 2
    for mail in (warned, breached):
        assert str(mail["Subject"]).startswith(f"[{ticket['id']}] ") and str(mail["Subject"]).endswith(TITLE)
        plain = mail.get_body(("plain",)).get_content()
        markup = mail.get_body(("html",)).get_content()
        assert TITLE in plain and "Awaria &lt;EZD&gt; &amp; ESB" in markup and TITLE not in markup
    assert "Termin upływa 02.03.2027 09:00." in warned.get_body(("plain",)).get_content()
    # Threaded like every other notice of the ticket: under the ticket's thread id.
    root = f"<hd.1.thread@{DOMAIN}>"
    [escalation] = [m for m in desk.sink.to(agent_address) if "Zgłoszenie dla Wykonawcy" in str(m["Subject"])]
    for mail in (escalation, warned, breached):
        assert mail["In-Reply-To"] == root and root in mail["References"]
        assert mail["Message-ID"].startswith("<hd.1.")
    assert len({m["Message-ID"] for m in (escalation, warned, breached)}) == 3

    # Nobody else heard the SLA notices: not the office's leaders, not the official.
    assert sorted({row.recipient for row in desk.outbox() if row.channel == "email"}) == sorted(
        [agent_address, "koordynator@example.pl"]
    )

    # More ticks, a second worker, a restart: nothing more is recorded or sent.
    sent_before, outbox_before = len(desk.api.sent), desk.outbox()
    desk.clock.set(at(2, 9, 5))
    assert sweeper.sweep(desk.clock.now()).notices == 0
    assert desk.sweeper().sweep(desk.clock.now()).notices == 0
    again = make_container(container.settings.database_url, desk.clock)
    try:
        again_sweep = SlaSweep(again.db, again.sla, again.tickets.recorder)
        assert again_sweep.sweep(desk.clock.now()).notices == 0
        # Even a warning recorded twice (a lost race) queues no second notice: keys name what it is about.
        recorder = again.tickets.recorder
        now = desk.clock.now()

        def warn_again(tx: Any) -> int:
            record = recorder.append(
                tx, 1, "sla_warning", "system", now, {"metric": "reaction", "share": 0.8}
            )
            return recorder.publish(tx, tx.ticket(1), [record], now)

        assert again.db.write(warn_again) == 0
    finally:
        again.close()
    assert desk.outbox() == outbox_before
    assert await desk.deliver_mail() == 0
    await asyncio.sleep(0.5)  # the Telegram outbox sender looks every 0.3 s
    assert len(desk.api.sent) == sent_before

    # The sweep's events carry local time, like every other event, whatever zone the clock used.
    events = container.tickets.get(people["koordynator"], ticket["id"])["events"]
    sweep_events = [e for e in events if e["type"] in ("sla_warning", "sla_breached")]
    assert [e["at"] for e in sweep_events][:2] == ["2027-03-01T15:30:00+01:00", "2027-03-02T09:01:00+01:00"]
    assert all(e["at"].endswith("+01:00") for e in events)


async def test_first_line_alerts_go_to_the_other_leaders_then_to_the_representative_and_coordinators(
    desk: Desk,
) -> None:
    container, people = desk.container, desk.people
    now = desk.clock.now()
    container.people.link_telegram(container.people.issue_link_code("lider.plock", now), 81003, now)
    container.people.link_telegram(container.people.issue_link_code("przedst.plock", now), 81004, now)
    ticket = container.tickets.create(people["urz.plock"], NewTicket(TITLE, "opis", "EZD"))
    sweeper = desk.sweeper()
    desk.clock.set(at(1, 13, 0))  # 4 working hours of the office
    assert sweeper.sweep(desk.clock.now()).first_line_alerts == [(ticket["id"], 1)]
    alert = await desk.api.wait_for(lambda s: s.chat_id == 81003 and "czeka na lidera" in s.text)
    assert TITLE in alert.shown and "Utworzono: 01.03.2027 09:00" in alert.shown
    assert {b["callback_data"] for b in alert.buttons} == {f"take:{ticket['id']}", f"ans:{ticket['id']}"}
    desk.clock.set(at(2, 9, 0))
    assert sweeper.sweep(desk.clock.now()).first_line_alerts == [(ticket["id"], 2)]
    escalated = await desk.api.wait_for(lambda s: s.chat_id == 81004 and "przedstawicielowi" in s.text)
    assert TITLE in escalated.shown
    await desk.api.wait_for(lambda s: s.chat_id == COORDINATOR_CHAT and "przedstawicielowi" in s.text)
    # The coordinator hears only level 2.
    assert not [s for s in desk.api.to(COORDINATOR_CHAT) if "czeka na lidera" in s.text]
    await desk.deliver_mail()
    assert [str(m["Subject"]) for m in desk.sink.to("przedst.plock@example.pl")] == [
        f"[{ticket['id']}] Zgłoszenie nadal nie jest podjęte — eskalacja: {TITLE}"
    ]
