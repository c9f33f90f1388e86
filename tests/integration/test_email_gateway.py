"""The e-mail gateway end to end over loopback: our aiosmtpd listener, smtplib as the sender's MTA,
an aiosmtpd mail sink as the relay, a real SQLite file database and a manual clock.
"""

import asyncio
import smtplib
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiosmtpd.smtp import SMTP

from helpdesk.adapters.clock import ManualClock
from helpdesk.bootstrap import Container, build_container
from helpdesk.domain.kb.article import Article
from helpdesk.lifecycle import SINGLETONS, running
from helpdesk.services.people import parse_offices_csv
from helpdesk.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2027, 3, 1, 9, 0, tzinfo=WARSAW)
DOMAIN = "helpdesk.example.pl"
HELPDESK = f"helpdesk@{DOMAIN}"
OFFICES = """code,name,type,employees,components,leaders_max
1462011,Urząd Miasta Płocka,powiat_grodzki,620,EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO,2
"""
OFFICIAL = "jan.kowalski@plock.example.pl"
LEADER = "lider@plock.example.pl"
AGENT = "agent@wykonawca.example.pl"
RELAY_ID = "mx.plock.example.pl"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """A mail sink acting as the relay: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        self.messages.append((list(envelope.rcpt_tos), BytesParser(policy=policy.default).parsebytes(data)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


async def start_sink(port: int) -> tuple[Sink, asyncio.AbstractServer]:
    """Listen on 127.0.0.1:port as a plain SMTP sink."""
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, loop=loop), "127.0.0.1", port)
    return sink, server


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `predicate` (network I/O settles in milliseconds) until it is truthy or time is up."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@dataclass
class World:
    """A running gateway: container, its SMTP port, the sink and the people."""

    container: Container
    clock: ManualClock
    smtp_port: int
    sink: Sink
    people: dict[str, Any]
    db_path: Path
    app: web.Application | None = None  # the running background resources, as `helpdesk serve` has them

    async def send(
        self,
        message: EmailMessage | bytes,
        sender: str = OFFICIAL,
        rcpt: str = HELPDESK,
        *,
        authenticated: bool = True,
    ) -> dict[str, Any]:
        """Deliver like the receiving relay would (smtplib in a thread: our server runs in this loop).

        `authenticated`: the relay found DMARC passing for the From domain and says so in its
        Authentication-Results header, the one the gateway trusts (RELAY_ID).
        """
        data = message if isinstance(message, bytes) else message.as_bytes(policy=policy.SMTP)
        if authenticated:
            domain = parseaddr(
                str(BytesHeaderParser(policy=policy.compat32).parsebytes(data).get("From", ""))
            )[1]
            data = (
                f"Authentication-Results: {RELAY_ID}; dmarc=pass header.from={domain.rpartition('@')[2]}\r\n".encode()
                + data
            )

        def _send() -> dict[str, Any]:
            with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as client:
                return client.sendmail(sender, [rcpt], data)

        return await asyncio.to_thread(_send)

    def tickets(self) -> list[dict[str, Any]]:
        return self.container.db.read(lambda tx: tx.list_tickets({}, self.people["coord"], 100, 0))[0]

    def events(self, no: int) -> list[dict[str, Any]]:
        return self.container.db.read(lambda tx: tx.events(no))

    def raw(self) -> list[dict[str, Any]]:
        return self.container.db.read(lambda tx: tx.mail_raw_list())

    def outbox(self) -> list[dict[str, Any]]:
        return self.container.db.read(lambda tx: tx.outbox_messages("email"))


def make_world_container(
    tmp_path: Path, clock: ManualClock, smtp_port: int, relay_port: int, **extra_env: str
) -> Container:
    """A migrated container with the gateway on smtp_port and the relay on relay_port."""
    env = {
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
        "HELPDESK_SMTP_RELAY": f"127.0.0.1:{relay_port}",
        "HELPDESK_MAIL_FROM": HELPDESK,
        "HELPDESK_PUBLIC_URL": "https://helpdesk.example.pl",
        "HELPDESK_MAIL_SEND_INTERVAL_S": "0.1",
        "HELPDESK_MAIL_AUTHSERV_ID": RELAY_ID,
        "HELPDESK_HTTP": "127.0.0.1:0",
        **extra_env,
    }
    container = build_container(load_settings(env), clock=clock)
    container.migrate()
    return container


def populate(container: Container) -> dict[str, Any]:
    """One office with an official and a leader, an agent, a coordinator and one KB article."""
    container.people.import_offices(parse_offices_csv(OFFICES))
    now = container.clock.now()
    add = container.people.add_person
    contractor = next(c.contractor for c in container.contracts.values() if "EZD" in c.components)
    people = {
        "jan": add(
            login="jan.kowalski", name="Jan Kowalski", role="official", now=now, jst="1462011", email=OFFICIAL
        ),
        "lider": add(
            login="lider.plock", name="Anna Liderka", role="leader", now=now, jst="1462011", email=LEADER
        ),
        "agent": add(
            login="agent1", name="Piotr Agent", role="agent", now=now, contractor=contractor, email=AGENT
        ),
        "coord": add(login="koordynator", name="Koordynator", role="coordinator", now=now),
    }
    container.kb.import_articles(
        [
            Article(
                id="ezd-reset-hasla",
                title="Resetowanie hasła do EZD",
                component="EZD",
                tags=("logowanie", "hasło"),
                questions=(
                    "Jak zmienić hasło w EZD?",
                    "Nie mogę zalogować się do EZD",
                    "Zapomniałem hasła do EZD",
                ),
                body="Kliknij „Nie pamiętam hasła” na stronie logowania EZD.",
            )
        ]
    )
    return people


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = ManualClock(START)
    smtp_port, relay_port = free_port(), free_port()
    sink, sink_server = await start_sink(relay_port)
    container = make_world_container(tmp_path, clock, smtp_port, relay_port)
    people = populate(container)
    w = World(container, clock, smtp_port, sink, people, tmp_path / "h.db")
    try:
        async with running(container) as runner:
            w.app = runner.app
            yield w
    finally:
        sink_server.close()
        await sink_server.wait_closed()
        container.close()


def polish_mail_with_attachment() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Jan Kowalski <{OFFICIAL}>"
    msg["To"] = HELPDESK
    msg["Subject"] = "Nie mogę zalogować się do EZD – błąd hasła"
    msg["Message-ID"] = make_msgid(domain="plock.example.pl")
    msg.set_content(
        "Dzień dobry,\nod rana nie mogę zalogować się do EZD. Komunikat: „Błędne hasło”.\nJan Kowalski\n",
        charset="windows-1250",
    )
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="zrzut ekranu – błąd.png")
    return msg


def reply_to(
    original: EmailMessage, text: str, *, subject: str | None = None, sender: str = OFFICIAL
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = HELPDESK
    msg["Subject"] = subject if subject is not None else "Odp: " + str(original["Subject"])
    msg["Message-ID"] = make_msgid(domain="plock.example.pl")
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = f"{original.get('References', '')} {original['Message-ID']}".strip()
    msg.set_content(
        f"{text}\n\nW dniu 01.03.2027 o 09:00, Helpdesk e-Urząd pisze:\n> {original['Subject']}\n"
    )
    return msg


async def open_ticket_by_mail(world: World) -> tuple[EmailMessage, EmailMessage]:
    """Send the Polish mail with an attachment; return it and the acknowledgement the sink got."""
    original = polish_mail_with_attachment()
    await world.send(original)
    ack = await wait_for(lambda: world.sink.to(OFFICIAL))
    return original, ack[0]


async def test_a_polish_mail_with_an_attachment_opens_a_ticket_and_is_acknowledged_with_its_id(world: World):
    original, ack = await open_ticket_by_mail(world)

    [ticket] = world.tickets()
    assert (ticket["no"], ticket["channel"]) == (1, "email")
    assert ticket["title"] == "Nie mogę zalogować się do EZD – błąd hasła"
    assert "Komunikat: „Błędne hasło”." in ticket["description"]
    files = world.container.db.read(lambda tx: tx.mail_attachments(1))
    assert [(f["filename"], f["content_type"], bytes(f["data"])) for f in files] == [
        ("zrzut ekranu – błąd.png", "image/png", PNG)
    ]
    assert "attachment_added" in [e["type"] for e in world.events(1)]
    assert [r["status"] for r in world.raw()] == ["ticket"]

    assert "[T-000001]" in ack["Subject"] and "Przyjęliśmy zgłoszenie" in ack["Subject"]
    assert ack["In-Reply-To"] == original["Message-ID"]
    assert original["Message-ID"] in ack["References"]
    assert ack["Message-ID"].startswith("<hd.1.") and ack["Auto-Submitted"] == "auto-generated"
    plain = ack.get_body(("plain",)).get_content()
    markup = ack.get_body(("html",)).get_content()
    assert "przyjęliśmy Twoje zgłoszenie T-000001" in plain
    assert "Resetowanie hasła do EZD" in plain and "https://helpdesk.example.pl/kb/ezd-reset-hasla" in plain
    assert "odpowiedz na tę wiadomość" in plain
    assert "Resetowanie hasła do EZD" in markup and "<p>" in markup
    leader_mail = await wait_for(lambda: world.sink.to(LEADER))
    assert "[T-000001] Nowe zgłoszenie" in leader_mail[0]["Subject"]


async def test_a_reply_to_the_acknowledgement_lands_on_the_same_ticket_without_quoted_history(world: World):
    _, ack = await open_ticket_by_mail(world)

    await world.send(reply_to(ack, "Dodam, że problem jest tylko w pokoju 12.", subject="Odp: błąd hasła"))

    assert len(world.tickets()) == 1
    comments = [e for e in world.events(1) if e["type"] == "commented"]
    assert [(c["actor"], c["text"]) for c in comments] == [
        ("jan.kowalski", "Dodam, że problem jest tylko w pokoju 12.")
    ]
    assert world.raw()[-1]["status"] == "comment"
    leader_mails = await wait_for(
        lambda: [m for m in world.sink.to(LEADER) if "Nowa informacja" in m["Subject"]]
    )
    assert "pokoju 12" in leader_mails[0].get_body(("plain",)).get_content()


async def test_the_ticket_id_in_the_subject_threads_a_mail_without_threading_headers(world: World):
    await open_ticket_by_mail(world)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = OFFICIAL, HELPDESK, "Re: [T-000001] jeszcze jedno"
    msg.set_content("Zrestartowałem komputer, bez zmian.")

    await world.send(msg)

    assert len(world.tickets()) == 1
    assert [e["text"] for e in world.events(1) if e["type"] == "commented"] == [
        "Zrestartowałem komputer, bez zmian."
    ]


async def test_the_leaders_answer_is_mailed_back_with_threading_headers(world: World):
    original, ack = await open_ticket_by_mail(world)
    tickets = world.container.tickets

    tickets.act(world.people["lider"], "T-000001", "take")
    tickets.act(world.people["lider"], "T-000001", "reply", text="Proszę użyć opcji „Nie pamiętam hasła”.")

    answer = (await wait_for(lambda: [m for m in world.sink.to(OFFICIAL) if "Odpowiedź" in m["Subject"]]))[0]
    assert answer["Subject"].startswith("[T-000001] Odpowiedź w sprawie zgłoszenia")
    assert answer["In-Reply-To"] == original["Message-ID"]
    refs = answer["References"].split()
    assert original["Message-ID"] in refs and f"<hd.1.thread@{DOMAIN}>" in refs
    assert answer["Message-ID"] != ack["Message-ID"] and answer["Message-ID"].endswith(f"@{DOMAIN}>")
    assert "Anna Liderka odpowiada" in answer.get_body(("plain",)).get_content()
    assert "„Nie pamiętam hasła”" in answer.get_body(("html",)).get_content()
    status = [m for m in world.sink.to(OFFICIAL) if "Zgłoszenie w realizacji" in m["Subject"]]
    assert status, "taking the ticket is a status change the author hears about"

    # The official answers that mail in their client: it threads to the same ticket.
    await world.send(reply_to(answer, "Dziękuję, działa."))
    assert len(world.tickets()) == 1
    assert [e["text"] for e in world.events(1) if e["type"] == "commented"] == ["Dziękuję, działa."]


async def test_a_leader_answering_a_notice_by_mail_replies_to_the_author(world: World):
    await open_ticket_by_mail(world)
    notice = (await wait_for(lambda: world.sink.to(LEADER)))[0]

    await world.send(reply_to(notice, "Proszę zresetować hasło w EZD.", sender=LEADER), sender=LEADER)

    assert [(e["actor"], e["text"]) for e in world.events(1) if e["type"] == "replied"] == [
        ("lider.plock", "Proszę zresetować hasło w EZD.")
    ]
    await wait_for(lambda: [m for m in world.sink.to(OFFICIAL) if "Odpowiedź" in m["Subject"]])


async def test_an_auto_reply_and_a_strangers_mail_open_nothing_and_get_nothing(world: World):
    _, ack = await open_ticket_by_mail(world)
    await wait_for(lambda: world.sink.to(LEADER))
    outbox_before, sink_before = len(world.outbox()), len(world.sink.messages)
    events_before = len(world.events(1))

    auto = reply_to(ack, "Jestem nieobecny do 15 marca.", subject="Odpowiedź automatyczna: " + ack["Subject"])
    auto["Auto-Submitted"] = "auto-replied"
    auto["X-Auto-Response-Suppress"] = "All"
    await world.send(auto)
    stranger = polish_mail_with_attachment()
    stranger.replace_header("From", "Ktoś Obcy <obcy@example.com>")
    await world.send(stranger, sender="obcy@example.com")
    bounce = EmailMessage()
    bounce["From"], bounce["To"], bounce["Subject"] = (
        "MAILER-DAEMON@mx.example.pl",
        HELPDESK,
        "Undelivered Mail",
    )
    bounce.set_content("550 User unknown")
    await world.send(bounce, sender="")

    assert len(world.tickets()) == 1 and len(world.events(1)) == events_before
    assert len(world.outbox()) == outbox_before
    assert [(r["status"], r["note"].split(" ")[0]) for r in world.raw()[1:]] == [
        ("ignored", "automatic"),
        ("ignored", "unknown"),
        ("ignored", "automatic"),
    ]
    await asyncio.sleep(0.3)  # give the sender loop a few rounds: still nothing goes out
    assert len(world.sink.messages) == sink_before


async def test_a_40_mb_message_is_refused_with_552_before_its_data_is_taken(world: World):
    big = b"From: " + OFFICIAL.encode() + b"\r\nSubject: big\r\n\r\n" + b"x" * (40 * 1024 * 1024)

    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        await world.send(big)

    assert refused.value.smtp_code == 552
    assert world.raw() == []


async def test_the_gateway_answers_451_when_the_database_is_down_and_accepts_the_retry(world: World):
    assert world.app is not None
    await world.app[
        SINGLETONS
    ].scheduler.stop()  # only the SMTP gateway keeps running: no job touches the file
    db = world.container.db
    away = world.db_path.with_suffix(".away")
    db.engine.dispose()
    db.read_engine.dispose()
    world.db_path.rename(away)  # new connections find an empty file: no tables, the store fails
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            await world.send(polish_mail_with_attachment())
        assert refused.value.smtp_code == 451
    finally:
        db.engine.dispose()
        db.read_engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(world.db_path) + suffix).unlink(missing_ok=True)
        away.rename(world.db_path)

    await world.send(polish_mail_with_attachment())
    assert len(world.tickets()) == 1


async def test_a_runaway_sender_is_stopped_by_the_rate_limit(world: World):
    intake = world.container.mail.intake
    outcomes = []
    for i in range(22):
        raw = (
            f"From: {OFFICIAL}\r\nSubject: Pętla {i}\r\nMessage-ID: <loop{i}@plock.example.pl>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nTreść {i}\r\n"
        ).encode()
        outcomes.append(await asyncio.to_thread(intake.receive, raw, source="smtp", envelope_from=OFFICIAL))

    assert [o.status for o in outcomes] == ["ticket"] * 20 + ["ignored"] * 2
    assert outcomes[-1].note.startswith("rate limit")
    world.clock.advance(minutes=11)
    raw = f"From: {OFFICIAL}\r\nSubject: Po przerwie\r\n\r\nJuż spokojnie.\r\n".encode()
    assert (
        await asyncio.to_thread(intake.receive, raw, source="smtp", envelope_from=OFFICIAL)
    ).status == "ticket"


async def test_the_same_message_delivered_twice_opens_one_ticket(world: World):
    original = polish_mail_with_attachment()
    await world.send(original)
    await world.send(original)

    assert len(world.tickets()) == 1
    assert [r["status"] for r in world.raw()] == ["ticket", "ignored"]


async def test_a_reply_from_the_author_resumes_a_ticket_waiting_for_the_office(world: World):
    await open_ticket_by_mail(world)
    tickets = world.container.tickets
    tickets.act(world.people["lider"], "T-000001", "take")
    tickets.act(world.people["lider"], "T-000001", "wait_for_office", text="Jaki komunikat widać?")
    question = (
        await wait_for(lambda: [m for m in world.sink.to(OFFICIAL) if "Potrzebujemy" in m["Subject"]])
    )[0]
    assert "Jaki komunikat widać?" in question.get_body(("plain",)).get_content()

    await world.send(reply_to(question, "Komunikat: konto zablokowane."))

    assert world.tickets()[0]["state"] == "in_progress"
    assert [e["type"] for e in world.events(1)][-2:] == ["commented", "resumed"]


async def test_the_officials_mail_answer_ends_the_waiting_for_the_office_and_the_agent_is_told(world: World):
    await open_ticket_by_mail(world)
    tickets = world.container.tickets
    lider, agent = world.people["lider"], world.people["agent"]
    tickets.act(lider, "T-000001", "take")
    world.container.db.write(lambda tx: tx.update_ticket(1, {"component": "EZD"}))
    tickets.act(lider, "T-000001", "escalate", priority="normal")  # 09:00, Monday 1 March 2027
    world.clock.advance(minutes=30)
    tickets.act(agent, "T-000001", "wait_for_office", text="Prosimy o login użytkownika.")  # 09:30
    question = (
        await wait_for(lambda: [m for m in world.sink.to(OFFICIAL) if "Potrzebujemy" in m["Subject"]])
    )[0]
    world.clock.advance(minutes=45)  # the office answers at 10:15

    await world.send(reply_to(question, "Login: jkowalski."))

    events = world.events(1)
    assert [e["type"] for e in events][-2:] == ["commented", "resumed"]
    resumed = events[-1]
    assert (resumed["actor"], resumed["at"], resumed["reason"]) == (
        "jan.kowalski",
        "2027-03-01T10:15:00+01:00",
        "office_answer",
    )
    told = await wait_for(lambda: [m for m in world.sink.to(AGENT) if "Urząd odpowiedział" in m["Subject"]])
    assert "oczekiwanie na urząd zakończyło się" in told[0].get_body(("plain",)).get_content()
    # The contractor's clock ran 09:00–09:30 and runs again from 10:15: at 11:15 that is 90 minutes.
    world.clock.advance(hours=1)
    clocks = tickets.get(world.people["coord"], "T-000001")["sla"]
    assert clocks["metrics"]["reaction"]["elapsed_min"] == 90.0
    assert clocks["metrics"]["reaction"]["paused"] is False


async def test_escalation_is_mailed_to_the_contractors_agents(world: World):
    await open_ticket_by_mail(world)
    tickets = world.container.tickets
    lider = world.people["lider"]
    tickets.act(lider, "T-000001", "take")
    world.container.db.write(lambda tx: tx.update_ticket(1, {"component": "EZD"}))

    tickets.act(lider, "T-000001", "escalate", priority="high")

    mail = (await wait_for(lambda: world.sink.to(AGENT)))[0]
    assert mail["Subject"].startswith("[T-000001] Zgłoszenie dla Wykonawcy")
    plain = mail.get_body(("plain",)).get_content()
    assert "kategoria: awaria" in plain
    assert "Anna Liderka przekazuje zgłoszenie – Urząd Miasta Płocka (1462011)" in plain  # by name


async def test_nothing_is_lost_when_the_relay_is_down_and_it_is_sent_when_it_is_back(tmp_path: Path):
    clock = ManualClock(START)
    relay_port = free_port()  # nobody listens there yet
    container = make_world_container(tmp_path, clock, free_port(), relay_port)
    try:
        populate(container)
        intake, sender = container.mail.intake, container.mail.sender
        outcome = intake.receive(
            polish_mail_with_attachment().as_bytes(), source="smtp", envelope_from=OFFICIAL
        )
        assert outcome.status == "ticket"

        assert await asyncio.to_thread(sender.send_once) == 0
        pending = container.db.read(lambda tx: tx.outbox_messages("email"))
        assert pending and all(
            m["sent_at"] is None and m["attempts"] == 1 and m["last_error"] for m in pending
        )

        sink, server = await start_sink(relay_port)
        try:
            assert await asyncio.to_thread(sender.send_once) == 0  # not due yet: backing off
            clock.advance(minutes=1)
            delivered = await asyncio.to_thread(sender.send_once)
            assert delivered == len(pending) >= 2
            assert container.outbox.pending("email") == 0
            assert sink.to(OFFICIAL) and "[T-000001]" in sink.to(OFFICIAL)[0]["Subject"]
        finally:
            server.close()
            await server.wait_closed()
    finally:
        container.close()


async def test_mail_stored_but_not_processed_is_picked_up_later(tmp_path: Path):
    container = make_world_container(tmp_path, ManualClock(START), free_port(), free_port())
    try:
        populate(container)
        intake = container.mail.intake
        raw_id = intake.store_raw(
            polish_mail_with_attachment().as_bytes(), source="smtp", envelope_from=OFFICIAL
        )
        assert container.db.read(lambda tx: tx.mail_raw(raw_id))["status"] == "new"

        [outcome] = intake.process_pending()

        assert (outcome.status, outcome.ticket) == ("ticket", "T-000001")
    finally:
        container.close()


async def test_a_mail_the_kb_cannot_answer_for_sure_is_acknowledged_with_may_be_about(world: World):
    msg = EmailMessage()
    msg["From"] = f"Jan Kowalski <{OFFICIAL}>"
    msg["To"] = HELPDESK
    msg["Subject"] = "problem z hasłem"
    msg["Message-ID"] = make_msgid(domain="plock.example.pl")
    msg.set_content("Pozdrawiam\nJan\n")
    answer = world.container.kb.answer("problem z hasłem\nPozdrawiam\nJan", record=False)
    assert not answer["answered"] and answer["suggestions"][0]["id"] == "ezd-reset-hasla"
    await world.send(msg)
    [ack] = await wait_for(lambda: world.sink.to(OFFICIAL))
    plain = ack.get_body(("plain",)).get_content()
    assert (
        "Może chodzi o… „Resetowanie hasła do EZD” — https://helpdesk.example.pl/kb/ezd-reset-hasla" in plain
    )
    assert "Być może od razu pomoże" not in plain


def test_one_mail_processed_twice_at_once_opens_one_ticket(tmp_path: Path):
    """The gateway and the pending-mail retry (or two workers) may process the same stored mail at
    the same moment: only one of them may record a ticket; the other reports that ticket."""
    import threading

    container = make_world_container(tmp_path, ManualClock(START), free_port(), free_port())
    try:
        populate(container)
        intake = container.mail.intake
        raw_ids = []
        for n in range(12):
            msg = polish_mail_with_attachment()
            msg.replace_header("Subject", f"Skaner nie działa nr {n}")
            msg.replace_header("Message-ID", make_msgid(domain="urzad.example.pl"))
            raw_ids.append(intake.store_raw(msg.as_bytes(), source="smtp", envelope_from=OFFICIAL))
        outcomes: dict[int, list[Any]] = {raw_id: [] for raw_id in raw_ids}

        def process(raw_id: int, barrier: threading.Barrier) -> None:
            barrier.wait()
            outcomes[raw_id].append(intake.process(raw_id))

        for raw_id in raw_ids:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=process, args=(raw_id, barrier)) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        tickets = container.db.read(
            lambda tx: tx.list_tickets({}, container.people.person("koordynator"), 100, 0)
        )[1]
        assert tickets == len(raw_ids)
        for raw_id, pair in outcomes.items():
            assert [o.status for o in pair] == ["ticket", "ticket"], (raw_id, pair)
            assert pair[0].ticket == pair[1].ticket
    finally:
        container.close()
