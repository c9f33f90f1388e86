"""Benchmark: the leader's queue and the coordinator's region overview with many tickets in SQLite
(default 100,000 over 300 offices; the leader's office, a city, has 5,000 of them).

Tickets (a fifth of them open, some escalated, some taken, 2 % with an SLA breach event) are
bulk-inserted straight into `ticket` and `event` (no hash chain: the pages do not read it). Then
the pages are fetched over HTTP through the real app with a signed-in session, and the latency
of each page is printed (p50, p99); the region overview twice: as it is read between changes, and
with a change to the log before every request (its figures computed afresh each time). Not part of
the test suite; nothing is asserted.

    .venv/bin/python bench/bench_web.py [TICKETS] [REQUESTS]
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from aiohttp.test_utils import TestClient, TestServer
from tests.support.world import START, make_container, populate

from helpdesk.adapters.clock import ManualClock
from helpdesk.adapters.db.tables import EventRow, TicketRow
from helpdesk.server import settle_heap
from helpdesk.services.people import parse_offices_csv
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app

LEADER_OFFICE = "1462011"
STATES_OPEN = ["new", "in_progress", "waiting", "escalated", "acknowledged", "workaround", "reopened"]


def fill(container, count: int, author: int) -> None:
    rng = random.Random(11)
    extra = "code,name,type,employees,components,leaders_max\n" + "".join(
        f"{1000000 + i},Urząd Gminy nr {i},gmina_wiejska,40,EZD;ESB;KONTO,1\n" for i in range(298)
    )
    container.people.import_offices(parse_offices_csv(extra))
    offices = [str(1000000 + i) for i in range(298)] + ["1419112"]
    ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
    event_t = EventRow.__table__  # type: ignore[attr-defined]
    position = 0
    with container.db.engine.begin() as conn:
        for chunk in range(0, count, 20_000):
            tickets, events = [], []
            for no in range(chunk + 1, min(count, chunk + 20_000) + 1):
                office = LEADER_OFFICE if no % 20 == 0 else offices[no % len(offices)]
                is_open = rng.random() < 0.2
                state = rng.choice(STATES_OPEN) if is_open else rng.choice(["resolved", "closed"])
                escalated = state in ("escalated", "acknowledged", "workaround") or (
                    not is_open and rng.random() < 0.5
                )
                at = START - timedelta(seconds=rng.randrange(365 * 24 * 3600))
                tickets.append(
                    {
                        "no": no,
                        "office": office,
                        "author_id": author,
                        "title": f"Zgłoszenie {no}: problem z EZD",
                        "description": "Opis problemu " * 5,
                        "component": rng.choice(["EZD", "ESB", "KONTO", None]),
                        "priority": rng.choice(["critical", "high", "normal", "low"]),
                        "state": state,
                        "escalated": escalated,
                        "contract": "umowa-ezd-2026" if escalated else None,
                        "contractor": "wykonawca-ezd" if escalated else None,
                        "assignee": rng.choice(["lider.plock", "lider2.plock", None]),
                        "channel": "web",
                        "created_at": at,
                        "updated_at": at + timedelta(hours=1),
                        "next_deadline": at + timedelta(days=3) if escalated and is_open else None,
                        "first_line_due": at + timedelta(hours=2) if state == "new" else None,
                        "last_seq": 1,
                    }
                )
                kinds = ["created"] + (["sla_breached"] if rng.random() < 0.02 else [])
                for seq, kind in enumerate(kinds, 1):
                    position += 1
                    events.append(
                        {
                            "id": position,
                            "ticket_no": no,
                            "seq": seq,
                            "at": at.isoformat(timespec="seconds"),
                            "at_utc": at,
                            "type": kind,
                            "actor": "bench",
                            "data": json.dumps({}),
                            "prev": "0" * 64,
                            "hash": "0" * 64,
                        }
                    )
            conn.execute(insert(ticket_t), tickets)
            conn.execute(insert(event_t), events)
    with container.db.engine.begin() as conn:
        # The head numbers new tickets and counts events: a ticket opened during the run follows.
        conn.exec_driver_sql(
            "UPDATE log_head SET last_ticket_no = ?, event_count = ? WHERE id = 1", (count, position)
        )
        conn.exec_driver_sql("ANALYZE")


async def measure(container, requests: int) -> None:
    password = "haslo-do-benchmarku-1"
    for login in ("lider.plock", "koordynator", "agent2"):
        container.people.set_password(login, password)
    pages = [
        ("lider.plock", "/", "kolejka lidera (otwarte)"),
        ("lider.plock", "/?widok=nieprzejete", "kolejka lidera (nieprzejęte)"),
        ("lider.plock", "/?q=problem&sort=priority&strona=3", "kolejka lidera (szukaj, sortuj, strona 3)"),
        ("lider.plock", "/?widok=przekroczone", "kolejka lidera (przekroczone SLA)"),
        ("agent2", "/", "kolejka Wykonawcy (najbliższy termin)"),
        ("koordynator", "/region", "przegląd regionu"),
    ]
    clients: dict[str, TestClient] = {}
    try:
        for login in {p[0] for p in pages}:
            client = TestClient(TestServer(create_app(container)))
            await client.start_server()
            resp = await client.post(
                "/login", data={"login": login, "password": password}, allow_redirects=False
            )
            assert resp.status == 303, resp.status
            clients[login] = client
        settle_heap()  # as `helpdesk serve` does once started
        # Wall time, and the process's CPU time per request (server and client share the process):
        # on a machine shared with other work the CPU time says what the page itself costs.
        print(f"{'strona':45} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p99':>8}")
        # The overview is computed again only when the event log has moved (services/tickets.py);
        # the last line measures that path: a comment is added (untimed) before every request.
        official = container.people.person("urz.plock")
        changing = container.tickets.create(official, NewTicket("Zmiana w trakcie pomiaru", "opis"))["id"]
        pages.append(("koordynator", "/region", "przegląd regionu (zmiana przed każdym)"))
        for login, path, name in pages:
            client = clients[login]
            for _ in range(5):  # warm-up
                await (await client.get(path)).read()
            times, cpu = [], []
            for i in range(requests):
                if name.endswith("(zmiana przed każdym)"):
                    container.tickets.act(official, changing, "comment", text=f"komentarz {i}")
                t0, c0 = time.perf_counter(), time.process_time()
                resp = await client.get(path)
                await resp.read()
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert resp.status == 200, (path, resp.status)
            times.sort()
            cpu.sort()
            at = min(len(times) - 1, int(0.99 * len(times)))
            print(
                f"{name:45} {statistics.median(times):8.1f} {times[at]:8.1f} {times[-1]:8.1f} "
                f"{statistics.median(cpu):8.1f} {cpu[at]:8.1f}"
            )
    finally:
        for client in clients.values():
            await client.close()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as tmp:
        container = make_container(f"sqlite:///{Path(tmp)}/bench.db", ManualClock(START))
        people = populate(container)
        t0 = time.perf_counter()
        fill(container, count, people["urz.plock"].id)
        print(f"{count} zgłoszeń w 300 urzędach wstawiono w {time.perf_counter() - t0:.1f} s")
        asyncio.run(measure(container, requests))
        container.close()


if __name__ == "__main__":
    main()
