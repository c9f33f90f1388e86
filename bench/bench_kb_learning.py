"""Learning from tickets, replayed: half of each article's questions are learned, the other half gain.

Run: .venv/bin/python bench/bench_kb_learning.py
Not part of the test suite; prints figures only.

The stream is every labelled question on the 80 evaluation articles (tests/fixtures/kb_eval and
tests/fixtures/kb_extra), shuffled with a fixed seed. For each article, half of its questions are
"asked first": each is put to the bot; when it was not answered with the right article, a leader
answers its ticket by pointing to the article (a phrasing proposal), and when it was answered with
a wrong one, the official's "Nie pomogło" makes a counter-example of that answer — and a
coordinator accepts both. The other half of each article's questions, and every out-of-scope
question, are then scored before and after, with the accepted proposals turned into what the
matcher uses exactly as the service does (`answers.learned_from`).
"""

from __future__ import annotations

import random
from pathlib import Path

from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.services.kb.answers import learned_from
from helpdesk.services.kb.matcher import KbMatcher
from helpdesk.services.kb.proposals import COUNTER_EXAMPLE, PHRASING
from helpdesk.services.kb.quality import LabelledQuestion, evaluate, load_questions, report

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SETS = [
    FIXTURES / "kb_eval" / "questions-dev.jsonl",
    FIXTURES / "kb_eval" / "questions-dev2.jsonl",
    FIXTURES / "kb_extra" / "questions-extra.jsonl",
    FIXTURES / "kb_eval" / "questions-own.jsonl",
]


def split(
    questions: list[LabelledQuestion], rng: random.Random
) -> tuple[list[LabelledQuestion], list[LabelledQuestion]]:
    """(asked first, asked later): half of each article's questions each; out-of-scope ones later."""
    by_article: dict[str, list[LabelledQuestion]] = {}
    later: list[LabelledQuestion] = []
    for q in questions:
        if q.expected is None:
            later.append(q)
        else:
            by_article.setdefault(q.expected, []).append(q)
    first: list[LabelledQuestion] = []
    for items in by_article.values():
        rng.shuffle(items)
        half = len(items) // 2
        first += items[:half]
        later += items[half:]
    return first, later


def main() -> None:
    """Replay the stream and print the figures before and after learning."""
    rng = random.Random(7)
    articles = load_articles([FIXTURES / "kb_eval" / "kb"])
    questions = [q for path in SETS for q in load_questions(path)]
    first, later = split(questions, rng)
    before = KbMatcher(articles, morfeusz())
    accepted: list[dict[str, str]] = []
    for q in first:
        verdict = before.answer(q.q)
        got = verdict.article_id if verdict.answered else None
        if got == q.expected:
            continue
        if got is not None:
            accepted.append({"kind": COUNTER_EXAMPLE, "article_id": got, "text": q.q})
        accepted.append({"kind": PHRASING, "article_id": str(q.expected), "text": q.q})
    after = KbMatcher(articles, morfeusz(), learned=learned_from(accepted))
    phrasings = sum(p["kind"] == PHRASING for p in accepted)
    print(
        f"stream: {len(questions)} questions; learned from {len(first)} asked first "
        f"({phrasings} phrasings, {len(accepted) - phrasings} counter-examples accepted); "
        f"scored on the other {len(later)}"
    )
    t_before, t_after = evaluate(before, later), evaluate(after, later)
    print("before learning:\n" + report(t_before))
    print("after learning:\n" + report(t_after))
    b, a = t_before["ALL"], t_after["ALL"]
    print(
        f"gain on the questions asked later: right {b.accuracy:.1%} → {a.accuracy:.1%}, "
        f"wrong {b.wrong_rate:.1%} → {a.wrong_rate:.1%}"
    )
    t_first = evaluate(after, first)["ALL"]
    print(f"the questions learned, asked again: right {t_first.accuracy:.1%}, wrong {t_first.wrong_rate:.1%}")


if __name__ == "__main__":
    main()
