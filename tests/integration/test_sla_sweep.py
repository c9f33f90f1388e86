"""The SLA sweep over stored deadlines: warnings, breaches, first-line alerts, restarts, two workers,
and the apscheduler part that runs it."""

import asyncio
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import text

from helpdesk.lifecycle import SINGLETONS, running
from helpdesk.services.sla.sweep import SlaSweep
from helpdesk.services.tickets import NewTicket
from tests.support.world import WARSAW, make_container, populate


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


def sweeper(container) -> SlaSweep:
    return SlaSweep(container.db, container.sla, container.tickets.recorder)


def escalated_ticket(container, people, title="Nie działa EZD"):
    t = container.tickets.create(people["urz.plock"], NewTicket(title, "opis", "EZD"))
    container.tickets.act(people["lider.plock"], t["id"], "take")
    container.tickets.act(people["lider.plock"], t["id"], "escalate")
    return t["id"]


def events_of(container, type_):
    rows = container.db.read(
        lambda tx: tx.conn.execute(
            text("SELECT ticket_no, data FROM event WHERE type = :t ORDER BY id"), {"t": type_}
        ).all()
    )
    return [(r.ticket_no, json.loads(r.data)) for r in rows]


def outbox(container):
    return container.db.read(
        lambda tx: tx.conn.execute(
            text(
                "SELECT channel, recipient, subject, body, dedupe FROM outbox WHERE dedupe LIKE 'sla:%' "
                "ORDER BY id"
            )
        ).all()
    )


def test_warning_then_breach_once_each_with_polish_notices(container, world, clock):
    ticket = escalated_ticket(container, world)
    stored = container.tickets.get(world["koordynator"], ticket)["next_deadline"]
    # normal priority on the EZD contract: reaction 1 working day (8 h), warned at 80 % = 6 h 24 min.
    assert stored == "2027-03-01T15:24:00+01:00"
    sweep = sweeper(container)

    clock.set(at(1, 15, 23))
    assert sweep.sweep(clock.now()).warnings == []
    clock.set(at(1, 15, 30))
    result = sweep.sweep(clock.now())
    assert result.warnings == [(ticket, "reaction")]
    assert sweep.sweep(clock.now()).warnings == []  # idempotent
    assert events_of(container, "sla_warning") == [(1, {"metric": "reaction", "share": 0.8})]
    messages = outbox(container)
    assert sorted(m.recipient for m in messages) == ["agent2@example.pl", "koordynator@example.pl"]
    assert all(m.channel == "email" for m in messages)
    assert "Ostrzeżenie SLA (czas reakcji) — wykorzystano 80% czasu" in messages[0].subject
    assert "Termin upływa 01.03.2027 16:00" not in messages[0].body  # due next morning, not today
    assert "Termin upływa 02.03.2027 09:00" in messages[0].body

    # Next deadline is the breach at 09:00 on Tuesday (7 h Monday + 1 h Tuesday).
    assert container.tickets.get(world["koordynator"], ticket)["next_deadline"] == "2027-03-02T09:00:00+01:00"
    clock.set(at(2, 9, 1))
    result = sweep.sweep(clock.now())
    assert result.breaches == [(ticket, "reaction")]
    assert sweep.sweep(clock.now()).breaches == []
    assert events_of(container, "sla_breached") == [(1, {"metric": "reaction"})]
    assert any("Przekroczenie SLA (czas reakcji): " in m.subject for m in outbox(container))
    # The breach event is visible in the ticket and ignored by the clocks.
    got = container.tickets.get(world["koordynator"], ticket)
    assert got["sla"]["metrics"]["reaction"]["state"] == "breached"
    assert [e["type"] for e in got["events"]][-2:] == ["sla_warning", "sla_breached"]


def test_nothing_due_means_nothing_written(container, world, clock):
    escalated_ticket(container, world)
    result = sweeper(container).sweep(clock.now())
    assert (result.tickets, result.warnings, result.notices) == (0, [], 0)
    assert outbox(container) == []


def test_a_deadline_passed_while_the_server_was_down_is_handled_at_the_first_sweep(tmp_path, clock):
    url = f"sqlite:///{tmp_path}/restart.db"
    first = make_container(url, clock)
    people = populate(first)
    ticket = escalated_ticket(first, people)
    first.close()
    clock.set(at(2, 10))  # the server was down across the warning and the breach
    second = make_container(url, clock)
    try:
        result = sweeper(second).sweep(clock.now())
        # Already past the breach: the breach is recorded, a late warning would be noise.
        assert result.breaches == [(ticket, "reaction")]
        assert result.warnings == []
        # The workaround clock (5 d = 40 h) is now the next thing to watch: warned at 32 h.
        assert (
            second.tickets.get(people["koordynator"], ticket)["next_deadline"] == "2027-03-05T09:00:00+01:00"
        )
    finally:
        second.close()


def test_stopped_and_paused_clocks_are_not_warned(container, world, clock):
    ticket = escalated_ticket(container, world)
    clock.set(at(1, 10))
    container.tickets.act(world["agent2"], ticket, "acknowledge")
    clock.set(at(1, 11))
    container.tickets.act(world["agent2"], ticket, "wait_for_office")
    assert container.tickets.get(world["koordynator"], ticket)["next_deadline"] is None
    clock.set(at(20, 11))
    result = sweeper(container).sweep(clock.now())
    assert result.warnings == [] and result.breaches == []


def test_two_workers_sweeping_together_never_double_a_warning(any_container, clock):
    container = any_container
    people = populate(container)
    tickets = [escalated_ticket(container, people, f"Zgłoszenie {i}") for i in range(12)]
    clock.set(at(1, 15, 30))
    workers = [sweeper(container), sweeper(container)]
    barrier = threading.Barrier(2)

    def run(worker):
        barrier.wait()
        return worker.sweep(clock.now())

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, workers))
    warned = sorted(w for r in results for w in r.warnings)
    assert warned == sorted((t, "reaction") for t in tickets)
    assert len(events_of(container, "sla_warning")) == len(tickets)
    dedupes = [m.dedupe for m in outbox(container)]
    assert len(dedupes) == len(set(dedupes)) == 2 * len(tickets)


def test_first_line_goes_to_other_leaders_then_to_representative_and_coordinators(container, world, clock):
    t = container.tickets.create(world["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    sweep = sweeper(container)
    clock.set(at(1, 12, 59))
    assert sweep.sweep(clock.now()).first_line_alerts == []
    clock.set(at(1, 13, 0))  # 4 working hours after 09:00
    assert sweep.sweep(clock.now()).first_line_alerts == [(t["id"], 1)]
    assert sorted(m.recipient for m in outbox(container)) == [
        "lider.plock@example.pl",
        "lider2.plock@example.pl",
    ]
    assert sweep.sweep(clock.now()).first_line_alerts == []
    clock.set(at(2, 9, 0))  # 3 h on Monday afternoon + 1 h on Tuesday
    assert sweep.sweep(clock.now()).first_line_alerts == [(t["id"], 2)]
    recipients = sorted(m.recipient for m in outbox(container) if ":first-line:2:" in m.dedupe)
    assert recipients == ["koordynator@example.pl", "przedst.plock@example.pl"]
    assert "eskalacja" in outbox(container)[-1].subject
    clock.set(at(9, 9, 0))
    assert sweep.sweep(clock.now()).first_line_alerts == []
    assert [d["level"] for _, d in events_of(container, "first_line_alert")] == [1, 2]


def test_a_taken_ticket_raises_no_first_line_alert(container, world, clock):
    t = container.tickets.create(world["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))
    container.tickets.act(world["lider.plock"], t["id"], "take")
    clock.set(at(3, 9))
    assert sweeper(container).sweep(clock.now()).first_line_alerts == []


def test_the_server_sweeps_at_start_and_stops_cleanly(container, world, clock):
    ticket = escalated_ticket(container, world)
    clock.set(at(1, 15, 30))
    done = threading.Event()
    sweep = container.sla_sweep
    original = sweep.sweep

    def recording(now):
        result = original(now)
        done.set()
        return result

    sweep.sweep = recording

    async def scenario():
        async with running(container) as runner:
            assert "sla-sweep" in runner.app[SINGLETONS].scheduler.names
            return await asyncio.get_running_loop().run_in_executor(None, done.wait, 10)

    assert asyncio.run(scenario())
    assert events_of(container, "sla_warning") == [(int(ticket[2:]), {"metric": "reaction", "share": 0.8})]


def test_a_stop_during_a_sweep_waits_for_it_and_logs_no_traceback(container, world, clock, caplog):
    ticket = escalated_ticket(container, world)
    clock.set(at(1, 15, 30))
    started, release = threading.Event(), threading.Event()
    sweep = container.sla_sweep
    original = sweep.sweep

    def slow(now):
        started.set()
        release.wait(10)  # the stop arrives while this sweep is in progress
        return original(now)

    sweep.sweep = slow
    caplog.set_level(logging.DEBUG)

    async def scenario():
        loop = asyncio.get_running_loop()
        background = running(container)
        await background.__aenter__()
        assert await loop.run_in_executor(None, started.wait, 10)
        stopping = asyncio.create_task(background.__aexit__(None, None, None))
        finished, _ = await asyncio.wait({stopping}, timeout=0.3)
        assert not finished  # the stop waits for the sweep in progress…
        release.set()
        await asyncio.wait_for(stopping, 10)  # …and ends once it is done

    asyncio.run(scenario())
    assert events_of(container, "sla_warning") == [(int(ticket[2:]), {"metric": "reaction", "share": 0.8})]
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "CancelledError" not in caplog.text


def test_a_raised_priority_that_passes_a_target_is_breached_at_the_next_sweep(container, world, clock):
    """SLA rules: after `priority_changed` the time so far is kept and the new targets apply, so a
    raise can put a clock past its new target (or warning share) at that very minute. The sweep
    must record it then, not at the next deadline of some other clock, hours later."""
    leader, coordinator = world["lider.plock"], world["koordynator"]
    # Escalated Mon 1 Mar 2027 09:00 as `normal` (EZD: reaction 1 d = 8 h, workaround 5 d).
    ticket = escalated_ticket(container, world)
    # 13:30: 4 h 30 min = 270 min of reaction used; `high` allows 4 h = 240 min: breached now.
    clock.set(at(1, 13, 30))
    container.tickets.act(leader, ticket, "set_priority", priority="high")
    got = container.tickets.get(coordinator, ticket)
    assert got["sla"]["metrics"]["reaction"]["state"] == "breached"
    assert got["next_deadline"] == "2027-03-01T13:30:00+01:00"  # due at once
    result = sweeper(container).sweep(clock.now())
    assert result.breaches == [(ticket, "reaction")]
    assert events_of(container, "sla_breached") == [(1, {"metric": "reaction"})]
    # Then the workaround's warning: high 2 d = 960 min, 80 % = 768 min; 498 more after 13:30 =
    # 150 on Monday (to 16:00) + 348 on Tuesday from 08:00 = Tue 13:48.
    got = container.tickets.get(coordinator, ticket)
    assert got["next_deadline"] == "2027-03-02T13:48:00+01:00"
    assert sweeper(container).sweep(clock.now()).tickets == 0


def test_a_raised_priority_past_the_warning_share_is_warned_at_the_next_sweep(container, world, clock):
    """A raise to 80-100 % of the new target: warned at once, breached at the new due time."""
    leader, coordinator = world["lider.plock"], world["koordynator"]
    ticket = escalated_ticket(container, world)  # Mon 1 Mar 09:00, `normal`
    # 12:30: 210 min used; `high` reaction 240 min, warned from 192 min: warning now, due 13:00.
    clock.set(at(1, 12, 30))
    container.tickets.act(leader, ticket, "set_priority", priority="high")
    assert container.tickets.get(coordinator, ticket)["next_deadline"] == "2027-03-01T12:30:00+01:00"
    sweep = sweeper(container)
    result = sweep.sweep(clock.now())
    assert (result.warnings, result.breaches) == ([(ticket, "reaction")], [])
    assert container.tickets.get(coordinator, ticket)["next_deadline"] == "2027-03-01T13:00:00+01:00"
    clock.set(at(1, 13, 1))  # at 13:00 it is exactly on target, breached just after
    assert sweep.sweep(clock.now()).breaches == [(ticket, "reaction")]
