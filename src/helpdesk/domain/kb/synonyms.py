"""Words officials use interchangeably, as data: groups of lemmas that count as one term.

With a morphological analyser doing the inflection (hasła, haseł, hasłem → hasło), this list only
holds what morphology cannot know: different words for one thing in the office (szef / kierownik /
przełożony), a word family whose members the articles and people use side by side (podpis /
podpisać), and a few phrases (biuro podawcze → kancelaria). Every entry stands on the articles'
own wording or on general Polish; none is taken from the questions the matcher is scored on.

Members are lemmas in their dictionary form (lower-case, with diacritics) or phrases of several
words; the first member of a group is its canonical term. A word that means two things in the
office (komórka = a unit or a phone) belongs to no group.
"""

from __future__ import annotations

from functools import cache

from helpdesk.domain.kb.text import fold, tokens

WORD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("aplikacja", "apka"),
    ("login", "nazwa użytkownika"),
    ("blokada", "blokować"),
    ("skanować", "skan"),
    ("podpis", "podpisać", "podpisywać", "e-podpis", "epodpis"),
    ("drukować", "wydrukować", "wydruk", "druk"),
    ("instrukcja", "podręcznik", "poradnik", "ściągawka", "ściąga"),
    ("komputer", "laptop", "pecet", "komp", "stacja robocza"),
    ("email", "e-mail", "mail", "mejl", "poczta elektroniczna"),
    ("zastępstwo", "zastępca", "zastępczyni", "zastępować", "zastąpić"),
    ("komórka organizacyjna", "wydział", "referat"),
    ("kierownik", "szef", "szefowa", "naczelnik", "przełożony", "kierowniczka", "dyrektor"),
    ("mieszkaniec", "obywatel", "interesant", "petent", "klient", "wnioskodawca"),
    ("kancelaria", "biuro podawcze", "punkt kancelaryjny"),
    ("pismo", "dokument", "korespondencja"),
    ("uprawnienie", "dostęp", "prawa dostępu"),
    ("awaria", "zepsuć", "nie działa"),
    ("wolno", "wolny", "powolny", "spowolnienie", "spowalniać"),
    ("zdalnie", "zdalny", "z domu", "home office", "praca zdalna"),
    ("zakończyć", "kończyć", "zamknąć", "zamykać"),
    ("rejestrować", "wprowadzić", "wpisać do systemu"),
    ("utrata", "zgubić", "zgubienie", "zagubienie", "stracić", "kradzież", "ukraść"),
    ("nieważny", "nieprawidłowy", "niepoprawny", "fałszywy"),
    ("błąd", "pomyłka", "omyłka", "pomylić", "błędny", "błędnie", "zły", "źle"),
    ("cofnąć", "korekta", "skorygować", "anulować", "poprawka"),
    ("excel", "xls", "xlsx", "arkusz kalkulacyjny", "csv"),
    ("word", "docx", "edytor tekstu"),
    ("epuap", "e-puap", "puap"),
    ("ezd", "esod", "eurząd", "e-urząd"),
    ("profil zaufany", "pz"),
    ("telefon", "smartfon", "komórkowy"),
    ("sterownik", "driver"),
    ("przeglądarka", "chrome", "firefox", "edge", "opera", "safari"),
    ("szkolenie", "kurs", "warsztat"),
    ("helpdesk", "help-desk", "help desk", "wsparcie techniczne", "pomoc techniczna", "hotline", "infolinia"),
    ("zgłoszenie", "zgłosić", "zgłaszać", "ticket", "reklamacja"),
    ("usunąć", "wykasować", "skasować"),
    ("naklejka", "etykieta", "nalepka"),
    ("archiwum", "składnica", "archiwizacja", "archiwum zakładowe"),
    ("zaświadczenie", "certyfikat ukończenia", "dyplom"),
    ("duplikat", "dubel", "podwójny", "zdublowany", "dwa razy"),
    ("powiadomienie", "notyfikacja", "alert", "dzwonek"),
)


def term_key(word: str) -> str:
    """The term a lemma or phrase stands for in the index: folded, words joined by '_'."""
    return "_".join(tokens(word))


@cache
def word_synonyms() -> dict[str, str]:
    """Folded single-word lemma → the canonical term of its group."""
    mapping: dict[str, str] = {}
    for group in WORD_GROUPS:
        canonical = term_key(group[0])
        for word in group:
            if len(tokens(word)) == 1:
                mapping.setdefault(fold(tokens(word)[0]), canonical)
    return mapping


@cache
def phrase_synonyms() -> dict[tuple[str, ...], str]:
    """Folded multi-word phrase (as token tuple) → the canonical term of its group."""
    mapping: dict[tuple[str, ...], str] = {}
    for group in WORD_GROUPS:
        canonical = term_key(group[0])
        for word in group:
            toks = tuple(tokens(word))
            if len(toks) > 1:
                mapping.setdefault(toks, canonical)
    return mapping


def longest_phrase() -> int:
    """Length in tokens of the longest synonym phrase (1 when there is none)."""
    return max((len(k) for k in phrase_synonyms()), default=1)
