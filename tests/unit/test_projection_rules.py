"""The ticket as its events make it (domain/events.py `apply_event`, `project`), event by event
with every field of the view written out: who is assigned, which priority and contract hold, where
a resumed ticket returns, what an escalated ticket ignores, and the order of replay."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain import events as ev
from helpdesk.domain.tickets import State

AT = datetime(2027, 3, 5, 15, 10, tzinfo=ZoneInfo("Europe/Warsaw"))


def rec(seq: int | None, type_: str, actor: str | None = "osoba", **data) -> dict:
    record = ev.make_record("T-000001", seq or 0, AT, type_, actor, data)
    if seq is None:
        del record["seq"]
    return record


def view(**fields) -> ev.TicketView:
    return ev.TicketView(**fields)


def test_before_escalation_take_wait_resume_and_priority_follow_the_office():
    v = ev.TicketView()
    assert ev.apply_event(v, rec(1, ev.CREATED, priority="normal")) is v
    assert v == view(priority="normal", last_seq=1)
    ev.apply_event(v, rec(2, ev.ASSIGNED, "lider"))
    assert v == view(state=State.IN_PROGRESS, priority="normal", assignee="lider", last_seq=2)
    ev.apply_event(v, rec(3, ev.ASSIGNED, "koordynator", assignee="lider2"))
    assert v.assignee == "lider2"
    ev.apply_event(v, rec(4, ev.PAUSED))
    assert v == view(
        state=State.WAITING, priority="normal", assignee="lider2", resume_state=State.IN_PROGRESS, last_seq=4
    )
    ev.apply_event(v, rec(5, ev.PRIORITY_CHANGED, priority="high"))
    ev.apply_event(v, rec(6, ev.RESUMED))
    assert v == view(state=State.IN_PROGRESS, priority="high", assignee="lider2", last_seq=6)
    ev.apply_event(v, rec(7, ev.PRIORITY_CHANGED))  # no priority named: it stays
    assert v.priority == "high"


def test_escalation_sets_contract_and_priority_once_and_an_assignment_after_it_keeps_the_state():
    v = ev.project(
        [
            rec(1, ev.CREATED),
            rec(2, ev.ESCALATED, contract="umowa-a", priority="critical"),
            rec(3, ev.ACKNOWLEDGED, "agent"),
            rec(4, ev.ASSIGNED, "lider"),
            rec(5, ev.ESCALATED, contract="umowa-b", priority="low"),
        ]
    )
    assert v == view(
        state=State.ESCALATED,
        escalated=True,
        contract="umowa-a",
        priority="critical",
        assignee="lider",
        last_seq=5,
    )
    kept = ev.project([rec(1, ev.CREATED, priority="high"), rec(2, ev.ESCALATED, contract="umowa-a")])
    assert (kept.priority, kept.contract) == ("high", "umowa-a")
    no_priority = ev.project([rec(1, ev.CREATED)])
    assert no_priority.priority is None


@pytest.mark.parametrize(
    ("events", "state"),
    [
        ([rec(1, ev.CREATED), rec(2, ev.RESUMED)], State.IN_PROGRESS),
        ([rec(1, ev.CREATED), rec(2, ev.ESCALATED, contract="u"), rec(3, ev.RESUMED)], State.ESCALATED),
        (
            [
                rec(1, ev.CREATED),
                rec(2, ev.ESCALATED, contract="u"),
                rec(3, ev.WORKAROUND),
                rec(4, ev.PAUSED),
                rec(5, ev.RESUMED),
            ],
            State.WORKAROUND,
        ),
        ([rec(1, ev.CREATED), rec(2, ev.RESOLVED)], State.RESOLVED),
        ([rec(1, ev.CREATED), rec(2, ev.RESOLVED), rec(3, ev.REOPENED)], State.REOPENED),
        ([rec(1, ev.CREATED), rec(2, ev.RESOLVED), rec(3, ev.CLOSED)], State.CLOSED),
        ([rec(1, ev.CREATED), rec(2, ev.COMMENTED), rec(3, ev.REPLIED), rec(4, ev.SLA_WARNING)], State.NEW),
    ],
)
def test_where_each_event_leaves_the_ticket(events, state):
    v = ev.project(events)
    assert v.state is state
    assert v.resume_state is None


def test_events_are_replayed_in_seq_order_and_the_last_seq_is_the_highest():
    v = ev.project([rec(3, ev.RESOLVED), rec(1, ev.CREATED), rec(2, ev.ASSIGNED, "lider")])
    assert v == view(state=State.RESOLVED, assignee="lider", last_seq=3)
    older = ev.apply_event(v, rec(2, ev.COMMENTED))
    assert older.last_seq == 3
    unnumbered = ev.apply_event(ev.TicketView(), rec(None, ev.CREATED))
    assert unnumbered.last_seq == 0
    first = ev.project([rec(2, ev.ASSIGNED, "lider"), rec(None, ev.CREATED, priority="low")])
    assert (first.priority, first.state, first.last_seq) == ("low", State.IN_PROGRESS, 2)


def test_an_event_may_not_shadow_the_reserved_keys_and_empty_values_are_left_out():
    assert ev.make_record("T-000001", 1, AT, "commented", None, {"text": "a", "x": None}) == {
        "ticket": "T-000001",
        "seq": 1,
        "at": "2027-03-05T15:10:00+01:00",
        "type": "commented",
        "text": "a",
    }
    for key in ("ticket", "seq", "at", "type", "actor", "prev", "hash", "personal", "personal_sha256"):
        with pytest.raises(ValueError) as caught:
            ev.make_record("T-000001", 1, AT, "commented", "jan", {key: "x"})
        assert str(caught.value) == f"event data may not use the reserved key {key!r}"
    with pytest.raises(ValueError) as naive:
        ev.format_at(datetime(2027, 3, 5, 15, 10))
    assert str(naive.value) == "event time must be timezone-aware"
