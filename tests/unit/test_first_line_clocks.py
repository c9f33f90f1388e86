"""The first line's clocks (domain/sla.py `compute_first_line`), worked out by hand on a calendar
that works round the clock, so a minute of the timeline is a minute of working time: when each
clock stops, what waiting for the official takes out, which priority and office count, and the
JSON a replay line carries. Every expected figure is written out here."""

from datetime import UTC, datetime, timedelta

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.office_terms import OfficeBook, OfficeTerms
from helpdesk.domain.sla import ClockEvent, FirstLine, FirstLineMetric, Metric, compute_first_line, money

ROUND_THE_CLOCK = BusinessCalendar("UTC", frozenset(range(7)), 0, 1440, name="24h")
OFFICE = "1462011"
TERMS = OfficeTerms(
    OFFICE,
    ROUND_THE_CLOCK,
    {
        "normal": {"take": 2 * 3600, "answer": 4 * 3600, "resolve_or_escalate": 8 * 3600},
        "high": {"take": 30 * 60, "answer": 3 * 3600, "resolve_or_escalate": 5 * 3600},
    },
)
BOOK = OfficeBook({OFFICE: TERMS}, None)
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def timeline(*events: tuple[int, str, dict]) -> list[tuple[float, int, ClockEvent]]:
    out = []
    for seq, (minute, type_, extra) in enumerate(events, start=1):
        event = ClockEvent(at(minute), seq, type_, **extra)
        out.append((event.at.timestamp(), seq, event))
    return out


def first_line(events, as_of_minute: int, book: OfficeBook | None = BOOK) -> FirstLine | None:
    return compute_first_line(events, book, at(as_of_minute).timestamp())


def metric(minutes: float, target_minutes: int | None, state: str | None, running: bool) -> FirstLineMetric:
    return FirstLineMetric(
        minutes * 60, None if target_minutes is None else target_minutes * 60, state, running
    )


DAY = timeline(
    (0, "created", {"office": OFFICE, "priority": "normal"}),
    (30, "paused", {}),
    (90, "resumed", {}),
    (120, "assigned", {}),
    (150, "commented", {}),  # no clock reads a comment
    (180, "replied", {}),
    (200, "priority_changed", {"priority": "high"}),
    (210, "paused", {}),
    (240, "resumed", {}),
    (400, "resolved", {}),  # after the moment asked about
)


def test_take_stops_at_assigned_answer_at_replied_and_waiting_for_the_official_does_not_count():
    result = first_line(DAY, 300)
    assert result is not None
    assert (result.office, result.priority, result.waiting) == (OFFICE, "high", 90 * 60)
    assert dict(result.metrics) == {
        "take": metric(60, 30, "breached", False),
        "answer": metric(120, 180, "met", False),
        "resolve_or_escalate": metric(210, 300, "running", True),
    }
    assert result.to_json() == {
        "office": OFFICE,
        "priority": "high",
        "calendar": "24h",
        "metrics": {
            "take": {"elapsed_min": 60.0, "target_min": 30.0, "state": "breached"},
            "answer": {"elapsed_min": 120.0, "target_min": 180.0, "state": "met"},
            "resolve_or_escalate": {"elapsed_min": 210.0, "target_min": 300.0, "state": "running"},
        },
        "waiting_for_official_min": 90.0,
    }


def test_an_event_at_the_very_moment_asked_about_counts():
    result = first_line(DAY, 180)
    assert result is not None
    assert (result.priority, result.waiting) == ("normal", 60 * 60)
    assert dict(result.metrics) == {
        "take": metric(60, 120, "met", False),
        "answer": metric(120, 240, "met", False),
        "resolve_or_escalate": metric(120, 480, "running", True),
    }


def test_escalation_stops_every_clock_and_names_the_office_and_priority_the_ticket_lacked():
    events = timeline(
        (0, "created", {"priority": "normal"}),
        (60, "escalated", {"office": OFFICE, "priority": "high"}),
    )
    result = first_line(events, 120)
    assert result is not None
    assert (result.office, result.priority, result.waiting) == (OFFICE, "high", 0)
    assert dict(result.metrics) == {
        "take": metric(60, 30, "breached", False),
        "answer": metric(60, 180, "met", False),
        "resolve_or_escalate": metric(60, 300, "met", False),
    }


def test_the_office_named_when_the_ticket_was_opened_wins_over_the_escalations():
    events = timeline(
        (0, "created", {"office": OFFICE, "priority": "normal"}),
        (60, "escalated", {"office": "9999999", "priority": "normal"}),
    )
    result = first_line(events, 120)
    assert result is not None and result.office == OFFICE


def test_a_resolution_while_waiting_ends_the_waiting_too():
    events = timeline(
        (0, "created", {"office": OFFICE, "priority": "normal"}),
        (60, "paused", {}),
        (90, "resolved", {}),
    )
    result = first_line(events, 200)
    assert result is not None
    assert result.waiting == 30 * 60
    assert dict(result.metrics) == {
        "take": metric(60, 120, "met", False),
        "answer": metric(60, 240, "met", False),
        "resolve_or_escalate": metric(60, 480, "met", False),
    }


def test_waiting_still_going_adds_to_the_waiting_before():
    events = timeline(
        (0, "created", {"office": OFFICE, "priority": "normal"}),
        (10, "paused", {}),
        (20, "resumed", {}),
        (50, "paused", {}),
    )
    result = first_line(events, 80)
    assert result is not None
    assert result.waiting == 40 * 60
    assert result.metrics["take"] == metric(40, 120, "running", True)


def test_no_clocks_without_offices_events_a_created_event_or_before_it():
    events = timeline((0, "created", {"office": OFFICE, "priority": "normal"}))
    assert first_line([], 10) is None
    assert first_line(events, 10, book=None) is None
    assert first_line(timeline((0, "commented", {"office": OFFICE})), 10) is None
    assert first_line(events, -1) is None
    assert first_line(timeline((0, "created", {"office": "9999999", "priority": "normal"})), 10) is None
    at_once = first_line(events, 0)
    assert at_once is not None
    assert at_once.metrics["take"] == metric(0, 120, "running", True)


def test_a_ticket_without_priority_or_office_targets_has_clocks_without_targets():
    events = timeline((0, "created", {"office": "9999999"}))
    result = first_line(events, 45, book=OfficeBook({}, TERMS))
    assert result is not None
    assert (result.office, result.priority) == ("9999999", "")
    assert result.metrics["answer"] == metric(45, None, None, True)
    assert result.to_json()["metrics"]["answer"] == {"elapsed_min": 45.0, "target_min": None, "state": None}


def test_minutes_in_json_are_rounded_to_hundredths():
    assert FirstLineMetric(100, 7, "met", False).to_json() == {
        "elapsed_min": 1.67,
        "target_min": 0.12,
        "state": "met",
    }
    assert FirstLine(OFFICE, "", ROUND_THE_CLOCK, {}, 100).to_json()["waiting_for_official_min"] == 1.67
    contractor_clock = Metric("fix", 100, 7, "breached", False, False, None, 0.0, ROUND_THE_CLOCK, T0)
    assert contractor_clock.to_json() == {"elapsed_min": 1.67, "target_min": 0.12, "state": "breached"}


def test_money_is_whole_zloty_as_an_integer_else_grosze():
    assert money(250.0) == 250 and isinstance(money(250.0), int)
    assert money(0.0) == 0 and isinstance(money(0.0), int)
    assert money(3.14159) == 3.14
    assert money(1.5) == 1.5 and isinstance(money(1.5), float)
    assert money(2.006) == 2.01
