"""Several `helpdesk serve` workers on one PostgreSQL: ticket creations per second and latency with
1, 2 and 4 workers (`helpdesk serve --workers N`), beside a bare aiohttp handler (one process, and
four processes on one port) measured in the same run; the resident memory of each worker.
Prints figures; not a test.

The load comes from two client processes (aiohttp, 64 connections in all) on the same machine, so
the figures are those of the whole machine: server, clients and PostgreSQL share its cores (and,
on the development machine, other people's work). Every new ticket also writes two e-mail notices
to the outbox in its transaction (two leaders with addresses), as in bench_tickets.py.

Core time per ticket, by process group: for every helpdesk run the CPU time (user + system, from
/proc/<pid>/stat) of the helpdesk workers (and their supervisor), of the PostgreSQL backends serving
the bench database, of PostgreSQL's background processes (WAL writer, checkpointer, …) and of the
load clients is divided by the tickets created. Unlike req/s these stay steady when the machine is
shared, so they are the figures to compare between two versions of the code.

Usage: .venv/bin/python bench/bench_workers.py [--requests N] [--clients C] [--workers 1,2,4] [--offices N]
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
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


# Run with the server's settings: N more offices, each with an official and two leaders with
# e-mail addresses (so each ticket again writes two notices); prints the officials' tokens.
MORE_OFFICES = """
import json, sys
from helpdesk.bootstrap import build_container
from helpdesk.services.people import parse_offices_csv
from helpdesk.settings import load_settings
n = int(sys.argv[1])
c = build_container(load_settings())
codes = [str(9000001 + i) for i in range(n)]
csv = "code,name,type,employees,components,leaders_max\\n" + "".join(
    f"{code},Urząd Gminy {code},gmina_wiejska,40,EZD,3\\n" for code in codes
)
c.people.import_offices(parse_offices_csv(csv))
tokens = []
for code in codes:
    for login, role in ((f"urz{code}", "official"), (f"lid{code}a", "leader"), (f"lid{code}b", "leader")):
        c.people.add_person(login=login, name=f"Osoba {login}", role=role, jst=code, email=f"{login}@gmina.example", now=c.clock.now())
    tokens.append(c.people.issue_token(f"urz{code}", c.clock.now()))
print(json.dumps(tokens))
"""


def more_offices(url: str, tmp: Path, n: int) -> list[str]:
    """Tokens of officials of `n` more offices (each with two leaders) in the bench database."""
    out = subprocess.run(
        [sys.executable, "-c", MORE_OFFICES, str(n)],
        env=bench_tickets.helpdesk_env(url, tmp),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tokens: list[str] = json.loads(out.strip().splitlines()[-1])
    return tokens


def _load_part(args: tuple[int, str | list[str], int, int]) -> tuple[float, list[float], int]:
    port, token, requests, clients = args
    return asyncio.run(load(port, token, requests, clients))


def load_from(
    processes: int, port: int, token: str | list[str], requests: int, clients: int
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


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all its threads) so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)


def postgres_pids(database: str) -> tuple[list[int], list[int]]:
    """The PostgreSQL backends connected to `database`, and PostgreSQL's background processes."""
    backends, background = [], []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not title.startswith("postgres:"):
            continue
        if f" {database} " in title and "(" in title:  # a client's backend names its address
            backends.append(int(entry.name))
        elif "(" not in title:
            background.append(int(entry.name))
    return backends, background


def clients_cpu() -> float:
    """CPU time of every child this process has waited for (the load clients, once their pool ends)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CoreTime:
    """CPU seconds of each process group over one measured run (see the module docstring)."""

    def __init__(self, helpdesk_pid: int, database: str) -> None:
        self.helpdesk_pid, self.database = helpdesk_pid, database
        self.before = self._sample()

    def _sample(self) -> dict[str, float]:
        workers = [self.helpdesk_pid, *children(self.helpdesk_pid)]
        backends, background = postgres_pids(self.database)
        return {
            "helpdesk": sum(cpu_seconds(p) for p in workers),
            "pg backends": sum(cpu_seconds(p) for p in backends),
            "pg background": sum(cpu_seconds(p) for p in background),
            "load clients": clients_cpu(),
        }

    def report(self, tickets: int) -> None:
        after = self._sample()
        parts = {k: (after[k] - self.before[k]) * 1000 / tickets for k in after}
        print(
            f"{'':28} CPU ms per ticket: "
            + ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
            + f"; total {sum(parts.values()):.2f} (load average {os.getloadavg()[0]:.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--loaders", type=int, default=2)
    parser.add_argument(
        "--offices",
        type=int,
        default=1,
        help="officials of this many offices write, in turn (each office's leaders and author are "
        "then read per ticket, as in a region-wide burst); 1: one official of one office",
    )
    args = parser.parse_args()
    print(
        f"ticket creation over HTTP on PostgreSQL, {args.requests} requests, {args.clients} connections "
        f"from {args.loaders} client processes, officials of {args.offices} office(s), {os.cpu_count()} "
        "cores (shared with the clients, PostgreSQL and whatever else runs on this machine)"
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
            url = PG_URL.rsplit("/", 1)[0] + "/" + pg_name
            proc, port, token = helpdesk_server(url, Path(tmpdir))
            try:
                tokens: str | list[str] = token
                if args.offices > 1:
                    tokens = more_offices(url, Path(tmpdir), args.offices)
                time.sleep(2.0 + workers)  # every worker listening and its first connections open
                core = CoreTime(proc.pid, pg_name)
                report(
                    f"helpdesk, {workers} worker(s)",
                    *load_from(args.loaders, port, tokens, args.requests, args.clients),
                )
                core.report(args.requests + 20 * args.loaders)  # with the warm-up
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
