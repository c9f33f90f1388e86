"""The hash chain and the projection of events onto a ticket."""

from datetime import datetime
from zoneinfo import ZoneInfo

from helpdesk.domain import events as ev
from helpdesk.domain.tickets import State

AT = datetime(2027, 3, 5, 15, 10, tzinfo=ZoneInfo("Europe/Warsaw"))


def chain(records):
    prev = ev.GENESIS_HASH
    out = []
    for record in records:
        record = dict(record, prev=prev)
        record["hash"] = ev.chain_hash(prev, record)
        prev = record["hash"]
        out.append(record)
    return out


def sample():
    return chain(
        [
            ev.make_record("T-000001", 1, AT, ev.CREATED, "urz", {"title": "Zażółć gęślą jaźń"}),
            ev.make_record(
                "T-000001", 2, AT, ev.ESCALATED, "lider", {"contract": "u", "priority": "critical"}
            ),
            ev.make_record("T-000002", 1, AT, ev.CREATED, "urz", {"title": "x"}),
            ev.make_record("T-000001", 3, AT, ev.ACKNOWLEDGED, "agent"),
        ]
    )


def test_event_time_is_stored_with_its_offset():
    assert ev.make_record("T-000001", 1, AT, ev.CREATED, None)["at"] == "2027-03-05T15:10:00+01:00"


def test_canonical_json_ignores_key_order_and_keeps_polish_letters():
    a = ev.canonical_json({"b": 1, "a": "ą"})
    assert a == ev.canonical_json({"a": "ą", "b": 1}) == '{"a":"ą","b":1}'


def test_an_intact_chain_verifies():
    count, broken = ev.verify_chain(sample())
    assert (count, broken) == (4, None)


def test_an_altered_event_is_named():
    records = sample()
    records[1]["priority"] = "low"
    _, broken = ev.verify_chain(records)
    assert broken is not None and broken.position == 2 and broken.ticket == "T-000001" and broken.seq == 2


def test_a_deleted_event_breaks_the_link_of_the_next_one():
    records = sample()
    del records[1]
    _, broken = ev.verify_chain(records)
    assert broken is not None and broken.position == 2


def test_an_inserted_event_is_detected():
    records = sample()
    fake = dict(records[2], seq=9)
    records.insert(2, fake)
    _, broken = ev.verify_chain(records)
    assert broken is not None and broken.position == 3


def test_the_projection_follows_the_flow_and_remembers_where_to_resume():
    records = [
        ev.make_record("T-1", 1, AT, ev.CREATED, "u", {"priority": "normal"}),
        ev.make_record("T-1", 2, AT, ev.ASSIGNED, "l", {"assignee": "l"}),
        ev.make_record("T-1", 3, AT, ev.ESCALATED, "l", {"contract": "c", "priority": "high"}),
        ev.make_record("T-1", 4, AT, ev.ACKNOWLEDGED, "a"),
        ev.make_record("T-1", 5, AT, ev.PAUSED, "a"),
    ]
    view = ev.project(records)
    assert (view.state, view.resume_state, view.escalated, view.priority) == (
        State.WAITING,
        State.ACKNOWLEDGED,
        True,
        "high",
    )
    view = ev.apply_event(view, ev.make_record("T-1", 6, AT, ev.RESUMED, "l"))
    assert view.state is State.ACKNOWLEDGED and view.assignee == "l"
