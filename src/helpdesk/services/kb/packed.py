"""Many short texts kept small: each text as the numbers of its words, every word once.

An index of 10,000 articles keeps two such texts per article (the words the shingles read, the
phrasings' words for the fuzzy comparison): as Python strings they take some 25 MB, as numbers two
bytes a word (four beyond 65,536 different words) plus the vocabulary once, about a quarter of
that; zlib does worse on texts this short. A text is put together again only for a question's few
best candidates, which costs microseconds.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class PackedTexts:
    """Texts as word numbers: text i's words are ``words[n]`` for n in ``ids[offsets[i]:offsets[i + 1]]``
    (one array for all, without an object per text)."""

    words: tuple[str, ...]
    ids: array[int]
    offsets: array[int]

    @staticmethod
    def pack(texts: Iterable[Sequence[str]]) -> PackedTexts:
        """Each text given as the sequence of its words."""
        vocabulary: dict[str, int] = {}
        ids: array[int] = array("I")
        offsets: array[int] = array("q", [0])
        number = vocabulary.setdefault
        for text in texts:
            ids.extend(number(w, len(vocabulary)) for w in text)
            offsets.append(len(ids))
        if len(vocabulary) <= 65_536:
            ids = array("H", ids)
        return PackedTexts(tuple(vocabulary), ids, offsets)

    def __len__(self) -> int:
        """How many texts."""
        return len(self.offsets) - 1

    def words_of(self, i: int) -> list[str]:
        """The words of text i."""
        return list(map(self.words.__getitem__, self.ids[self.offsets[i] : self.offsets[i + 1]]))

    def joined(self, i: int) -> str:
        """Text i, its words separated by single spaces."""
        return " ".join(map(self.words.__getitem__, self.ids[self.offsets[i] : self.offsets[i + 1]]))
