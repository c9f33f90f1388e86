"""Words to terms for one knowledge base: lemmas from the morphology, folded, ambiguity kept.

A word becomes the set of its lemmas (``listy`` → list | lista, ``działa`` → działać | działo …):
the matcher counts a word as found in an article when any of its lemmas is there, so keeping the
ambiguity costs little and never loses the right reading. Officials often type without Polish
letters (``zapomnialam hasla``), which the analyser does not know; for those the lexicon holds every
inflected form of every lemma the articles use, folded without diacritics (``hasla`` → hasło,
``zapomnialam`` → zapomnieć). A word typed so that neither explains it gets its Polish letters back
(``helpdesk.domain.kb.spelling``: ``wpadaja`` → wpadać) and is then a word the articles do not use,
not a typo of one of theirs (``wydają``). A word the dictionary does not know at all (``ezd``,
``epuap``, a typo) stands for itself; the matcher repairs typos against the forms known here.

Two rules of Polish word formation join what the dictionary keeps apart, because people use the
members interchangeably when they ask: verbs in -ować with a purely aspectual prefix z-/ze-/s-/za-
(zalogować / logować, zeskanować / skanować) and nouns in -acja with their verbs in -ować
(rejestracja / rejestrować, dekretacja / dekretować). A secondary imperfective stands for the
perfective it is made from (podpisywać / podpisać, zmieniać / zmienić: ``helpdesk.domain.kb.aspect``,
each pair confirmed by the dictionary). Gerunds already come lemmatised to their verbs (logowanie →
logować). Synonyms (``helpdesk.domain.kb.synonyms``) then map different
words for one thing onto one term.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpdesk.domain.kb.aspect import perfective_spellings
from helpdesk.domain.kb.spelling import polish_spellings
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
# Words cached with their terms, at most: while the articles are indexed, their whole vocabulary;
# then the words of a few thousand questions, about three megabytes (the server's memory budget).
CACHED_WORDS_INDEXING = 100_000
CACHED_WORDS = 10_000
# Words given their Polish letters back per text, at most: a long question has a handful, while a
# flood of made-up words (20,000 characters of them) would cost a millisecond each. Words over the
# budget are left to typo repair, and not cached, so that a later question can still respell them.
RESPELLED_PER_TEXT = 64
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


@dataclass(frozen=True)
class Word:
    """One content word of a text: as written (folded) and the terms it stands for."""

    surface: str
    terms: tuple[str, ...]
    known: bool  # False: neither the dictionary nor the articles' forms know it (a name, a typo …)


class Lexicon:
    """Text → content words with their terms, for the vocabulary of one set of articles."""

    def __init__(self, morphology: Morphology, vocabulary: Iterable[str] = ()) -> None:
        """Learn the lemmas of the given texts (the articles) and the folded forms of those lemmas."""
        self.morphology = morphology
        self._words: dict[str, tuple[str, Word | None]] = {}
        self._cache_limit = CACHED_WORDS_INDEXING
        self._folded: dict[str, tuple[str, ...]] = {}
        self._readings_known: set[Analysis] = set()
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple object per set of terms
        self._perfectives: dict[str, str | None] = {}  # verb lemma → its perfective partner, if any
        self._phrases = phrase_synonyms()
        self._phrase_starts = frozenset(p[0] for p in self._phrases)
        self._longest = longest_phrase()
        self.learn(vocabulary)

    def learn(self, texts: Iterable[str]) -> set[str]:
        """Add the lemmas of more texts (an article added or changed) and the folded forms of those lemmas.

        Words cached before, typed without Polish letters, that a new lemma's forms now explain are
        forgotten, so that they are looked up again. Returns the folded forms added or changed.
        """
        seen: set[str] = set()
        for text in texts:
            seen.update(raw_tokens(text))
        changed: set[str] = set()
        for tok in seen:
            for reading in self._readings(tok):
                if reading.pos in STOP_POS or reading in self._readings_known:
                    continue
                self._readings_known.add(reading)
                term = self._term(reading)
                for form in dict.fromkeys(fold(f) for f in self.morphology.forms(reading.lemma)):
                    old = self._folded.get(form, ())
                    if term not in old:
                        terms = tuple(sorted((*old, term)))
                        self._folded[form] = self._shared.setdefault(terms, terms)
                        changed.add(form)
        for form in changed:
            self._words.pop(form, None)
        return changed

    def forget_words(self) -> None:
        """Empty the per-token cache (after indexing: the questions' words will fill it again, up
        to CACHED_WORDS of them)."""
        self._words = {}
        self._cache_limit = CACHED_WORDS

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

    def _terms(self, tok: str, respell: list[int]) -> tuple[tuple[str, ...], bool] | None:
        """(terms, whether the dictionary or the articles know the word), or None for a stopword.

        `respell` holds how many more words of this text may be given their Polish letters back;
        it drops below zero when a word needed that and the budget was spent.
        """
        flat = fold(tok)
        if flat in STOPWORDS or flat in GREETINGS or (len(flat) < 2 and not flat.isdigit()):
            return None
        if self._typo_of_stopword(flat):
            return None
        found: dict[str, None] = {}
        readings = self._readings(tok)
        if readings:
            terms = self._content_terms(readings)
            if terms is None:
                return None
            found = dict.fromkeys(terms)
        if flat == tok or not found:
            for term in self._folded_terms(flat):
                found[term] = None
        if found:
            return tuple(found), True
        respelled: tuple[Analysis, ...] = ()
        spellings = polish_spellings(flat) if flat == tok else []
        if spellings:
            respell[0] -= 1
            if respell[0] >= 0:
                respelled = self.morphology.analyse_spellings(spellings)
        if respelled:
            terms = self._content_terms(respelled)  # None: a function word without its letters (wiec, juz)
            return None if terms is None else (terms, True)
        synonym = word_synonyms().get(flat, flat)
        return (synonym,), synonym != flat

    def _term(self, reading: Analysis) -> str:
        """The index term of one reading: its synonym group's term, else its word family's; a
        secondary imperfective verb takes its perfective's (see the module docstring)."""
        lemma = fold(reading.lemma)
        synonym = word_synonyms().get(lemma)
        if synonym is not None:
            return synonym
        if reading.pos in VERB_POS:
            perfective = self._perfective(reading.lemma)
            if perfective is not None:
                lemma = fold(perfective)
                synonym = word_synonyms().get(lemma)
                if synonym is not None:
                    return synonym
        return family(lemma, reading.pos)

    def _perfective(self, lemma: str) -> str | None:
        """The one perfective the imperfective verb `lemma` is regularly made from, as the dictionary
        confirms it; None for a perfective, a verb of both aspects, or no single confirmed partner."""
        if lemma in self._perfectives:
            return self._perfectives[lemma]
        found = None
        if self.morphology.aspects(lemma) == {"imperf"}:
            partners = [p for p in perfective_spellings(lemma) if self.morphology.aspects(p) == {"perf"}]
            found = partners[0] if len(partners) == 1 else None
        if len(self._perfectives) < self._cache_limit:
            self._perfectives[lemma] = found
        return found

    def _content_terms(self, readings: Iterable[Analysis]) -> tuple[str, ...] | None:
        """The terms of a word's readings that carry a topic; None when every reading is a function
        word, a pronoun or a general verb (the word is then no term at all)."""
        content = [r for r in readings if r.pos not in STOP_POS and fold(r.lemma) not in STOP_LEMMAS]
        return tuple(dict.fromkeys(self._term(r) for r in content)) if content else None

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

    def _word(self, tok: str, respell: list[int] | None = None) -> tuple[str, Word | None]:
        """(folded token, its Word or None for a stopword), cached per token; `respell` is the
        text's budget of words given their Polish letters back (see RESPELLED_PER_TEXT)."""
        hit = self._words.get(tok)
        if hit is not None:
            return hit
        flat = fold(tok)
        budget = respell if respell is not None else [RESPELLED_PER_TEXT]
        before = budget[0]
        found = self._terms(tok, budget)
        word = Word(flat, *found) if found is not None else None
        denied = budget[0] < min(before, 0)  # it needed its letters back, over the budget
        if len(self._words) < self._cache_limit and not denied:
            self._words[tok] = (flat, word)
        return flat, word

    def words(self, text: str) -> list[Word]:
        """The content words of `text` in order, plus one Word per synonym phrase found in it."""
        get = self._words.get
        respell = [RESPELLED_PER_TEXT]
        analysed = [get(t) or self._word(t, respell) for t in raw_tokens(text)]
        flat = [f for f, _ in analysed]
        out: list[Word] = []
        starts = self._phrase_starts
        for i, (f, word) in enumerate(analysed):
            for size in range(min(self._longest, len(flat) - i) if f in starts else 0, 1, -1):
                canonical = self._phrases.get(tuple(flat[i : i + size]))
                if canonical is not None:
                    out.append(Word(" ".join(flat[i : i + size]), (canonical,), True))
                    break
            if word is not None:
                out.append(word)
        return out
