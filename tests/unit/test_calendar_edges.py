"""Working intervals at their very edges and the calendar's own date (domain/calendar.py), and a
contractor clock's replay object with odd seconds — expected values written out by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.sla import Metric, TicketSla

WARSAW = ZoneInfo("Europe/Warsaw")
OFFICE_HOURS = BusinessCalendar("Europe/Warsaw", frozenset(range(5)), 8 * 60, 16 * 60, name="biuro")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=WARSAW)


def test_an_interval_ending_where_the_span_starts_or_starting_where_it_ends_is_not_listed():
    # Monday 5 January 16:00 to Wednesday 7 January 08:00: only Tuesday's hours.
    assert list(OFFICE_HOURS.working_intervals(local(5, 16), local(7, 8))) == [(local(6, 8), local(6, 16))]


def test_working_intervals_are_clipped_to_the_span_and_an_empty_span_has_none():
    assert list(OFFICE_HOURS.working_intervals(local(5, 9, 30), local(6, 10))) == [
        (local(5, 9, 30), local(5, 16)),
        (local(6, 8), local(6, 10)),
    ]
    assert list(OFFICE_HOURS.working_intervals(local(5, 10), local(5, 10))) == []
    assert list(OFFICE_HOURS.working_intervals(local(5, 11), local(5, 10))) == []


def test_the_calendar_date_is_the_date_in_its_own_time_zone():
    assert OFFICE_HOURS.local_date(datetime(2026, 1, 5, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 1, 6)
    assert OFFICE_HOURS.local_date(datetime(2026, 1, 5, 22, 59, tzinfo=ZoneInfo("UTC"))) == date(2026, 1, 5)


def test_a_contractor_clock_shows_minutes_and_penalties_rounded_to_hundredths():
    as_of = local(5, 12)
    fix = Metric("fix", 200, 100, "breached", False, False, None, 12.345, OFFICE_HOURS, as_of)
    sla = TicketSla("umowa-a", "high", False, {"fix": fix}, 12.3456, as_of, as_of)
    assert sla.to_json("T-000007") == {
        "ticket": "T-000007",
        "contract": "umowa-a",
        "contract_version": "umowa-a",
        "priority": "high",
        "out_of_contract": False,
        "metrics": {"fix": {"elapsed_min": 3.33, "target_min": 1.67, "state": "breached"}},
        "penalty_pln": 12.35,
    }
    whole = TicketSla(
        "umowa-a", "high", False, {}, 250.0, as_of, as_of, version="aneks-1", handed_over_from="umowa-0"
    )
    assert whole.to_json("T-000008") == {
        "ticket": "T-000008",
        "contract": "umowa-a",
        "contract_version": "aneks-1",
        "priority": "high",
        "out_of_contract": False,
        "metrics": {},
        "penalty_pln": 250,
        "handed_over_from": "umowa-0",
    }


def test_working_hours_starting_at_half_past_keep_their_minutes():
    half_past = BusinessCalendar(
        "Europe/Warsaw", frozenset(range(5)), 7 * 60 + 30, 15 * 60 + 30, name="urząd"
    )
    assert list(half_past.working_intervals(local(5, 7), local(5, 16))) == [
        (local(5, 7, 30), local(5, 15, 30))
    ]
    assert half_past.working_seconds(local(5, 7), local(5, 8)) == 30 * 60
