"""Working days of a calendar file said in Polish: runs of three or more as a range."""

from helpdesk.domain.calendar import days_in_words


def test_runs_of_days_are_ranges_and_short_runs_are_listed():
    assert days_in_words(["mon", "tue", "wed", "thu", "fri"]) == "pon.–pt."
    assert (
        days_in_words(["fri", "thu", "wed", "tue", "mon"]) == "pon.–pt."
    )  # the file's order does not matter
    assert days_in_words(["mon", "wed"]) == "pon., śr."
    assert days_in_words(["mon", "tue"]) == "pon., wt."
    assert days_in_words(["mon", "tue", "wed", "fri", "sat"]) == "pon.–śr., pt., sob."
    assert days_in_words(["sat", "sun"]) == "sob., niedz."
    assert days_in_words([]) == "—"
