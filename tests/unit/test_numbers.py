"""Polish number writing, stated from Polish typography: decimal comma, thousands apart (with a
non-breaking space), złoty after the amount."""

import pytest

from helpdesk.domain.numbers import NBSP, duration, percent, pln, polish_number


@pytest.mark.parametrize(
    ("value", "places", "written"),
    [
        (52000, 2, "52 000,00"),
        (1234567.5, 2, "1 234 567,50"),
        (5946.92, None, "5 946,92"),
        (40.0, None, "40"),
        (12.5, None, "12,5"),
        (999, 0, "999"),
        (-0.001, 2, "0,00"),
        ("300.5", 2, "300,50"),
    ],
)
def test_numbers_take_a_decimal_comma_and_spaced_thousands(value, places, written):
    assert polish_number(value, places) == written.replace(" ", NBSP)


def test_amounts_and_shares():
    assert pln(52000) == f"52{NBSP}000,00{NBSP}zł"
    assert percent(0.125) == "12,5%" and percent(0.2) == "20%"


def test_working_time_is_said_in_hours_not_in_days_of_unknown_length():
    # 2 400 working minutes are five days of 08:00–16:00 or 1 day 16 h of a 24-hour calendar: hours
    # say the same in both.
    assert duration(2400) == "40 h"
    assert duration(7021) == "117 h 1 min"
    assert duration(61) == "1 h 1 min" and duration(40) == "40 min" and duration(0) == "0 min"
    assert duration(-90) == "1 h 30 min"  # an overrun is said by its size
    assert duration(100_000) == f"1{NBSP}666 h 40 min"
