"""Polish plural forms of counted nouns (services/texts.py `plural_pl`)."""

import pytest

from helpdesk.services.texts import plural_pl


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 osób"),
        (1, "1 osoba"),
        (2, "2 osoby"),
        (4, "4 osoby"),
        (5, "5 osób"),
        (12, "12 osób"),
        (14, "14 osób"),
        (21, "21 osób"),
        (22, "22 osoby"),
        (23, "23 osoby"),
        (25, "25 osób"),
        (112, "112 osób"),
        (122, "122 osoby"),
    ],
)
def test_counted_nouns_take_the_polish_form_of_their_number(n, expected):
    assert plural_pl(n, "osoba", "osoby", "osób") == expected
