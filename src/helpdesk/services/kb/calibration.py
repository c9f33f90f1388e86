"""Fit the knowledge-base matcher's confidence on labelled questions, and check it honestly.

The confidence is a logistic regression over the best candidate's features
(``matcher.FEATURES``): the probability that the best candidate is the right article. It is fitted
here in pure Python (a few hundred questions, a dozen features: plain gradient descent with L2 is
enough). Figures are only quoted for questions a fit has not seen: `grouped_cross_validate` scores
each question with a fit on the *other* question sets' questions about *other* articles (grouped by
article and by set, so neither the writer's style nor the article was seen), and a set named
held-out (our own, tests/fixtures/kb_eval/questions-own.jsonl) is never fitted on at all.

To refit after changing the features or the text processing: run ``bench/bench_kb.py --fit`` (it
fits on the development sets with FIT_OPTIONS) and paste the printed weights, bias and answer_at
into ``matcher.Calibration``; tests/unit/test_kb_quality.py checks that they match a fresh fit.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from helpdesk.services.kb.matcher import FEATURES, Calibration, KbMatcher
from helpdesk.services.kb.quality import LabelledQuestion

# How the shipped calibration was fitted: L2 strength, gradient steps, expected wrong-answer budget.
FIT_OPTIONS: dict[str, float] = {"l2": 0.03, "iterations": 400, "rate": 1.0, "wrong_target": 0.02}


@dataclass(frozen=True)
class Sample:
    """One labelled question as the matcher sees it: features of its best candidate."""

    kind: str
    expected: str | None
    top: str | None  # best candidate's id (None: small talk, silence regardless)
    x: tuple[float, ...]
    allowed: bool = True  # whether the matcher's rules (head evidence, deciding detail) allow an answer
    source: str = ""  # the question set it comes from (dev, dev2, extra, own)

    @property
    def label(self) -> int:
        """1 when answering with the best candidate would be right."""
        return int(self.top is not None and self.top == self.expected)

    @property
    def group(self) -> str:
        """The article the question is about (its grouping key); out-of-scope questions by text kind."""
        return self.expected or f"none:{self.kind}"


def samples(matcher: KbMatcher, questions: Sequence[LabelledQuestion], source: str = "") -> list[Sample]:
    """Features of every question's best candidate."""
    out = []
    for item in questions:
        got = matcher.features(item.q)
        if got is None:
            out.append(Sample(item.kind, item.expected, None, (0.0,) * len(FEATURES), False, source))
        else:
            out.append(Sample(item.kind, item.expected, got[0], tuple(got[1]), got[2], source))
    return out


def _sigmoid(z: float) -> float:
    z = min(max(z, -30.0), 30.0)
    return 1.0 / (1.0 + math.exp(-z))


def fit_logistic(
    xs: Sequence[Sequence[float]],
    ys: Sequence[int],
    l2: float = 0.01,
    iterations: float = 3000,
    rate: float = 0.5,
    wrong_cost: float = 1.0,
) -> tuple[list[float], float]:
    """Weights and bias of an L2-regularised logistic regression (full-batch gradient descent).

    Features are standardised internally; the returned weights apply to raw features.
    ``wrong_cost`` weighs negative examples (answering them would be a wrong answer).
    """
    n, d = len(xs), len(FEATURES) if not xs else len(xs[0])
    if n == 0:
        return [0.0] * d, 0.0
    mean = [sum(x[j] for x in xs) / n for j in range(d)]
    std = [math.sqrt(sum((x[j] - mean[j]) ** 2 for x in xs) / n) or 1.0 for j in range(d)]
    zs = [[(x[j] - mean[j]) / std[j] for j in range(d)] for x in xs]
    sw = [wrong_cost if y == 0 else 1.0 for y in ys]
    total = sum(sw)
    w = [0.0] * d
    b = 0.0
    for _ in range(int(iterations)):
        gw = [0.0] * d
        gb = 0.0
        for z, y, s in zip(zs, ys, sw, strict=True):
            err = s * (_sigmoid(b + sum(wj * zj for wj, zj in zip(w, z, strict=True))) - y)
            gb += err
            for j in range(d):
                gw[j] += err * z[j]
        b -= rate * gb / total
        w = [w[j] - rate * (gw[j] / total + l2 * w[j]) for j in range(d)]
    raw = [w[j] / std[j] for j in range(d)]
    bias = b - sum(raw[j] * mean[j] for j in range(d))
    return raw, bias


def fit(
    train: Sequence[Sample], base: Calibration, wrong_target: float = 0.04, **kwargs: float
) -> Calibration:
    """A calibration fitted on the samples: logistic weights, then the answer threshold.

    The threshold is the lowest confidence at which the answers the matcher would give stay within
    ``wrong_target`` *expected* wrong answers (of all questions): each answered training question
    counts ``1 - confidence``, its probability of being wrong under the fitted model. Counting the
    few actual wrong answers instead makes the threshold jump from one of them to the next, so it
    would follow individual training lines; the expected count moves smoothly with the data.
    """
    used = [s for s in train if s.top is not None and s.allowed]
    weights, bias = fit_logistic([s.x for s in used], [s.label for s in used], **kwargs)
    cal = replace(base, weights=tuple(round(v, 4) for v in weights), bias=round(bias, 4))
    probs = sorted((confidence(cal, s) for s in used), reverse=True)
    budget = wrong_target * len(train)
    expected_wrong = 0.0
    at = 1.0
    for i, p in enumerate(probs):
        expected_wrong += 1.0 - p
        if expected_wrong > budget:
            break
        # Cut between this and the next confidence so both neighbours are decided robustly.
        nxt = probs[i + 1] if i + 1 < len(probs) else 0.0
        at = (p + nxt) / 2 if nxt < p else p
    return replace(cal, answer_at=round(min(max(at, 0.05), 0.95), 4))


def confidence(calibration: Calibration, sample: Sample) -> float:
    """The matcher's confidence in the sample's best candidate under this calibration."""
    z = calibration.bias + sum(w * x for w, x in zip(calibration.weights, sample.x, strict=True))
    return _sigmoid(z)


@dataclass
class Score:
    """Right over answerable, wrong over all."""

    total: int = 0
    answerable: int = 0
    right: int = 0
    wrong: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total if self.total else 0.0


def decide(calibration: Calibration, sample: Sample) -> str | None:
    """The article the matcher would answer with under this calibration."""
    if sample.top is None or not sample.allowed:
        return None
    return sample.top if confidence(calibration, sample) >= calibration.answer_at else None


def score(calibration: Calibration, test: Sequence[Sample]) -> dict[str, Score]:
    """Scores per kind plus 'ALL'."""
    out: dict[str, Score] = {"ALL": Score()}
    for s in test:
        got = decide(calibration, s)
        for key in ("ALL", s.kind):
            sc = out.setdefault(key, Score())
            sc.total += 1
            if s.expected is not None:
                sc.answerable += 1
                sc.right += got == s.expected
            sc.wrong += got is not None and got != s.expected
    return out


def _merge(into: dict[str, Score], scores: dict[str, Score]) -> None:
    for key, sc in scores.items():
        m = into.setdefault(key, Score())
        m.total += sc.total
        m.answerable += sc.answerable
        m.right += sc.right
        m.wrong += sc.wrong


def article_fold(group: str, folds: int) -> int:
    """The fold of an article (or out-of-scope group): a stable hash, the same in every run."""
    return zlib.crc32(group.encode()) % folds


def grouped_cross_validate(
    data: Sequence[Sample], base: Calibration, folds: int = 5, held_out: Sequence[str] = (), **kwargs: float
) -> dict[str, dict[str, Score]]:
    """Cross-validation grouped by article AND by question set; scores per set (and 'ALL').

    Each question of set S about an article in fold k is scored by a fit on the questions of the
    other sets about articles of the other folds: the fit has seen neither that set's writers nor
    any question about that article. Sets named in `held_out` are never fitted on at all (they are
    scored, fold by fold, with fits on the other sets only).
    """
    sources = sorted({s.source for s in data})
    out: dict[str, dict[str, Score]] = {}
    for source in sources:
        for k in range(folds):
            train = [
                s
                for s in data
                if s.source != source and s.source not in held_out and article_fold(s.group, folds) != k
            ]
            test = [s for s in data if s.source == source and article_fold(s.group, folds) == k]
            if not test:
                continue
            scores = score(fit(train, base, **kwargs), test)
            _merge(out.setdefault(source, {}), scores)
            _merge(out.setdefault("ALL", {}), scores)
    return out


def cross_validate(
    data: Sequence[Sample], base: Calibration, folds: int = 5, **kwargs: float
) -> dict[str, Score]:
    """k-fold cross-validation (interleaved folds): each question scored by a fit without it."""
    merged: dict[str, Score] = {}
    for k in range(folds):
        train = [s for i, s in enumerate(data) if i % folds != k]
        test = [s for i, s in enumerate(data) if i % folds == k]
        _merge(merged, score(fit(train, base, **kwargs), test))
    return merged
