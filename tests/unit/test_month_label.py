"""A month as a Polish heading names it (the rollout plan's columns, the monthly statement)."""

from datetime import date

from helpdesk.domain.calendar import month_label


def test_a_month_is_named_in_the_nominative_with_its_year():
    assert month_label("2026-02") == "luty 2026"
    assert month_label(date(2027, 10, 31)) == "październik 2027"
    assert month_label("2030-01-15") == "styczeń 2030"  # a whole date names its month
