"""What people send, checked by hand-written examples (domain/inputs.py): the edges of numbers and
dates, the texts a title or a description becomes, the JSON a request may carry, and the Polish
refusals word for word. The expected values are written out here, never computed by the code."""

from datetime import date

import pytest

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.inputs import (
    ascii_int,
    check_json,
    check_text,
    clean_line,
    clean_multiline,
    has_lone_surrogate,
    parse_date,
)


def refusal(fn, *args, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        fn(*args, **kwargs)
    return str(caught.value)


# --- numbers -----------------------------------------------------------------------------------
def test_a_number_is_ascii_digits_within_its_range_edges_included():
    assert ascii_int(" 42 ", "limit") == 42
    assert ascii_int("0", "limit") == 0
    assert ascii_int("5", "limit", minimum=5, maximum=7) == 5
    assert ascii_int("7", "limit", minimum=5, maximum=7) == 7
    assert ascii_int("9223372036854775807", "id") == 9223372036854775807
    assert ascii_int("0" * 40, "id") == 0


def test_a_number_out_of_range_or_not_ascii_is_refused_naming_the_parameter():
    digits = "parametr 'limit' musi być liczbą naturalną zapisaną cyframi 0–9"
    assert refusal(ascii_int, "²", "limit") == digits
    assert refusal(ascii_int, "１", "limit") == digits
    assert refusal(ascii_int, "-1", "limit") == digits
    assert refusal(ascii_int, "", "limit") == digits
    assert refusal(ascii_int, "1" * 41, "limit") == digits
    assert refusal(ascii_int, "4", "limit", minimum=5, maximum=7) == (
        "parametr 'limit' musi mieścić się w zakresie 5–7"
    )
    assert refusal(ascii_int, "8", "limit", minimum=5, maximum=7) == (
        "parametr 'limit' musi mieścić się w zakresie 5–7"
    )
    assert refusal(ascii_int, "9223372036854775808", "id") == (
        "parametr 'id' musi mieścić się w zakresie 0–9223372036854775807"
    )


# --- dates -------------------------------------------------------------------------------------
def test_a_date_is_yyyy_mm_dd_from_1970_to_9998():
    assert parse_date(" 2026-11-30 ", "od") == date(2026, 11, 30)
    assert parse_date("1970-01-01", "od") == date(1970, 1, 1)
    assert parse_date("9998-12-31", "do") == date(9998, 12, 31)
    assert parse_date(date(2026, 1, 2), "od") == date(2026, 1, 2)


def test_a_bad_date_is_refused_naming_the_parameter_and_what_was_sent():
    assert refusal(parse_date, None, "od") == "parametr 'od' jest wymagany (RRRR-MM-DD)"
    assert refusal(parse_date, "  ", "od") == "parametr 'od' jest wymagany (RRRR-MM-DD)"
    assert refusal(parse_date, 20260101, "od") == "parametr 'od' jest wymagany (RRRR-MM-DD)"
    assert refusal(parse_date, "2026-1-1", "od") == "niepoprawna data od='2026-1-1' (oczekiwano RRRR-MM-DD)"
    assert refusal(parse_date, "２０２６-01-01", "od") == (
        "niepoprawna data od='２０２６-01-01' (oczekiwano RRRR-MM-DD)"
    )
    assert (
        refusal(parse_date, "2026-02-30", "do") == "niepoprawna data do='2026-02-30' (oczekiwano RRRR-MM-DD)"
    )
    assert refusal(parse_date, "x" * 50, "do") == f"niepoprawna data do='{'x' * 40}' (oczekiwano RRRR-MM-DD)"
    assert refusal(parse_date, "1969-12-31", "od") == (
        "data od='1969-12-31' poza obsługiwanym zakresem lat 1970–9998"
    )
    assert refusal(parse_date, "9999-01-01", "do") == (
        "data do='9999-01-01' poza obsługiwanym zakresem lat 1970–9998"
    )


# --- texts -------------------------------------------------------------------------------------
def test_lone_surrogates_are_found_at_both_ends_of_their_range_and_refused():
    assert has_lone_surrogate("a\ud800") is True
    assert has_lone_surrogate("\udfffb") is True
    assert has_lone_surrogate("\ud7ff\ue000 zażółć 😀") is False
    assert check_text("zażółć", "title") == "zażółć"
    assert refusal(check_text, "x\udc00", "title") == (
        "pole 'title' zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)"
    )


def test_a_title_is_one_line_without_control_or_format_characters_but_keeps_the_emoji_joiner():
    assert clean_line("  Drukarka\r\nnie\tdrukuje\x0b\x0c\x85\u2028\u2029!  ") == "Drukarka nie drukuje !"
    assert clean_line("a\x00b\x1fc\x7fd") == "a b c d"
    assert clean_line("bez\u200bspacji\u200e") == "bezspacji"
    assert clean_line("👩\u200d💻") == "👩\u200d💻"
    assert clean_line("zażółć   gęślą") == "zażółć gęślą"


def test_a_description_keeps_lf_and_tab_and_drops_other_control_characters():
    assert clean_multiline("a\r\nb\rc\nd\te\x00f\x1b") == "a\nb\nc\nd\tef"
    assert clean_multiline("bez\u200bzmian") == "bez\u200bzmian"


# --- JSON --------------------------------------------------------------------------------------
def test_storable_json_comes_back_as_it_was():
    value = {"a": [1, -(2**63), 2**63 - 1, 1.5, True, None, "zażółć"], "b": {"c": {}}}
    assert check_json(value) is value
    assert check_json("x") == "x"
    assert check_json(None) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("\ud800", "treść żądania zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)"),
        (
            {"title": "\ud800"},
            "pole 'title': treść żądania zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)",
        ),
        ({"\ud800": 1}, "treść żądania zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)"),
        ({"n": 2**63}, "pole 'n': liczba w treści żądania jest poza zakresem (najwyżej 64 bity)"),
        ([-(2**63) - 1], "liczba w treści żądania jest poza zakresem (najwyżej 64 bity)"),
        ({"x": [float("inf")]}, "pole 'x': liczba w treści żądania musi być skończona"),
        (float("nan"), "liczba w treści żądania musi być skończona"),
        (
            {"k" * 50: 2**64},
            f"pole '{'k' * 40}': liczba w treści żądania jest poza zakresem (najwyżej 64 bity)",
        ),
        ({"a": {"b": 2**64}}, "pole 'b': liczba w treści żądania jest poza zakresem (najwyżej 64 bity)"),
    ],
)
def test_unstorable_json_is_refused_naming_the_field(value, message):
    assert refusal(check_json, value) == message


def test_json_nesting_is_counted_from_one_for_the_outer_value():
    def nested(levels: int) -> list:
        value: list = []
        for _ in range(levels - 1):
            value = [value]
        return value

    assert check_json(nested(3), max_depth=3) == [[[]]]
    assert refusal(check_json, nested(4), max_depth=3) == (
        "treść żądania jest zagnieżdżona zbyt głęboko (najwyżej 3 poziomów)"
    )
    deep_dict = {"a": {"b": {"c": 1}}}
    assert check_json(deep_dict, max_depth=3) is deep_dict
    assert refusal(check_json, {"a": {"b": {"c": {}}}}, max_depth=3) == (
        "treść żądania jest zagnieżdżona zbyt głęboko (najwyżej 3 poziomów)"
    )
    assert check_json(nested(32)) is not None
    assert (
        refusal(check_json, nested(33))
        == "treść żądania jest zagnieżdżona zbyt głęboko (najwyżej 32 poziomów)"
    )


def test_every_item_after_a_null_or_a_boolean_is_still_checked():
    assert (
        refusal(check_json, ["\ud800", None])
        == "treść żądania zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)"
    )
    assert (
        refusal(check_json, [2**64, True]) == "liczba w treści żądania jest poza zakresem (najwyżej 64 bity)"
    )
