"""Sizes for people, Polish style (services/texts.py `human_size`): the web pages, the bot and mail."""

import pytest

from helpdesk.services.texts import human_size


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0 B"),
        (3, "3 B"),
        (1023, "1023 B"),
        (1024, "1 KB"),
        (20 * 1024, "20 KB"),
        (500 * 1024, "500 KB"),
        (1024 * 1024, "1 MB"),
        (1536 * 1024, "1,5 MB"),
        (10 * 1024 * 1024, "10 MB"),
    ],
)
def test_a_size_is_shown_in_the_unit_people_read(size: int, expected: str) -> None:
    assert human_size(size) == expected
