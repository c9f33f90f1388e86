"""Morfeusz 2 as the knowledge base's morphology (PyPI ``morfeusz2``, the SGJP dictionary inside).

The analyser is loaded once per process (about 45 MB resident, a fraction of a second) and shared:
``morfeusz()`` returns the one instance. The generator (another 9 MB) is loaded on first use: a
server whose big index was built in a child process (``helpdesk.services.kb.memory``) needs it
only once an article changes. Analyses are cached per word, because questions use the
same few thousand words again and again; generated forms only a little (the knowledge base's
lexicon keeps them folded, and a lemma's forms are asked for once per index build), so that the
cache does not hold a second copy of every form.

Morfeusz's own calls are not documented as thread-safe, so they run under a lock; cached answers
need none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import morfeusz2

from helpdesk.services.kb.morphology import Analysis

_CACHE_WORDS = 10_000  # about three megabytes of analyses
_CACHE_LEMMAS = 1_024
# Longer "words" (a URL, a base64 blob pasted into a question) are no Polish word: not analysed.
_LONGEST_WORD = 60
# The analyser's and the generator's settings, one for both: expand_tags=False keeps one
# interpretation per reading; 'composite' past tense keeps "zapomniałam" one word where it can.
_OPTIONS: dict[str, Any] = {"expand_tags": False, "praet": "composite"}
# SGJP's labels of words out of current use: a verb known only so (używić, odgadać) is no partner
# of a living one in an aspect pair.
_NOT_CURRENT = frozenset({"daw.", "przest.", "rzad.", "arch.", "gw.", "reg.", "poet."})


def _bare(lemma: str) -> str:
    """The lemma without Morfeusz's homonym mark (``list:s1`` → ``list``, ``nie:T`` → ``nie``)."""
    head, sep, _ = lemma.partition(":")
    return head if sep and head else lemma


class MorfeuszMorphology:
    """Lemmas and inflected forms of Polish words, from Morfeusz 2."""

    def __init__(self) -> None:
        self._engine = morfeusz2.Morfeusz(**_OPTIONS, generate=False)
        self._generator: morfeusz2.Morfeusz | None = None
        self._lock = threading.Lock()
        self.analyse = lru_cache(maxsize=_CACHE_WORDS)(self._analyse)  # type: ignore[method-assign]
        self.forms = lru_cache(maxsize=_CACHE_LEMMAS)(self._forms)  # type: ignore[method-assign]
        self.aspects = lru_cache(maxsize=_CACHE_LEMMAS)(self._aspects)  # type: ignore[method-assign]

    def analyse(self, word: str) -> tuple[Analysis, ...]:
        """Every reading of one lower-case word; () when Morfeusz does not know it."""
        return self._analyse(word)

    def analyse_spellings(self, spellings: Sequence[str]) -> tuple[Analysis, ...]:
        """Every reading of those of the spellings Morfeusz knows, from one call on all of them.

        Not cached: the lexicon keeps the outcome per word it was asked for, and the spellings
        nobody typed would only push real words out of the analyses' cache. A spelling Morfeusz
        reads as several segments (an agglutinated ending) counts as unknown.
        """
        wanted = {w for w in spellings if w and len(w) <= _LONGEST_WORD and w.isalpha()}
        if not wanted:
            return ()
        with self._lock:
            readings = self._engine.analyse(" ".join(sorted(wanted)))
        return self._readings(r for r in readings if r[2][0] in wanted)

    def forms(self, lemma: str) -> tuple[str, ...]:
        """Every inflected form of `lemma`, lower-case; () for a lemma Morfeusz does not know."""
        return self._forms(lemma)

    def aspects(self, lemma: str) -> frozenset[str]:
        """The aspects of the infinitive `lemma` in current use (SGJP's ``inf:perf``, ``inf:imperf``,
        ``inf:imperf.perf``); empty for no verb, or one labelled old, rare or dialect."""
        return self._aspects(lemma)

    def forget(self) -> None:
        """Empty the caches (an index build fills them with words no question may use again)."""
        self.analyse.cache_clear()  # type: ignore[attr-defined]
        self.forms.cache_clear()  # type: ignore[attr-defined]
        self.aspects.cache_clear()  # type: ignore[attr-defined]

    def _analyse(self, word: str) -> tuple[Analysis, ...]:
        if not word or len(word) > _LONGEST_WORD:
            return ()
        with self._lock:
            readings = self._engine.analyse(word)
        return self._readings(readings)

    @staticmethod
    def _readings(
        readings: Iterable[tuple[int, int, tuple[str, str, str, list[str], list[str]]]],
    ) -> tuple[Analysis, ...]:
        """Morfeusz's interpretations as distinct (lemma, part of speech), the unknown ones left out."""
        out: dict[Analysis, None] = {}
        for _start, _end, (_orth, lemma, tag, _names, _labels) in readings:
            pos = tag.partition(":")[0]
            if pos == "ign":
                continue
            out[Analysis(_bare(lemma).lower(), pos)] = None
        return tuple(out)

    def _aspects(self, lemma: str) -> frozenset[str]:
        if not lemma or len(lemma) > _LONGEST_WORD or not lemma.isalpha():
            return frozenset()
        with self._lock:
            readings = self._engine.analyse(lemma)
        out: set[str] = set()
        for _start, _end, (_orth, found, tag, _names, labels) in readings:
            pos, _, rest = tag.partition(":")
            if pos == "inf" and _bare(found) == lemma and not _NOT_CURRENT.intersection(labels):
                out.update(rest.split("."))
        return frozenset(out)

    def _forms(self, lemma: str) -> tuple[str, ...]:
        if not lemma or len(lemma) > _LONGEST_WORD:
            return ()
        try:
            with self._lock:
                if self._generator is None:
                    self._generator = morfeusz2.Morfeusz(**_OPTIONS, analyse=False)
                generated = self._generator.generate(lemma)
        except RuntimeError:  # a lemma the generator cannot take (e.g. with odd characters)
            return ()
        return tuple(dict.fromkeys(orth.lower() for orth, _l, tag, *_ in generated if tag != "ign"))


_shared: MorfeuszMorphology | None = None
_shared_lock = threading.Lock()


def morfeusz() -> MorfeuszMorphology:
    """The process's one Morfeusz instance (loaded on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MorfeuszMorphology()
        return _shared
