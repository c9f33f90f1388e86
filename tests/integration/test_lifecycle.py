"""Start and stop of `helpdesk serve`'s background resources (helpdesk/lifecycle.py): each one the
settings ask for starts with the application and stops with it, and a stop leaves no traceback."""

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.telegram.webhook import TELEGRAM_BOT
from helpdesk.domain.errors import Unavailable
from helpdesk.lifecycle import SINGLETONS, running, serving_app
from tests.integration.test_email_gateway import free_port
from tests.support.telegram_api import FakeBotApi
from tests.support.world import START, make_container, populate


def accepts(port: int) -> bool:
    """True when something listens on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_without_optional_settings_only_the_sweep_and_the_pending_mail_run(tmp_path: Path) -> None:
    container = make_container(f"sqlite:///{tmp_path}/h.db")
    try:
        assert container.mail.gateway is None and container.telegram is None
        app = serving_app(container)
        assert [ctx.__name__ for ctx in app.cleanup_ctx] == ["singletons"]

        async def jobs() -> list[str]:
            async with running(container) as runner:
                return runner.app[SINGLETONS].scheduler.names

        assert asyncio.run(jobs()) == ["sla-sweep", "mail-pending", "retention"]
    finally:
        container.close()


async def test_everything_configured_starts_with_the_app_and_stops_with_it_without_a_trace(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    smtp_port = free_port()
    async with FakeBotApi("123:ABC") as api:
        container = make_container(
            f"sqlite:///{tmp_path}/h.db",
            ManualClock(START),
            HELPDESK_SMTP_LISTEN=f"127.0.0.1:{smtp_port}",
            HELPDESK_SMTP_RELAY=f"127.0.0.1:{free_port()}",
            HELPDESK_IMAP_URL=f"imap://urzad:haslo@127.0.0.1:{free_port()}/INBOX",  # nobody answers
            HELPDESK_TELEGRAM_TOKEN="123:ABC",
            HELPDESK_TELEGRAM_API_URL=api.base_url,
            HELPDESK_AUDIT_CHECKPOINT_FILE=str(tmp_path / "heads.jsonl"),
        )
        try:
            app = serving_app(container)
            assert [ctx.__name__ for ctx in app.cleanup_ctx] == ["singletons"]  # polling: the bot is one
            assert container.telegram is not None
            bot, sender = container.telegram.bot, container.telegram.sender
            async with running(container) as runner:
                assert await asyncio.to_thread(accepts, smtp_port)
                assert TELEGRAM_BOT not in runner.app and bot.app is not None and bot.app.running
                assert sender.task is not None and not sender.task.done()
                assert runner.app[SINGLETONS].scheduler.names == [
                    "sla-sweep",
                    "mail-pending",
                    "imap-poller",
                    "mail-sender",
                    "retention",
                    "audit-checkpoint",
                ]
            assert not await asyncio.to_thread(accepts, smtp_port)
            assert not bot.app.running and sender.task is None
        finally:
            container.close()
    messages = [r.getMessage() for r in caplog.records]
    assert any("bramka SMTP na 127.0.0.1" in m for m in messages)
    assert any("bot Telegram działa (long polling)" in m for m in messages)
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "did not stop" not in caplog.text


async def test_a_resource_that_fails_to_start_stops_the_ones_already_started(tmp_path: Path) -> None:
    smtp_port = free_port()
    container = make_container(
        f"sqlite:///{tmp_path}/h.db",
        HELPDESK_SMTP_LISTEN=f"127.0.0.1:{smtp_port}",
        HELPDESK_TELEGRAM_TOKEN="123:ABC",
        HELPDESK_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot",  # nobody listens
    )
    try:
        with pytest.raises(Unavailable, match="bot Telegram nie wystartował"):
            async with running(container):
                pass
        assert not await asyncio.to_thread(accepts, smtp_port)  # the gateway started first, and stopped
    finally:
        container.close()


async def test_mail_stored_but_not_processed_is_processed_before_the_gateway_listens(tmp_path: Path) -> None:
    smtp_port = free_port()
    container = make_container(f"sqlite:///{tmp_path}/h.db", HELPDESK_SMTP_LISTEN=f"127.0.0.1:{smtp_port}")
    try:
        populate(container)
        raw = b"From: urz.plock@example.pl\r\nSubject: Skaner nie skanuje\r\n\r\nOd rana.\r\n"
        raw_id = container.mail.intake.store_raw(raw, source="smtp", envelope_from="urz.plock@example.pl")
        async with running(container):
            # Started means processed: no waiting for a periodic round.
            row = container.db.read(lambda tx: tx.mail_raw(raw_id))
            assert (row["status"], row["ticket_no"]) == ("ticket", 1)
    finally:
        container.close()
