"""The queue's SLA column shows the contract's deadline, not the instant the sweep looks next.

`next_deadline` (stored) is when the sweep must look at a ticket: the warning at 80 % of a target
comes first. A person reading the queue needs the deadline itself: the ticket lists carry
`sla_due`, computed from the ticket's events.
"""

from datetime import datetime, timedelta

from helpdesk.services.tickets import NewTicket
from tests.support.world import WARSAW, populate


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=WARSAW)


def test_the_listed_sla_due_is_the_reaction_deadline_while_the_sweep_looks_earlier(container, world, clock):
    t = container.tickets
    clock.set(at(1, 9, 0))  # Monday 09:00
    ticket = t.create(world["urz.plock"], NewTicket("EZD nie wysyła pism", "opis", "EZD"))["id"]
    t.act(world["lider.plock"], ticket, "take")
    t.act(world["lider.plock"], ticket, "escalate")  # EZD, normal: reaction 480 min in 08–16 on workdays

    listed = {i["id"]: i for i in t.list(world["agent2"], {})["items"]}[ticket]
    # 09:00–16:00 Monday is 420 min; the other 60 min end on Tuesday at 09:00.
    assert listed["sla_due"] == "2027-03-02T09:00:00+01:00"
    # The sweep looks first at the warning: 80 % of 480 min = 384 min after 09:00 = Monday 15:24.
    assert listed["next_deadline"] == "2027-03-01T15:24:00+01:00"

    clock.set(at(1, 10, 0))
    t.act(world["agent2"], ticket, "acknowledge")  # reaction met; workaround and fix still run
    listed = {i["id"]: i for i in t.list(world["agent2"], {})["items"]}[ticket]
    clocks = t.get(world["agent2"], ticket)["sla"]["metrics"]
    running = [m["due_at"] for m in clocks.values() if m.get("due_at")]
    assert listed["sla_due"] == min(running)

    clock.set(at(1, 11, 0))
    t.act(world["agent2"], ticket, "resolve", text="Poprawiono konfigurację")
    listed = {i["id"]: i for i in t.list(world["agent2"], {})["items"]}[ticket]
    assert listed["sla_due"] is None  # nothing runs after the resolution


def test_the_first_line_order_puts_a_missed_target_before_every_running_one(any_container, clock):
    t, people = any_container.tickets, populate(any_container)
    missed = t.create(people["urz.plock"], NewTicket("Skaner nie skanuje", "opis", "EZD"))["id"]
    due = datetime.fromisoformat(t.list(people["lider.plock"], {})["items"][0]["first_line_due"])
    clock.set(due - timedelta(minutes=1))
    running = t.create(people["urz.plock"], NewTicket("Drukarka", "opis", "EZD"))["id"]
    taken = t.create(people["urz.plock"], NewTicket("Czytnik", "opis", "EZD"))["id"]
    t.act(people["lider.plock"], taken, "take")
    clock.set(due)
    assert [a for a in any_container.sla_sweep.sweep(due).first_line_alerts if a[0] == missed] == [
        (missed, 1)
    ]

    listed = t.list(people["lider.plock"], {"sort": "first_line"})["items"]
    assert [i["id"] for i in listed] == [missed, running, taken]
    by_id = {i["id"]: i for i in listed}
    assert by_id[missed]["first_line_overdue"] and not by_id[running]["first_line_overdue"]
    # By the stored instants alone the running ticket would come first: the missed one's is the next reminder's.
    assert by_id[running]["first_line_due"] < by_id[missed]["first_line_due"]
