"""Words to terms for one knowledge base: lemmas from the morphology, folded, ambiguity kept.

A word becomes the set of its lemmas (``listy`` → list | lista, ``działa`` → działać | działo …):
the matcher counts a word as found in an article when any of its lemmas is there, so keeping the
ambiguity costs little and never loses the right reading. Officials often type without Polish
letters (``zapomnialam hasla``), which the analyser does not know; for those the lexicon holds every
inflected form of every lemma the articles use, folded without diacritics (``hasla`` → hasło,
``zapomnialam`` → zapomnieć). A word the dictionary does not know at all (``ezd``, ``epuap``, a
typo) stands for itself; the matcher repairs typos against the forms known here.

Two rules of Polish word formation join what the dictionary keeps apart, because people use the
members interchangeably when they ask: verbs in -ować with a purely aspectual prefix z-/ze-/s-/za-
(zalogować / logować, zeskanować / skanować) and nouns in -acja with their verbs in -ować
(rejestracja / rejestrować, dekretacja / dekretować). Gerunds already come lemmatised to their
verbs (logowanie → logować). Synonyms (``helpdesk.domain.kb.synonyms``) then map different
words for one thing onto one term.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpdesk.domain.kb.synonyms import longest_phrase, phrase_synonyms, word_synonyms
from helpdesk.domain.kb.text import GREETINGS, STOPWORDS, fold, raw_tokens
from helpdesk.services.kb.morphology import Analysis, Morphology

# Readings that carry no topic: function words, pronouns, particles, the auxiliary -m/-ś.
STOP_POS = frozenset(
    {"conj", "comp", "prep", "qub", "part", "interj", "ppron12", "ppron3", "siebie", "aglt", "interp", "pred"}
)
# Lemmas of general verbs and determiners that say nothing about the subject of a question.
STOP_LEMMAS = frozenset(
    fold(w)
    for w in (
        "być",
        "mieć",
        "móc",
        "chcieć",
        "musieć",
        "zostać",
        "bywać",
        "ten",
        "taki",
        "który",
        "jaki",
        "co",
        "kto",
        "mój",
        "twój",
        "swój",
        "nasz",
        "wasz",
        "każdy",
        "sam",
        "coś",
        "ktoś",
        "nic",
        "nikt",
        "wszystko",
        "wszystek",
        "jakiś",
        "można",
        "trzeba",
        "prosić",
        "dziękować",
        "robić",
        "zrobić",
        "wiedzieć",
    )
)
_FUNCTION_WORDS = sorted(w for w in STOPWORDS | GREETINGS if len(w) >= 4)
VERB_POS = frozenset({"fin", "praet", "inf", "impt", "imps", "ger", "pact", "ppas", "pcon", "pant", "bedzie"})
ASPECT_PREFIXES = ("ze", "za", "z", "s")  # longest first
MIN_FAMILY_STEM = 5
# Past-tense person endings people glue to a verb without Polish letters (zrobilam, zrobilysmy).
_AGLT_ENDINGS = ("escie", "esmy", "scie", "smy", "em", "es", "m", "s")


def family(lemma: str, pos: str) -> str:
    """The term of a folded lemma: aspect pairs and -acja/-ować pairs joined (see module docstring)."""
    if pos in VERB_POS and lemma.endswith("owac"):
        for prefix in ASPECT_PREFIXES:
            if lemma.startswith(prefix) and len(lemma) - len(prefix) - 4 >= MIN_FAMILY_STEM - 2:
                return lemma[len(prefix) :]
        return lemma
    if pos == "subst" and lemma.endswith("acja") and len(lemma) - 4 >= MIN_FAMILY_STEM - 1:
        return lemma[:-4] + "owac"
    return lemma


def term_of(reading: Analysis) -> str:
    """The index term of one reading: its synonym group's term, else its word family's."""
    lemma = fold(reading.lemma)
    return word_synonyms().get(lemma) or family(lemma, reading.pos)


@dataclass(frozen=True)
class Word:
    """One content word of a text: as written (folded) and the terms it stands for."""

    surface: str
    terms: tuple[str, ...]
    known: bool  # False: neither the dictionary nor the articles' forms know it (a name, a typo …)


class Lexicon:
    """Text → content words with their terms, for the vocabulary of one set of articles."""

    def __init__(self, morphology: Morphology, vocabulary: Iterable[str]) -> None:
        """Learn the lemmas of the given texts (the articles) and the folded forms of those lemmas."""
        self.morphology = morphology
        self._words: dict[str, tuple[str, Word | None]] = {}
        seen: set[str] = set()
        for text in vocabulary:
            seen.update(raw_tokens(text))
        readings: dict[Analysis, None] = {}
        for tok in seen:
            for reading in self._readings(tok):
                if reading.pos not in STOP_POS:
                    readings[reading] = None
        folded: dict[str, set[str]] = {}
        for reading in readings:
            term = term_of(reading)
            for form in _folded_forms(morphology, reading.lemma):
                folded.setdefault(form, set()).add(term)
        self._folded: dict[str, tuple[str, ...]] = {k: tuple(sorted(v)) for k, v in folded.items()}
        self._phrases = phrase_synonyms()
        self._longest = longest_phrase()

    @property
    def forms(self) -> dict[str, tuple[str, ...]]:
        """Folded inflected form → terms, for every lemma of the vocabulary (typo repair compares to these)."""
        return self._folded

    def _readings(self, tok: str) -> tuple[Analysis, ...]:
        return tuple(r for r in self.morphology.analyse(tok) if r.pos != "brev")

    def terms(self, tok: str) -> tuple[str, ...] | None:
        """Terms of one lower-case token; None for a stopword (no topic), the token itself when unknown."""
        _flat, word = self._word(tok)
        return word.terms if word is not None else None

    def _terms(self, tok: str) -> tuple[str, ...] | None:
        flat = fold(tok)
        if flat in STOPWORDS or flat in GREETINGS or (len(flat) < 2 and not flat.isdigit()):
            return None
        if self._typo_of_stopword(flat):
            return None
        found: dict[str, None] = {}
        readings = self._readings(tok)
        if readings:
            content = [r for r in readings if r.pos not in STOP_POS and fold(r.lemma) not in STOP_LEMMAS]
            if not content:
                return None
            for r in content:
                found[term_of(r)] = None
        if flat == tok or not found:
            for term in self._folded_terms(flat):
                found[term] = None
        if not found:
            found[word_synonyms().get(flat, flat)] = None
        return tuple(found)

    def _typo_of_stopword(self, flat: str) -> bool:
        """A word the dictionary does not know, one swap or one letter away from a stopword (gdize, ktoy)."""
        if len(flat) < 4 or flat in self._folded or self._readings(flat):
            return False
        hit = process.extractOne(flat, _FUNCTION_WORDS, scorer=OSA.distance, score_cutoff=1)
        return hit is not None

    def _folded_terms(self, flat: str) -> tuple[str, ...]:
        hit = self._folded.get(flat)
        if hit is not None:
            return hit
        for ending in _AGLT_ENDINGS:
            if flat.endswith(ending) and len(flat) - len(ending) >= 4:
                hit = self._folded.get(flat[: -len(ending)])
                if hit is not None:
                    return hit
        return ()

    def _word(self, tok: str) -> tuple[str, Word | None]:
        """(folded token, its Word or None for a stopword), cached per token."""
        hit = self._words.get(tok)
        if hit is not None:
            return hit
        flat = fold(tok)
        terms = self._terms(tok)
        word = None
        if terms is not None:
            known = bool(self._readings(tok)) or flat in self._folded or terms != (flat,)
            word = Word(flat, terms, known)
        if len(self._words) < 200_000:
            self._words[tok] = (flat, word)
        return flat, word

    def words(self, text: str) -> list[Word]:
        """The content words of `text` in order, plus one Word per synonym phrase found in it."""
        analysed = [self._word(t) for t in raw_tokens(text)]
        flat = [f for f, _ in analysed]
        out: list[Word] = []
        for i, (_f, word) in enumerate(analysed):
            for size in range(min(self._longest, len(flat) - i), 1, -1):
                canonical = self._phrases.get(tuple(flat[i : i + size]))
                if canonical is not None:
                    out.append(Word(" ".join(flat[i : i + size]), (canonical,), True))
                    break
            if word is not None:
                out.append(word)
        return out


# Folded forms per lemma, shared by every index built in this process: rebuilding the index after
# a change (an article, an accepted proposal) then costs no generation for lemmas seen before.
_FOLDED_FORMS: dict[tuple[int, str], tuple[str, ...]] = {}


def _folded_forms(morphology: Morphology, lemma: str) -> tuple[str, ...]:
    key = (id(morphology), lemma)
    hit = _FOLDED_FORMS.get(key)
    if hit is None:
        hit = tuple(dict.fromkeys(fold(f) for f in morphology.forms(lemma)))
        if len(_FOLDED_FORMS) < 100_000:
            _FOLDED_FORMS[key] = hit
    return hit
