"""Working hours that do not start on the hour keep their minutes on the days the clocks change,
and a closed day is not worked while an open one is — worked out by hand for Europe/Warsaw, where
summer time began on Sunday 29 March 2026 (02:00 → 03:00) and ended on Sunday 25 October 2026
(03:00 → 02:00)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.calendar import BusinessCalendar

WAW = ZoneInfo("Europe/Warsaw")
EVERY_DAY = frozenset(range(7))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25", "2026-03-28"])
def test_hours_off_the_hour_keep_their_minutes_on_a_day_the_clocks_change(day: str) -> None:
    calendar = BusinessCalendar("Europe/Warsaw", EVERY_DAY, 8 * 60 + 5, 16 * 60 + 5)  # 08:05–16:05
    assert list(calendar.working_intervals(at(f"{day} 00:00"), at(f"{day} 23:59"))) == [
        (at(f"{day} 08:05"), at(f"{day} 16:05"))
    ]
    assert calendar.working_seconds(at(f"{day} 00:00"), at(f"{day} 23:59")) == 8 * 3600


def test_a_closed_day_is_not_worked_and_an_open_one_is() -> None:
    calendar = BusinessCalendar(
        "Europe/Warsaw",
        frozenset(range(5)),
        8 * 60,
        16 * 60,
        closed=frozenset({date(2026, 3, 27)}),  # a Friday
        open=frozenset({date(2026, 3, 28)}),  # a Saturday
    )
    assert calendar.is_working_day(date(2026, 3, 27)) is False
    assert calendar.is_working_day(date(2026, 3, 28)) is True
    assert calendar.is_working_day(date(2026, 3, 29)) is False  # an ordinary Sunday
    assert calendar.is_working_day(date(2026, 3, 26)) is True
