"""Answer a question from the knowledge base: Polish-aware ranking that is right or silent.

The pipeline, per question:

1. small talk (greetings, thanks, punctuation) is answered with silence straight away;
2. the text becomes content words, each with the set of its lemmas (``helpdesk.services.kb.lexicon``:
   Morfeusz 2 behind a port, ambiguity kept, forms without Polish letters folded, synonyms applied);
3. words the index does not know are repaired by rapidfuzz against the inflected forms of the
   articles' lemmas, bucketed by first letter and length so one lookup compares a few hundred words;
4. a question made only of words that many articles use ("działa", "system") is silent; otherwise
   BM25F over the fields (title, phrasings and tags weigh most, the body least) picks candidates;
5. each candidate is re-scored with a few robust features: how much of the question's information
   (IDF mass) sits in the article's title, phrasings and tags (its *head*) and anywhere in it, how
   close the question is to the nearest phrasing, and, against the runner-up, how much of the
   question only this article's head explains (the *deciding detail*);
6. a logistic regression over FEATURES (fitted on labelled questions and checked by grouped
   cross-validation, ``helpdesk.services.kb.calibration``) turns them into a confidence in [0, 1].

It answers only when the confidence reaches the fitted threshold, the evidence is in the article's
head (not only its body), and — when a close neighbour scores nearly as well — the question holds a
detail that decides between them. Otherwise it is silent, and the candidates that were close are
offered (``suggestions``: "Może chodzi o…").

What a coordinator accepted from tickets takes part too (``Learned``): new phrasings join their
article's head, and a counter-example ("Nie pomogło") keeps its article from answering that
question and questions close to it.

The index is built once and never mutated, so concurrent reads are safe.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from heapq import nlargest
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import is_small_talk
from helpdesk.services.kb.lexicon import Lexicon, Word
from helpdesk.services.kb.morphology import Morphology

# Field weights of BM25F: the phrasings people use and the title say what an article answers;
# the body mentions many things in passing.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 2.0, "tags": 2.0, "body": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75}
K1 = 1.2

CANDIDATES = 30  # BM25F candidates re-scored with the richer features
POSTINGS_BUDGET = 3000  # postings read per question to nominate candidates (see KbMatcher._rank)
MAX_CANDIDATES_SHOWN = 3
CROWD_MAX_HEADS = 64  # at least this many heads sharing a term still count for the crowding
# A term in at least this share of the articles, and in at least COMMON_MIN_DOCS of them, is common:
# it does not point at an article.
COMMON_SHARE = 1 / 3
COMMON_MIN_DOCS = 3
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
    unknown: float = 1.0  # a word unknown to the KB weighs like the rarest term
    # Logistic regression over FEATURES; refit with `bench/bench_kb.py --fit` (it prints the
    # grouped cross-validated figures and these constants).
    weights: tuple[float, ...] = (
        1.2366,
        -0.8248,
        2.3498,
        -1.8473,
        1.6732,
        2.2988,
        -0.0908,
        4.2519,
        -0.7084,
        -0.432,
        -0.7106,
        0.8504,
        -0.7253,
    )
    bias: float = -3.3791
    answer_at: float = 0.8274


@dataclass(frozen=True)
class Learned:
    """What a coordinator accepted from tickets: extra phrasings and counter-examples per article."""

    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    counter_examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class KbAnswer:
    """The matcher's verdict on one question (the SPEC JSON before the article is looked up)."""

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


class KbMatcher:
    """An immutable index over articles that answers questions; safe to share between threads."""

    def __init__(
        self,
        articles: Iterable[Article],
        morphology: Morphology,
        calibration: Calibration | None = None,
        learned: Learned | None = None,
    ) -> None:
        """Build the index from the articles (ids must be unique) and what was learned from tickets."""
        self.calibration = calibration or Calibration()
        learned = learned or Learned()
        items = list(articles)
        texts: list[str] = []
        for a in items:
            texts += [a.title, *a.questions, *a.tags, a.body, *learned.phrasings.get(a.id, ())]
        self.lexicon = Lexicon(morphology, texts)
        self._ids: list[str] = []
        self._term_ids: dict[str, int] = {}
        self._surface: dict[str, tuple[str, ...]] = {}  # folded article word → its terms (typo repair)
        doc_bags: list[array[int]] = []
        doc_lengths: list[tuple[int, ...]] = []
        phrasings: list[tuple[tuple[tuple[int, ...], ...], ...]] = []
        self._phrase_texts: list[tuple[str, ...]] = []
        for article in items:
            self._ids.append(article.id)
            extra = learned.phrasings.get(article.id, ())
            title = self._words_of(article.title)
            questions = [self._words_of(q) for q in (*article.questions, *extra)]
            tags = [w for tag in article.tags for w in self._words_of(tag)]
            body = self._words_of(article.body)
            fields = (title, [w for q in questions for w in q], tags, body)
            bag = array("i")
            for f_index, words in enumerate(fields):
                counts: dict[int, int] = {}
                for w in words:
                    for t in w:
                        counts[t] = counts.get(t, 0) + 1
                for t, tf in counts.items():
                    bag.extend((t, f_index, tf))
            doc_bags.append(bag)
            doc_lengths.append(tuple(len(f) for f in fields))
            phr = [title, *questions, tags]
            phrasings.append(tuple(tuple(dict.fromkeys(p)) for p in phr if p))
            self._phrase_texts.append(
                tuple(
                    " ".join(w.surface for w in self.lexicon.words(t))
                    for t in (article.title, *article.questions, *extra)
                )
            )
        if len(set(self._ids)) != len(self._ids):
            raise ValueError("article ids must be unique")
        self._doc_of = {aid: i for i, aid in enumerate(self._ids)}
        self._build(doc_bags, doc_lengths, phrasings)
        self._counter: dict[int, list[tuple[frozenset[int], float]]] = {}
        for aid, examples in learned.counter_examples.items():
            doc = self._doc_of.get(aid)
            if doc is None:
                continue
            for text in examples:
                qwords = self._resolve(self.lexicon.words(text))[0]
                if qwords:
                    tids = frozenset(t for q in qwords for t in q.tids)
                    norm = math.sqrt(sum(q.idf**2 for q in qwords))
                    self._counter.setdefault(doc, []).append((tids, norm))
        self._fuzzy_cache: dict[str, tuple[tuple[str, ...], float] | None] = {}

    # ---------------------------------------------------------------- building

    def _words_of(self, text: str) -> list[tuple[int, ...]]:
        """Term ids of each content word of a text at index time, registering new terms."""
        out = []
        for word in self.lexicon.words(text):
            tids = tuple(self._term_ids.setdefault(t, len(self._term_ids)) for t in word.terms)
            if " " not in word.surface:
                self._surface.setdefault(word.surface, word.terms)
            out.append(tids)
        return out

    def _build(
        self,
        doc_bags: list[array[int]],
        doc_lengths: list[tuple[int, ...]],
        phrasings: list[tuple[tuple[tuple[int, ...], ...], ...]],
    ) -> None:
        """Compute IDF and flat BM25F postings (one array per index, offsets per term)."""
        names = list(FIELD_WEIGHTS)
        n_docs = len(doc_bags)
        n_terms = len(self._term_ids)
        df = [0] * n_terms
        head_df = [0] * n_terms
        for bag in doc_bags:
            seen = set(bag[0::3])
            in_head = {bag[i] for i in range(0, len(bag), 3) if bag[i + 1] < 3}
            for t in seen:
                df[t] += 1
            for t in in_head:
                head_df[t] += 1
        avg_len = [max(sum(lens[i] for lens in doc_lengths) / max(n_docs, 1), 1.0) for i in range(len(names))]
        self._idf = [math.log(1.0 + (n_docs - d + 0.5) / (d + 0.5)) for d in df]
        self._max_idf = max(self._idf, default=1.0)
        # Counting sort: offsets first, then every posting written in place, in doc order.
        self._offsets = self._prefix_sums(df)
        self._head_offsets = self._prefix_sums(head_df)
        self._post_docs = array("i", bytes(4 * self._offsets[-1]))
        self._post_weights: array[float] = array("f", bytes(4 * self._offsets[-1]))
        self._head_docs = array("i", bytes(4 * self._head_offsets[-1]))
        cursor = array("i", self._offsets[:-1])
        head_cursor = array("i", self._head_offsets[:-1])
        heads: list[array[int]] = []
        weights = [FIELD_WEIGHTS[n] for n in names]
        b_values = [FIELD_B[n] for n in names]
        for doc, (bag, lens) in enumerate(zip(doc_bags, doc_lengths, strict=True)):
            norms = [1.0 - b_values[i] + b_values[i] * lens[i] / avg_len[i] for i in range(len(names))]
            pseudo: dict[int, float] = {}
            head: set[int] = set()
            for i in range(0, len(bag), 3):
                t, f_index, tf = bag[i], bag[i + 1], bag[i + 2]
                pseudo[t] = pseudo.get(t, 0.0) + weights[f_index] * tf / norms[f_index]
                if f_index < 3:
                    head.add(t)
            for t, ptf in pseudo.items():
                pos = cursor[t]
                self._post_docs[pos] = doc
                self._post_weights[pos] = self._idf[t] * ptf * (K1 + 1.0) / (ptf + K1)
                cursor[t] = pos + 1
            for t in head:
                pos = head_cursor[t]
                self._head_docs[pos] = doc
                head_cursor[t] = pos + 1
            heads.append(array("i", head))
        self._crowd = self._crowding(heads)
        idf = self._idf
        # A phrasing is kept as its set of terms and its norm over words (a word weighs the IDF of
        # its least informative reading, as in questions).
        self._phrasings = [
            tuple(tuple(dict.fromkeys(t for w in p for t in w)) for p in doc_phr) for doc_phr in phrasings
        ]
        self._phrasing_norms = [
            tuple(math.sqrt(sum(min(idf[t] for t in w) ** 2 for w in p)) or 1.0 for p in doc_phr)
            for doc_phr in phrasings
        ]
        self._phrasing_masses = [
            tuple(sum(min(idf[t] for t in w) for w in p) or 1.0 for p in doc_phr) for doc_phr in phrasings
        ]
        # Typo repair looks only at words of similar length with the same first letter: the
        # articles' own words and every inflected form of their lemmas.
        vocabulary: dict[str, tuple[str, ...]] = {
            form: terms
            for form, terms in self.lexicon.forms.items()
            if any(t in self._term_ids for t in terms)
        }
        for word, terms in self._surface.items():
            vocabulary.setdefault(word, terms)
        buckets: dict[tuple[str, int], list[str]] = {}
        for word in vocabulary:
            if len(word) >= 4 and not word.isdigit():
                buckets.setdefault((word[0], len(word)), []).append(word)
        self._vocabulary = vocabulary
        self._buckets = buckets
        self._surface = {}  # only needed while building; the vocabulary holds these words now

    def _crowding(self, heads: list[array[int]]) -> array[float]:
        """Per article: how close its nearest neighbour is, as the IDF-weighted cosine of their heads.

        Articles in a crowded neighbourhood (password reset / lockout / expired password …) need
        more evidence before an answer than an article that stands alone. Terms in very many heads
        are left out of the dot products (they weigh little and would make the build quadratic).
        """
        sq = [x * x for x in self._idf]
        norms = [math.sqrt(sum(sq[t] for t in h)) or 1.0 for h in heads]
        cap = max(CROWD_MAX_HEADS, len(heads) // 100)
        docs, offsets = self._head_docs, self._head_offsets
        crowd: array[float] = array("f", bytes(4 * len(heads)))
        for doc, head in enumerate(heads):
            acc: dict[int, float] = {}
            get = acc.get
            for t in head:
                lo, hi = offsets[t], offsets[t + 1]
                if hi - lo < 2 or hi - lo > cap:
                    continue
                w = sq[t]
                for other in docs[lo:hi]:
                    acc[other] = get(other, 0.0) + w
            acc.pop(doc, None)
            crowd[doc] = max((v / norms[o] for o, v in acc.items()), default=0.0) / norms[doc]
        return crowd

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
                result = (self._vocabulary[best[0]], 1.0 - REPAIR_COST * best[1])
        if len(self._fuzzy_cache) < 100_000:
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

    def _rank(
        self, text: str
    ) -> tuple[
        list[tuple[int, float, dict[str, float]]], tuple[list[tuple[str, str, float]], list[str]] | None
    ]:
        """Candidates as (doc, combined score, features), best first."""
        if is_small_talk(text) or not self._ids:
            return [], None
        qwords, unknown, trace = self._resolve(self.lexicon.words(text))
        # A question made only of words that a large share of the articles use ("działa", "system")
        # does not point at any article: silence, as for small talk.
        offsets = self._offsets
        n_docs = len(self._ids)
        floor = max(COMMON_MIN_DOCS, COMMON_SHARE * n_docs)
        if all(min(offsets[t + 1] - offsets[t] for t in q.tids) >= floor for q in qwords):
            return [], (trace, unknown)
        acc: dict[int, float] = {}
        docs_all, weights_all = self._post_docs, self._post_weights
        common = max(n_docs // 3, 500)
        # Rarest words first, and only until POSTINGS_BUDGET postings are read: the words left
        # are the commonest, which hardly change who the candidates are (they still count in the
        # candidates' features below), and the budget keeps a long question fast on a big KB.
        budget = POSTINGS_BUDGET
        for q in sorted(qwords, key=lambda q: min(offsets[t + 1] - offsets[t] for t in q.tids)):
            ranges = [(offsets[t], offsets[t + 1]) for t in q.tids]
            # Terms in a third of the articles or more hardly discriminate: they do not nominate.
            if len(qwords) > 1:
                ranges = [(lo, hi) for lo, hi in ranges if hi - lo <= common]
            size = sum(hi - lo for lo, hi in ranges)
            if size > budget and budget < POSTINGS_BUDGET:
                continue
            budget -= size
            qw = q.weight
            get = acc.get
            if len(ranges) == 1:
                lo, hi = ranges[0]
                for doc, w in zip(docs_all[lo:hi], weights_all[lo:hi], strict=True):
                    acc[doc] = get(doc, 0.0) + qw * w
                continue
            best_of_word: dict[int, float] = {}
            best = best_of_word.get
            for lo, hi in ranges:
                for doc, w in zip(docs_all[lo:hi], weights_all[lo:hi], strict=True):
                    if w > best(doc, 0.0):
                        best_of_word[doc] = w
            for doc, w in best_of_word.items():
                acc[doc] = get(doc, 0.0) + qw * w
        top = nlargest(CANDIDATES, acc.items(), key=itemgetter(1))
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
        head_docs, head_off, post_docs = self._head_docs, self._head_offsets, self._post_docs
        head_ranges = [[(head_off[t], head_off[t + 1]) for t in q.tids] for q in qwords]
        doc_ranges = [[(offsets[t], offsets[t + 1]) for t in q.tids] for q in qwords]
        word_of: dict[int, int] = {}
        for i, q in enumerate(qwords):
            for t in q.tids:
                word_of.setdefault(t, i)
        idfs = [q.idf for q in qwords]
        for doc, bm25 in top:
            matched = 0.0
            head = 0.0
            in_head: list[bool] = []
            present: list[bool] = []
            miss = unknown_word if unknown else 0.0
            for i, m in enumerate(masses):
                h = False
                for lo, hi in head_ranges[i]:
                    pos = bisect_left(head_docs, doc, lo, hi)
                    if pos < hi and head_docs[pos] == doc:
                        h = True
                        break
                p = h
                if not p:
                    for lo, hi in doc_ranges[i]:
                        pos = bisect_left(post_docs, doc, lo, hi)
                        if pos < hi and post_docs[pos] == doc:
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
            for p_terms, p_norm, p_mass in zip(
                self._phrasings[doc], self._phrasing_norms[doc], self._phrasing_masses[doc], strict=True
            ):
                hits = {word_of[t] for t in p_terms if t in word_of}
                dot = 0.0
                mass = 0.0
                for i in hits:
                    if present[i]:
                        dot += masses[i] * idfs[i]
                        mass += idfs[i]
                if dot:
                    phrase = max(phrase, dot / (q_norm * p_norm))
                    rcov = max(rcov, min(mass / p_mass, 1.0))
            texts = self._phrase_texts[doc]
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
                "crowd": float(self._crowd[doc]),
                "_in_head": in_head,
                "_masses": masses,
                "_q_mass": q_mass,
                "_counter": self._countered(doc, qwords, masses, q_norm),
            }
            combined = (
                cal.head * feats["head"]
                + cal.coverage * feats["coverage"]
                + cal.phrase * feats["phrase"]
                + cal.fuzzy * feats["fuzzy"]
            ) * (1.0 - cal.bm25_mix + cal.bm25_mix * feats["bm25"])
            rows.append((doc, combined, feats))
        rows.sort(key=itemgetter(1), reverse=True)
        return rows, (trace, unknown)

    def _countered(self, doc: int, qwords: list[_QWord], masses: list[float], q_norm: float) -> float:
        """1.0 when the question is (nearly) a counter-example of the article, else 0.0."""
        for tids, norm in self._counter.get(doc, ()):
            dot = sum(m * q.idf for q, m in zip(qwords, masses, strict=True) if not tids.isdisjoint(q.tids))
            if norm and dot / (q_norm * norm) >= COUNTER_SIMILARITY:
                return 1.0
        return 0.0

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
    def _contains(docs: array[int], lo: int, hi: int, doc: int) -> bool:
        """Whether the sorted slice docs[lo:hi] holds doc."""
        pos = bisect_left(docs, doc, lo, hi)
        return pos < hi and docs[pos] == doc

    def _in_doc(self, tid: int, doc: int) -> bool:
        """Whether the term occurs anywhere in the doc."""
        return self._contains(self._post_docs, self._offsets[tid], self._offsets[tid + 1], doc)

    def _in_head(self, tid: int, doc: int) -> bool:
        """Whether the term occurs in the doc's title, phrasings or tags."""
        return self._contains(self._head_docs, self._head_offsets[tid], self._head_offsets[tid + 1], doc)

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
        if feats["_counter"] or feats["head"] <= 0.0:
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
            scored.append((self._ids[rows[i][0]], conf))
        best_id, best = scored[0]
        if best >= self.calibration.answer_at and self.may_answer(rows, vectors[0]):
            return KbAnswer(True, best_id, best, scored)
        suggestions = [
            cid
            for (cid, conf), (_d, _c, feats) in zip(scored, rows, strict=False)
            if conf >= SUGGEST_AT and feats["head"] > 0 and not feats["_counter"]
        ]
        return KbAnswer(False, None, best, scored, suggestions)

    def features(self, text: str) -> tuple[str, list[float], bool] | None:
        """The best candidate's id, its FEATURES and whether the rules allow it; None when silent."""
        rows, _ = self._rank(text)
        rows = [r for r in rows if not r[2]["_counter"]]
        if not rows:
            return None
        vector = self._vector(rows, 0)
        return self._ids[rows[0][0]], vector, self.may_answer(rows, vector)

    def explain(self, text: str) -> Explanation | None:
        """The features behind an answer, for tuning and debugging."""
        rows, trace = self._rank(text)
        if trace is None:
            return None
        out: list[dict[str, float | str]] = []
        for i, (d, c, _f) in enumerate(rows):
            vector = self._vector(rows, i)
            out.append({"id": self._ids[d], "combined": c, **dict(zip(FEATURES, vector, strict=True))})
        return Explanation(trace[0], trace[1], out)

    def __len__(self) -> int:
        """Number of indexed articles."""
        return len(self._ids)


def to_spec_json(answer: KbAnswer, articles_by_id: Mapping[str, Article], public_url: str) -> dict[str, Any]:
    """The SPEC JSON object for an answer; url is ``{public_url}/kb/{id}``.

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
