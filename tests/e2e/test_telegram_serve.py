"""The real `helpdesk serve` process with its bot polling our Bot API stand-in: the whole conversation."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from helpdesk.adapters.files.articles import load_articles
from helpdesk.bootstrap import build_container
from tests.support.telegram_api import FakeBotApi
from tests.support.world import REPO, populate, settings_for

FIXTURES = REPO / "tests" / "fixtures" / "telegram"
OFFICIAL, LEADER = 72001, 72002


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_helpdesk_serve_runs_the_bot_from_linking_to_the_leaders_reply(tmp_path: Path) -> None:
    async with FakeBotApi("123:ABC") as api:
        url = f"sqlite:///{tmp_path}/h.db"
        env_extra = {"HELPDESK_TELEGRAM_TOKEN": "123:ABC", "HELPDESK_TELEGRAM_API_URL": api.base_url}
        # The same database the server will use, and the real clock, as the server has.
        container = build_container(settings_for(url, **env_extra))
        container.migrate()
        world = populate(container)
        container.kb.import_articles(load_articles([FIXTURES]))
        now = container.clock.now()
        official_code = container.people.issue_link_code("urz.plock", now)
        container.people.link_telegram(container.people.issue_link_code("lider.plock", now), LEADER, now)

        env = os.environ.copy()
        env.update(
            {
                "HELPDESK_DATABASE_URL": url,
                "HELPDESK_SLA_DIR": str(REPO / "sla"),
                "HELPDESK_SMTP_LISTEN": "",
                "HELPDESK_HTTP": f"127.0.0.1:{free_port()}",
                **env_extra,
            }
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await api.text(OFFICIAL, f"/start {official_code}")
            await api.wait_for(lambda s: s.chat_id == OFFICIAL and "połączone" in s.text, timeout=30)
            update = await api.text(OFFICIAL, "zapomniałam hasła do EZD")
            answer = await api.wait_for(lambda s: s.reply_to == update["message"]["message_id"])
            assert "Resetowanie hasła do EZD" in answer.text
            await api.press(OFFICIAL, answer, answer.button("Nie pomogło")["callback_data"])
            ask = await api.wait_for(lambda s: s.chat_id == OFFICIAL and "1/3" in s.text)
            await api.press(OFFICIAL, ask, "t:skip")
            await api.wait_for(lambda s: s.chat_id == OFFICIAL and "2/3" in s.text)
            await api.text(OFFICIAL, "EZD")
            await api.wait_for(lambda s: s.chat_id == OFFICIAL and "3/3" in s.text)
            await api.text(OFFICIAL, "pilne")
            created = await api.wait_for(lambda s: s.chat_id == OFFICIAL and "T-000001" in s.text)
            assert "Przyjęte" in created.text
            await api.wait_for(
                lambda s: s.chat_id == LEADER and "Nowe zgłoszenie" in s.text and "T-000001" in s.text
            )

            # The leader answers from the web/API side (another process); the server's outbox sender delivers it.
            container.tickets.act(
                world["lider.plock"], "T-000001", "reply", text="Hasło zresetowane, zaloguj się."
            )
            await api.wait_for(lambda s: s.chat_id == OFFICIAL and "Hasło zresetowane" in s.text, timeout=15)

            stranger = await api.text(79999, "hej, jak założyć zgłoszenie?")
            polite = await api.wait_for(lambda s: s.chat_id == 79999)
            assert "/start KOD" in polite.text and stranger
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.get_running_loop().run_in_executor(None, lambda: proc.wait(timeout=20))
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            container.close()
        assert code == 0, proc.stderr.read().decode() if proc.stderr else ""
