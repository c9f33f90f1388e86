"""Measure knowledge-base answering against labelled questions (tests/fixtures/kb_eval/questions-*.jsonl).

Accuracy: of the answerable questions, the share answered with the right article. Wrong: of all
questions, the share answered with a wrong article or answered when nothing should be. Used by the
quality test and by the bench.

`rank_tallies` says where the rest is lost: how often the right article is ranked first (or among
the first three) at all, and how often it is first *and* the answer rules allow it. No confidence,
however fitted, can answer more questions right than the last count, so it is the ceiling of
calibration work; what lies above it needs better ranking evidence.

Silence is not a dead end: the official is offered the close candidates ("Może chodzi o…").
`Tally.offered` counts the answerable questions met with silence whose right article is among
them, so that "right or one tap away" can be read beside "right".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from helpdesk.services.kb.matcher import KbMatcher


@dataclass(frozen=True)
class LabelledQuestion:
    """One evaluation line: the question, the expected article id (None: stay silent), its kind."""

    q: str
    expected: str | None
    kind: str


@dataclass
class Tally:
    """Counts for one group of questions."""

    total: int = 0
    answerable: int = 0
    right: int = 0
    wrong: int = 0
    offered: int = 0  # answerable, silent, the right article among the suggestions
    misses: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right answers over answerable questions (1.0 when none is answerable)."""
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def wrong_rate(self) -> float:
        """Wrong answers over all questions."""
        return self.wrong / self.total if self.total else 0.0

    @property
    def offered_rate(self) -> float:
        """Silent answers that offered the right article, over answerable questions."""
        return self.offered / self.answerable if self.answerable else 0.0


@dataclass
class RankTally:
    """Ranking counts for one group of answerable questions (no confidence involved)."""

    answerable: int = 0
    top1: int = 0  # the right article is ranked first
    topk: int = 0  # … among the first k
    allowed: int = 0  # … first, and the answer rules (head evidence, deciding detail) allow it

    @property
    def ceiling(self) -> float:
        """The most a confidence could answer right: first and allowed, over answerable."""
        return self.allowed / self.answerable if self.answerable else 1.0


def load_questions(path: Path) -> list[LabelledQuestion]:
    """Read a JSON Lines file of {"q", "expected", "kind"} objects."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            out.append(LabelledQuestion(obj["q"], obj.get("expected"), obj.get("kind", "?")))
    return out


def evaluate(matcher: KbMatcher, questions: Iterable[LabelledQuestion]) -> dict[str, Tally]:
    """Tallies per kind plus an 'ALL' entry."""
    tallies: dict[str, Tally] = {"ALL": Tally()}
    for item in questions:
        ans = matcher.answer(item.q)
        got = ans.article_id if ans.answered else None
        for key in ("ALL", item.kind):
            t = tallies.setdefault(key, Tally())
            t.total += 1
            if item.expected is not None:
                t.answerable += 1
                if got == item.expected:
                    t.right += 1
                elif got is None and item.expected in ans.suggestions:
                    t.offered += 1
            if got is not None and got != item.expected:
                t.wrong += 1
            if got != item.expected and key == "ALL":
                t.misses.append((item.q, item.expected, got))
    return tallies


def rank_tallies(
    matcher: KbMatcher, questions: Iterable[LabelledQuestion], k: int = 3
) -> dict[str, RankTally]:
    """Ranking counts per kind plus 'ALL', over the answerable questions only."""
    tallies: dict[str, RankTally] = {"ALL": RankTally()}
    for item in questions:
        if item.expected is None:
            continue
        explained = matcher.explain(item.q)
        ranked = [str(row["id"]) for row in explained.rows[:k]] if explained is not None else []
        best = matcher.features(item.q)
        first = bool(ranked) and ranked[0] == item.expected
        allowed = best is not None and best[0] == item.expected and best[2]
        for key in ("ALL", item.kind):
            t = tallies.setdefault(key, RankTally())
            t.answerable += 1
            t.top1 += first
            t.topk += item.expected in ranked
            t.allowed += allowed
    return tallies


def rank_report(tallies: dict[str, RankTally], k: int = 3) -> str:
    """One line per kind: answerable, right article first, among the first k, first and allowed."""
    lines = [f"{'kind':<22}{'answerable':>11}{'first':>8}{f'top-{k}':>8}{'allowed':>9}"]
    for kind in sorted(tallies, key=lambda key: (key == "ALL", key)):
        t = tallies[kind]
        lines.append(f"{kind:<22}{t.answerable:>11}{t.top1:>8}{t.topk:>8}{t.allowed:>9}")
    return "\n".join(lines)


def report(tallies: dict[str, Tally]) -> str:
    """A small table: per kind, answerable, right %, wrong %, and offered % (silent, the right
    article among the suggestions)."""
    lines = [f"{'kind':<22}{'n':>4}{'answerable':>11}{'right':>8}{'wrong':>8}{'offered':>9}"]
    for kind in sorted(tallies, key=lambda k: (k == "ALL", k)):
        t = tallies[kind]
        lines.append(
            f"{kind:<22}{t.total:>4}{t.answerable:>11}{t.accuracy:>8.1%}{t.wrong_rate:>8.1%}{t.offered_rate:>9.1%}"
        )
    return "\n".join(lines)
