"""Failures survived, the long runs (README "Production"; the quick versions are in `make test`:
tests/e2e/test_workers.py, tests/integration/test_failures.py). Prints figures; not a test.

1. `helpdesk serve --workers N` on PostgreSQL under a steady load of ticket creations for D seconds,
   one worker killed with SIGKILL every K seconds (the one holding the singletons first, then any):
   how many requests were answered 201, how many failed (connection reset by the dying worker: the
   client may retry), whether every ticket answered 201 is in the database, whether the numbers are
   contiguous, whether the chain verifies (`helpdesk audit verify`), and how long the singletons
   were without a live holder after each kill.
2. PostgreSQL cut off under load, several times: the connection to the database goes through a TCP
   proxy on loopback that is closed for C seconds every P seconds (the shared server is never
   stopped). Requests during a cut must fail with 503 and a Polish message, then succeed again;
   afterwards exactly the tickets answered 201 exist and the chain verifies. Every round trip to
   the database passes through the proxy's Python threads, so this scenario's rate of tickets is
   the proxy's, not the help-desk's (bench_workers.py measures that).

Usage: .venv/bin/python bench/bench_failures.py [--seconds 60] [--workers 4] [--kill-every 10]
       [--cut-every 15] [--cut-for 3] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.test_serve import free_port  # noqa: E402
from tests.e2e.test_workers import lease_holder  # noqa: E402
from tests.integration.test_failures import CuttableProxy  # noqa: E402
from tests.support.world import make_container, populate, postgres_database  # noqa: E402

from helpdesk.adapters.clock import SystemClock  # noqa: E402


class Tally:
    """What the clients saw: tickets answered 201, and failures by kind."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.failures: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.outcomes: list[tuple[float, bool]] = []  # (monotonic time, answered 201)


async def steady_load(port: int, token: str, seconds: float, clients: int, tally: Tally) -> None:
    """`clients` loops creating tickets for `seconds`; every outcome counted, nothing retried."""
    url = f"http://127.0.0.1:{port}/api/v1/tickets"
    headers = {"Authorization": f"Bearer {token}"}
    stop = time.monotonic() + seconds

    async def client(session: aiohttp.ClientSession, n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            i += 1
            started = time.perf_counter()
            try:
                async with session.post(
                    url, json={"title": f"Awaria {n}-{i}", "component": "EZD"}, headers=headers
                ) as resp:
                    body = await resp.json(content_type=None)
                    tally.outcomes.append((time.monotonic(), resp.status == 201))
                    if resp.status == 201:
                        tally.created.append(body["id"])
                        tally.latencies.append(time.perf_counter() - started)
                    else:
                        polish = "baza danych" in str(body.get("error", ""))
                        tally.failures[f"HTTP {resp.status}" + (" (po polsku)" if polish else "")] += 1
            except (TimeoutError, aiohttp.ClientError, ValueError) as err:
                tally.failures[type(err).__name__] += 1
                await asyncio.sleep(0.05)

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=clients)
    ) as session:
        await asyncio.gather(*(client(session, n) for n in range(clients)))


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000 if ordered else 0.0


def check_database(url: str, created: list[str]) -> tuple[int, bool, bool, str]:
    """(tickets stored, every 201 stored, numbers contiguous, `audit verify` verdict line)."""
    direct = make_container(url, SystemClock())  # type: ignore[arg-type]
    try:
        numbers = direct.db.read(lambda tx: tx.conn.execute(text("SELECT no FROM ticket")).scalars().all())
    finally:
        direct.close()
    stored = {f"T-{n:06d}" for n in numbers}
    env = {**os.environ, "HELPDESK_DATABASE_URL": url, "HELPDESK_SLA_DIR": str(REPO / "sla")}
    verdict = subprocess.run(
        [sys.executable, "-m", "helpdesk", "audit", "verify"], env=env, capture_output=True, text=True
    )
    line = (verdict.stdout.strip() or verdict.stderr.strip()).splitlines()[-1:] or ["(nic)"]
    return len(numbers), set(created) <= stored, sorted(numbers) == list(range(1, len(numbers) + 1)), line[0]


def run_kills(args: argparse.Namespace, tmp: Path) -> None:
    """Scenario 1: workers killed with SIGKILL during a steady load."""
    with postgres_database() as url:
        port = free_port()
        env = {
            **os.environ,
            "HELPDESK_DATABASE_URL": url,
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_KB_DIR": str(tmp / "kb"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{port}",
            "HELPDESK_TELEGRAM_TOKEN": "",
            "HELPDESK_LEASE_TTL_S": "2",
            "HELPDESK_LOG_LEVEL": "ERROR",
        }
        watcher = make_container(url, SystemClock())  # type: ignore[arg-type]
        populate(watcher)
        token = watcher.people.issue_token("urz.plock", watcher.clock.now())
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "serve", "--workers", str(args.workers)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        tally = Tally()
        gaps: list[float] = []
        kills = 0
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (lease_holder(watcher) or ("", False))[1]:
                time.sleep(0.2)

            async def killer() -> None:
                nonlocal kills
                end = time.monotonic() + args.seconds - args.kill_every / 2
                while time.monotonic() + args.kill_every < end:
                    await asyncio.sleep(args.kill_every)
                    holder = lease_holder(watcher)
                    if holder is None or not holder[1]:
                        continue
                    victim = int(holder[0].split(":")[1])
                    os.kill(victim, signal.SIGKILL)
                    kills += 1
                    killed_at = time.monotonic()
                    while time.monotonic() - killed_at < 30:
                        moved = lease_holder(watcher)
                        if moved and moved[1] and moved[0] != holder[0]:
                            gaps.append(time.monotonic() - killed_at)
                            break
                        await asyncio.sleep(0.1)

            async def both() -> None:
                await asyncio.gather(steady_load(port, token, args.seconds, args.clients, tally), killer())

            started = time.monotonic()
            asyncio.run(both())
            elapsed = time.monotonic() - started
        finally:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=60)
            watcher.close()
        stored, all_kept, contiguous, verdict = check_database(url, tally.created)
    print(
        f"kill -9 under load: {args.workers} workers, {elapsed:.0f} s, {kills} workers killed "
        f"(each the singletons' holder)"
    )
    print(
        f"  answered 201: {len(tally.created)} ({len(tally.created) / elapsed:.0f}/s, p99 "
        f"{p99(tally.latencies):.0f} ms); failed: {dict(tally.failures) or 'none'}"
    )
    print(
        f"  tickets stored {stored}; every 201 stored: {all_kept}; stored but never answered (the worker "
        f"died first): {stored - len(tally.created)}; numbers contiguous: {contiguous}"
    )
    print(f"  audit verify: {verdict}")
    if gaps:
        print(
            f"  singletons without a live holder after a kill: max {max(gaps):.1f} s, mean {sum(gaps) / len(gaps):.1f} s"
        )


def run_cuts(args: argparse.Namespace) -> None:
    """Scenario 2: the database cut off now and then under a steady load (one process, in-process)."""
    from aiohttp.test_utils import TestServer

    from helpdesk.web.app import create_app

    with postgres_database() as url:
        parsed = make_url(url)
        proxy = CuttableProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        container = make_container(proxied, SystemClock())  # type: ignore[arg-type]
        populate(container)
        token = container.people.issue_token("urz.plock", container.clock.now())
        tally = Tally()
        cuts = 0
        restored: list[float] = []

        async def scenario() -> float:
            nonlocal cuts
            server = TestServer(create_app(container), host="127.0.0.1")
            await server.start_server()
            started = time.monotonic()

            async def cutter() -> None:
                nonlocal cuts
                end = started + args.seconds - args.cut_every / 2
                while time.monotonic() + args.cut_every < end:
                    await asyncio.sleep(args.cut_every)
                    proxy.cut()
                    cuts += 1
                    await asyncio.sleep(args.cut_for)
                    proxy.restore()
                    restored.append(time.monotonic())

            try:
                await asyncio.gather(
                    steady_load(server.port or 0, token, args.seconds, args.clients, tally), cutter()
                )
            finally:
                await server.close()
            return time.monotonic() - started

        try:
            elapsed = asyncio.run(scenario())
        finally:
            proxy.close()
            container.close()
        stored, _all_kept, contiguous, verdict = check_database(url, tally.created)
        exact = stored == len(tally.created)
        recovery = [
            next((at - back for at, ok in tally.outcomes if ok and at >= back), float("nan"))
            for back in restored
        ]
    print(f"PostgreSQL cut off under load: {elapsed:.0f} s, {cuts} cuts of {args.cut_for:.0f} s")
    print(f"  answered 201: {len(tally.created)}; failed: {dict(tally.failures) or 'none'}")
    print(f"  first 201 after each reconnection: {', '.join(f'{r:.1f} s' for r in recovery) or '-'}")
    print(
        f"  tickets stored {stored} (exactly the 201s: {exact}); numbers contiguous: {contiguous}; "
        f"audit verify: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-every", type=float, default=10)
    parser.add_argument("--cut-every", type=float, default=15)
    parser.add_argument("--cut-for", type=float, default=3)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if not os.environ.get("HELPDESK_TEST_POSTGRES_URL"):
        os.environ["HELPDESK_TEST_POSTGRES_URL"] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    import tempfile

    with tempfile.TemporaryDirectory() as tmpdir:
        run_kills(args, Path(tmpdir))
    run_cuts(args)


if __name__ == "__main__":
    main()
