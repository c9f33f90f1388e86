"""Business calendar: working time between instants and the instant a working time ends."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.calendar import BusinessCalendar, parse_hour

WAW = ZoneInfo("Europe/Warsaw")
H = 3600
WEEKDAYS = frozenset(range(5))
ALL_DAYS = frozenset(range(7))


def office(**kwargs: object) -> BusinessCalendar:
    return BusinessCalendar("Europe/Warsaw", WEEKDAYS, 8 * 60, 16 * 60, holiday_provider("PL"), **kwargs)  # type: ignore[arg-type]


def round_the_clock() -> BusinessCalendar:
    return BusinessCalendar("Europe/Warsaw", ALL_DAYS, 0, 24 * 60)


def at(text: str) -> datetime:
    """Local Warsaw wall-clock time 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def test_time_inside_one_working_day_counts_fully() -> None:
    assert office().working_seconds(at("2026-03-02 09:00"), at("2026-03-02 15:00")) == 6 * H


def test_time_before_and_after_hours_does_not_count() -> None:
    assert office().working_seconds(at("2026-03-02 06:00"), at("2026-03-02 20:00")) == 8 * H


def test_a_weekend_adds_nothing() -> None:
    assert office().working_seconds(at("2026-03-06 15:00"), at("2026-03-09 09:00")) == 2 * H


def test_end_before_start_gives_zero() -> None:
    assert office().working_seconds(at("2026-03-09 09:00"), at("2026-03-06 15:00")) == 0


def test_christmas_eve_is_a_holiday_from_2025() -> None:
    cal = office()
    assert not cal.is_working_day(date(2025, 12, 24))
    # Dec 23 15-16, then 24, 25, 26 holidays and the weekend, Dec 29 8-9.
    assert cal.working_seconds(at("2025-12-23 15:00"), at("2025-12-29 09:00")) == 2 * H


def test_christmas_eve_2024_was_still_a_working_day() -> None:
    assert office().working_seconds(at("2024-12-24 09:00"), at("2024-12-24 10:00")) == H


def test_easter_monday_is_a_holiday() -> None:
    # Easter Monday 2026 is 6 April.
    assert office().working_seconds(at("2026-04-03 15:00"), at("2026-04-07 09:00")) == 2 * H


def test_corpus_christi_is_a_holiday() -> None:
    # Corpus Christi 2026 is Thursday 4 June (Easter + 60 days).
    assert not office().is_working_day(date(2026, 6, 4))
    assert office().working_seconds(at("2026-06-03 15:00"), at("2026-06-05 09:00")) == 2 * H


def test_a_closed_day_is_off() -> None:
    cal = office(closed=frozenset({date(2026, 8, 14)}))
    assert cal.working_seconds(at("2026-08-13 15:00"), at("2026-08-17 09:00")) == 2 * H


def test_an_open_saturday_is_worked_with_normal_hours() -> None:
    cal = office(open=frozenset({date(2026, 6, 13)}))
    assert cal.working_seconds(at("2026-06-12 15:00"), at("2026-06-15 09:00")) == 10 * H


def test_an_open_day_wins_over_a_holiday() -> None:
    cal = office(open=frozenset({date(2026, 6, 4)}))
    assert cal.working_seconds(at("2026-06-04 00:00"), at("2026-06-05 00:00")) == 8 * H


def test_a_round_the_clock_day_in_march_lasts_23_hours() -> None:
    assert round_the_clock().working_seconds(at("2026-03-28 12:00"), at("2026-03-29 12:00")) == 23 * H


def test_a_round_the_clock_day_in_october_lasts_25_hours() -> None:
    assert round_the_clock().working_seconds(at("2026-10-24 12:00"), at("2026-10-25 12:00")) == 25 * H


def test_office_hours_on_dst_sundays_are_wall_clock_hours() -> None:
    seven_days = BusinessCalendar("Europe/Warsaw", ALL_DAYS, 8 * 60, 16 * 60)
    assert seven_days.working_seconds(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 8 * H
    assert seven_days.working_seconds(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == 8 * H


def test_office_hours_across_the_march_dst_weekend() -> None:
    assert office().working_seconds(at("2026-03-27 12:00"), at("2026-03-30 12:00")) == 8 * H


def test_round_the_clock_counts_real_elapsed_time_over_years() -> None:
    start, end = at("2025-01-01 00:00"), at("2031-01-01 00:00")
    assert round_the_clock().working_seconds(start, end) == (end - start).total_seconds()


def test_a_span_of_several_years_matches_a_day_by_day_sum() -> None:
    cal = office()
    expected = 0
    day = date(2025, 3, 3)
    while day <= date(2030, 11, 20):
        if cal.is_working_day(day):
            expected += 8 * H
        day += timedelta(days=1)
    # Starts at 16:00 of the day before, ends at 00:00 after the last day: whole days only.
    assert cal.working_seconds(at("2025-03-02 16:00"), at("2030-11-21 00:00")) == expected


def test_a_span_starting_inside_hours_and_ending_in_another_year() -> None:
    # Dec 31 2025 (Wed) 14-16 = 2 h; Jan 1 holiday; Jan 2 (Fri) 8-10 = 2 h.
    assert office().working_seconds(at("2025-12-31 14:00"), at("2026-01-02 10:00")) == 4 * H


def test_adding_time_moves_past_the_weekend() -> None:
    assert office().add_working_seconds(at("2026-03-06 15:00"), 2 * H) == at("2026-03-09 09:00")


def test_adding_exactly_the_rest_of_the_day_ends_at_closing_time() -> None:
    assert office().add_working_seconds(at("2026-03-06 15:00"), H) == at("2026-03-06 16:00")


def test_adding_time_from_outside_hours_starts_at_the_next_opening() -> None:
    assert office().add_working_seconds(at("2026-03-02 20:00"), H) == at("2026-03-03 09:00")


def test_adding_zero_returns_the_start() -> None:
    assert office().add_working_seconds(at("2026-03-02 20:00"), 0) == at("2026-03-02 20:00")


def test_adding_a_day_of_round_the_clock_time_over_the_march_night() -> None:
    assert round_the_clock().add_working_seconds(at("2026-03-28 12:00"), 24 * H) == at("2026-03-29 13:00")


def test_adding_time_skips_holidays_into_the_next_year() -> None:
    # Dec 31 2025 15:00 + 3 h: 1 h on Dec 31, Jan 1 holiday, Jan 2 8-10.
    assert office().add_working_seconds(at("2025-12-31 15:00"), 3 * H) == at("2026-01-02 10:00")


def test_adding_years_of_working_time_is_the_inverse_of_counting_it() -> None:
    cal = office()
    start = at("2026-02-10 10:17")
    seconds = 9000 * H + 123
    end = cal.add_working_seconds(start, seconds)
    assert cal.working_seconds(start, end) == seconds


def test_a_calendar_without_working_time_refuses_to_search_for_ever() -> None:
    cal = BusinessCalendar("Europe/Warsaw", frozenset(), 8 * 60, 16 * 60)
    with pytest.raises(ValueError):
        cal.add_working_seconds(at("2026-01-01 00:00"), H)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        office().working_seconds(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_working_intervals_are_clipped_to_the_span() -> None:
    spans = list(office().working_intervals(at("2026-03-06 15:00"), at("2026-03-09 09:00")))
    assert spans == [
        (at("2026-03-06 15:00"), at("2026-03-06 16:00")),
        (at("2026-03-09 08:00"), at("2026-03-09 09:00")),
    ]


def test_hours_parse_including_midnight_at_the_end_and_yaml_base_60_numbers() -> None:
    assert parse_hour("08:00") == 480
    assert parse_hour("24:00") == 1440
    assert parse_hour(960) == 960  # YAML 1.1 reads an unquoted 16:00 as 960
    for bad in ("8", "25:00", "08:60", "ab:cd", "24:01"):
        with pytest.raises(ValueError):
            parse_hour(bad)


def naive_minutes(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Reference: walk real minutes and ask the wall clock whether each one is working time."""
    total = 0
    t = start.astimezone(ZoneInfo("UTC"))
    stop = end.astimezone(ZoneInfo("UTC"))
    while t < stop:
        local = t.astimezone(cal.tz)
        minute = local.hour * 60 + local.minute
        if cal.is_working_day(local.date()) and cal.start_minute <= minute < cal.end_minute:
            total += 60
        t += timedelta(minutes=1)
    return total


@pytest.mark.parametrize("kind", ["office", "round_the_clock", "evening"])
def test_random_spans_agree_with_a_minute_walking_reference(kind: str) -> None:
    rng = random.Random(f"calendar-{kind}")
    if kind == "office":
        cal = office(closed=frozenset({date(2026, 8, 14)}), open=frozenset({date(2026, 6, 13)}))
    elif kind == "round_the_clock":
        cal = BusinessCalendar("Europe/Warsaw", ALL_DAYS, 0, 24 * 60, holiday_provider("PL"))
    else:
        cal = BusinessCalendar(
            "Europe/Warsaw", frozenset({0, 2, 4, 5}), 17 * 60 + 30, 24 * 60, holiday_provider("PL")
        )
    # Starts near the DST nights, Christmas, Easter and at random, spans up to eight days.
    anchors = [
        at("2026-03-27 00:00"),
        at("2026-10-23 00:00"),
        at("2025-12-20 00:00"),
        at("2026-04-01 00:00"),
        at("2025-12-30 00:00"),
    ]
    utc = ZoneInfo("UTC")
    for i in range(24):
        base = (
            anchors[i % len(anchors)]
            if i < 15
            else at("2025-01-01 00:00") + timedelta(days=rng.randrange(2000))
        )
        start = (base.astimezone(utc) + timedelta(minutes=rng.randrange(3 * 1440))).astimezone(WAW)
        end = (start.astimezone(utc) + timedelta(minutes=rng.randrange(8 * 1440))).astimezone(WAW)
        expected = naive_minutes(cal, start, end)
        assert cal.working_seconds(start, end) == expected, (kind, start, end)
        if expected > 0:
            reached = cal.add_working_seconds(start, expected)
            assert reached <= end
            assert cal.working_seconds(start, reached) == expected
