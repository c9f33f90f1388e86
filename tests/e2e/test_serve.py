"""The real `helpdesk serve` process: a burst of creations killed with SIGKILL loses nothing that was
answered 201 and leaves a chain that verifies; SIGTERM stops it cleanly within seconds; a misspelt
setting or a taken port stops it at once with one line."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from tests.support.calls import one_error_line
from tests.support.world import OFFICES, REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_env(tmp_path):
    env = os.environ.copy()
    port = free_port()
    env.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_KB_DIR": str(tmp_path / "kb"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{port}",
            "HELPDESK_TELEGRAM_TOKEN": "",
        }
    )
    (tmp_path / "offices.csv").write_text(OFFICES, encoding="utf-8")

    def cli(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "helpdesk", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return proc.stdout.strip()

    cli("init")
    cli("offices", "import", str(tmp_path / "offices.csv"))
    cli(
        "users",
        "add",
        "--login",
        "urz.plock",
        "--name",
        "Katarzyna Nowak",
        "--role",
        "official",
        "--jst",
        "1462011",
    )
    env["TOKEN"] = cli("users", "token", "urz.plock")
    env["PORT"] = str(port)
    env["CLI"] = "ok"
    return env, cli


def start(env) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpdesk", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(env["PORT"])), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("server did not start: " + proc.stderr.read().decode() if proc.stderr else "")


async def burst(env, total: int, kill_after: int, proc: subprocess.Popen) -> list[str]:
    url = f"http://127.0.0.1:{env['PORT']}/api/v1/tickets"
    headers = {"Authorization": f"Bearer {env['TOKEN']}"}
    created: list[str] = []
    sem = asyncio.Semaphore(16)

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        async with sem:
            try:
                async with session.post(
                    url, json={"title": f"Zgłoszenie {i}", "component": "EZD"}, headers=headers
                ) as resp:
                    if resp.status == 201:
                        created.append((await resp.json())["id"])
                        if len(created) == kill_after:
                            proc.send_signal(signal.SIGKILL)
            except (TimeoutError, aiohttp.ClientError):
                pass

    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(one(session, i) for i in range(total)))
    return created


def test_sigkill_in_a_burst_loses_no_ticket_that_was_answered_201(server_env):
    env, cli = server_env
    proc = start(env)
    created = asyncio.run(burst(env, 600, 150, proc))
    proc.wait(timeout=10)
    assert len(created) >= 150
    proc = start(env)
    try:

        async def check() -> list[int]:
            headers = {"Authorization": f"Bearer {env['TOKEN']}"}
            async with aiohttp.ClientSession() as session:
                statuses = []
                for tid in created:
                    async with session.get(
                        f"http://127.0.0.1:{env['PORT']}/api/v1/tickets/{tid}", headers=headers
                    ) as resp:
                        statuses.append(resp.status)
                return statuses

        assert set(asyncio.run(check())) == {200}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "nienaruszony" in cli("audit", "verify")


def test_sigterm_stops_the_server_cleanly_within_seconds(server_env):
    env, _ = server_env
    proc = start(env)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=10)
    assert code == 0 and time.monotonic() - started < 5
    assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")


def serve_once(env: dict[str, str], *, migrate: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `helpdesk serve` (after `helpdesk migrate`, unless told not to) expecting it to refuse to start."""
    if migrate:
        subprocess.run(
            [sys.executable, "-m", "helpdesk", "migrate"], env=env, capture_output=True, text=True, timeout=60
        )
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", "serve"], env=env, capture_output=True, text=True, timeout=60
    )


def test_serve_refuses_an_unmigrated_schema_and_migrate_brings_it_up_to_date(tmp_path):
    env = os.environ.copy()
    env.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{free_port()}",
        }
    )
    proc = serve_once(env, migrate=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "uruchom najpierw `helpdesk migrate`" in proc.stderr.splitlines()[-1]

    def migrate() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk", "migrate"], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "zaktualizowany: pusta baza →" in migrate()
    assert "jest aktualny" in migrate()


def test_a_misspelt_variable_stops_serve_with_one_line_naming_it(tmp_path):
    env = os.environ.copy()
    env.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_HTTP": f"127.0.0.1:{free_port()}",
            "HELPDESK_SMTP_LISTN": "",  # meant: HELPDESK_SMTP_LISTEN
        }
    )
    proc = serve_once(env)
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "HELPDESK_SMTP_LISTN" in line and "HELPDESK_SMTP_LISTEN?" in line
    assert not (tmp_path / "h.db").exists()  # it stopped before touching anything


def test_a_taken_http_port_stops_serve_with_one_line_and_no_traceback(tmp_path):
    env = os.environ.copy()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env.update(
            {
                "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
                "HELPDESK_SLA_DIR": str(REPO / "sla"),
                "HELPDESK_SMTP_LISTEN": "",
                "HELPDESK_HTTP": f"127.0.0.1:{taken.getsockname()[1]}",
            }
        )
        proc = serve_once(env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nie można uruchomić serwera" in proc.stderr.splitlines()[-1]


def test_a_bot_api_that_cannot_be_reached_stops_serve_with_one_line(tmp_path):
    env = os.environ.copy()
    env.update(
        {
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{free_port()}",
            "HELPDESK_TELEGRAM_TOKEN": "123:ABC",
            "HELPDESK_TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}/bot",  # nobody listens
        }
    )
    proc = serve_once(env)
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)  # nothing else either: no unclosed session left behind
    assert "bot Telegram nie wystartował" in line and "HELPDESK_TELEGRAM_API_URL" in line
