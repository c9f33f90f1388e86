"""Colloquial and variant wording mapped onto the canonical terms articles use.

This is data: groups of words that officials use interchangeably in help-desk questions. The
first word of a group is the canonical one; every word of the group (after folding and stemming)
is treated as that word, in the articles and in the questions alike, so the mapping is symmetric.
Phrases (several words) are rewritten into one canonical word before stemming.
"""

from __future__ import annotations

from functools import cache

from helpdesk.domain.kb.text import GREETINGS, STOPWORDS, fold, stem, tokens

# Single-word groups; canonical first. Keep groups about one meaning: a word that means two
# things in the office (komórka = unit or phone) stays out.
WORD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("aplikacja", "apka", "appka", "apki", "aplikacyjka"),
    ("hasło", "haslo", "pass", "password", "passwd", "hasła", "haseł", "hasłem"),
    ("login", "loginu", "nazwa użytkownika", "identyfikator"),
    (
        "logowanie",
        "zalogować",
        "zaloguj",
        "logować",
        "logowania",
        "loguje",
        "zalogowanie",
        "zalogowałem",
        "zalogowałam",
        "logon",
    ),
    ("wylogowanie", "wylogować", "wylogowało", "wylogowuje", "wylogowany"),
    (
        "blokada",
        "zablokowane",
        "zablokowany",
        "zablokowało",
        "zablokować",
        "zablokowana",
        "blokuje",
        "zablokował",
        "zablokowała",
        "blokady",
    ),
    ("odblokowanie", "odblokować", "odblokuje", "odblokowania", "odblokujcie"),
    (
        "skaner",
        "skanować",
        "skanowanie",
        "zeskanować",
        "skanera",
        "skanerze",
        "skanuje",
        "skanujemy",
        "skanowania",
        "skanów",
        "skan",
        "skany",
        "skanu",
    ),
    (
        "podpis",
        "e-podpis",
        "epodpis",
        "podpisać",
        "podpisanie",
        "podpisywanie",
        "podpisuje",
        "podpisywać",
        "sygnować",
        "podpisu",
        "podpisem",
    ),
    ("kwalifikowany", "kwalifikowanego", "kwalifikowanym", "kwalifikowana", "kwalifikowanej"),
    ("drukowanie", "drukować", "wydrukować", "wydruk", "drukuje", "printować", "wydrukowanie", "druk"),
    ("drukarka", "drukarki", "drukarce", "printer", "drukarką"),
    ("instrukcja", "manual", "podręcznik", "tutorial", "poradnik", "ściąga", "ściągawka", "instrukcji"),
    (
        "komputer",
        "laptop",
        "pecet",
        "komp",
        "kompa",
        "kompie",
        "laptopa",
        "laptopie",
        "stacja robocza",
        "lapek",
        "lapka",
        "lapku",
        "lapkiem",
        "laptok",
    ),
    ("email", "e-mail", "mail", "maila", "mailem", "mejl", "meil", "poczta elektroniczna"),
    ("urlop", "wakacje", "wakacji", "urlopu", "urlopie", "l4", "chorobowe", "zwolnienie lekarskie"),
    ("zastępstwo", "zastępca", "zastępować", "zastępstwa", "zastępuje", "zastępczyni"),
    ("komórka", "wydział", "referat", "wydziału", "referatu", "wydziale", "referacie"),
    ("kierownik", "szef", "szefowa", "naczelnik", "przełożony", "kierowniczka", "przełożona", "dyrektor"),
    ("mieszkaniec", "obywatel", "interesant", "petent", "klient", "wnioskodawca", "mieszkanka", "obywatelka"),
    ("kancelaria", "biuro podawcze", "punkt kancelaryjny", "dziennik podawczy", "okienko"),
    (
        "pismo",
        "dokument",
        "korespondencja",
        "pisma",
        "dokumenty",
        "pismem",
        "dokumentu",
        "dokumentów",
        "pism",
    ),
    ("uprawnienie", "uprawnienia", "uprawnień", "dostęp", "dostępu", "prawa dostępu"),
    ("awaria", "padło", "padł", "zepsuło", "zepsuł", "nie działa", "awarii", "wysypało", "wywaliło"),
    (
        "wolno",
        "muli",
        "zamula",
        "laguje",
        "spowalnia",
        "tnie się",
        "wolne",
        "powolny",
        "wolniej",
        "zwalnia",
        "spowolnienie",
    ),
    (
        "zdalnie",
        "zdalna",
        "zdalnej",
        "z domu",
        "home office",
        "praca zdalna",
        "domu",
        "z chaty",
        "z chałupy",
        "homeoffice",
    ),
    ("zakończenie", "zakończyć", "zamknąć", "zamknięcie", "ubić", "zakończona", "zamknięta"),
    (
        "zarejestrować",
        "wbić",
        "wprowadzić",
        "zarejestrowanie",
        "rejestrować",
        "rejestracja",
        "wpisać do systemu",
    ),
    (
        "utrata",
        "zgubić",
        "zgubiłem",
        "zgubiłam",
        "zgubiona",
        "zgubienie",
        "zagubienie",
        "straciłem",
        "straciłam",
        "zgubił",
        "zgubiła",
        "kradzież",
        "ukradli",
    ),
    ("nieważny", "lipny", "fałszywy", "nieprawidłowy", "niepoprawny", "nieważna", "nieważne"),
    (
        "błąd",
        "pomyłka",
        "omyłka",
        "pomylić",
        "pomyliłem",
        "pomyliłam",
        "błędnie",
        "błędny",
        "błędna",
        "walnąć się",
        "walnęłam się",
        "walnąłem się",
        "źle",
        "zły",
        "złym",
        "złego",
        "złej",
        "złą",
        "złych",
    ),
    ("cofnąć", "odkręcić", "korekta", "skorygować", "anulować", "poprawka"),
    ("excel", "xls", "xlsx", "arkusz kalkulacyjny", "excela", "csv"),
    ("word", "worda", "docx", "wordzie", "edytor tekstu"),
    ("epuap", "e-puap", "puap", "epuapu", "epuapa", "skrzynka epuap"),
    ("ezd", "esod", "ezdzie", "ezd-ie", "eurząd", "e-urząd"),
    ("profil zaufany", "pz", "profilu zaufanego", "profilem zaufanym"),
    ("telefon", "smartfon", "komórkowy", "numer telefonu", "sms"),
    ("certyfikat", "cert", "certyfikatu", "certa"),
    ("sterownik", "driver", "sterowniki", "sterownika"),
    ("przeglądarka", "chrome", "firefox", "edge", "firefoxa", "chroma", "przeglądarki", "opera", "safari"),
    ("szkolenie", "kurs", "szkolenia", "warsztaty", "szkoleniu", "szkoleń"),
    ("helpdesk", "help-desk", "help desk", "wsparcie techniczne", "pomoc techniczna", "hotline", "infolinia"),
    ("zgłoszenie", "zgłosić", "zgłaszać", "ticket", "tiket", "zgłoszenia", "reklamacja"),
    ("usunąć", "wykasować", "skasować", "usunięcie", "wywalić"),
    ("naklejka", "etykieta", "nalepka", "naklejki", "etykiety", "nalepki"),
    ("archiwum", "składnica", "archiwizacja", "składnicy", "archiwum zakładowe"),
    ("zaświadczenie", "certyfikat ukończenia", "dyplom"),
    ("duplikat", "dubel", "podwójny", "zdublowany", "dwa razy", "duplikaty"),
    ("powiadomienie", "notyfikacja", "powiadomienia", "alert", "dzwonek", "dzwoneczek"),
    ("nowy pracownik", "nowa pracownica", "nowego pracownika", "nowej pracownicy", "nowa osoba"),
)

# Homographs the stemmer would merge: these exact (folded) forms get a term of their own instead
# of their stem, e.g. działa (it works) is not dział (a department), lista (a list) is not list
# (a letter). The first form, folded, is the term.
EXACT_FORMS: tuple[tuple[str, ...], ...] = (
    (
        "działać",
        "działa",
        "działają",
        "działało",
        "działał",
        "działała",
        "działały",
        "działali",
        "działający",
        "działająca",
        "działające",
        "działającego",
        "działanie",
        "działania",
        "działaniu",
    ),
    ("lista", "listę", "listą", "liście", "listami"),
)

# Phrases rewritten into a single canonical word (folded token sequences), applied before stemming.
_CANONICAL_PHRASES: tuple[tuple[str, ...], ...] = ()


def _group_key(word: str) -> str:
    """The canonical term of a group member: its stemmed single token, or the joined phrase."""
    toks = tokens(word)
    return "_".join(stem(t) for t in toks)


@cache
def term_map() -> dict[str, str]:
    """Map a single stemmed term to the canonical term of its synonym group."""
    mapping: dict[str, str] = {}
    for group in WORD_GROUPS:
        canonical = _group_key(group[0])
        for word in group:
            toks = tokens(word)
            if len(toks) == 1:
                mapping.setdefault(stem(toks[0]), canonical)
    return mapping


@cache
def exact_map() -> dict[str, str]:
    """Map an exact folded word form (a homograph of another word's stem) to its own term."""
    return {fold(form): fold(group[0]) for group in EXACT_FORMS for form in group}


@cache
def phrase_map() -> dict[tuple[str, ...], str]:
    """Map a sequence of folded tokens (a multi-word phrase) to a canonical term."""
    mapping: dict[tuple[str, ...], str] = {}
    for group in WORD_GROUPS:
        canonical = _group_key(group[0])
        for word in group:
            toks = tuple(tokens(fold(word)))
            if len(toks) > 1:
                mapping.setdefault(toks, canonical)
    return mapping


def max_phrase_len() -> int:
    """Length in tokens of the longest synonym phrase."""
    return max((len(k) for k in phrase_map()), default=1)


def analyze(text: str) -> list[tuple[str, str]]:
    """Turn text into (folded word, canonical term) pairs: synonyms applied, stopwords dropped.

    A multi-word synonym phrase yields its canonical term (with the phrase as its word) in
    addition to the terms of its own words.
    """
    toks = tokens(text)
    phrases = phrase_map()
    longest = max_phrase_len()
    mapping = term_map()
    exact = exact_map()
    out: list[tuple[str, str]] = []
    for i, tok in enumerate(toks):
        for size in range(min(longest, len(toks) - i), 1, -1):
            canonical = phrases.get(tuple(toks[i : i + size]))
            if canonical is not None:
                out.append((" ".join(toks[i : i + size]), canonical))
                break
        if tok in STOPWORDS or tok in GREETINGS or (len(tok) < 2 and not tok.isdigit()):
            continue
        own = exact.get(tok)
        if own is not None:
            out.append((tok, own))
            continue
        base = stem(tok)
        out.append((tok, mapping.get(base, base)))
    return out


def canonical_term(word: str) -> str:
    """The canonical term of one folded word (stemmed, synonyms applied)."""
    own = exact_map().get(word)
    if own is not None:
        return own
    base = stem(word)
    return term_map().get(base, base)
