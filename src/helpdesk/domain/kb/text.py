"""Polish text normalisation for knowledge-base matching.

Officials write on phones, without diacritics, with typos and greetings around the question. This
module holds what every use of such text shares: lower-case, diacritics folded (ą→a, ł→l …),
tokens (with or without their Polish letters), stopwords and greetings, and what counts as small
talk. Matching questions to articles lemmatises words with Morfeusz 2
(``helpdesk.services.kb.lexicon``); the light suffix-stripping stemmer here only groups similar
unanswered questions for the reports (``helpdesk.services.kb.insights``), where a rough key is enough.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ł/Ł do not decompose under NFKD, so they are folded explicitly.
_FOLD_TABLE = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DASHED_RE = re.compile(r"\b([a-z])-(?=[a-z]{3,})")  # e-podpis, e-mail → epodpis, email
_RAW_TOKEN_RE = re.compile(r"[^\W_]+")
_RAW_DASHED_RE = re.compile(r"\b(\w)-(?=\w{3,})")
# An acronym takes its case ending after a hyphen (PIN-u, PUK-iem, PDF-ie, NIP-owi): the ending is
# dropped, so that it is neither a word of its own nor unknown.
_ACRONYM_ENDING_RE = re.compile(r"\b([A-Z][A-Z0-9]{1,7})-[a-ząćęłńóśźż]{1,3}\b")
# A name of two short capitalised syllables joined by a hyphen (Wi-Fi, Hi-Fi) is one word: people
# type it as one (wifi).
_SYLLABLE_NAME_RE = re.compile(r"\b([A-Z][a-z]{1,2})-([A-Z][a-z]{1,2})\b")


def _join_hyphenated_names(text: str) -> str:
    """Acronym endings dropped (PIN-u → PIN) and two-syllable names joined (Wi-Fi → WiFi)."""
    if "-" not in text:
        return text
    return _SYLLABLE_NAME_RE.sub(r"\1\2", _ACRONYM_ENDING_RE.sub(r"\1", text))


# Combining marks of the Basic Multilingual Plane, dropped by str.translate in C (a generator over
# every character was most of the time of indexing a big knowledge base). Marks beyond that plane
# are so rare that a text holding any character there is folded the slow way.
_BMP = 0x10000
_DROP_COMBINING = {cp: None for cp in range(_BMP) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Lower-case the text and strip diacritics (Zażółć → zazolc)."""
    text = text.translate(_FOLD_TABLE).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if ord(max(decomposed)) < _BMP:
        return decomposed.translate(_DROP_COMBINING)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Split text into folded alphanumeric tokens; a one-letter e- prefix is glued to its word, an
    acronym's hyphenated case ending dropped (PIN-u → pin), a two-syllable name joined (Wi-Fi → wifi).
    """
    folded = _DASHED_RE.sub(r"\1", fold(_join_hyphenated_names(text)))
    return _TOKEN_RE.findall(folded)


def raw_tokens(text: str) -> list[str]:
    """Lower-case word tokens with their Polish letters kept (for the morphological analyser)."""
    return _RAW_TOKEN_RE.findall(_RAW_DASHED_RE.sub(r"\1", _join_hyphenated_names(text).lower()))


# Function words and filler that carry no topic. Folded, since tokens are folded first.
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "aby",
        "abym",
        "abys",
        "aby",
        "acz",
        "aczkolwiek",
        "albo",
        "ale",
        "ani",
        "az",
        "bo",
        "bardzo",
        "bez",
        "bo",
        "bowiem",
        "by",
        "byc",
        "byl",
        "byla",
        "bylo",
        "byli",
        "bede",
        "bedzie",
        "beda",
        "bym",
        "bys",
        "ci",
        "cie",
        "ciebie",
        "co",
        "cos",
        "czy",
        "czyli",
        "czego",
        "czemu",
        "dla",
        "do",
        "dlaczego",
        "dlatego",
        "gdy",
        "gdyz",
        "gdzie",
        "gdzies",
        "go",
        "i",
        "ich",
        "ile",
        "im",
        "inna",
        "inne",
        "inny",
        "ja",
        "jak",
        "jaka",
        "jaki",
        "jakie",
        "jakis",
        "jakie",
        "jako",
        "jakos",
        "je",
        "jego",
        "jej",
        "jemu",
        "jest",
        "jestem",
        "jestes",
        "jesli",
        "jezeli",
        "juz",
        "ja",
        "ktora",
        "ktore",
        "ktory",
        "ktorzy",
        "ktos",
        "kiedy",
        "kto",
        "ma",
        "mam",
        "mamy",
        "maja",
        "mi",
        "mie",
        "mna",
        "mnie",
        "moj",
        "moja",
        "moje",
        "moze",
        "mozna",
        "mozliwe",
        "mu",
        "my",
        "na",
        "nad",
        "nam",
        "nami",
        "nas",
        "nasz",
        "nasza",
        "nasze",
        "nawet",
        "nia",
        "nic",
        "nich",
        "niego",
        "niej",
        "niemu",
        "nim",
        "nimi",
        "nie",
        "niz",
        "no",
        "o",
        "od",
        "oraz",
        "on",
        "ona",
        "one",
        "oni",
        "ono",
        "po",
        "pod",
        "poniewaz",
        "przed",
        "przez",
        "przy",
        "sa",
        "sie",
        "siebie",
        "sobie",
        "sam",
        "sama",
        "swoj",
        "swoja",
        "swoje",
        "ta",
        "tak",
        "taka",
        "taki",
        "takie",
        "tam",
        "te",
        "tego",
        "tej",
        "temu",
        "ten",
        "teraz",
        "tez",
        "to",
        "toba",
        "tobie",
        "tu",
        "tutaj",
        "twoj",
        "tylko",
        "ty",
        "u",
        "w",
        "we",
        "wiec",
        "wszystko",
        "wy",
        "z",
        "za",
        "ze",
        "zeby",
        "zas",
        "the",
        "of",
        "to",
        "and",
        "is",
        "in",
        "on",
        "for",
        "it",
        "my",
        "i",
        "prosze",
        "prosic",
        "pytanie",
        "pytam",
        "chcialam",
        "chcialem",
        "chce",
        "chcemy",
        "musze",
        "trzeba",
        "moge",
        "mozesz",
        "czyli",
        "jednak",
        "wlasnie",
        "chyba",
        "raczej",
        "moze",
        "ktos",
        "cos",
        "tam",
        "ja",
        "jakby",
        "jeszcze",
        "potem",
        "wtedy",
        "tylko",
        "sa",
        "sie",
        "byc",
        "jest",
        "mozna",
        "da",
        "dac",
        "tym",
        "tych",
        "tymi",
        "temu",
        "tego",
        "tej",
        "takiego",
        "takim",
        "wiem",
        "wiedziec",
        "wziac",
        "zrobic",
        "robic",
        "robie",
        "robimy",
        "zrobilam",
        "zrobilem",
        "uzywac",
        "uzywam",
        "korzystac",
        "korzystam",
        "mozemy",
        "musimy",
        "musi",
        "mozecie",
        "musze",
        "moglabym",
        "moglbym",
        "mogla",
        "mogl",
        "mialam",
        "mialem",
        "mial",
        "miala",
        "miec",
        "zawsze",
        "nigdy",
        "teraz",
        "dzis",
        "dzisiaj",
        "wczoraj",
        "jutro",
        "serio",
        "naprawde",
        "prosze",
        "pomocy",
        "pomozcie",
        "pomoz",
        "help",
        "cos",
        "ktorej",
        "ktorego",
        "ktorym",
        "ktora",
        "ktore",
        "kiedys",
        "zwykle",
        "gdzies",
        "ogolnie",
        "sprawdzic",
        "widze",
        "skoro",
        "skad",
        "dokad",
        "nadal",
        "wciaz",
        "ciagle",
        "kazdy",
        "kazda",
        "kazde",
        "kazdej",
        "kazdym",
        "kazdego",
        "kilka",
        "kilku",
        "kilkanascie",
        "nikt",
        "nikogo",
        "niczego",
        "okolo",
        "zebym",
        "zebys",
        "jakies",
        "jakiegos",
        "jakas",
        "kogo",
        "komu",
        "czym",
    ]
)

# Greetings, thanks and sign-offs: stripped from questions, and a message made only of them
# (plus stopwords) is small talk, not a question.
GREETINGS: frozenset[str] = frozenset(
    [
        "czesc",
        "hej",
        "hejka",
        "hejo",
        "siema",
        "siemka",
        "elo",
        "witam",
        "witaj",
        "witajcie",
        "dzien",
        "dobry",
        "dobranoc",
        "wieczor",
        "pozdrawiam",
        "pozdrowienia",
        "pozdro",
        "serdecznie",
        "uprzejmie",
        "dziekuje",
        "dziekujemy",
        "dzieki",
        "dziekowac",
        "dziek",
        "wielkie",
        "thx",
        "thanks",
        "thank",
        "you",
        "hello",
        "hi",
        "hey",
        "ok",
        "okej",
        "okay",
        "super",
        "spoko",
        "dobrze",
        "fajnie",
        "rozumiem",
        "pani",
        "panie",
        "panstwo",
        "szanowni",
        "szanowna",
        "szanowny",
        "kochani",
        "bot",
        "bocie",
    ]
)

# Polish inflectional and common derivational endings, folded. Longest first so the most
# specific ending wins; a stem keeps at least _MIN_STEM letters so short words stay apart.
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        set(
            [
                "ym",
                "im",
                "owaniami",
                "owaniach",
                "owaniem",
                "owania",
                "owaniu",
                "owanie",
                "owanych",
                "owanym",
                "owanej",
                "owanego",
                "owana",
                "owane",
                "owany",
                "owali",
                "owala",
                "owalo",
                "owalem",
                "owalam",
                "owac",
                "ujacy",
                "ujaca",
                "ujace",
                "ujemy",
                "ujecie",
                "ujesz",
                "uje",
                "uja",
                "ywanie",
                "ywania",
                "ywac",
                "iwanie",
                "iwania",
                "iwac",
                "aniami",
                "aniach",
                "aniem",
                "ania",
                "aniu",
                "anie",
                "eniami",
                "eniach",
                "eniem",
                "enia",
                "eniu",
                "enie",
                "osciami",
                "osciach",
                "oscia",
                "osci",
                "osc",
                "acjami",
                "acjach",
                "acja",
                "acji",
                "acje",
                "acje",
                "acjom",
                "ajacy",
                "ajaca",
                "ajace",
                "ajacych",
                "ajac",
                "ujac",
                "ami",
                "ach",
                "ych",
                "ich",
                "ymi",
                "imi",
                "ego",
                "emu",
                "owej",
                "owego",
                "owym",
                "owych",
                "owa",
                "owe",
                "owy",
                "owi",
                "ow",
                "om",
                "iem",
                "ie",
                "ia",
                "iu",
                "io",
                "ej",
                "em",
                "al",
                "ala",
                "alo",
                "ali",
                "aly",
                "alem",
                "alam",
                "ilem",
                "ilam",
                "ila",
                "ilo",
                "ili",
                "ily",
                "il",
                "yl",
                "yla",
                "ylo",
                "yli",
                "yly",
                "ylem",
                "ylam",
                "elem",
                "elam",
                "ela",
                "eli",
                "ac",
                "ec",
                "ic",
                "yc",
                "iec",
                "ecie",
                "acie",
                "amy",
                "emy",
                "imy",
                "ymy",
                "aja",
                "eja",
                "asz",
                "esz",
                "isz",
                "ysz",
                "a",
                "e",
                "i",
                "o",
                "u",
                "y",
            ]
        ),
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3
_SHORT_STEM_OK = frozenset(
    [
        "ym",
        "im",
        "ego",
        "emu",
        "ych",
        "ymi",
        "ich",
        "imi",
        "ej",
        "em",
        "ie",
        "ia",
        "iu",
        "a",
        "e",
        "i",
        "o",
        "u",
        "y",
        "ow",
        "om",
        "ami",
        "ach",
    ]
)
_MAX_STEM = 7  # truncation conflates remaining derivations (dekretacja / dekretowanie)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one Polish ending from a folded word and cap its length (podpisanie → podpis)."""
    if len(word) <= _MIN_STEM or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        # Verb endings (-ala, -ilo …) need a longer stem than noun and adjective endings, or
        # short verbs collapse onto unrelated words (dziala → dzi).
        floor = _MIN_STEM if suffix in _SHORT_STEM_OK else _MIN_STEM + 1
        if word.endswith(suffix) and len(word) - len(suffix) >= floor:
            word = word[: -len(suffix)]
            break
    # The mobile e of -ek/-ec nouns (podatek / podatku, wniosek / wniosku) is dropped.
    if len(word) > _MIN_STEM + 2 and word.endswith("ek"):
        word = word[:-2] + "k"
    # A final soft consonant cluster left by -ie/-ia endings (pismie → pism) is trimmed too.
    if len(word) > _MIN_STEM and word[-1] in "ij":
        word = word[:-1]
    return word[:_MAX_STEM]


def content_words(text: str) -> list[str]:
    """Folded tokens of the text without stopwords and greetings."""
    return [t for t in tokens(text) if t not in STOPWORDS and t not in GREETINGS]


# What people send to see whether the bot is alive ("test", "test 123", "próba"): no question.
PROBES: frozenset[str] = frozenset(["test", "testy", "testuje", "testowa", "testowe", "proba", "ping"])


# What people write back when an answer or a colleague helped ("dzięki, działa!", "już działa,
# dziękuję"): with a thanks or a greeting and without a negation, a reply, not a question.
REPLIES: frozenset[str] = frozenset(
    [
        "dziala",
        "zadzialalo",
        "zadzialal",
        "zadzialala",
        "pomoglo",
        "pomogl",
        "pomogla",
        "udalo",
        "jasne",
        "gotowe",
    ]
)


def is_small_talk(text: str) -> bool:
    """True when the text holds no content: only greetings, thanks, stopwords, punctuation, a probe
    such as "test 123", or a thankful reply such as "dzięki, już działa"."""
    words = [t for t in content_words(text) if len(t) > 1 or t.isdigit()]
    if not words:
        return True
    if all(t in REPLIES for t in words):
        toks = tokens(text)
        return "nie" not in toks and any(t in GREETINGS for t in toks)
    return all(t in PROBES or t.isdigit() for t in words) and any(t in PROBES for t in words)
