"""Polish number writing, stated from Polish typography: decimal comma, thousands apart (with a
non-breaking space), złoty after the amount."""

import pytest

from helpdesk.domain.numbers import NBSP, percent, pln, polish_number


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
