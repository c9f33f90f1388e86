"""The office calendar page states the first line's targets in Polish words, not the file's codes."""

import pytest

from helpdesk.web.calendar_pages import target_in_words


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("30m", "30 min"),
        ("4h", "4 h"),
        ("1d", "1 dzień pracy"),
        ("3d", "3 dni pracy"),
        (" 2h ", "2 h"),
        ("1,5h", "1,5h"),  # not the file's form: shown as it is
    ],
)
def test_a_target_reads_in_polish(spec, words):
    assert target_in_words(spec) == words
