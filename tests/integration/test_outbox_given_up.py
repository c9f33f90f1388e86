"""Outbox messages that cannot be delivered are given up on, stay visible, and can be retried.

A recipient the relay refuses for good is given up on after one try (not retried for ever); a
temporary refusal is retried; any message is given up on after MAX_ATTEMPTS failures. Given-up
messages are never reported as sent, are counted in /metrics, are listed by `helpdesk outbox list
--given-up` and come back with `helpdesk outbox retry`.
"""

import asyncio
import json
import smtplib
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.smtp import SMTP

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.email.sender import refused_for_good
from helpdesk.bootstrap import Container
from helpdesk.cli import main
from helpdesk.services.notify.outbox import MAX_ATTEMPTS
from helpdesk.web.app import create_app
from tests.integration.test_email_gateway import (
    LEADER,
    OFFICIAL,
    START,
    Sink,
    free_port,
    make_world_container,
    polish_mail_with_attachment,
    populate,
)


def enqueue(container: Container, recipient: str = "ktos@example.pl", channel: str = "email") -> None:
    now = container.clock.now()
    assert container.db.write(lambda tx: tx.enqueue(channel, recipient, "Temat", "Treść", at=now))


def test_a_message_is_given_up_after_the_last_attempt_and_comes_back_on_retry(
    any_container: Container,
) -> None:
    container, outbox = any_container, any_container.outbox
    clock: ManualClock = container.clock  # type: ignore[assignment]
    enqueue(container)
    for attempt in range(MAX_ATTEMPTS):
        (message,) = outbox.claim("email")
        assert message.attempts == attempt
        given_up = outbox.failed(message, "451 try later")
        assert given_up is (attempt == MAX_ATTEMPTS - 1)
        clock.advance(hours=2)
    assert outbox.claim("email") == []
    clock.advance(days=30)
    assert outbox.claim("email") == [] and outbox.pending("email") == 0
    assert outbox.counts() == {("email", "given_up"): 1}
    (row,) = outbox.given_up()
    assert row["attempts"] == MAX_ATTEMPTS and row["last_error"] == "451 try later" and row["sent_at"] is None

    assert outbox.retry([row["id"] + 1000]) == 0  # no such given-up message
    assert outbox.retry([row["id"]]) == 1
    (message,) = outbox.claim("email")
    assert message.attempts == 0 and outbox.given_up() == []


def test_a_refusal_for_good_is_given_up_at_once_and_a_sent_message_cannot_be_retried(
    any_container: Container,
) -> None:
    container, outbox = any_container, any_container.outbox
    enqueue(container, "a@example.pl")
    enqueue(container, "b@example.pl")
    first, second = outbox.claim("email")
    assert outbox.failed(first, "550 no such user", permanent=True) is True
    outbox.sent(second)
    assert outbox.counts() == {("email", "given_up"): 1}
    assert outbox.retry() == 1  # only the given-up one; the sent one stays sent
    assert [m.recipient for m in outbox.claim("email")] == ["a@example.pl"]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"x@example.pl": (550, b"5.1.1 User unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"x@example.pl": (450, b"4.2.1 Mailbox busy")}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again"), False),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 Sender not allowed", "helpdesk@example.pl"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (ValueError("bad address"), True),
    ],
)
def test_which_smtp_failures_are_for_good(error: Exception, permanent: bool) -> None:
    assert refused_for_good(error) is permanent


class RefusingSink(Sink):
    """A relay that refuses one mailbox for good (550) and another for now (450)."""

    def __init__(self, refused: str, busy: str) -> None:
        super().__init__()
        self.refused, self.busy = refused, busy

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address == self.refused:
            return "550 5.1.1 User unknown"
        if address == self.busy:
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_the_relay_refusing_a_mailbox_gives_that_mail_up_and_delivers_the_rest(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    clock = ManualClock(START)
    relay_port = free_port()
    sink = RefusingSink(refused=OFFICIAL, busy=LEADER)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, loop=loop), "127.0.0.1", relay_port)
    container = make_world_container(tmp_path, clock, free_port(), relay_port)
    try:
        populate(container)
        intake, sender = container.mail.intake, container.mail.sender
        assert (
            intake.receive(
                polish_mail_with_attachment().as_bytes(), source="smtp", envelope_from=OFFICIAL
            ).status
            == "ticket"
        )
        await asyncio.to_thread(sender.send_once)
        rows = container.db.read(lambda tx: tx.outbox_messages("email"))
        to_official = [r for r in rows if r["recipient"] == OFFICIAL]
        to_leader = [r for r in rows if r["recipient"] == LEADER]
        assert to_official and all(
            r["given_up_at"] is not None and "550" in r["last_error"] for r in to_official
        )
        assert to_leader and all(
            r["given_up_at"] is None and r["sent_at"] is None and r["attempts"] == 1 for r in to_leader
        )

        clock.advance(minutes=5)  # the busy mailbox is tried again; the refused one is not
        await asyncio.to_thread(sender.send_once)
        rows = container.db.read(lambda tx: tx.outbox_messages("email"))
        assert all(r["attempts"] == 1 for r in rows if r["recipient"] == OFFICIAL)
        assert all(r["attempts"] == 2 for r in rows if r["recipient"] == LEADER)

        app = create_app(container)
        async with TestClient(TestServer(app)) as client:
            text = await (await client.get("/metrics")).text()
        assert f'helpdesk_outbox_messages{{channel="email",state="given_up"}} {len(to_official)}' in text
        assert f'helpdesk_outbox_messages{{channel="email",state="pending"}} {len(to_leader)}' in text
        assert 'helpdesk_outbox_messages{channel="telegram",state="given_up"} 0' in text

        monkeypatch.setenv("HELPDESK_DATABASE_URL", f"sqlite:///{tmp_path}/h.db")
        monkeypatch.setenv("HELPDESK_SLA_DIR", str(Path(__file__).resolve().parents[2] / "sla"))
        monkeypatch.setenv("HELPDESK_SMTP_LISTEN", "")
        assert main(["outbox", "list", "--given-up"]) == 0
        out = capsys.readouterr().out
        assert f"email: oczekuje {len(to_leader)}, porzucono {len(to_official)}" in out
        assert OFFICIAL in out and "550" in out
        assert main(["outbox", "list", "--json", "--given-up", "--channel", "email"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [m["recipient"] for m in listed["given_up"]] == [OFFICIAL] * len(to_official)
        assert main(["outbox", "retry"]) == 2
        assert "--all" in capsys.readouterr().err
        assert main(["outbox", "retry", "--all"]) == 0
        assert f"ponowiono {len(to_official)}" in capsys.readouterr().out
        assert container.outbox.given_up() == []
    finally:
        server.close()
        await server.wait_closed()
        container.close()


def test_given_up_messages_survive_an_upgrade_from_the_previous_schema(tmp_path: Path) -> None:
    """A database made by the previous release (revision 0004) upgrades and keeps its outbox."""
    from alembic import command

    from helpdesk.adapters.db.migrate import alembic_config
    from tests.support.world import make_container

    url = f"sqlite:///{tmp_path}/old.db"
    container = make_container(url)
    try:
        enqueue(container)
        command.downgrade(alembic_config(container.db.engine), "0004")
        command.upgrade(alembic_config(container.db.engine), "head")
        assert container.outbox.pending("email") == 1
        container.outbox.failed(container.outbox.claim("email")[0], "550", permanent=True)
        assert container.outbox.counts() == {("email", "given_up"): 1}
    finally:
        container.close()
