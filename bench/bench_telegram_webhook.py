"""Telegram bot in webhook mode with several workers: answered messages per second, end to end.

`helpdesk serve --workers 2` on PostgreSQL takes the updates at its webhook path, as nginx would
pass Telegram's calls to it; each update is stored before the 200 and answered through the Bot API
stand-in (tests/support/telegram_api.py) running in its own process. The clock starts when the
first update is posted and stops when the last answer reached the stand-in. The posting client,
the stand-in, the workers and PostgreSQL share this machine's cores.

Run: .venv/bin/python bench/bench_telegram_webhook.py [--messages 2000] [--users 50] [--workers 2]
Not part of the test suite; prints figures only. Target: at least 400 answered messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import sqlalchemy

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_telegram import QUESTIONS, start_stand_in  # noqa: E402
from bench_tickets import PG_URL, free_port, wait_port  # noqa: E402
from cpu_groups import CpuMeter, matching, tree  # noqa: E402
from tests.support.telegram_api import FakeBotApi  # noqa: E402

from helpdesk.adapters.clock import SystemClock  # noqa: E402
from helpdesk.adapters.files.articles import load_articles  # noqa: E402
from helpdesk.adapters.telegram.bot import webhook_secret  # noqa: E402
from helpdesk.bootstrap import build_container  # noqa: E402
from helpdesk.services.people import parse_offices_csv  # noqa: E402
from helpdesk.settings import load_settings  # noqa: E402

TOKEN = "123:ABC"


async def run(messages: int, users: int, workers: int, profile: str | None = None) -> None:
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"helpdesk_bench_tg_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    stand_in, api_port = await start_stand_in()
    http_port = free_port()
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": url,
        "HELPDESK_SLA_DIR": str(REPO / "sla"),
        "HELPDESK_SMTP_LISTEN": "",
        "HELPDESK_HTTP": f"127.0.0.1:{http_port}",
        "HELPDESK_TELEGRAM_TOKEN": TOKEN,
        "HELPDESK_TELEGRAM_API_URL": f"http://127.0.0.1:{api_port}/bot",
        "HELPDESK_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{http_port}/telegram/webhook",
        "HELPDESK_TELEGRAM_RATE_BURST": "100000",
        "HELPDESK_LOG_LEVEL": "WARNING",
    }
    settings = load_settings(
        {k: v for k, v in env.items() if k.startswith("HELPDESK_") and not k.startswith("HELPDESK_TEST_")}
    )
    container = build_container(settings, clock=SystemClock())
    container.migrate()
    articles = load_articles([REPO / "knowledge_base"])
    container.kb.import_articles(articles)
    container.people.import_offices(
        parse_offices_csv(
            "code,name,type,employees,components,leaders_max\n1462011,Urząd Miasta Płocka,powiat_grodzki,620,"
            "EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO,2\n"
        )
    )
    ids = [80_000 + i for i in range(users)]
    now = container.clock.now()
    for i, tg in enumerate(ids):
        container.people.add_person(
            login=f"urz{i}", name=f"Urzędnik {i}", role="official", now=now, jst="1462011", telegram_id=tg
        )
    container.close()
    server = subprocess.Popen([sys.executable, "-m", "helpdesk", "serve", "--workers", str(workers)], env=env)
    spy: subprocess.Popen[bytes] | None = None
    builder = FakeBotApi(TOKEN)
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(TOKEN)}
    hook = f"http://127.0.0.1:{http_port}/telegram/webhook"
    control = f"http://127.0.0.1:{api_port}/_test"
    try:
        wait_port(http_port)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
            seen = 0
            arrived: dict[int, float] = {}

            async def collect(queued: dict[int, float]) -> None:
                nonlocal seen
                async with session.get(f"{control}/sent", params={"after": str(seen)}) as response:
                    rows = await response.json()
                seen += len(rows)
                t = time.perf_counter()
                for _chat, _mid, reply_to in rows:
                    if reply_to in queued:
                        arrived.setdefault(reply_to, t)

            # Warm up every worker with a few questions: each builds its KB index on its first
            # question. Each on a new connection, or keep-alive sends them all to one worker (the
            # kernel spreads connections, not requests, over the SO_REUSEPORT listeners) and the
            # other builds its index inside the measured run.
            deadline = time.perf_counter() + 120
            warm = [
                builder.message_update(ids[0], f"rozgrzewka: hasło do EZD {i}") for i in range(8 * workers)
            ]
            warm_ids = {u["message"]["message_id"]: 0.0 for u in warm}
            while True:
                async with session.post(hook, json=warm[0], headers=headers) as r:
                    if r.status == 200:
                        break
                await asyncio.sleep(0.5)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh:
                for u in warm[1:]:
                    async with fresh.post(hook, json=u, headers=headers) as r:
                        await r.read()
            while len(arrived) < len(warm) and time.perf_counter() < deadline:
                await collect(warm_ids)
                await asyncio.sleep(0.05)
            arrived.clear()
            updates = [
                builder.message_update(ids[i % users], f"{QUESTIONS[i % len(QUESTIONS)]} #{i}")
                for i in range(messages)
            ]
            bodies = {u["update_id"]: json.dumps(u).encode() for u in updates}
            json_headers = {**headers, "Content-Type": "application/json"}
            queued: dict[int, float] = {}
            statuses: list[int] = []
            sem = asyncio.Semaphore(64)

            async def post(update: dict) -> None:
                async with sem:
                    queued[update["message"]["message_id"]] = time.perf_counter()
                    # Encoded before the clock starts: the sender is the harness, not what is measured.
                    async with session.post(
                        hook, data=bodies[update["update_id"]], headers=json_headers
                    ) as r:
                        statuses.append(r.status)

            meter = CpuMeter(
                {
                    "workers": lambda: tree(server.pid),
                    "stand-in": lambda: tree(stand_in.pid),
                    "postgres": lambda: matching(name),
                    "sender": lambda: [os.getpid()],
                }
            )
            if profile:  # py-spy samples the workers during the measured run only
                spy = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("py-spy")),
                        "record",
                        "-o",
                        profile,
                        "-f",
                        "raw",
                        "--gil",
                        "--subprocesses",
                        "--pid",
                        str(server.pid),
                    ]
                )
                await asyncio.sleep(1.0)
            meter.start()
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            poster = asyncio.gather(*(post(u) for u in updates))
            deadline = time.perf_counter() + 180
            while (len(arrived) < messages or not poster.done()) and time.perf_counter() < deadline:
                await asyncio.sleep(0.02)
                await collect(queued)
            await poster
            meter.stop()
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            elapsed = max(arrived.values(), default=time.perf_counter()) - t0
            latencies = sorted((arrived[m] - queued[m]) * 1000 for m in arrived)
            print(
                f"webhook mode, {workers} workers on PostgreSQL, {users} users, {messages} messages, "
                f"{os.cpu_count()} cores shared with the poster, the stand-in and PostgreSQL"
            )
            print(
                f"answered: {len(arrived)} in {elapsed:.2f} s → {len(arrived) / elapsed:.0f} answered messages/s (target ≥ 400)"
            )
            if latencies:
                print(
                    f"latency ms: p50 {statistics.median(latencies):.0f}, "
                    f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.0f}, max {latencies[-1]:.0f}"
                )
            print(meter.report(max(len(arrived), 1), "answered message"))
            print(f"load average (1 min) at start {load0:.2f}, at end {os.getloadavg()[0]:.2f}")
            print(f"webhook answers: {sorted(set(statuses))}, lost: {messages - len(arrived)}")
    finally:
        if spy is not None and spy.poll() is None:
            spy.send_signal(signal.SIGINT)
            spy.wait()
        server.terminate()
        server.wait()
        stand_in.terminate()
        await stand_in.wait()
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", metavar="FILE", help="record the workers with py-spy (raw) into FILE")
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.users, args.workers, args.profile))


if __name__ == "__main__":
    main()
