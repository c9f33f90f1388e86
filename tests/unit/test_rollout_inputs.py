"""What the rollout's forms accept (domain/rollout.py), word for word: identifiers, dates, milestone
kinds and their Polish names, lists of short codes, the day a leader became trained and what the
leaders are trained for. Expected values written out by hand."""

from datetime import date

import pytest

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.rollout import (
    Attendance,
    check_slug,
    milestone_label,
    parse_codes,
    parse_date,
    parse_milestone_kind,
    trainable,
    trained_on,
)


def refusal(fn, *args) -> str:
    with pytest.raises(InvalidInput) as caught:
        fn(*args)
    return str(caught.value)


def test_a_slug_is_lower_case_ascii_digits_and_hyphens_up_to_63_characters():
    assert check_slug("ezd-2", "id") == "ezd-2"
    assert check_slug("a" * 63, "id") == "a" * 63
    message = "id systemu musi składać się z małych liter, cyfr i łączników (do 63 znaków)"
    for bad in ("a" * 64, "-ezd", "EZD", "ezd_2", "", 12):
        assert refusal(check_slug, bad, "id systemu") == message


def test_a_date_is_yyyy_mm_dd_named_by_its_field():
    assert parse_date(" 2027-03-01 ", "planned") == date(2027, 3, 1)
    assert parse_date(date(2027, 3, 1), "planned") == date(2027, 3, 1)
    assert refusal(parse_date, 20270301, "planned") == "pole 'planned' musi być datą w postaci RRRR-MM-DD"
    assert refusal(parse_date, "1 marca 2027 roku, rano", "planned") == (
        "pole 'planned': '1 marca 2027 roku, r' nie jest datą w postaci RRRR-MM-DD"
    )


def test_a_milestone_kind_is_a_step_of_the_plan_or_a_registered_system():
    assert parse_milestone_kind("gotowosc") == "gotowosc"
    assert parse_milestone_kind("system:kw", ["kw", "geo"]) == "system:kw"
    message = (
        "nieznany kamień milowy '{}' (dozwolone: gotowosc, liderzy_przeszkoleni, prezentacja, "
        "esb_podlaczona, ezd_produkcja, system:<id systemu>)"
    )
    assert refusal(parse_milestone_kind, "system:inny", ["kw"]) == message.format("system:inny")
    assert refusal(parse_milestone_kind, "kw", ["kw"]) == message.format("kw")
    assert refusal(parse_milestone_kind, 7) == message.format("7")
    assert refusal(parse_milestone_kind, "x" * 50) == message.format("x" * 40)


def test_milestones_are_named_in_polish_a_system_by_its_name_when_known():
    assert milestone_label("ezd_produkcja") == "EZD w produkcji"
    assert milestone_label("system:kw", {"kw": "Księgi wieczyste"}) == (
        "podłączenie systemu dziedzinowego Księgi wieczyste"
    )
    assert milestone_label("system:kw") == "podłączenie systemu dziedzinowego kw"
    assert milestone_label("inny") == "inny"


def test_codes_come_as_a_list_or_semicolon_separated_text_trimmed_once_each():
    assert parse_codes(None, "needs") == ()
    assert parse_codes(" sprzet ; lacze;;sprzet ", "needs") == ("sprzet", "lacze")
    assert parse_codes(["a", " b ", ""], "needs") == ("a", "b")
    assert parse_codes(("a",), "needs") == ("a",)
    assert parse_codes(["x" * 200], "needs") == ("x" * 200,)
    assert refusal(parse_codes, ["x" * 201], "needs") == "pole 'needs': element za długi (limit 200 znaków)"
    assert refusal(parse_codes, ["a", 1], "needs") == "pole 'needs' musi być listą tekstów"
    assert refusal(parse_codes, {"a": 1}, "needs") == "pole 'needs' musi być listą tekstów"


def test_a_leader_is_trained_on_the_day_the_last_required_kind_was_first_done():
    def att(kind: str, component: str, day: int) -> Attendance:
        return Attendance(kind, component, date(2027, 3, day))

    attended = [
        att("instruktaz", "EZD", 20),
        att("elearning", "EZD", 12),
        att("elearning", "EZD", 5),
        att("instruktaz", "EZD", 15),
        att("prezentacja", "EZD", 25),
        att("elearning", "ESB", 1),
    ]
    assert trained_on(attended, "EZD") == date(2027, 3, 15)
    assert trained_on(attended, "ESB") is None
    assert trained_on([], "EZD") is None


def test_only_the_core_parts_are_trained_in_the_registrys_order():
    assert trainable(["ESB", "KW", "EZD"]) == ["EZD", "ESB"]
    assert trainable(["GEO"]) == []
