"""The regular patterns of secondary imperfectives, stated from Polish grammar, not from questions."""

import pytest

from helpdesk.domain.kb.aspect import perfective_spellings


@pytest.mark.parametrize(
    ("imperfective", "perfective"),
    [
        ("podpisywać", "podpisać"),  # -ywać from -ać
        ("wyszukiwać", "wyszukać"),  # -iwać after k
        ("odblokowywać", "odblokować"),
        ("dodawać", "dodać"),  # -awać
        ("rozpoznawać", "rozpoznać"),
        ("wysyłać", "wysłać"),  # -yłać from -łać
        ("zmieniać", "zmienić"),  # -iać from -ić
        ("uzupełniać", "uzupełnić"),
        ("załączać", "załączyć"),  # -ać from -yć
        ("zatwierdzać", "zatwierdzić"),  # -ać from -ić after a hard consonant
        ("przywracać", "przywrócić"),  # a in the stem from ó
        ("zwalniać", "zwolnić"),  # a in the stem from o
    ],
)
def test_each_pattern_offers_the_perfective_among_its_candidates(imperfective: str, perfective: str) -> None:
    assert perfective in perfective_spellings(imperfective)


@pytest.mark.parametrize("word", ["drukować", "pisać", "dać", "zapomnieć", "hasło", "móc"])
def test_words_no_pattern_fits_have_no_candidates_or_not_themselves(word: str) -> None:
    assert word not in perfective_spellings(word)
    assert perfective_spellings("hasło") == ()
    assert perfective_spellings("zapomnieć") == ()
