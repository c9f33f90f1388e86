"""Telegram bot benchmark: answered messages per second, end to end (message in → answer out).

The real python-telegram-bot polls our Bot API stand-in (tests/support/telegram_api.py, run in
its own process as Telegram's servers would be) on loopback; every question goes through update claim, rate limit, person lookup, the real KB
matcher over knowledge_base/, the stored query and dialogue state in SQLite, and the answer is
sent back over HTTP. The clock starts when the first question is queued and stops when the last
answer arrives.

Run: .venv/bin/python bench/bench_telegram.py [--messages 2000] [--users 50]
Not part of the test suite; prints figures only. Target: at least 400 answered messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.telegram_api import FakeBotApi  # noqa: E402

from helpdesk.adapters.clock import ManualClock  # noqa: E402
from helpdesk.adapters.files.articles import load_articles  # noqa: E402
from helpdesk.bootstrap import build_container  # noqa: E402
from helpdesk.lifecycle import running  # noqa: E402
from helpdesk.services.people import parse_offices_csv  # noqa: E402
from helpdesk.settings import load_settings  # noqa: E402

QUESTIONS = [
    "Nie pamiętam hasła do EZD",
    "skaner nie dziala w ezd",
    "gdzie znajde UPO z epuapu",
    "wygasł certyfikat podpisu kwalifikowanego",
    "jak zadekretować pismo",
    "Dzień dobry",
    "jak ustawić zastępstwo na urlop",
    "drukarka nie drukuje z EZD",
    "ile kosztuje paliwo",
    "jak nadać znak sprawy zgodnie z JRWA",
]


async def start_stand_in() -> tuple[asyncio.subprocess.Process, int]:
    """The Bot API stand-in in its own process, as Telegram's servers are not in ours."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.telegram_api",
        "0",
        "123:ABC",
        cwd=str(REPO),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    port = int((await proc.stdout.readline()).decode().strip())
    return proc, port


async def run(messages: int, users: int) -> None:
    """Start the bot, flood it and print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-tg-"))
    proc, port = await start_stand_in()
    control = f"http://127.0.0.1:{port}/_test"
    builder = FakeBotApi("123:ABC")  # only builds update JSON; the server runs in the other process
    session = aiohttp.ClientSession()
    try:
        settings = load_settings(
            {
                "HELPDESK_DATABASE_URL": f"sqlite:///{tmp}/h.db",
                "HELPDESK_SLA_DIR": str(REPO / "sla"),
                "HELPDESK_SMTP_LISTEN": "",
                "HELPDESK_TELEGRAM_TOKEN": "123:ABC",
                "HELPDESK_TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
                "HELPDESK_TELEGRAM_RATE_BURST": "100000",
            }
        )
        container = build_container(settings, clock=ManualClock(datetime(2027, 3, 1, 8, 0, tzinfo=UTC)))
        container.migrate()
        kb_dir = REPO / "knowledge_base"
        articles = load_articles([kb_dir]) if any(kb_dir.rglob("*.md")) else []
        if not articles:
            articles = load_articles([REPO / "tests" / "fixtures" / "telegram"])
        container.kb.import_articles(articles)
        container.people.import_offices(
            parse_offices_csv(
                "code,name,type,employees,components,leaders_max\n1462011,Urząd Miasta Płocka,powiat_grodzki,620,"
                "EZD;ESB;EPUAP;PODPIS;SKANOWANIE;KONTO,2\n"
            )
        )
        now = container.clock.now()
        ids = [80_000 + i for i in range(users)]
        for i, tg in enumerate(ids):
            container.people.add_person(
                login=f"urz{i}", name=f"Urzędnik {i}", role="official", now=now, jst="1462011", telegram_id=tg
            )
        # The bot with what `helpdesk serve` runs beside it (its outbox sender, the periodic jobs).
        background = contextlib.AsyncExitStack()
        await background.enter_async_context(running(container))
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
                    if reply_to in arrived:
                        duplicates.append(reply_to)
                    arrived.setdefault(reply_to, t)

        duplicates: list[int] = []
        try:
            # Warm up: the matcher index and connection pools.
            warm = builder.message_update(ids[0], "rozgrzewka: hasło do EZD")
            await session.post(f"{control}/push", json=[warm])
            warm_id = {warm["message"]["message_id"]: 0.0}
            while not arrived:
                await collect(warm_id)
                await asyncio.sleep(0.01)
            arrived.clear()
            updates = [
                builder.message_update(ids[i % users], f"{QUESTIONS[i % len(QUESTIONS)]} #{i}")
                for i in range(messages)
            ]
            queued = {u["message"]["message_id"]: 0.0 for u in updates}
            t0 = time.perf_counter()
            for i in range(0, messages, 100):
                for u in updates[i : i + 100]:
                    queued[u["message"]["message_id"]] = time.perf_counter()
                await session.post(f"{control}/push", json=updates[i : i + 100])
            deadline = time.perf_counter() + 120
            while len(arrived) < messages and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
                await collect(queued)
            elapsed = max(arrived.values(), default=time.perf_counter()) - t0
            latencies = sorted((arrived[m] - queued[m]) * 1000 for m in arrived)
            print(f"articles: {len(articles)}, users: {users}, messages: {messages}")
            print(
                f"answered: {len(arrived)} in {elapsed:.2f} s → {len(arrived) / elapsed:.0f} answered messages/s "
                f"(target ≥ 400)"
            )
            if latencies:
                print(
                    f"latency ms: p50 {statistics.median(latencies):.0f}, "
                    f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.0f}, max {latencies[-1]:.0f}"
                )
            print(f"lost: {messages - len(arrived)}, duplicates: {len(duplicates)}")
        finally:
            await background.aclose()
            container.close()
    finally:
        await session.close()
        proc.terminate()
        await proc.wait()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.users))


if __name__ == "__main__":
    main()
