"""Measure knowledge-base answering against labelled questions (tests/fixtures/kb_eval/questions-*.jsonl).

Accuracy: of the answerable questions, the share answered with the right article. Wrong: of all
questions, the share answered with a wrong article or answered when nothing should be. Used by the
quality test and by the bench.
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
    misses: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right answers over answerable questions (1.0 when none is answerable)."""
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def wrong_rate(self) -> float:
        """Wrong answers over all questions."""
        return self.wrong / self.total if self.total else 0.0


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
            if got is not None and got != item.expected:
                t.wrong += 1
            if got != item.expected and key == "ALL":
                t.misses.append((item.q, item.expected, got))
    return tallies


def report(tallies: dict[str, Tally]) -> str:
    """A small table: per kind, answerable, right %, wrong %."""
    lines = [f"{'kind':<22}{'n':>4}{'answerable':>11}{'right':>8}{'wrong':>8}"]
    for kind in sorted(tallies, key=lambda k: (k == "ALL", k)):
        t = tallies[kind]
        lines.append(f"{kind:<22}{t.total:>4}{t.answerable:>11}{t.accuracy:>8.1%}{t.wrong_rate:>8.1%}")
    return "\n".join(lines)
