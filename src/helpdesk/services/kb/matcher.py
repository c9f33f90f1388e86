"""Answer a question from the knowledge base: Polish-aware ranking that is right or silent.

The pipeline, per question:

1. small talk (greetings, thanks, punctuation) is answered with silence straight away;
2. the text is folded, tokenised, stripped of stopwords, stemmed and mapped through the synonym
   data (``helpdesk.domain.kb``);
3. terms the index does not know are repaired: first by dropping a verb prefix
   (zadekretować → dekretować), then by rapidfuzz against the index's own vocabulary, bucketed by
   first letter and length so one lookup compares a few hundred words, not every title;
4. a question made only of words that many articles use ("działa", "system") is silent; otherwise
   BM25F over the fields (title and questions weigh most, then tags, then body) picks candidates;
5. each candidate is re-scored with features that BM25 alone lacks: how much of the question's
   information (IDF mass) the article covers, how much of it sits in the article's title,
   questions and tags, and how close the question is to the article's nearest phrasing;
   the share of the question's word pairs the article's own phrasings contain, whether the
   question's heaviest words (unknown ones included) are in the article; how much the question
   says at all, and how crowded the article's neighbourhood is (articles close to another one,
   such as password reset / account lockout, need more evidence before an answer);
6. a logistic regression over those features (FEATURES), fitted on labelled questions and checked
   by cross-validation (helpdesk.services.kb.calibration), turns them into a confidence in [0, 1];
   below the fitted threshold the answer is silence.

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

from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.synonyms import analyze, canonical_term
from helpdesk.domain.kb.text import VERB_PREFIXES, is_small_talk

# Field weights of BM25F: the phrasings people use and the title say what an article answers;
# the body mentions many things in passing.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "questions": 2.0, "tags": 2.0, "body": 1.0}
FIELD_B: dict[str, float] = {"title": 0.3, "questions": 0.5, "tags": 0.3, "body": 0.75}
K1 = 1.2

CANDIDATES = 30  # BM25F candidates re-scored with the richer features
MAX_CANDIDATES_SHOWN = 3
CROWD_MAX_HEADS = 64  # at least this many heads sharing a term still count for the crowding
# A term in at least this share of the articles, and in at least COMMON_MIN_DOCS of them, is common:
# it does not point at an article.
COMMON_SHARE = 1 / 3
COMMON_MIN_DOCS = 3


FEATURES: tuple[str, ...] = (
    "combined",  # the ranking score of the best candidate
    "margin",  # its lead over the runner-up
    "coverage",  # share of the question's IDF mass found anywhere in the article
    "head",  # … found in title, questions and tags
    "phrase",  # IDF-weighted cosine with the nearest phrasing
    "fuzzy",  # rapidfuzz token-set similarity with the nearest phrasing
    "strong",  # share of the question's two heaviest words (unknown words included) in the article
    "pairs",  # share of the question's word pairs found in the article's title, questions, tags
    "unknown",  # share of the question's information the KB does not know at all
    "rival",  # BM25F of the runner-up relative to the best
    "rcov",  # share of the nearest phrasing's IDF mass the question covers
    "miss",  # IDF of the heaviest question word the article lacks, relative to the rarest term
    "nq",  # log(1 + number of content words in the question)
    "info",  # log(1 + the question's IDF mass in units of the rarest term): how much it says
    "crowd",  # how close the article's nearest neighbour is (cosine of their titles, questions, tags)
)


@dataclass(frozen=True)
class Calibration:
    """Weights of the ranking and of the confidence.

    The ranking weights are few and coarse on purpose. The confidence is a logistic regression
    over FEATURES fitted on labelled questions (helpdesk.services.kb.calibration), checked by
    cross-validation so that it follows the kinds of questions rather than individual lines.
    """

    coverage: float = 0.2  # share of the question's IDF mass found anywhere in the article
    head: float = 0.0  # … found in title, questions and tags
    phrase: float = 0.2  # IDF-weighted cosine with the nearest phrasing
    fuzzy: float = 0.2  # rapidfuzz token-set similarity with the nearest phrasing
    pairs: float = 0.0  # share of the question's word pairs in the article's head
    bm25_mix: float = 0.4  # how much the BM25F rank modulates the above
    unknown: float = 1.0  # a word unknown to the KB weighs like the rarest term
    # Logistic regression over FEATURES, fitted on all development questions by
    # kb_calibration.fit with FIT_OPTIONS (l2 0.03, expected wrong-answer budget 4 %); refit with
    # bench/bench_kb.py --fit, which also prints the cross-validated figures.
    weights: tuple[float, ...] = (
        4.0304,
        3.5679,
        1.5456,
        0.441,
        0.6269,
        3.8326,
        0.4247,
        0.7119,
        -1.5433,
        -1.4729,
        1.945,
        -1.3058,
        1.1835,
        0.8693,
        -4.2493,
    )
    bias: float = -4.6642
    answer_at: float = 0.7375


@dataclass(frozen=True)
class KbAnswer:
    """The matcher's verdict on one question (SPEC §5 before the article is looked up)."""

    answered: bool
    article_id: str | None
    score: float
    candidates: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class _QueryTerm:
    term_id: int
    weight: float  # 1.0 for a known term, lower for a fuzzy repair


@dataclass(frozen=True)
class Explanation:
    """Features of the best candidates, for tuning and for the bench."""

    terms: list[tuple[str, str, float]]
    unknown: list[str]
    rows: list[dict[str, float | str]]


def _pair_codes(seq: Sequence[int]) -> set[int]:
    """Unordered pairs of distinct terms at most two positions apart, encoded as integers."""
    out: set[int] = set()
    for i, a in enumerate(seq):
        for b in seq[i + 1 : i + 3]:
            if a != b:
                out.add((min(a, b) << 24) | max(a, b))
    return out


class KbMatcher:
    """An immutable index over articles that answers questions; safe to share between threads."""

    def __init__(self, articles: Iterable[Article], calibration: Calibration | None = None) -> None:
        """Build the index from the articles (ids must be unique)."""
        self.calibration = calibration or Calibration()
        self._ids: list[str] = []
        self._term_ids: dict[str, int] = {}
        self._surface: dict[str, str] = {}  # folded word → canonical term, for typo repair
        # Per article: field lengths and a flat (term, field, tf) array; compact, because with
        # 10,000 articles dicts of dicts would dominate the process's memory during the build.
        doc_bags: list[array[int]] = []
        doc_lengths: list[tuple[int, ...]] = []
        phrasings: list[tuple[tuple[int, ...], ...]] = []
        self._phrase_texts: list[tuple[str, ...]] = []
        self._pair_codes: array[int] = array("q")
        self._pair_offsets: array[int] = array("q", [0])
        for article in articles:
            self._ids.append(article.id)
            title = self._terms_of(article.title)
            questions = [self._terms_of(q) for q in article.questions]
            tags = [t for tag in article.tags for t in self._terms_of(tag)]
            fields = (title, [t for q in questions for t in q], tags, self._terms_of(article.body))
            bag = array("i")
            for f_index, terms in enumerate(fields):
                counts: dict[int, int] = {}
                for t in terms:
                    counts[t] = counts.get(t, 0) + 1
                for t, tf in counts.items():
                    bag.extend((t, f_index, tf))
            doc_bags.append(bag)
            doc_lengths.append(tuple(len(f) for f in fields))
            phr = [tuple(dict.fromkeys(title)), *(tuple(dict.fromkeys(q)) for q in questions)]
            phr.append(tuple(dict.fromkeys(tags)))
            phrasings.append(tuple(p for p in phr if p))
            codes: set[int] = set()
            for seq in (title, *questions, tags):
                codes.update(_pair_codes(seq))
            self._pair_codes.extend(sorted(codes))
            self._pair_offsets.append(len(self._pair_codes))
            texts = [article.title, *article.questions]
            self._phrase_texts.append(
                tuple(" ".join(w for w, _ in analyze(t) if " " not in w) for t in texts)
            )
        if len(set(self._ids)) != len(self._ids):
            raise ValueError("article ids must be unique")
        self._build(doc_bags, doc_lengths, phrasings)
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}

    # ---------------------------------------------------------------- building

    def _terms_of(self, text: str) -> list[int]:
        """Term ids of a text at index time, registering new terms and surface words."""
        out = []
        for word, term in analyze(text):
            tid = self._term_ids.setdefault(term, len(self._term_ids))
            if " " not in word:
                self._surface.setdefault(word, term)
            out.append(tid)
        return out

    def _build(
        self,
        doc_bags: list[array[int]],
        doc_lengths: list[tuple[int, ...]],
        phrasings: list[tuple[tuple[int, ...], ...]],
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
        self._phrasings = phrasings
        self._phrasing_norms = [
            tuple(math.sqrt(sum(self._idf[t] ** 2 for t in p)) for p in doc_phr) for doc_phr in phrasings
        ]
        self._phrasing_masses = [
            tuple(sum(self._idf[t] for t in p) or 1.0 for p in doc_phr) for doc_phr in phrasings
        ]
        # Typo repair looks only at words of similar length with the same first letter.
        buckets: dict[tuple[str, int], list[str]] = {}
        for word in self._surface:
            if len(word) >= 4 and not word.isdigit():
                buckets.setdefault((word[0], len(word)), []).append(word)
        self._buckets = buckets

    def _crowding(self, heads: list[array[int]]) -> array[float]:
        """Per article: how close its nearest neighbour is, as the IDF-weighted cosine of their heads.

        Heads are the title, questions and tags: what an article says it answers. Articles in a
        crowded neighbourhood (password reset / lockout / expired password …) need more evidence
        before an answer than an article that stands alone. Terms in very many heads are left out
        of the dot products (they weigh little and would make the build quadratic).
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

    def _repair(self, word: str) -> tuple[str, float] | None:
        """A known term for an unknown word and how sure the repair is, or None."""
        cached = self._fuzzy_cache.get(word, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        result: tuple[str, float] | None = None
        for prefix in VERB_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 4:
                term = canonical_term(word[len(prefix) :])
                if term in self._term_ids:
                    result = (term, 0.9)
                    break
        if result is None and len(word) >= 4 and not word.isdigit():
            cutoff = 80.0 if len(word) >= 6 else 86.0
            best: tuple[str, float] | None = None
            for length in range(len(word) - 2, len(word) + 3):
                bucket = self._buckets.get((word[0], length))
                if not bucket:
                    continue
                hit = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
                if hit is not None and (best is None or hit[1] > best[1]):
                    best = (hit[0], float(hit[1]))
                    cutoff = best[1]
            if best is not None:
                result = (self._surface[best[0]], (best[1] / 100.0) ** 2)
        if len(self._fuzzy_cache) < 100_000:
            self._fuzzy_cache[word] = result
        return result

    def _query_terms(
        self, text: str
    ) -> tuple[dict[int, float], list[str], list[tuple[str, str, float]], list[int]]:
        """Query term ids with weights, the words that stayed unknown, a trace, and term ids in order."""
        terms: dict[int, float] = {}
        order: list[int] = []
        unknown: list[str] = []
        trace: list[tuple[str, str, float]] = []
        for word, term in analyze(text):
            weight = 1.0
            tid = self._term_ids.get(term)
            if tid is None and " " not in word:
                repaired = self._repair(word)
                if repaired is not None:
                    term, weight = repaired
                    tid = self._term_ids[term]
            if tid is None:
                if " " not in word:
                    unknown.append(word)
                continue
            trace.append((word, term, weight))
            if " " not in word:
                order.append(tid)
            terms[tid] = max(terms.get(tid, 0.0), weight)
        return terms, unknown, trace, order

    def _rank(
        self, text: str
    ) -> tuple[
        list[tuple[int, float, dict[str, float]]], tuple[list[tuple[str, str, float]], list[str]] | None
    ]:
        """Candidates as (doc, combined score, features), best first."""
        if is_small_talk(text):
            return [], None
        terms, unknown, trace, order = self._query_terms(text)
        q_text = " ".join(w for w, _, _ in trace if " " not in w) + " " + " ".join(unknown)
        # A question made only of words that a large share of the articles use ("działa", "system")
        # does not point at any article: silence, as for small talk.
        offsets = self._offsets
        n_docs = len(self._ids)
        if all(offsets[t + 1] - offsets[t] >= max(COMMON_MIN_DOCS, COMMON_SHARE * n_docs) for t in terms):
            return [], (trace, unknown)
        acc: dict[int, float] = {}
        docs_all, weights_all = self._post_docs, self._post_weights
        common = max(len(self._ids) // 3, 500)
        for tid, qw in terms.items():
            lo, hi = offsets[tid], offsets[tid + 1]
            # Terms in a third of the articles or more hardly discriminate; they still count
            # in the candidates' features below, they just do not nominate candidates.
            if hi - lo > common and len(terms) > 1:
                continue
            get = acc.get
            for doc, w in zip(docs_all[lo:hi], weights_all[lo:hi], strict=True):
                acc[doc] = get(doc, 0.0) + qw * w
        top = nlargest(CANDIDATES, acc.items(), key=itemgetter(1))
        idf = self._idf
        cal = self.calibration
        # Unknown words still carry information the KB does not have: they weigh like rare terms,
        # a little less because some are names, typos beyond repair or filler.
        unknown_mass = cal.unknown * self._max_idf * len(unknown)
        q_mass = sum(idf[t] * w for t, w in terms.items()) + unknown_mass
        q_norm = math.sqrt(
            sum((idf[t] * w) ** 2 for t, w in terms.items())
            + (cal.unknown * self._max_idf) ** 2 * len(unknown)
        )
        best_bm25 = top[0][1] if top else 1.0
        max_idf = self._max_idf
        # The two heaviest words of the question; an unknown word weighs like the rarest term.
        heavy = sorted(
            [(idf[t] * w, t) for t, w in terms.items()] + [(self._max_idf * cal.unknown, -1)] * len(unknown),
            reverse=True,
        )[:2]
        heavy_mass = sum(m for m, _ in heavy) or 1.0
        q_pairs = _pair_codes(order)
        rows = []
        weighted = [(t, idf[t] * w) for t, w in terms.items()]
        nq = math.log(1 + len(terms) + len(unknown))
        info = math.log(1 + q_mass / max_idf)
        unknown_share = unknown_mass / q_mass
        miss_unknown = cal.unknown if unknown else 0.0
        for doc, bm25 in top:
            matched = 0.0
            head = 0.0
            miss = miss_unknown
            present: set[int] = set()
            for t, m in weighted:
                if self._in_head(t, doc):
                    head += m
                    matched += m
                    present.add(t)
                elif self._in_doc(t, doc):
                    matched += m
                    present.add(t)
                elif m > miss * max_idf:
                    miss = m / max_idf
            phrase = 0.0
            rcov = 0.0
            for p, p_norm, p_mass in zip(
                self._phrasings[doc], self._phrasing_norms[doc], self._phrasing_masses[doc], strict=True
            ):
                dot = 0.0
                mass = 0.0
                for t in p:
                    if t in present:
                        dot += idf[t] * idf[t] * terms[t]
                        mass += idf[t]
                if dot:
                    phrase = max(phrase, dot / (q_norm * p_norm))
                    rcov = max(rcov, mass / p_mass)
            strong = sum(m for m, t in heavy if t in present) / heavy_mass
            lo, hi = self._pair_offsets[doc], self._pair_offsets[doc + 1]
            pairs = (
                sum(self._contains(self._pair_codes, lo, hi, c) for c in q_pairs) / len(q_pairs)
                if q_pairs
                else 0.0
            )
            fz = max((fuzz.token_set_ratio(q_text, p) for p in self._phrase_texts[doc]), default=0.0) / 100.0
            feats = {
                "fuzzy": fz,
                "coverage": matched / q_mass,
                "head": head / q_mass,
                "phrase": phrase,
                "bm25": bm25 / best_bm25,
                "strong": strong,
                "pairs": pairs,
                "unknown": unknown_share,
                "rcov": rcov,
                "miss": miss,
                "nq": nq,
                "info": info,
                "crowd": self._crowd[doc],
            }
            combined = (
                cal.coverage * feats["coverage"]
                + cal.head * feats["head"]
                + cal.phrase * feats["phrase"]
                + cal.fuzzy * feats["fuzzy"]
                + cal.pairs * feats["pairs"]
            ) * (1.0 - cal.bm25_mix + cal.bm25_mix * feats["bm25"])
            rows.append((doc, combined, feats))
        rows.sort(key=itemgetter(1), reverse=True)
        return rows, (trace, unknown)

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
        """Whether the term occurs in the doc's title, questions or tags."""
        return self._contains(self._head_docs, self._head_offsets[tid], self._head_offsets[tid + 1], doc)

    @staticmethod
    def _vector(rows: list[tuple[int, float, dict[str, float]]], i: int) -> list[float]:
        """FEATURES of candidate i; its rival is the runner-up for the best, else the best."""
        _doc, combined, feats = rows[i]
        rival_row = rows[1] if i == 0 and len(rows) > 1 else (rows[0] if i else None)
        rival = rival_row[1] if rival_row is not None else 0.0
        rival_bm25 = rival_row[2]["bm25"] if rival_row is not None else 0.0
        named = {**feats, "combined": combined, "margin": combined - rival, "rival": rival_bm25}
        return [named[name] for name in FEATURES]

    def _confidence(self, vector: Sequence[float]) -> float:
        """Calibrated probability that the candidate is the right answer (logistic regression)."""
        cal = self.calibration
        z = cal.bias + sum(w * x for w, x in zip(cal.weights, vector, strict=True))
        z = min(max(z, -30.0), 30.0)
        return 1.0 / (1.0 + math.exp(-z))

    def answer(self, text: str) -> KbAnswer:
        """Answer one question: the best article if it is good enough, else silence."""
        rows, _ = self._rank(text)
        if not rows:
            return KbAnswer(False, None, 0.0, [])
        scored: list[tuple[str, float]] = []
        ceiling = 1.0
        for i in range(min(MAX_CANDIDATES_SHOWN, len(rows))):
            conf = min(round(self._confidence(self._vector(rows, i)), 4), ceiling)
            ceiling = conf
            scored.append((self._ids[rows[i][0]], conf))
        best_id, best = scored[0]
        if best >= self.calibration.answer_at:
            return KbAnswer(True, best_id, best, scored)
        return KbAnswer(False, None, best, scored)

    def features(self, text: str) -> tuple[str, list[float]] | None:
        """The best candidate's id and its FEATURES, for fitting the confidence; None when silent."""
        rows, _ = self._rank(text)
        if not rows:
            return None
        return self._ids[rows[0][0]], self._vector(rows, 0)

    def explain(self, text: str) -> Explanation | None:
        """The features behind an answer, for tuning and debugging."""
        rows, trace = self._rank(text)
        if trace is None:
            return None
        return Explanation(trace[0], trace[1], [{"id": self._ids[d], "combined": c, **f} for d, c, f in rows])

    def __len__(self) -> int:
        """Number of indexed articles."""
        return len(self._ids)


def to_spec_json(answer: KbAnswer, articles_by_id: Mapping[str, Article], public_url: str) -> dict[str, Any]:
    """The SPEC §5 JSON object for an answer; url is ``{public_url}/kb/{id}``."""
    article: dict[str, str] | None = None
    if answer.answered and answer.article_id is not None:
        found = articles_by_id.get(answer.article_id)
        if found is not None:
            article = {"id": found.id, "title": found.title, "url": f"{public_url.rstrip('/')}/kb/{found.id}"}
    return {
        "answered": article is not None,
        "article": article,
        "score": round(min(max(answer.score, 0.0), 1.0), 4),
        "candidates": [{"id": cid, "score": round(min(max(s, 0.0), 1.0), 4)} for cid, s in answer.candidates],
    }


def answer_batch(matcher: KbMatcher, texts: Sequence[str]) -> list[KbAnswer]:
    """Answer many questions in order."""
    return [matcher.answer(t) for t in texts]
