"""Spellings a word typed without Polish letters may stand for, as Polish spelling allows them."""

from helpdesk.domain.kb.spelling import polish_spellings


def test_the_polish_letters_come_back_where_polish_spelling_allows_them() -> None:
    spellings = polish_spellings("widac")
    assert "widać" in spellings
    assert "widac" not in spellings  # the word itself is not a new spelling
    assert "ąbc" not in polish_spellings("abc")  # ą and ę never begin a word
    assert not any(
        "ćie" in s or "śi" in s for s in polish_spellings("ciesi")
    )  # no soft letter before a vowel
    assert "źródło" in polish_spellings("zrodlo")  # three letters change
    assert "żona" in polish_spellings("zona")  # ż may stand before a vowel, ź may not
    assert "źona" not in polish_spellings("zona")


def test_fewer_changes_come_first_and_the_count_stays_within_the_budget() -> None:
    spellings = polish_spellings("zaswiadczenie")
    changed = [sum(a != b for a, b in zip(s, "zaswiadczenie", strict=True)) for s in spellings]
    assert changed == sorted(changed)
    assert len(spellings) <= 128
    assert len(polish_spellings("przyporzadkowanie", budget=10)) <= 10


def test_words_with_nothing_to_change_or_other_characters_have_no_spellings() -> None:
    assert polish_spellings("tym") == []
    assert polish_spellings("ezd2") == []
    assert polish_spellings("hasło") == []
