"""Answer a question from the knowledge base: Polish-aware ranking that is right or silent.

The pipeline, per question:

1. small talk (greetings, thanks, punctuation) is answered with silence straight away;
2. the text becomes content words, each with the set of its lemmas (``helpdesk.services.kb.lexicon``:
   Morfeusz 2 behind a port, ambiguity kept, forms without Polish letters folded, synonyms applied);
3. words neither the dictionary (with their Polish letters given back, ``wpadaja`` → wpadać) nor
   the index knows are repaired by rapidfuzz against the inflected forms of the articles' lemmas,
   bucketed by first letter and length so one lookup compares a few hundred words;
4. a question made only of words that many articles use is never answered: one such word
   ("działa", "nie działa") gets silence, as small talk does; two or more ("jak podpisać pismo")
   get the articles whose head holds them all offered as "Może chodzi o…", so that the official is
   not left with nothing; otherwise BM25F over the fields (title, phrasings and tags weigh most,
   the body and the phrasings learned from tickets least) picks candidates;
5. each candidate is re-scored with a few robust features: how much of the question's information
   (IDF mass) sits in the article's title, phrasings and tags (its *head*) and anywhere in it, how
   close the question is to the nearest phrasing, and, against the runner-up, how much of the
   question only this article's head explains (the *deciding detail*);
6. the best few are also compared with the question letter by letter, over the whole article
   (TF-IDF of 4-character shingles, ``helpdesk.services.kb.shingles``): what lemmas miss — a clipped
   word (``cert``), a word formed from another, a rare word of the body — moves them among
   themselves, and the similarity is one more feature;
7. a logistic regression over FEATURES (fitted on labelled questions and checked by grouped
   cross-validation, ``helpdesk.services.kb.calibration``) turns them into a confidence in [0, 1].

It answers only when the confidence reaches the fitted threshold, the evidence is in the article's
head (not only its body), and — when a close neighbour scores nearly as well — the question holds a
detail that decides between them. Otherwise it is silent, and the candidates that were close are
offered (``suggestions``: "Może chodzi o…").

What a coordinator accepted from tickets takes part too (``Learned``): new phrasings join their
article's head, and a counter-example ("Nie pomogło") keeps its article from answering that
question and questions close to it.

The index is never mutated, so concurrent reads are safe. It is one big segment built from all
articles plus, after changes, a small segment of the articles changed since (``KbMatcher.updated``
makes a new matcher that shares the big segment): publishing an article or accepting a proposal
costs the indexing of that article, not of the whole knowledge base. Per article it keeps flat
arrays (postings, phrasings) and its texts as word numbers (``helpdesk.services.kb.packed``), so
that 10,000 articles fit in a few tens of MB.
"""

from __future__ import annotations

import copy
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from heapq import nlargest
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import is_small_talk
from helpdesk.services.kb.lexicon import Lexicon, Word
from helpdesk.services.kb.morphology import Morphology
from helpdesk.services.kb.packed import PackedTexts
from helpdesk.services.kb.shingles import ShingleIndex, ShingleTable

# Field weights of BM25F: the phrasings people use and the title say what an article answers;
# the body mentions many things in passing.
# Phrasings learned from tickets are officials' own questions, accepted as they were asked: they
# weigh like the body, in a field of their own, so that a few long, chatty ones neither outweigh
# the curated phrasings nor stretch their length norm. Their field has no length norm (b = 0): its
# average length would depend on whether they came in a full build or in an update's segment.
# They still belong to the article's head.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 2.0, "tags": 2.0, "body": 1.0, "learned": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75, "learned": 0.0}
HEAD_FIELDS = frozenset({0, 1, 2, 4})  # title, questions, tags, learned: the evidence an answer needs
K1 = 1.2
# A posting's BM25F weight is kept in two bytes, as a multiple of WEIGHT_STEP: weights stay below
# (K1 + 1) × IDF, under 32 even for a million articles, and a step of 1/2048 changes no ranking
# that matters, while 10,000 articles take 4 MB less.
WEIGHT_STEP = 1 / 2048
MAX_WEIGHT_UNITS = 65_535

# BM25F candidates re-scored with the richer features. The article that ends up first was never
# below 5th by BM25F on the 80 evaluation articles, and 20 instead of 30 left every answer on the
# 10,080-article benchmark KB as it was, with p50 and p99 a fifth lower there.
CANDIDATES = 20
POSTINGS_BUDGET = 3000  # postings read per question to nominate candidates (see KbMatcher._rank)
MAX_CANDIDATES_SHOWN = 3
CROWD_MAX_HEADS = 64  # at least this many heads sharing a term still count for the crowding
# A term in at least this share of the articles, and in at least COMMON_MIN_DOCS of them, is common:
# it does not point at an article.
COMMON_SHARE = 1 / 3
COMMON_MIN_DOCS = 3
# A question made only of common terms (a vague question) needs at least this many different words
# for its candidates to be offered: "nie działa" alone points nowhere, "jak podpisać pismo" does.
VAGUE_MIN_WORDS = 2
VAGUE_HEAD = 0.999  # "the whole question" (a share of its information), rounding aside
# A runner-up whose ranking score is at least this share of the best one is a close neighbour:
# the answer then needs a deciding detail (question information in the best head only).
NEIGHBOUR_SHARE = 0.9
# A question this close (IDF cosine) to a counter-example of an article is not answered with it.
COUNTER_SIMILARITY = 0.75
# How much one edit of a typo repair lowers the repaired word's weight.
REPAIR_COST = 0.15
# Candidates offered as "Może chodzi o…" when there is no answer: at least this confident, with
# some of the question in their head.
SUGGEST_AT = 0.2
NEWLINE = "\n"  # the word between two phrasings of an article in its packed lines
CACHED_REPAIRS = 5_000  # typo repairs remembered, at most (about a megabyte)
# The best candidates by the lemma-based score that are compared with the question letter by letter
# too (helpdesk.services.kb.shingles); the comparison reads each one's whole text, so only a few.
SHINGLED = 3  # (five did no better on the evaluation sets)

FEATURES: tuple[str, ...] = (
    "combined",  # the ranking score
    "head",  # share of the question's IDF mass found in the article's title, phrasings or tags
    "coverage",  # … found anywhere in the article
    "phrase",  # IDF-weighted cosine with the nearest phrasing
    "rcov",  # share of the best-covered phrasing's information that the question has
    "fuzzy",  # rapidfuzz token-set similarity with the nearest phrasing
    "decisive",  # head mass only this article explains, minus what only the rival explains
    "margin",  # lead of the ranking score over the rival's
    "unknown",  # share of the question's information the knowledge base does not know at all
    "miss",  # the heaviest question word the article lacks, relative to the question's heaviest word
    "strong",  # share of the question's two heaviest words (unknown ones included) in the article's head
    "info",  # log(1 + the question's IDF mass in units of the rarest term): how much it says
    "crowd",  # how close the article's nearest neighbour is (cosine of their heads)
    "shingle",  # cosine of the question and the whole article as TF-IDF of 4-letter shingles
)


@dataclass(frozen=True)
class Calibration:
    """Weights of the ranking and of the confidence.

    The ranking weights are few and coarse on purpose. The confidence is a logistic regression
    over FEATURES fitted on labelled questions (helpdesk.services.kb.calibration) and checked by
    cross-validation grouped by article and by question set, so that it follows the kinds of
    questions rather than individual lines or articles.
    """

    head: float = 0.3
    coverage: float = 0.4
    phrase: float = 0.2
    fuzzy: float = 0.2
    bm25_mix: float = 1.0  # how much the BM25F rank modulates the above
    shingle: float = 2.0  # weight of the shingle cosine added to the ranking score of the best candidates
    unknown: float = 1.0  # a word unknown to the KB weighs like the rarest term
    # Logistic regression over FEATURES; refit with `bench/bench_kb.py --fit` (it prints the
    # grouped cross-validated figures and these constants).
    weights: tuple[float, ...] = (
        1.247,
        -0.5245,
        2.1528,
        -1.7317,
        0.8846,
        1.8916,
        -1.086,
        2.3342,
        -0.2247,
        -0.5418,
        -0.5347,
        0.593,
        -0.8464,
        7.4531,
    )
    bias: float = -3.2114
    answer_at: float = 0.8653


@dataclass(frozen=True)
class Learned:
    """What a coordinator accepted from tickets: extra phrasings and counter-examples per article."""

    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    counter_examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class KbAnswer:
    """The matcher's verdict on one question (the answer's JSON before the article is looked up)."""

    answered: bool
    article_id: str | None
    score: float
    candidates: list[tuple[str, float]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # "Może chodzi o…" when not answered


@dataclass(frozen=True)
class Explanation:
    """Words, repairs and features of the best candidates, for tuning and for the bench."""

    terms: list[tuple[str, str, float]]
    unknown: list[str]
    rows: list[dict[str, float | str]]


@dataclass
class _QWord:
    surface: str
    tids: tuple[int, ...]
    weight: float  # 1.0 for a known word, lower for a typo repair
    idf: float  # the least informative of its readings: ambiguity must not inflate it


@dataclass(frozen=True, eq=False)
class _Segment:
    """The index of a run of articles, compactly: BM25F postings over the matcher's term ids (with
    local article numbers), the terms of each article's head, and each article's phrasings.

    An index is one big segment built at start plus, after changes, a small segment of the articles
    added or changed since (`KbMatcher.updated`).
    """

    start: int  # the matcher-wide number of its first article
    ids: tuple[str, ...]
    offsets: array[int]  # postings of term t: [offsets[t], offsets[t + 1]) (terms known when built)
    docs: array[int]  # two bytes each where the segment has fewer than 65,536 articles, else four
    weights: array[int]  # in units of WEIGHT_STEP
    head_offsets: array[int]
    head_docs: array[int]
    head_norms: array[float]  # IDF norm of each article's head (for the crowding of later segments)
    phr_off: array[int]  # article d's phrasings: phr_terms[phr_off[d]:phr_off[d + 1]], split by -1
    phr_terms: array[int]
    pn_off: array[int]  # article d's phrasing norms and masses start at pn_off[d]
    norms: array[float]
    masses: array[float]
    lines: PackedTexts  # per article its phrasings' words, NEWLINE between phrasings (rapidfuzz)
    crowd: array[float]
    shingles: ShingleTable  # the shingles of each article's whole text

    def span(self, t: int) -> tuple[int, int]:
        """The postings of term t."""
        return (self.offsets[t], self.offsets[t + 1]) if t + 1 < len(self.offsets) else (0, 0)

    def head_span(self, t: int) -> tuple[int, int]:
        """The head postings of term t."""
        off = self.head_offsets
        return (off[t], off[t + 1]) if t + 1 < len(off) else (0, 0)


class KbMatcher:
    """An immutable index over articles that answers questions; safe to share between threads.

    A change (an article published, a proposal accepted) makes a new matcher with `updated`: it
    shares the big segment built at start and indexes only the changed articles.
    """

    def __init__(
        self,
        articles: Iterable[Article],
        morphology: Morphology,
        calibration: Calibration | None = None,
        learned: Learned | None = None,
    ) -> None:
        """Build the index from the articles (ids must be unique) and what was learned from tickets."""
        self.calibration = calibration or Calibration()
        self._learned = learned or Learned()
        items = list(articles)
        self.lexicon = Lexicon(morphology, self._texts(items, self._learned))
        self._term_ids: dict[str, int] = {}
        self._idf: array[float] = array("d")
        self._surface: dict[str, tuple[str, ...]] = {}  # article words the lexicon's forms lack
        self._buckets: dict[tuple[str, int], list[str]] = {}
        self._tids: dict[int, tuple[Word, tuple[int, ...]]] = {}  # a word's term ids, while indexing
        self._avg_len: list[float] = []  # average field lengths of the big segment (BM25F norms)
        self._masked: frozenset[int] = frozenset()  # big-segment articles changed or removed since
        self._shingles = ShingleIndex()  # shingle frequencies of every live article
        self._base_shingles = self._shingles  # … of the big segment's articles (never changed after)
        base = self._segment(items, 0, None)
        self._segments: tuple[_Segment, ...] = (base,)
        self._changed: dict[str, Article] = {}  # the articles of the second segment, by id
        self._doc_of = {aid: i for i, aid in enumerate(base.ids)}
        if len(self._doc_of) != len(base.ids):
            raise ValueError("article ids must be unique")
        self._max_idf = max(self._idf, default=1.0)
        self._add_to_buckets(self.lexicon.forms.items())
        self._add_to_buckets(self._surface.items())
        self._counter = self._counters(self._learned)
        self._fuzzy_cache: dict[str, tuple[tuple[str, ...], float] | None] = {}
        self._tids = {}
        self.lexicon.forget_words()

    def updated(
        self, articles: Iterable[Article], removed: Iterable[str] = (), learned: Learned | None = None
    ) -> KbMatcher:
        """A matcher with these articles added or changed and those ids removed (and, when given,
        what was learned from tickets since): only the articles changed since the big segment was
        built are indexed again, in a small second segment."""
        new = copy.copy(self)
        new._learned = learned if learned is not None else self._learned
        items = list(articles)
        changed = dict(self._changed)
        for article in items:
            changed[article.id] = article
        gone = set(removed) - {a.id for a in items}
        for aid in gone:
            changed.pop(aid, None)
        base = self._segments[0]
        base_of = {aid: i for i, aid in enumerate(base.ids)}
        new._masked = frozenset(base_of[aid] for aid in (*changed, *gone) if aid in base_of)
        new._changed = changed
        new._term_ids = dict(self._term_ids)
        new._idf = array("d", self._idf)
        new._surface = {}
        new._tids = {}
        fresh = new.lexicon.learn(new._texts(items, new._learned))
        new._shingles = self._base_shingles.copy()
        new._shingles.remove(base.shingles.articles(new._masked))
        segment = new._segment(list(changed.values()), len(base.ids), base)
        new._segments = (base, segment) if segment.ids else (base,)
        new._doc_of = {aid: i for i, aid in enumerate(base.ids) if i not in new._masked}
        new._doc_of.update((aid, segment.start + i) for i, aid in enumerate(segment.ids))
        new._max_idf = max(new._idf, default=1.0)
        new._buckets = dict(self._buckets)
        forms = new.lexicon.forms
        new._add_to_buckets(((f, forms[f]) for f in sorted(fresh)), copy_lists=True)
        new._add_to_buckets(new._surface.items(), copy_lists=True)
        new._surface = {**self._surface, **new._surface}
        new._counter = new._counters(new._learned)
        new._fuzzy_cache = {}
        new._tids = {}
        return new

    @property
    def overlay_size(self) -> int:
        """How many articles the second segment holds (indexed again since the big build)."""
        return len(self._changed)

    def shares_index_with(self, other: KbMatcher) -> bool:
        """Whether both matchers answer from the same big segment (one was updated from the other)."""
        return self._segments[0] is other._segments[0]

    # ---------------------------------------------------------------- building

    @staticmethod
    def _texts(items: list[Article], learned: Learned) -> list[str]:
        texts: list[str] = []
        for a in items:
            texts += [a.title, *a.questions, *a.tags, a.body, *learned.phrasings.get(a.id, ())]
        return texts

    def _words_of(self, text: str) -> list[tuple[int, ...]]:
        """Term ids of each content word of a text at index time, registering new terms."""
        out = []
        term_ids, tids_of, forms = self._term_ids, self._tids, self.lexicon.forms
        for word in self.lexicon.words(text):
            # The lexicon hands out one Word object per token: its ids are looked up once (the
            # entry keeps the Word, so its id() is not reused while the entry lives).
            hit = tids_of.get(id(word))
            if hit is None:
                tids = tuple(term_ids.setdefault(t, len(term_ids)) for t in word.terms)
                hit = tids_of[id(word)] = (word, tids)
                surface = word.surface
                if " " not in surface and surface not in forms:
                    self._surface.setdefault(surface, word.terms)
            out.append(hit[1])
        return out

    def _segment(self, items: list[Article], start: int, base: _Segment | None) -> _Segment:
        """Index the articles as one segment; IDF of their terms counts `base`'s articles too."""
        names = list(FIELD_WEIGHTS)
        bags: list[array[int]] = []
        lengths: list[tuple[int, ...]] = []
        phrasings: list[list[tuple[tuple[int, ...], ...]]] = []
        lines: list[list[str]] = []
        for article in items:
            extra = self._learned.phrasings.get(article.id, ())
            title = self._words_of(article.title)
            questions = [self._words_of(q) for q in (*article.questions, *extra)]
            tags = [w for tag in article.tags for w in self._words_of(tag)]
            body = self._words_of(article.body)
            curated, learned = questions[: len(article.questions)], questions[len(article.questions) :]
            fields = (
                title,
                [w for q in curated for w in q],
                tags,
                body,
                [w for q in learned for w in q],
            )
            bag = array("i")
            for f_index, words in enumerate(fields):
                counts: dict[int, int] = {}
                for w in words:
                    for t in w:
                        counts[t] = counts.get(t, 0) + 1
                for t, tf in counts.items():
                    bag.extend((t, f_index, tf))
            bags.append(bag)
            lengths.append(tuple(len(f) for f in fields))
            phrasings.append([tuple(dict.fromkeys(p)) for p in (title, *questions, tags) if p])
            surfaces: list[str] = []
            for i, phrasing in enumerate((article.title, *article.questions, *extra)):
                if i:
                    surfaces.append(NEWLINE)
                surfaces.extend(w.surface for w in self.lexicon.words(phrasing))
            lines.append(surfaces)
        n_terms = len(self._term_ids)
        df = [0] * n_terms
        head_df = [0] * n_terms
        for bag in bags:
            for t in set(bag[0::3]):
                df[t] += 1
            for t in {bag[i] for i in range(0, len(bag), 3) if bag[i + 1] in HEAD_FIELDS}:
                head_df[t] += 1
        # IDF over every live article: this segment's and the base segment's, less the base's old
        # versions of the articles changed since (terms only an old version had keep their count).
        n_docs = len(items) + (len(base.ids) - len(self._masked) if base is not None else 0)
        idf = self._idf
        idf.extend([0.0] * (n_terms - len(idf)))
        for t, d in enumerate(df):
            if d or base is None:
                if base is not None:
                    lo, hi = base.span(t)
                    d += hi - lo - sum(self._contains(base.docs, lo, hi, m) for m in self._masked)
                idf[t] = math.log(1.0 + (n_docs - d + 0.5) / (d + 0.5))
        avg_len = [max(sum(lens[i] for lens in lengths) / max(len(items), 1), 1.0) for i in range(len(names))]
        if base is not None:  # a few changed articles must not set their own length norms
            avg_len = [max(a, 1.0) for a in self._avg_len]
        else:
            self._avg_len = avg_len
        offsets = self._prefix_sums(df)
        head_offsets = self._prefix_sums(head_df)
        # Article numbers are local to the segment: two bytes do for all but huge ones.
        doc_code = "H" if len(items) <= 65_535 else "i"
        doc_size = array(doc_code).itemsize
        docs = array(doc_code, bytes(doc_size * offsets[-1]))
        weights_out = array("H", bytes(2 * offsets[-1]))
        head_docs = array(doc_code, bytes(doc_size * head_offsets[-1]))
        cursor = array("q", offsets[:-1])
        head_cursor = array("q", head_offsets[:-1])
        heads: list[array[int]] = []
        weights = [FIELD_WEIGHTS[n] for n in names]
        b_values = [FIELD_B[n] for n in names]
        for doc, (bag, lens) in enumerate(zip(bags, lengths, strict=True)):
            norms = [1.0 - b_values[i] + b_values[i] * lens[i] / avg_len[i] for i in range(len(names))]
            pseudo: dict[int, float] = {}
            head: set[int] = set()
            for i in range(0, len(bag), 3):
                t, f_index, tf = bag[i], bag[i + 1], bag[i + 2]
                pseudo[t] = pseudo.get(t, 0.0) + weights[f_index] * tf / norms[f_index]
                if f_index in HEAD_FIELDS:
                    head.add(t)
            for t, ptf in pseudo.items():
                pos = cursor[t]
                docs[pos] = doc
                weight = idf[t] * ptf * (K1 + 1.0) / (ptf + K1)
                weights_out[pos] = min(round(weight / WEIGHT_STEP), MAX_WEIGHT_UNITS)
                cursor[t] = pos + 1
            for t in head:
                pos = head_cursor[t]
                head_docs[pos] = doc
                head_cursor[t] = pos + 1
            heads.append(array("i", head))
        del bags
        sq = [x * x for x in idf]
        head_norms = array("f", (math.sqrt(sum(sq[t] for t in h)) or 1.0 for h in heads))
        # A phrasing is kept as its set of terms and its norm over words (a word weighs the IDF of
        # its least informative reading, as in questions).
        phr_off = array("i", [0])
        phr_terms = array("i")
        pn_off = array("i", [0])
        p_norms: array[float] = array("f")
        p_masses: array[float] = array("f")
        for doc_phr in phrasings:
            for p in doc_phr:
                phr_terms.extend(dict.fromkeys(t for w in p for t in w))
                phr_terms.append(-1)
                p_norms.append(math.sqrt(sum(min(idf[t] for t in w) ** 2 for w in p)) or 1.0)
                p_masses.append(sum(min(idf[t] for t in w) for w in p) or 1.0)
            phr_off.append(len(phr_terms))
            pn_off.append(len(p_norms))
        segment = _Segment(
            start=start,
            ids=tuple(a.id for a in items),
            offsets=offsets,
            docs=docs,
            weights=weights_out,
            head_offsets=head_offsets,
            head_docs=head_docs,
            head_norms=head_norms,
            phr_off=phr_off,
            phr_terms=phr_terms,
            pn_off=pn_off,
            norms=p_norms,
            masses=p_masses,
            lines=PackedTexts.pack(lines),
            crowd=array("f"),
            shingles=self._shingles.table(
                " ".join((a.title, *a.questions, *self._learned.phrasings.get(a.id, ()), *a.tags, a.body))
                for a in items
            ),
        )
        crowd = self._crowding(heads, head_norms, segment, base)
        return replace(segment, crowd=crowd)

    def _crowding(
        self, heads: list[array[int]], norms: array[float], segment: _Segment, base: _Segment | None
    ) -> array[float]:
        """Per article: how close its nearest neighbour is, as the IDF-weighted cosine of their heads.

        Articles in a crowded neighbourhood (password reset / lockout / expired password …) need
        more evidence before an answer than an article that stands alone. Terms in very many heads
        are left out of the dot products (they weigh little and would make the build quadratic).
        A changed article is compared with the base segment's live articles too.
        """
        sq = [x * x for x in self._idf]
        others = [segment] if base is None else [base, segment]
        cap = max(CROWD_MAX_HEADS, sum(len(s.ids) for s in others) // 100)
        crowd: array[float] = array("f", bytes(4 * len(heads)))
        for doc, head in enumerate(heads):
            best = 0.0
            for other in others:
                acc: dict[int, float] = {}
                get = acc.get
                docs = other.head_docs
                for t in head:
                    lo, hi = other.head_span(t)
                    if hi - lo > cap or (other is segment and hi - lo < 2):
                        continue
                    w = sq[t]
                    for d in docs[lo:hi]:
                        acc[d] = get(d, 0.0) + w
                if other is segment:
                    acc.pop(doc, None)
                else:
                    for d in self._masked:
                        acc.pop(d, None)
                best = max(best, max((v / other.head_norms[o] for o, v in acc.items()), default=0.0))
            crowd[doc] = best / norms[doc]
        return crowd

    def _add_to_buckets(self, words: Iterable[tuple[str, tuple[str, ...]]], copy_lists: bool = False) -> None:
        """Typo repair looks only at words of similar length with the same first letter: the
        articles' own words and every inflected form of their lemmas."""
        buckets, term_ids = self._buckets, self._term_ids
        copied: set[tuple[str, int]] = set()
        for word, terms in words:
            if len(word) < 4 or word.isdigit() or not any(t in term_ids for t in terms):
                continue
            key = (word[0], len(word))
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = []
                copied.add(key)
            elif copy_lists:
                if word in bucket:
                    continue
                if key not in copied:
                    bucket = buckets[key] = list(bucket)
                    copied.add(key)
            bucket.append(word)

    def _vocabulary_terms(self, word: str) -> tuple[str, ...]:
        """The terms of a word of the typo-repair vocabulary."""
        return self.lexicon.forms.get(word) or self._surface.get(word, ())

    def _counters(self, learned: Learned) -> dict[int, list[tuple[frozenset[int], float]]]:
        """Counter-examples per article: the question's terms and norm."""
        out: dict[int, list[tuple[frozenset[int], float]]] = {}
        for aid, examples in learned.counter_examples.items():
            doc = self._doc_of.get(aid)
            if doc is None:
                continue
            for text in examples:
                qwords = self._resolve(self.lexicon.words(text))[0]
                if qwords:
                    tids = frozenset(t for q in qwords for t in q.tids)
                    norm = math.sqrt(sum(q.idf**2 for q in qwords))
                    out.setdefault(doc, []).append((tids, norm))
        return out

    # ---------------------------------------------------------------- querying

    def _repair(self, word: str) -> tuple[tuple[str, ...], float] | None:
        """Known terms for an unknown word and how sure the repair is, or None.

        A typo is at most one edit away in a short word and two in a long one (a swap of two
        neighbouring letters counts as one edit: lsita → lista); each edit lowers the weight.
        """
        cached = self._fuzzy_cache.get(word, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        result: tuple[tuple[str, ...], float] | None = None
        if len(word) >= 4 and not word.isdigit():
            limit = 1 if len(word) < 7 else 2
            best: tuple[str, int] | None = None
            for length in range(len(word) - limit, len(word) + limit + 1):
                bucket = self._buckets.get((word[0], length))
                if not bucket:
                    continue
                hit = process.extractOne(word, bucket, scorer=OSA.distance, score_cutoff=limit)
                if hit is not None and (best is None or hit[1] < best[1]):
                    best = (hit[0], int(hit[1]))
                    limit = best[1]
            if best is not None:
                result = (self._vocabulary_terms(best[0]), 1.0 - REPAIR_COST * best[1])
        if len(self._fuzzy_cache) < CACHED_REPAIRS:
            self._fuzzy_cache[word] = result
        return result

    def _resolve(self, words: list[Word]) -> tuple[list[_QWord], list[str], list[tuple[str, str, float]]]:
        """Question words with their term ids (typos repaired), the words that stayed unknown, a trace."""
        out: list[_QWord] = []
        unknown: list[str] = []
        trace: list[tuple[str, str, float]] = []
        seen: dict[tuple[int, ...], int] = {}
        for word in words:
            terms: tuple[str, ...] = word.terms
            weight = 1.0
            tids = tuple(self._term_ids[t] for t in terms if t in self._term_ids)
            if not tids and not word.known and " " not in word.surface:
                repaired = self._repair(word.surface)
                if repaired is not None:
                    terms, weight = repaired
                    tids = tuple(self._term_ids[t] for t in terms if t in self._term_ids)
            if not tids:
                if " " not in word.surface and not word.surface.isdigit():
                    unknown.append(word.surface)
                continue
            trace.append((word.surface, "|".join(terms), weight))
            if tids in seen:  # the same word twice says no more than once
                q = out[seen[tids]]
                q.weight = max(q.weight, weight)
                continue
            seen[tids] = len(out)
            out.append(_QWord(word.surface, tids, weight, min(self._idf[t] for t in tids)))
        return out, unknown, trace

    def _df(self, t: int) -> int:
        """How many articles (of every segment) hold term t."""
        n = 0
        for seg in self._segments:
            lo, hi = seg.span(t)
            n += hi - lo
        return n

    def _locate(self, doc: int) -> tuple[_Segment, int]:
        """The segment of a matcher-wide article number and the article's number there."""
        segs = self._segments
        seg = segs[-1] if doc >= segs[-1].start else segs[0]
        return seg, doc - seg.start

    def _id(self, doc: int) -> str:
        seg, local = self._locate(doc)
        return seg.ids[local]

    def _rank(
        self, text: str
    ) -> tuple[
        list[tuple[int, float, dict[str, float]]], tuple[list[tuple[str, str, float]], list[str]] | None
    ]:
        """Candidates as (doc, combined score, features), best first."""
        if is_small_talk(text) or not len(self):
            return [], None
        qwords, unknown, trace = self._resolve(self.lexicon.words(text))
        # A question made only of words that a large share of the articles use ("działa", "system")
        # does not point at one article: it is never answered (see `answer`), and with a single
        # such word it is silent, as small talk is.
        n_docs = len(self)
        df_of = {t: self._df(t) for q in qwords for t in q.tids}
        floor = max(COMMON_MIN_DOCS, COMMON_SHARE * n_docs)
        vague = all(min(df_of[t] for t in q.tids) >= floor for q in qwords)
        if vague and _notions(qwords) < VAGUE_MIN_WORDS:
            return [], (trace, unknown)
        acc: dict[int, float] = {}
        common = max(n_docs // 3, 500)
        # Rarest words first, and only until POSTINGS_BUDGET postings are read: the words left
        # are the commonest, which hardly change who the candidates are (they still count in the
        # candidates' features below), and the budget keeps a long question fast on a big KB.
        budget = POSTINGS_BUDGET
        segments = self._segments
        for q in sorted(qwords, key=lambda q: min(df_of[t] for t in q.tids)):
            # Terms in a third of the articles or more hardly discriminate: they do not nominate.
            tids = [t for t in q.tids if len(qwords) == 1 or df_of[t] <= common]
            size = sum(df_of[t] for t in tids)
            if size > budget and budget < POSTINGS_BUDGET:
                continue
            budget -= size
            qw = q.weight * WEIGHT_STEP  # postings weigh in units of WEIGHT_STEP
            get = acc.get
            ranges = [(seg, *seg.span(t)) for seg in segments for t in tids]
            ranges = [r for r in ranges if r[2] > r[1]]
            if len(ranges) == 1 and ranges[0][0].start == 0:
                seg, lo, hi = ranges[0]
                for doc, w in zip(seg.docs[lo:hi], seg.weights[lo:hi], strict=True):
                    acc[doc] = get(doc, 0.0) + qw * w
                continue
            best_of_word: dict[int, int] = {}
            best = best_of_word.get
            for seg, lo, hi in ranges:
                start = seg.start
                for doc, w in zip(seg.docs[lo:hi], seg.weights[lo:hi], strict=True):
                    doc += start
                    if w > best(doc, 0):
                        best_of_word[doc] = w
            for doc, w in best_of_word.items():
                acc[doc] = get(doc, 0.0) + qw * w
        for doc in self._masked:
            acc.pop(doc, None)
        # The CANDIDATES best: the cut-off score first (a heap of bare floats is fast), then a sort
        # of the few at or above it.
        cut = nlargest(CANDIDATES, acc.values())[-1] if len(acc) > CANDIDATES else 0.0
        top = sorted(((d, v) for d, v in acc.items() if v >= cut), key=itemgetter(1), reverse=True)
        top = top[:CANDIDATES]
        cal = self.calibration
        max_idf = self._max_idf
        unknown_mass = cal.unknown * max_idf * len(unknown)
        masses = [q.idf * q.weight for q in qwords]
        q_mass = (sum(masses) + unknown_mass) or 1.0
        q_norm = math.sqrt(sum(m * m for m in masses) + (cal.unknown * max_idf) ** 2 * len(unknown)) or 1.0
        best_bm25 = top[0][1] if top else 1.0
        info = math.log(1 + q_mass / max_idf)
        unknown_share = unknown_mass / q_mass
        q_text = " ".join([q.surface for q in qwords] + unknown)
        unknown_word = cal.unknown * max_idf
        ranked = sorted([*masses, *([unknown_word] * len(unknown))], reverse=True)
        heaviest = ranked[0] if ranked else 1.0
        heavy_cut = ranked[1] if len(ranked) > 1 else heaviest
        heavy_mass = sum(ranked[:2]) or 1.0
        rows = []
        # Per segment, per question word: the ranges of its terms' head and article postings.
        spans = [
            (
                [[seg.head_span(t) for t in q.tids] for q in qwords],
                [[seg.span(t) for t in q.tids] for q in qwords],
            )
            for seg in segments
        ]
        word_of: dict[int, int] = {}
        for i, q in enumerate(qwords):
            for t in q.tids:
                word_of.setdefault(t, i)
        idfs = [q.idf for q in qwords]
        for doc, bm25 in top:
            seg, local = self._locate(doc)
            head_ranges, doc_ranges = spans[0] if seg is segments[0] else spans[-1]
            head_docs, post_docs = seg.head_docs, seg.docs
            matched = 0.0
            head = 0.0
            in_head: list[bool] = []
            present: list[bool] = []
            miss = unknown_word if unknown else 0.0
            for i, m in enumerate(masses):
                h = False
                for lo, hi in head_ranges[i]:
                    pos = bisect_left(head_docs, local, lo, hi)
                    if pos < hi and head_docs[pos] == local:
                        h = True
                        break
                p = h
                if not p:
                    for lo, hi in doc_ranges[i]:
                        pos = bisect_left(post_docs, local, lo, hi)
                        if pos < hi and post_docs[pos] == local:
                            p = True
                            break
                in_head.append(h)
                present.append(p)
                if h:
                    head += m
                if p:
                    matched += m
                elif m > miss:
                    miss = m
            strong = sum(m for m, h in zip(masses, in_head, strict=True) if h and m >= heavy_cut) / heavy_mass
            phrase = 0.0
            rcov = 0.0
            k = seg.pn_off[local]
            hits: set[int] = set()
            for t in seg.phr_terms[seg.phr_off[local] : seg.phr_off[local + 1]]:
                if t >= 0:  # a term of the phrasing; -1 ends it
                    hit = word_of.get(t)
                    if hit is not None:
                        hits.add(hit)
                    continue
                dot = 0.0
                mass = 0.0
                for i in hits:
                    if present[i]:
                        dot += masses[i] * idfs[i]
                        mass += idfs[i]
                if dot:
                    phrase = max(phrase, dot / (q_norm * seg.norms[k]))
                    rcov = max(rcov, min(mass / seg.masses[k], 1.0))
                hits.clear()
                k += 1
            # One join per candidate, then the phrasings apart (CANDIDATES a question).
            texts = [line.strip() for line in seg.lines.joined(local).split(NEWLINE)]
            best_text = process.extractOne(q_text, texts, scorer=fuzz.token_set_ratio) if texts else None
            fz = best_text[1] / 100.0 if best_text is not None else 0.0
            feats: dict[str, Any] = {
                "head": head / q_mass,
                "coverage": matched / q_mass,
                "phrase": phrase,
                "rcov": rcov,
                "fuzzy": fz,
                "bm25": bm25 / best_bm25,
                "unknown": unknown_share,
                "miss": miss / heaviest,
                "strong": strong,
                "info": info,
                "crowd": float(seg.crowd[local]),
                "shingle": 0.0,
                "_in_head": in_head,
                "_masses": masses,
                "_q_mass": q_mass,
                "_counter": self._countered(doc, qwords, masses, q_norm),
                "_vague": vague,
            }
            combined = (
                cal.head * feats["head"]
                + cal.coverage * feats["coverage"]
                + cal.phrase * feats["phrase"]
                + cal.fuzzy * feats["fuzzy"]
            ) * (1.0 - cal.bm25_mix + cal.bm25_mix * feats["bm25"])
            rows.append((doc, combined, feats))
        rows.sort(key=itemgetter(1), reverse=True)
        # The best few are compared letter by letter too: what lemmas miss (a clipped or derived
        # word, a word of the body) moves them among themselves.
        if rows and cal.shingle:
            query = self._shingles.query(text)
            for i, (doc, combined, feats) in enumerate(rows[:SHINGLED]):
                seg, local = self._locate(doc)
                sim = ShingleIndex.similarity(query, seg.shingles, local)
                feats["shingle"] = sim
                rows[i] = (doc, combined + cal.shingle * sim, feats)
            rows[:SHINGLED] = sorted(rows[:SHINGLED], key=itemgetter(1), reverse=True)
        return rows, (trace, unknown)

    def _countered(self, doc: int, qwords: list[_QWord], masses: list[float], q_norm: float) -> float:
        """1.0 when the question is (nearly) a counter-example of the article, else 0.0."""
        for tids, norm in self._counter.get(doc, ()):
            dot = sum(m * q.idf for q, m in zip(qwords, masses, strict=True) if not tids.isdisjoint(q.tids))
            if norm and dot / (q_norm * norm) >= COUNTER_SIMILARITY:
                return 1.0
        return 0.0

    @staticmethod
    def _contains(docs: array[int], lo: int, hi: int, doc: int) -> bool:
        """Whether the sorted slice docs[lo:hi] holds doc."""
        pos = bisect_left(docs, doc, lo, hi)
        return pos < hi and docs[pos] == doc

    @staticmethod
    def _prefix_sums(counts: list[int]) -> array[int]:
        """Offsets [0, c0, c0+c1, …] for a flat array holding counts[i] items for each i."""
        out = array("q", [0])
        total = 0
        for c in counts:
            total += c
            out.append(total)
        return out

    @staticmethod
    def _vector(rows: list[tuple[int, float, dict[str, Any]]], i: int) -> list[float]:
        """FEATURES of candidate i; its rival is the runner-up for the best, else the best."""
        _doc, combined, feats = rows[i]
        rival_row = rows[1] if i == 0 and len(rows) > 1 else (rows[0] if i else None)
        rival = rival_row[1] if rival_row is not None else 0.0
        mine: list[bool] = feats["_in_head"]
        theirs: list[bool] = rival_row[2]["_in_head"] if rival_row is not None else [False] * len(mine)
        masses: list[float] = feats["_masses"]
        only_mine = sum(m for m, a, b in zip(masses, mine, theirs, strict=True) if a and not b)
        only_theirs = sum(m for m, a, b in zip(masses, mine, theirs, strict=True) if b and not a)
        named = {
            **feats,
            "combined": combined,
            "decisive": (only_mine - only_theirs) / feats["_q_mass"],
            "margin": combined - rival,
        }
        return [float(named[name]) for name in FEATURES]

    def _confidence(self, vector: Sequence[float]) -> float:
        """Calibrated probability that the candidate is the right answer (logistic regression)."""
        cal = self.calibration
        z = cal.bias + sum(w * x for w, x in zip(cal.weights, vector, strict=True))
        z = min(max(z, -30.0), 30.0)
        return 1.0 / (1.0 + math.exp(-z))

    @staticmethod
    def may_answer(rows: list[tuple[int, float, dict[str, Any]]], vector: Sequence[float]) -> bool:
        """The rules an answer must pass besides its confidence: evidence in the head, a deciding
        detail against a close neighbour, and no counter-example of the article."""
        _doc, combined, feats = rows[0]
        if feats["_counter"] or feats["_vague"] or feats["head"] <= 0.0:
            return False
        if len(rows) > 1 and rows[1][1] >= NEIGHBOUR_SHARE * combined:
            return vector[FEATURES.index("decisive")] > 0.0
        return True

    def answer(self, text: str) -> KbAnswer:
        """Answer one question: the best article if it is good enough, else silence with suggestions."""
        rows, _ = self._rank(text)
        rows = [r for r in rows if not r[2]["_counter"]] + [r for r in rows if r[2]["_counter"]]
        if not rows:
            return KbAnswer(False, None, 0.0, [])
        scored: list[tuple[str, float]] = []
        ceiling = 1.0
        vectors = []
        for i in range(min(MAX_CANDIDATES_SHOWN, len(rows))):
            vector = self._vector(rows, i)
            vectors.append(vector)
            conf = min(round(self._confidence(vector), 4), ceiling)
            if rows[i][2]["_counter"]:
                conf = 0.0
            ceiling = conf
            scored.append((self._id(rows[i][0]), conf))
        best_id, best = scored[0]
        if best >= self.calibration.answer_at and self.may_answer(rows, vectors[0]):
            return KbAnswer(True, best_id, best, scored)
        # A vague question's candidates are offered only when their head holds the whole question.
        needed = VAGUE_HEAD if rows[0][2]["_vague"] else 0.0
        suggestions = [
            cid
            for (cid, conf), (_d, _c, feats) in zip(scored, rows, strict=False)
            if conf >= SUGGEST_AT and feats["head"] > needed and not feats["_counter"]
        ]
        return KbAnswer(False, None, best, scored, suggestions)

    def features(self, text: str) -> tuple[str, list[float], bool] | None:
        """The best candidate's id, its FEATURES and whether the rules allow it; None when silent."""
        rows, _ = self._rank(text)
        rows = [r for r in rows if not r[2]["_counter"]]
        if not rows or rows[0][2]["_vague"]:  # never answered: silent, as for the calibration
            return None
        vector = self._vector(rows, 0)
        return self._id(rows[0][0]), vector, self.may_answer(rows, vector)

    def explain(self, text: str) -> Explanation | None:
        """The features behind an answer, for tuning and debugging."""
        rows, trace = self._rank(text)
        if trace is None:
            return None
        out: list[dict[str, float | str]] = []
        for i, (d, c, _f) in enumerate(rows):
            vector = self._vector(rows, i)
            out.append({"id": self._id(d), "combined": c, **dict(zip(FEATURES, vector, strict=True))})
        return Explanation(trace[0], trace[1], out)

    def __len__(self) -> int:
        """Number of indexed articles."""
        return sum(len(s.ids) for s in self._segments) - len(self._masked)


def _notions(qwords: Sequence[_QWord]) -> int:
    """How many different things the question's words name: a synonym phrase ("nie działa") and
    the words it is made of count once."""
    phrases = [q.surface.split() for q in qwords if " " in q.surface]
    return sum(1 for q in qwords if " " in q.surface or not any(q.surface in p for p in phrases))


def to_spec_json(answer: KbAnswer, articles_by_id: Mapping[str, Article], public_url: str) -> dict[str, Any]:
    """The JSON object of `POST /api/v1/kb/answer` and the bot's answer; url is ``{public_url}/kb/{id}``.

    Besides the contract's keys, ``suggestions`` lists the articles worth offering as
    "Może chodzi o…" (id, title, url, score) when there is no answer; empty otherwise.
    """
    base = public_url.rstrip("/")
    article: dict[str, str] | None = None
    if answer.answered and answer.article_id is not None:
        found = articles_by_id.get(answer.article_id)
        if found is not None:
            article = {"id": found.id, "title": found.title, "url": f"{base}/kb/{found.id}"}
    scores = dict(answer.candidates)
    suggestions = [
        {
            "id": a.id,
            "title": a.title,
            "url": f"{base}/kb/{a.id}",
            "score": round(min(max(scores.get(a.id, 0.0), 0.0), 1.0), 4),
        }
        for a in (articles_by_id.get(s) for s in answer.suggestions)
        if a is not None
    ]
    return {
        "answered": article is not None,
        "article": article,
        "score": round(min(max(answer.score, 0.0), 1.0), 4),
        "candidates": [{"id": cid, "score": round(min(max(s, 0.0), 1.0), 4)} for cid, s in answer.candidates],
        "suggestions": suggestions if article is None else [],
    }


def answer_batch(matcher: KbMatcher, texts: Sequence[str]) -> list[KbAnswer]:
    """Answer many questions in order."""
    return [matcher.answer(t) for t in texts]
