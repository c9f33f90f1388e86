"""`helpdesk serve --workers 2` on PostgreSQL: the worker running the singletons is killed with SIGKILL
in the middle of a burst of creations; every ticket answered 201 is there afterwards, numbers are
contiguous, the chain verifies, and the singletons move to another worker within seconds."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import aiohttp
import pytest
from sqlalchemy import text

from helpdesk.adapters.clock import SystemClock
from tests.e2e.test_serve import free_port
from tests.support.parts import missing
from tests.support.world import REPO, make_container, populate, postgres_database


def lease_holder(container) -> tuple[str, bool] | None:
    now = container.clock.now()
    holders = container.db.read(lambda tx: tx.lease_holders(now))
    if "singletons" not in holders:
        return None
    holder, _expires, live = holders["singletons"]
    return holder, live


@pytest.mark.postgres
def test_killing_the_singletons_worker_in_a_burst_loses_nothing_and_the_singletons_move(tmp_path):
    if not os.environ.get("HELPDESK_TEST_POSTGRES_URL"):
        missing("PostgreSQL", "set HELPDESK_TEST_POSTGRES_URL (.ci/run sets it and starts the server)")
    with postgres_database() as url:
        port = free_port()
        env = {
            **os.environ,
            "HELPDESK_DATABASE_URL": url,
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_KB_DIR": str(tmp_path / "kb"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{port}",
            "HELPDESK_TELEGRAM_TOKEN": "",
            "HELPDESK_LEASE_TTL_S": "2",
        }

        def cli(*args: str) -> str:
            return subprocess.run(
                [sys.executable, "-m", "helpdesk", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()

        watcher = make_container(url, SystemClock())  # type: ignore[arg-type]  # migrates, like `helpdesk migrate`
        populate(watcher)
        token = watcher.people.issue_token("urz.plock", watcher.clock.now())
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "serve", "--workers", "2"], env=env, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (lease_holder(watcher) or ("", False))[1]:
                time.sleep(0.2)
            holder = lease_holder(watcher)
            assert holder is not None and holder[1], "no worker took the singletons"
            victim = int(holder[0].split(":")[1])
            created: list[str] = []

            async def burst() -> None:
                headers = {"Authorization": f"Bearer {token}"}
                sem = asyncio.Semaphore(16)

                async def one(session: aiohttp.ClientSession, i: int) -> None:
                    async with sem:
                        for _attempt in range(3):
                            try:
                                async with session.post(
                                    f"http://127.0.0.1:{port}/api/v1/tickets",
                                    json={"title": f"Zgłoszenie {i}", "component": "EZD"},
                                    headers=headers,
                                ) as resp:
                                    if resp.status == 201:
                                        created.append((await resp.json())["id"])
                                        if len(created) == 40:
                                            os.kill(victim, signal.SIGKILL)
                                    return
                            except (TimeoutError, aiohttp.ClientError):
                                await asyncio.sleep(0.05)

                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
                    await asyncio.gather(*(one(session, i) for i in range(200)))

            asyncio.run(burst())
            assert len(created) >= 120
            # The singletons move: another worker holds a live lease within a few lease periods.
            deadline = time.monotonic() + 20
            moved = None
            while time.monotonic() < deadline:
                moved = lease_holder(watcher)
                if moved and moved[1] and moved[0] != holder[0]:
                    break
                time.sleep(0.2)
            assert moved and moved[1] and int(moved[0].split(":")[1]) != victim
        finally:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=30)
        numbers = watcher.db.read(lambda tx: tx.conn.execute(text("SELECT no FROM ticket")).scalars().all())
        watcher.close()
        assert set(created) <= {f"T-{n:06d}" for n in numbers}
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert "nienaruszony" in cli("audit", "verify")
        assert b"Traceback" not in (supervisor.stderr.read() if supervisor.stderr else b"")
