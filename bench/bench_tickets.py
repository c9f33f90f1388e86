"""Ticket creations per second over HTTP with 32 concurrent clients, on SQLite and PostgreSQL,
against a bare aiohttp handler measured in the same run; then authenticated reads on the same
server: one ticket (`GET /api/v1/tickets/{id}`, with its events, SLA clocks and the office
leaders' trainings) and a page of 20 from the list. Prints figures; not a test.

The office is set up as in real life: two leaders with e-mail addresses, so every new ticket also
writes two e-mail notices to the outbox in its transaction. The bare handler runs on the same
event loop as `helpdesk serve` (uvloop when installed).

Usage: .venv/bin/python bench/bench_tickets.py [--requests N] [--clients C]
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("HELPDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BARE = """
import sys
from aiohttp import web
try:
    import uvloop
    loop_factory = uvloop.new_event_loop
except ImportError:
    loop_factory = None
async def handler(request):
    await request.read()
    return web.json_response({"id": "T-000001"}, status=201)
app = web.Application()
app.router.add_post("/api/v1/tickets", handler)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None,
            loop=loop_factory() if loop_factory else None)
"""
OFFICES = (
    "code,name,type,employees,components,leaders_max\n1462011,Urząd Miasta Płocka,powiat_grodzki,620,EZD,3\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on {port} did not start")


NEW_TICKET = '{"title": "Drukarka nie drukuje", "description": "Od rana", "component": "EZD"}'


async def load(
    port: int,
    token: str | list[str],
    requests: int,
    clients: int,
    path: str = "/api/v1/tickets",
    body: str | None = NEW_TICKET,
) -> tuple[float, list[float], int]:
    """`requests` requests over `clients` connections: new tickets (a POST of `body`, 201 expected),
    or GETs of `path` when `body` is None (200 expected); with several tokens, request i uses
    token i mod n."""
    url = f"http://127.0.0.1:{port}{path}"
    method, expected = ("POST", 201) if body is not None else ("GET", 200)
    tokens = [token] if isinstance(token, str) else token
    every = [{"Authorization": f"Bearer {t}", "Content-Type": "application/json"} for t in tokens]
    latencies: list[float] = []
    errors = 0
    queue = iter(range(requests))

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for i in queue:
            started = time.perf_counter()
            async with session.request(method, url, data=body, headers=every[i % len(every)]) as resp:
                await resp.read()
                if resp.status != expected:
                    errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        # warm-up
        for _ in range(20):
            async with session.request(method, url, data=body, headers=every[0]) as resp:
                await resp.read()
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies, errors


def report(name: str, rate: float, latencies: list[float], errors: int) -> None:
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000
    print(f"{name:<28} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errors}")


def helpdesk_env(url: str, tmp: Path, port: int = 0) -> dict[str, str]:
    """The environment of a bench's `helpdesk` process on database `url` (serving on `port`)."""
    env = os.environ.copy()
    env.update(
        {
            "HELPDESK_DATABASE_URL": url,
            "HELPDESK_SLA_DIR": str(REPO / "sla"),
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_HTTP": f"127.0.0.1:{port}",
            "HELPDESK_TELEGRAM_TOKEN": "",
            "HELPDESK_KB_DIR": str(tmp / "none"),
            "HELPDESK_LOG_LEVEL": "WARNING",
        }
    )
    return env


def helpdesk_server(url: str, tmp: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    port = free_port()
    env = helpdesk_env(url, tmp, port)
    (tmp / "offices.csv").write_text(OFFICES, encoding="utf-8")

    def cli(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "helpdesk", *args], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    cli("init")
    cli("offices", "import", str(tmp / "offices.csv"))
    cli(
        "users",
        "add",
        "--login",
        "bench",
        "--name",
        "Bench",
        "--role",
        "official",
        "--jst",
        "1462011",
        "--email",
        "bench@plock.example",
    )
    for n in (1, 2):
        cli(
            "users",
            "add",
            "--login",
            f"lider{n}",
            "--name",
            f"Lider {n}",
            "--role",
            "leader",
            "--jst",
            "1462011",
            "--email",
            f"lider{n}@plock.example",
        )
    token = cli("users", "token", "bench")
    proc = subprocess.Popen([sys.executable, "-m", "helpdesk", "serve"], env=env)
    wait_port(port)
    return proc, port, token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    print(
        f"ticket creation over HTTP, {args.requests} requests, {args.clients} concurrent clients, "
        f"{os.cpu_count()} cores"
    )
    port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE, str(port)])
    try:
        wait_port(port)
        report("bare aiohttp handler", *asyncio.run(load(port, "x", args.requests, args.clients)))
    finally:
        bare.terminate()
        bare.wait()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        targets = [("helpdesk on SQLite", f"sqlite:///{tmp}/bench.db")]
        pg_name = f"helpdesk_bench_{uuid.uuid4().hex[:8]}"
        try:
            import sqlalchemy

            admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sqlalchemy.text(f'CREATE DATABASE "{pg_name}"'))
            targets.append(("helpdesk on PostgreSQL", PG_URL.rsplit("/", 1)[0] + "/" + pg_name))
        except Exception as err:
            print(f"PostgreSQL skipped: {err.__class__.__name__}")
            admin = None
        for name, url in targets:
            proc, port, token = helpdesk_server(url, tmp)
            try:
                report(name, *asyncio.run(load(port, token, args.requests, args.clients)))
                for what, path in (
                    ("  GET one ticket", "/api/v1/tickets/T-000001"),
                    ("  GET a page of 20", "/api/v1/tickets?per_page=20"),
                ):
                    figures = asyncio.run(
                        load(port, token, args.requests // 2, args.clients, path, body=None)
                    )
                    report(what, *figures)
            finally:
                proc.terminate()
                proc.wait()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
