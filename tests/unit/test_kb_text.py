"""Polish normalisation: folding, tokens, stemming, synonyms, small talk."""

from helpdesk.domain.kb.synonyms import analyze, canonical_term
from helpdesk.domain.kb.text import fold, is_small_talk, stem, tokens


def test_folding_lowers_case_and_strips_every_polish_diacritic() -> None:
    assert fold("Zażółć GĘŚLĄ jaźń Łódź") == "zazolc gesla jazn lodz"


def test_tokens_glue_a_one_letter_e_prefix_and_drop_punctuation() -> None:
    assert tokens("Mój e-podpis, e-mail i PIN-u!") == ["moj", "epodpis", "email", "i", "pin", "u"]


def test_inflected_forms_share_a_stem() -> None:
    assert stem("podpisu") == stem("podpisem") == stem("podpis")
    assert stem(fold("hasła")) == stem(fold("hasło"))
    assert stem("zablokowane") == stem("zablokowany")
    assert stem("skanera") == stem("skanerze") or canonical_term("skanera") == canonical_term("skanerze")


def test_short_words_and_numbers_are_left_alone() -> None:
    assert stem("pin") == "pin"
    assert stem("2025") == "2025"


def test_verb_endings_do_not_collapse_short_words() -> None:
    assert stem("dziala") != "dzi"


def test_colloquial_words_map_to_the_canonical_term() -> None:
    assert canonical_term("apka") == canonical_term("aplikacja")
    assert canonical_term("haslo") == canonical_term("password")
    assert canonical_term("manual") == canonical_term("instrukcja")
    assert canonical_term("laptop") == canonical_term("komputer")


def test_a_phrase_synonym_adds_its_canonical_term() -> None:
    terms = [t for _, t in analyze("Od rana nic nie działa")]
    assert canonical_term("awaria") in terms


def test_stopwords_and_greetings_do_not_become_terms() -> None:
    assert [w for w, _ in analyze("Dzień dobry, jak to zrobić? Pozdrawiam")] == []


def test_greetings_thanks_and_punctuation_are_small_talk() -> None:
    for text in ("Cześć!", "dzięki wielkie", "Dzień dobry", "...", "ok, dziękuję", ""):
        assert is_small_talk(text), text


def test_a_real_question_is_not_small_talk() -> None:
    assert not is_small_talk("Dzień dobry, nie działa skaner")


def test_the_mobile_e_of_ek_nouns_does_not_split_their_forms() -> None:
    assert stem("podatek") == stem("podatku") == stem("podatkiem")
    assert stem("wniosek") == stem("wniosku")


def test_adjective_endings_ym_and_im_share_the_stem() -> None:
    assert stem(fold("nowym")) == stem(fold("nowy"))
    assert stem(fold("zaufanym")) == stem(fold("zaufany"))
    assert stem(fold("polskim")) == stem(fold("polski"))


def test_homographs_keep_their_own_terms() -> None:
    # działa (it works) is not dział (a department); lista (a list) is not list (a letter)
    assert canonical_term(fold("działa")) != canonical_term(fold("dział"))
    assert canonical_term(fold("działa")) == canonical_term(fold("działają"))
    assert canonical_term(fold("liście")) == canonical_term(fold("lista")) != canonical_term("list")
    assert [t for _, t in analyze("Nie działa")] == [t for _, t in analyze("nie dziala")]


def test_everyday_words_for_wrong_laptop_and_home_map_to_the_article_words() -> None:
    assert canonical_term(fold("złym")) == canonical_term(fold("błędny")) == canonical_term(fold("zły"))
    assert canonical_term("lapku") == canonical_term("komputer")
    assert canonical_term("zdalnie") in [t for _, t in analyze("pracuję z chaty")]
