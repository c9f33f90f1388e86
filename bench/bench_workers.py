"""Several `helpdesk serve` workers on one PostgreSQL: ticket creations per second and latency with
1, 2 and 4 workers (`helpdesk serve --workers N`), beside a bare aiohttp handler (one process, and
four processes on one port) measured in the same run; the resident memory of each worker.
Prints figures; not a test.

The load comes from two client processes (aiohttp, 64 connections in all) on the same machine, so
the figures are those of the whole machine: server, clients and PostgreSQL share its cores (and,
on the development machine, other people's work). Every new ticket also writes two e-mail notices
to the outbox in its transaction (two leaders with addresses), as in bench_tickets.py.

Usage: .venv/bin/python bench/bench_workers.py [--requests N] [--clients C] [--workers 1,2,4]
"""

import argparse
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_tickets
import sqlalchemy
from bench_tickets import BARE, PG_URL, free_port, helpdesk_server, load, report, wait_port

BARE_REUSE = BARE.replace("access_log=None,", "access_log=None, reuse_port=True,")


def _load_part(args: tuple[int, str, int, int]) -> tuple[float, list[float], int]:
    port, token, requests, clients = args
    return asyncio.run(load(port, token, requests, clients))


def load_from(
    processes: int, port: int, token: str, requests: int, clients: int
) -> tuple[float, list[float], int]:
    """`requests` over `clients` connections split among `processes` client processes."""
    parts = [(port, token, requests // processes, clients // processes)] * processes
    started = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(_load_part, parts)
    elapsed = time.perf_counter() - started
    latencies = [x for _, lat, _ in results for x in lat]
    errors = sum(e for *_, e in results)
    # Each part's own rate excludes its warm-up; the sum of the parts' rates is the machine's rate.
    rate = sum(r for r, _, _ in results)
    del elapsed
    return rate, latencies, errors


def patient_wait_port(port: int) -> None:
    """Several workers each build the knowledge-base index at start: on a busy machine that takes a while."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


bench_tickets.wait_port = patient_wait_port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--loaders", type=int, default=2)
    args = parser.parse_args()
    print(
        f"ticket creation over HTTP on PostgreSQL, {args.requests} requests, {args.clients} connections "
        f"from {args.loaders} client processes, {os.cpu_count()} cores (shared with the clients, "
        "PostgreSQL and whatever else runs on this machine)"
    )
    for name, script, n in (
        ("bare aiohttp, 1 process", BARE, 1),
        ("bare aiohttp, 4 processes", BARE_REUSE, 4),
    ):
        port = free_port()
        bares = [subprocess.Popen([sys.executable, "-c", script, str(port)]) for _ in range(n)]
        try:
            wait_port(port)
            time.sleep(0.5)
            report(name, *load_from(args.loaders, port, "x", args.requests, args.clients))
        finally:
            for bare in bares:
                bare.terminate()
                bare.wait()
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    for workers in [int(w) for w in args.workers.split(",")]:
        pg_name = f"helpdesk_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{pg_name}"'))
        with tempfile.TemporaryDirectory() as tmpdir:
            os.environ["HELPDESK_WORKERS"] = str(workers)
            proc, port, token = helpdesk_server(PG_URL.rsplit("/", 1)[0] + "/" + pg_name, Path(tmpdir))
            try:
                time.sleep(2.0 + workers)  # every worker listening and its first connections open
                report(
                    f"helpdesk, {workers} worker(s)",
                    *load_from(args.loaders, port, token, args.requests, args.clients),
                )
                pids = children(proc.pid) if workers > 1 else [proc.pid]
                print(
                    f"{'':28} resident memory per worker: "
                    + ", ".join(f"{rss_mb(p):.0f} MB" for p in pids)
                    + (f" (supervisor {rss_mb(proc.pid):.0f} MB)" if workers > 1 else "")
                )
            finally:
                proc.terminate()
                proc.wait()
                os.environ.pop("HELPDESK_WORKERS", None)
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
