"""Each SLA warning, breach and first-line alert exactly once, across many sweep ticks, two workers
on one database (SQLite file and PostgreSQL) and a restart of both.

The contract here has close targets (reaction 60 min, workaround 70 min, fix 90 min, round the
clock), so one clock is still inside its warning window when another one's deadline makes the sweep
look at the ticket again: only the record of what was already warned keeps it from warning twice.
A priority lowered after a warning moves the warning instant later: it must not be warned again.
"""

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import NewTicket
from tests.conftest import HAS_POSTGRES
from tests.support.parts import missing
from tests.support.world import WARSAW, make_container, populate, postgres_database

CONTRACT = """\
id: umowa-bliskie-terminy
contractor: wykonawca-ezd
components: [EZD, PODPIS, SKANOWANIE]
period: {start: 2026-01-01, end: 2030-12-31}
calendars:
  stale: {timezone: Europe/Warsaw, days: [mon, tue, wed, thu, fri, sat, sun], hours: ["00:00", "24:00"], holidays: none}
priorities:
  high:
    calendar: stale
    targets: {reaction: 30m, workaround: 35m, fix: 45m}
  normal:
    calendar: stale
    targets: {reaction: 60m, workaround: 70m, fix: 90m}
"""
METRICS = ("reaction", "workaround", "fix")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


def ticks() -> list[datetime]:
    """Every minute for the first two hours (the SLA deadlines), then every 15 minutes until Tuesday
    noon (the first-line alerts, at 13:00 on Monday and 09:00 on Tuesday)."""
    out = [at(1, 9) + timedelta(minutes=m) for m in range(1, 121)]
    t = out[-1]
    while t < at(2, 12):
        t += timedelta(minutes=15)
        out.append(t)
    return out


@pytest.fixture
def sla_dir(tmp_path):
    folder = tmp_path / "sla" / "contracts"
    folder.mkdir(parents=True)
    (folder / "umowa.yaml").write_text(CONTRACT, encoding="utf-8")
    return tmp_path / "sla"


def open_tickets(container, people, clock) -> dict[str, str]:
    """The tickets of the scenario, by what happens to them."""
    tickets = container.tickets
    official, leader = people["urz.plock"], people["lider.plock"]
    agent = next(p for p in people.values() if p.role.value == "agent")

    def new(title, minute):
        clock.set(at(1, 9, minute))
        return tickets.create(official, NewTicket(title, "opis", "EZD"))["id"]

    out = {}
    out["normal"] = new("Zwykły", 0)
    tickets.act(leader, out["normal"], "escalate")
    out["high"] = new("Pilny", 5)
    tickets.act(leader, out["high"], "escalate", priority="high")
    out["lowered"] = new("Obniżony", 0)
    tickets.act(leader, out["lowered"], "escalate", priority="high")
    out["acknowledged"] = new("Przyjęty", 0)
    tickets.act(leader, out["acknowledged"], "escalate")
    out["untaken"] = new("Nikt nie wziął", 0)
    return out | {"_agent": agent.login}


def act_during(container, people, tickets, now):
    """What people do between the ticks: lower a priority after its warning, acknowledge one."""
    if now == at(1, 9, 26):  # reaction of `lowered` warned at 09:24 (80 % of 30 min)
        container.tickets.act(people["lider.plock"], tickets["lowered"], "set_priority", priority="normal")
    if now == at(1, 9, 50):  # reaction of `acknowledged` warned at 09:48
        container.tickets.act(people[tickets["_agent"]], tickets["acknowledged"], "acknowledge")


def sweep_events(container):
    rows = container.db.read(
        lambda tx: tx.conn.execute(
            text(
                "SELECT ticket_no, type, data FROM event WHERE type IN "
                "('sla_warning', 'sla_breached', 'first_line_alert') ORDER BY id"
            )
        ).all()
    )
    out = Counter()
    for r in rows:
        data = json.loads(r.data)
        out[(r.ticket_no, r.type, data.get("metric") or data.get("level"))] += 1
    return out


def sla_notices(container):
    return container.db.read(
        lambda tx: (
            tx.conn.execute(text("SELECT dedupe FROM outbox WHERE dedupe LIKE 'sla:%' ORDER BY id"))
            .scalars()
            .all()
        )
    )


def run_scenario(url, sla_dir, clock):
    """Two workers sweep every tick (now and then at the same moment), both restart at 10:05."""
    extra = {"HELPDESK_SLA_DIR": str(sla_dir)}
    workers = [make_container(url, clock, **extra), make_container(url, clock, **extra)]
    people = populate(workers[0])
    tickets = open_tickets(workers[0], people, clock)
    restarted = False
    try:
        for i, now in enumerate(ticks()):
            if now >= at(1, 10, 5) and not restarted:
                for w in workers:
                    w.close()
                workers = [make_container(url, clock, **extra), make_container(url, clock, **extra)]
                restarted = True
            clock.set(now)
            act_during(workers[0], people, tickets, now)
            sweepers = [SlaSweep(w.db, w.sla, w.tickets.recorder) for w in workers]
            if i % 7 == 0:  # both at once
                barrier = threading.Barrier(2)

                def run(s, now=now, barrier=barrier):
                    barrier.wait()
                    return s.sweep(now)

                with ThreadPoolExecutor(max_workers=2) as pool:
                    list(pool.map(run, sweepers))
            else:
                for s in sweepers[:: 1 if i % 2 else -1]:
                    s.sweep(now)
        return tickets, sweep_events(workers[0]), sla_notices(workers[0])
    finally:
        for w in workers:
            w.close()


def check(tickets, events, notices):
    no = {name: int(tid[2:]) for name, tid in tickets.items() if not name.startswith("_")}
    want = Counter()
    for name in ("normal", "high", "lowered"):
        for metric in METRICS:
            want[(no[name], "sla_warning", metric)] = 1
            want[(no[name], "sla_breached", metric)] = 1
    # Acknowledged inside its reaction window: reaction warned, never breached.
    want[(no["acknowledged"], "sla_warning", "reaction")] = 1
    for metric in ("workaround", "fix"):
        want[(no["acknowledged"], "sla_warning", metric)] = 1
        want[(no["acknowledged"], "sla_breached", metric)] = 1
    want[(no["untaken"], "first_line_alert", 1)] = 1
    want[(no["untaken"], "first_line_alert", 2)] = 1
    assert dict(events) == dict(want)
    # One notice per event, person and channel: the outbox never holds one twice.
    assert len(notices) == len(set(notices)) and notices


def test_each_warning_and_breach_once_across_ticks_two_workers_and_a_restart_on_sqlite(
    tmp_path, sla_dir, clock
):
    check(*run_scenario(f"sqlite:///{tmp_path}/sweep.db", sla_dir, clock))


@pytest.mark.postgres
def test_each_warning_and_breach_once_across_ticks_two_workers_and_a_restart_on_postgresql(sla_dir, clock):
    if not HAS_POSTGRES:
        missing("PostgreSQL", "set HELPDESK_TEST_POSTGRES_URL (.ci/run sets it and starts the server)")
    with postgres_database() as url:
        check(*run_scenario(url, sla_dir, clock))
