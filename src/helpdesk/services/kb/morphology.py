"""The port to a Polish morphological analyser: lemmas of a word, and the forms of a lemma.

The knowledge base matches questions to articles by lemma (zapomniałam → zapomnieć, hasła → hasło),
so that inflection needs no hand-made rules. The analyser itself (Morfeusz 2, with the SGJP
dictionary) is an outside library: it lives in ``helpdesk.adapters.morph`` and is handed to the
knowledge-base service by the composition root.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol


class Analysis(NamedTuple):
    """One reading of a word: its lemma (as the dictionary writes it) and its grammatical class."""

    lemma: str
    pos: str  # the part of speech: subst, adj, fin, ger, prep, conj, …


class Morphology(Protocol):
    """What the knowledge base needs from a morphological analyser; implementations are thread-safe."""

    def analyse(self, word: str) -> tuple[Analysis, ...]:
        """Every reading of one lower-case word (ambiguity kept); () when the dictionary does not know it."""
        ...

    def analyse_spellings(self, spellings: Sequence[str]) -> tuple[Analysis, ...]:
        """Every reading of those of these lower-case words the dictionary knows, in one call (the
        spellings one word typed without Polish letters may stand for); () when it knows none."""
        ...

    def forms(self, lemma: str) -> tuple[str, ...]:
        """Every inflected form of a lemma (lower-case, with diacritics); () for an unknown lemma."""
        ...

    def aspects(self, lemma: str) -> frozenset[str]:
        """The aspects of the verb `lemma` ("perf", "imperf", or both) as the dictionary has it in
        current use; empty when it knows no such verb, or only as an old, rare or dialect word."""
        ...

    def forget(self) -> None:
        """Drop the analyses cached so far (after an index build: the articles' words, read once,
        are not the words questions use again and again)."""
        ...
