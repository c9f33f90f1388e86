"""Office codes, a row of the offices' registry and the first line's clock without a target,
stated by hand.

Rules: an office is named by its TERYT code — 7 digits (gmina), 4 (powiat) or 2 (województwo,
the marshal's office) — and nothing else; a first-line clock whose office sets no target for the
priority shows `target_min: null` and no state (README "SLA over the life of a contract"); a
registry row is refused with the reason in Polish (a TERYT code, a name, a known type, whole
non-negative numbers, 1–3 leaders, known components).
"""

import pytest

from helpdesk.domain.offices import is_office_code
from helpdesk.domain.sla import FirstLineMetric


@pytest.mark.parametrize("code", ["1462011", "1465", "14"])
def test_seven_four_or_two_digits_are_an_office_code(code: str) -> None:
    assert is_office_code(code) is True


@pytest.mark.parametrize(
    "code",
    ["", "1", "146", "14620", "146201", "14620111", "146201a", "1462011\n", " 14"],
    ids=["empty", "1", "3", "5", "6", "8", "letter", "newline", "space"],
)
def test_anything_else_is_not(code: str) -> None:
    assert is_office_code(code) is False


def test_a_first_line_clock_without_a_target_shows_null_and_no_state() -> None:
    assert FirstLineMetric(90, None, None, True).to_json() == {
        "elapsed_min": 1.5,
        "target_min": None,
        "state": None,
    }


# --- a row of the offices' registry ----------------------------------------------------------------

ROW = {
    "code": "1462011",
    "name": "Urząd Miasta Płocka",
    "type_": "gmina_miejska",
    "employees": "420",
    "components": "EZD;ePUAP",
    "leaders_max": "3",
}


def test_a_registry_row_builds_an_office_with_canonical_components() -> None:
    from helpdesk.domain.offices import Office, OfficeType, make_office

    assert make_office(**ROW) == Office(
        "1462011", "Urząd Miasta Płocka", OfficeType.GMINA_MIEJSKA, 420, ("EZD", "EPUAP"), 3
    )
    assert make_office(**{**ROW, "leaders_max": "1"}).leaders_max == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "146201", "kod TERYT '146201' jest niepoprawny (oczekiwano 2, 4 lub 7 cyfr)"),
        ("name", "  ", "nazwa urzędu jest pusta"),
        (
            "type_",
            "wies",
            "nieznany typ urzędu 'wies' (dozwolone: gmina_miejska, gmina_wiejska, gmina_miejsko_wiejska, "
            "powiat_ziemski, powiat_grodzki, urzad_marszalkowski)",
        ),
        ("employees", "dużo", "employees i leaders_max muszą być liczbami całkowitymi"),
        ("employees", "-1", "liczba pracowników nie może być ujemna"),
        ("leaders_max", "4", "leaders_max musi wynosić od 1 do 3 (jest 4)"),
        ("leaders_max", "0", "leaders_max musi wynosić od 1 do 3 (jest 0)"),
        (
            "components",
            "EZD;fax",
            "nieznany komponent 'fax' (dozwolone: EZD, ESB, EPUAP, PODPIS, SKANOWANIE, SPRZET, KONTO, "
            "SZKOLENIA, ORGANIZACJA, SYSTEMY_DZIEDZINOWE)",
        ),
    ],
    ids=["code", "name", "type", "employees", "negative", "four-leaders", "no-leader", "component"],
)
def test_a_bad_registry_field_is_refused_saying_what_is_wrong(field: str, value: str, message: str) -> None:
    from helpdesk.domain.errors import InvalidInput
    from helpdesk.domain.offices import make_office

    with pytest.raises(InvalidInput) as caught:
        make_office(**{**ROW, field: value})
    assert str(caught.value) == message
