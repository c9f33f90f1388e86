"""Office codes and the first line's clock without a target, stated by hand.

Rules: an office is named by its TERYT code — 7 digits (gmina), 4 (powiat) or 2 (województwo,
the marshal's office) — and nothing else; a first-line clock whose office sets no target for the
priority shows `target_min: null` and no state (README "SLA over the life of a contract").
"""

import pytest

from helpdesk.domain.offices import is_office_code
from helpdesk.domain.sla import FirstLineMetric


@pytest.mark.parametrize("code", ["1462011", "1465", "14"])
def test_seven_four_or_two_digits_are_an_office_code(code: str) -> None:
    assert is_office_code(code) is True


@pytest.mark.parametrize(
    "code", ["", "1", "146", "14620", "146201", "14620111", "146201a", "1462011\n", " 14"]
)
def test_anything_else_is_not(code: str) -> None:
    assert is_office_code(code) is False


def test_a_first_line_clock_without_a_target_shows_null_and_no_state() -> None:
    assert FirstLineMetric(90, None, None, True).to_json() == {
        "elapsed_min": 1.5,
        "target_min": None,
        "state": None,
    }
