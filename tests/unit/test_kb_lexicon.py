"""Words to terms with Morfeusz 2: lemmas with their ambiguity, forms typed without Polish letters,
word families, synonyms and stopwords."""

import pytest

from helpdesk.adapters.morph import morfeusz
from helpdesk.domain.kb.synonyms import WORD_GROUPS
from helpdesk.services.kb import lexicon as lexicon_module
from helpdesk.services.kb.lexicon import Lexicon

ARTICLE_TEXTS = [
    "Nie pamiętam hasła. Zapomniałem hasła do EZD, jak je zresetować?",
    "Lista spraw i listy polecone. Dział kadr. System działa wolno.",
    "Rejestracja pisma w kancelarii. Dekretacja pisma na pracownika. Logowanie kartą.",
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(morfeusz(), ARTICLE_TEXTS)


def terms(lexicon: Lexicon, text: str) -> list[tuple[str, ...]]:
    return [w.terms for w in lexicon.words(text) if " " not in w.surface]


def test_inflected_forms_share_their_lemma(lexicon: Lexicon) -> None:
    assert terms(lexicon, "hasła") == terms(lexicon, "hasło") == terms(lexicon, "hasłem") == [("haslo",)]


def test_words_typed_without_polish_letters_find_the_lemmas_of_the_articles(lexicon: Lexicon) -> None:
    assert terms(lexicon, "zapomnialam hasla") == [("zapomniec",), ("haslo",)]


def test_ambiguous_words_keep_every_reading(lexicon: Lexicon) -> None:
    (listy,) = terms(lexicon, "listy")
    assert {"list", "lista"} <= set(listy)
    (dziala,) = terms(lexicon, "działa")
    assert "dzialac" in dziala
    assert "dzial" not in dziala  # działa (it works) is not dział (a department)


def test_aspect_pairs_and_acja_nouns_join_their_verbs(lexicon: Lexicon) -> None:
    assert terms(lexicon, "zalogować") == terms(lexicon, "logować") == terms(lexicon, "logowanie")
    assert terms(lexicon, "zarejestrowałam") == terms(lexicon, "rejestracja")
    assert terms(lexicon, "zadekretować") == terms(lexicon, "dekretacja")


def test_a_prefix_that_changes_the_meaning_keeps_its_own_term(lexicon: Lexicon) -> None:
    assert terms(lexicon, "wylogować") != terms(lexicon, "zalogować")


def test_function_words_greetings_and_typos_of_them_are_no_terms(lexicon: Lexicon) -> None:
    assert terms(lexicon, "Dzień dobry, czy mogę to zrobić, gdize? Pozdrawiam") == []


def test_a_word_typed_without_polish_letters_that_no_article_uses_is_known_by_its_spelling() -> None:
    # "wpadaja" is "wpadają": a word the articles do not use, not a typo of "wydają", which they do.
    lexicon = Lexicon(morfeusz(), ["Urzędy wydają decyzje."])
    (word,) = lexicon.words("wpadaja")
    assert word.known and word.terms == ("wpadac",)
    assert lexicon.words("wiec juz") == []  # function words typed without their Polish letters
    (lost,) = lexicon.words("zgubilam")  # zgubiłam → zgubić, a synonym of utrata
    assert lost.terms == ("utrata",)
    (name,) = lexicon.words("hsalo")  # no spelling of it is Polish: a typo, left to the matcher
    assert not name.known


def test_a_text_gives_only_so_many_words_their_polish_letters_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # A flood of made-up words must not cost a dictionary call of a hundred spellings each.
    monkeypatch.setattr(lexicon_module, "RESPELLED_PER_TEXT", 2)
    lexicon = Lexicon(morfeusz(), ["Urzędy wydają decyzje."])
    first, second, third = lexicon.words("wpadaja zgubilam zrodlo")
    assert first.known and second.known
    assert not third.known  # over the budget: left to typo repair …
    (alone,) = lexicon.words("zrodlo")
    assert alone.known  # … and not remembered so: asked on its own, it is źródło


def test_words_the_dictionary_does_not_know_stand_for_themselves(lexicon: Lexicon) -> None:
    (word,) = lexicon.words("ezd")
    assert word.terms == ("ezd",)
    assert not word.known


def test_synonyms_map_onto_one_term(lexicon: Lexicon) -> None:
    assert terms(lexicon, "laptop") == terms(lexicon, "komputer")
    assert terms(lexicon, "szefowa") == terms(lexicon, "kierownik")
    assert ("kancelaria",) in [w.terms for w in lexicon.words("w biurze podawczym, biuro podawcze")]


def test_no_synonym_group_holds_words_taken_from_scored_questions() -> None:
    # Colloquialisms and typos that were once copied from development questions: they must not
    # come back (the matcher is scored on those questions).
    removed = {"lapek", "lapku", "laptok", "z chaty", "z chałupy", "walnąć się", "lipny", "ubić", "wbić"}
    members = {m for group in WORD_GROUPS for m in group}
    assert not members & removed


def test_the_analyses_cached_while_indexing_can_be_forgotten() -> None:
    from helpdesk.adapters.morph import MorfeuszMorphology

    morphology = MorfeuszMorphology()
    assert morphology.analyse("hasła") and morphology.forms("hasło")
    morphology.forget()
    assert morphology.analyse.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert morphology.forms.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert ("hasło", "subst") in morphology.analyse("hasła")  # still answers, from Morfeusz again


def test_the_generator_is_loaded_only_when_forms_are_asked_for() -> None:
    from helpdesk.adapters.morph import MorfeuszMorphology

    morphology = MorfeuszMorphology()
    assert ("lista", "subst") in morphology.analyse("listy")
    assert morphology._generator is None  # answering questions needs no generator (9 MB)
    forms = morphology.forms("hasło")
    assert {"hasło", "hasła", "haseł", "hasłem"} <= set(forms)
    assert morphology._generator is not None


def test_a_secondary_imperfective_stands_for_the_perfective_the_articles_use() -> None:
    # Articles name the task (zmienić, wysłać, zatwierdzić); people say what they are doing.
    lexicon = Lexicon(morfeusz(), ["Jak zmienić hasło, wysłać pismo, zatwierdzić i przywrócić dokument?"])
    assert terms(lexicon, "zmieniam") == terms(lexicon, "zmienić") == [("zmienic",)]
    assert terms(lexicon, "wysyłamy") == terms(lexicon, "wysylam") == terms(lexicon, "wysłać")
    assert terms(lexicon, "zatwierdzała") == terms(lexicon, "zatwierdzić")
    assert terms(lexicon, "przywracam") == terms(lexicon, "przywrócić")


def test_an_imperfective_whose_only_candidate_is_an_old_word_keeps_its_own_term() -> None:
    # "uważyć" fits the pattern of "uważać" but SGJP marks it old ("daw."): no pair.
    lexicon = Lexicon(morfeusz(), ["Uważać na błędy."])
    assert terms(lexicon, "uważam") == [("uwazac",)]
    assert morfeusz().aspects("uważyć") == frozenset()
    assert morfeusz().aspects("uważać") == {"imperf"}
    assert morfeusz().aspects("zmienić") == {"perf"}
