"""How alike a question and a whole article are, letter by letter: TF-IDF of 4-letter shingles.

The matcher's main evidence is lemmas (``helpdesk.services.kb.lexicon``); it misses what lies
between and below them: a clipped word (``cert`` of certyfikat), a word formed from another
(``zdigitalizowaniu`` / digitalizacja), a word of the body the lemma weights leave aside (``ulotka``,
``shp``). Shingles — every run of four characters of the text, folded without Polish letters, its
words separated and surrounded by single spaces (``" cer"``, ``"cert"``, ``"erty"``, ``"t ko"`` …)
— see all of that. A question is compared with the whole article (title, phrasings, tags, body) as
the cosine of their TF-IDF vectors: a shingle weighs ``1 + ln tf`` times a smoothed IDF, as
scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(4, 4), sublinear_tf=True)`` weighs it
(compared with scikit-learn's vectorisers on the evaluation sets while this was built: shingles
inside words only, ``char_wb``, and three to five characters did no better; counting only whether a
shingle is in an article, not how often, did worse).

It is kept small because the index holds up to 10,000 articles on one core. Four ASCII characters
are one 32-bit number, so a text's shingles are read by the array module in C, not letter by letter
in Python. The document frequencies sit in one array of about a million counters, indexed by the
shingle's number modulo a prime (two shingles that share a counter only make each other look a
little commoner). Per article the index keeps its text as numbers of words (two bytes a word,
the words themselves once per table: about a quarter of the text, less than zlib makes of short
texts) and the length of its vector; the similarity is computed for a question's few best
candidates only, from that text.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import mul

from helpdesk.domain.kb.text import tokens
from helpdesk.services.kb.packed import PackedTexts

SIZE = 4  # characters per shingle: one 32-bit number
BUCKETS = 1048573  # counters of document frequencies: the largest prime below 2**20
# Counting every shingle of an article's text costs about as much as searching the text (in C) for
# this many shingles: a question with fewer searches for each of its own, a longer one counts the
# text's (measured on articles of about 2,000 characters).
SEARCHES = 100
_MAX_DF = 65535  # a counter saturates; a shingle in that many articles weighs nearly nothing anyway
assert array("I").itemsize == SIZE


def plain(text: str) -> bytes:
    """The text as the shingles see it: folded words, separated and surrounded by single spaces."""
    return spaced(tokens(text))


def spaced(words: Iterable[str]) -> bytes:
    """Folded words separated and surrounded by single spaces."""
    return (" " + " ".join(words) + " ").encode("ascii")


def _runs(text: bytes) -> Iterator[array[int]]:
    """The runs of SIZE bytes at 0, 4, 8 …, then at 1, 5, 9 … and so on: together, every run once."""
    for start in range(SIZE):
        run = array("I")
        run.frombytes(text[start : start + (len(text) - start) // SIZE * SIZE])
        yield run


def shingles(text: bytes) -> Counter[int]:
    """Every run of SIZE bytes of a plain text (see `plain`) as a number, with its count."""
    out: Counter[int] = Counter()
    for run in _runs(text):
        out.update(run)
    return out


def _bucket(shingle: int) -> int:
    return shingle % BUCKETS


_TF = [0.0] + [1.0 + math.log(c) for c in range(1, 4096)]  # 1 + ln tf, looked up


def _tf(count: int) -> float:
    return _TF[count] if count < 4096 else 1.0 + math.log(count)


class ShingleQuery:
    """A question's shingles and their weights (see `ShingleIndex.query`)."""

    __slots__ = ("long", "searches", "weights")

    def __init__(self, weights: dict[int, float]) -> None:
        """Weights by shingle number; a short question also keeps its shingles as bytes to search."""
        self.weights = weights
        self.long = len(weights) >= SEARCHES
        self.searches = (
            [] if self.long else [(s.to_bytes(SIZE, sys.byteorder), w) for s, w in weights.items()]
        )


@dataclass(frozen=True, eq=False)
class ShingleTable:
    """The articles of one index segment as the shingles see them: each one's plain text (its
    folded words, packed) and the length of its TF-IDF vector (under the frequencies it was built
    with)."""

    texts: PackedTexts
    norms: array[float]

    def text(self, i: int) -> bytes:
        """The plain text of article i."""
        return spaced(self.texts.words_of(i))

    def shingles(self, i: int) -> Counter[int]:
        """The shingles of article i with their counts."""
        return shingles(self.text(i))

    def articles(self, indexes: Iterable[int]) -> Iterator[Counter[int]]:
        """The shingles of these articles."""
        for i in indexes:
            yield self.shingles(i)


class ShingleIndex:
    """Document frequencies of shingles over a set of articles, and similarities to a question.

    Built with `table` (and `remove`), then only read; a matcher updated with a few changed articles
    works on a `copy`."""

    def __init__(self) -> None:
        """An empty index."""
        self._df: array[int] = array("H", bytes(2 * BUCKETS))
        self.documents = 0

    def copy(self) -> ShingleIndex:
        """An independent copy."""
        new = ShingleIndex()
        new._df = array("H", self._df)
        new.documents = self.documents
        return new

    def table(self, texts: Iterable[str]) -> ShingleTable:
        """These articles' whole texts as a table, their shingles counted in the frequencies."""
        words: list[list[str]] = []
        df = self._df
        for whole in texts:
            folded = tokens(whole)
            text = spaced(folded)
            words.append(folded)
            self.documents += 1
            for bucket in {s % BUCKETS for s in set().union(*_runs(text))}:
                if df[bucket] < _MAX_DF:
                    df[bucket] += 1
        # Squared IDF of every counter once, rather than a logarithm per shingle of every article;
        # the sums run in map() over C methods, not in Python bytecode per shingle.
        top = math.log(1 + self.documents) + 1.0
        idf2 = array("f", ((top - math.log(1 + d)) ** 2 for d in df))
        tf2 = [t * t for t in _TF]
        table = ShingleTable(PackedTexts.pack(words), array("f"))
        del words
        for i in range(len(table.texts)):
            counts = table.shingles(i)
            values = counts.values()
            tfs = (
                map(tf2.__getitem__, values)
                if max(values, default=0) < len(tf2)
                else (_tf(c) ** 2 for c in values)
            )
            idfs = map(idf2.__getitem__, map(BUCKETS.__rmod__, counts.keys()))
            table.norms.append(math.sqrt(sum(map(mul, tfs, idfs))) or 1.0)
        return table

    def remove(self, articles: Iterable[Counter[int]]) -> None:
        """Take these articles (old versions of changed ones) out of the frequencies."""
        df = self._df
        for article in articles:
            self.documents -= 1
            for bucket in {_bucket(s) for s in article}:
                if 0 < df[bucket] < _MAX_DF:
                    df[bucket] -= 1

    def _idf(self, shingle: int) -> float:
        return math.log((1 + self.documents) / (1 + self._df[_bucket(shingle)])) + 1.0

    def query(self, text: str) -> ShingleQuery:
        """A question's shingles, each with its weight in the question's unit-length TF-IDF vector
        times its IDF (an article's weight of it, before the article's count and length)."""
        idf = self._idf
        weighted = [(s, _tf(c), idf(s)) for s, c in shingles(plain(text)).items()]
        length = math.sqrt(sum((t * i) ** 2 for _, t, i in weighted)) or 1.0
        return ShingleQuery({s: t * i * i / length for s, t, i in weighted})

    @staticmethod
    def similarity(query: ShingleQuery, table: ShingleTable, i: int) -> float:
        """Cosine of a question (from `query`) and article i of a table."""
        text = table.text(i)
        dot = 0.0
        if query.long:
            counts = shingles(text)
            weights = query.weights
            for number in counts.keys() & weights.keys():  # the shingles both have, found in C
                dot += weights[number] * _tf(counts[number])
        else:
            count = text.count
            for shingle, w in query.searches:
                c = count(shingle)
                if c:
                    dot += w * _tf(c)
        return dot / table.norms[i]
