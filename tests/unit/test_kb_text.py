"""Polish normalisation: folding, tokens, the stemmer used to group unanswered questions, small talk."""

import random
import unicodedata

from helpdesk.domain.kb.text import fold, is_small_talk, raw_tokens, stem, tokens


def test_folding_lowers_case_and_strips_every_polish_diacritic() -> None:
    assert fold("Zażółć GĘŚLĄ jaźń Łódź") == "zazolc gesla jazn lodz"


def test_tokens_glue_a_one_letter_e_prefix_and_drop_punctuation() -> None:
    assert tokens("Mój e-podpis, e-mail i PIN-u!") == ["moj", "epodpis", "email", "i", "pin"]


def test_an_acronyms_case_ending_is_dropped_and_a_two_syllable_name_joined_and_nothing_else() -> None:
    text = "Odblokuj PUK-iem, zapisz w PDF-ie, wyślij NIP-owi; biało-czerwony Wi-Fi, ping-pong, PIN-PUK"
    expected = [
        "odblokuj",
        "puk",
        "zapisz",
        "w",
        "pdf",
        "wyślij",
        "nip",
        "biało",
        "czerwony",
        "wifi",
        "ping",
        "pong",
        "pin",
        "puk",
    ]
    assert raw_tokens(text) == expected
    assert tokens(text) == [fold(t) for t in expected]


def test_inflected_forms_share_a_stem() -> None:
    assert stem("podpisu") == stem("podpisem") == stem("podpis")
    assert stem(fold("hasła")) == stem(fold("hasło"))
    assert stem("zablokowane") == stem("zablokowany")


def test_short_words_and_numbers_are_left_alone() -> None:
    assert stem("pin") == "pin"
    assert stem("2025") == "2025"


def test_verb_endings_do_not_collapse_short_words() -> None:
    assert stem("dziala") != "dzi"


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


def test_raw_tokens_keep_polish_letters_for_the_morphology() -> None:
    assert raw_tokens("Zażółć GĘŚLĄ, e-podpis!") == ["zażółć", "gęślą", "epodpis"]


def test_a_probe_of_the_bot_is_small_talk_but_a_question_about_the_test_is_not() -> None:
    for text in ("test", "test 123", "Test, test!", "próba"):
        assert is_small_talk(text), text
    assert not is_small_talk("test końcowy e-learningu")
    assert not is_small_talk("2025")


def test_a_thankful_reply_is_small_talk_but_a_complaint_is_not() -> None:
    for text in ("dzięki, działa!", "Dziękuję, już działa 👍", "ok dzięki, pomogło"):
        assert is_small_talk(text), text
    for text in ("dzięki, ale nie działa", "działa?", "skaner działa, a drukarka nie"):
        assert not is_small_talk(text), text


def test_folding_drops_every_combining_mark_as_the_character_by_character_rule_does() -> None:
    """The fast path (str.translate of the marks of the Basic Multilingual Plane) folds exactly as
    NFKD followed by dropping each combining character, on any text."""

    def reference(text: str) -> str:
        text = text.translate(str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})).lower()
        return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))

    rng = random.Random(11)
    texts = [
        "Zażółć gęślą jaźń – „cytat”",
        "ŁÓDŹ ß ø đ",
        "ﬁ x² Ǆ Å Ω",
        "e\u0301 \U0001d400bc\U0001d167",
        "ascii only",
    ]
    texts += ["".join(chr(rng.randrange(32, 0x30000)) for _ in range(300)) for _ in range(50)]
    for text in texts:
        assert fold(text) == reference(text), text[:30]
