"""Knowledge-base matcher benchmark: latency p50/p99, index build time, RSS, quality per kind.

Run: .venv/bin/python bench/bench_kb.py [--eval DIR] [--extra FILE] [--synthetic N] [--fit]
Not part of the test suite; prints figures only.

--fit refits the confidence the way the shipped one was fitted (kb_calibration.fit with FIT_OPTIONS on
all development questions), prints 2/5/10-fold cross-validated figures, the extra set (questions never
used for fitting) scored with that fit, and the constants to paste into kb_matcher.Calibration.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from helpdesk.adapters.files.articles import load_articles
from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import tokens
from helpdesk.services.kb.calibration import FIT_OPTIONS, cross_validate, fit, samples, score
from helpdesk.services.kb.matcher import KbMatcher
from helpdesk.services.kb.quality import LabelledQuestion, evaluate, load_questions, report

DEFAULT_EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
DEFAULT_EXTRA = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "kb_extra" / "questions-extra.jsonl"
)


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), falling back to the peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_articles(seed_articles: list[Article], n: int, rng: random.Random) -> list[Article]:
    """n articles whose words are drawn from the seed articles' vocabulary, Zipf-like."""
    words = [w for a in seed_articles for w in tokens(a.title + " " + a.body + " " + " ".join(a.questions))]
    vocab = sorted(set(words))
    # Mix real frequencies with invented words so the vocabulary grows like a real KB's would.
    invented = [f"{rng.choice(vocab)[:5]}{rng.choice(vocab)[-4:]}" for _ in range(20000)]
    pool = words + invented
    out = []
    for i in range(n):
        title = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 9)))
        questions = tuple(
            " ".join(rng.choice(pool) for _ in range(rng.randint(4, 10))) + "?" for _ in range(4)
        )
        body = " ".join(rng.choice(pool) for _ in range(rng.randint(120, 260)))
        tags = tuple(rng.choice(vocab) for _ in range(4))
        out.append(Article(f"syn-{i}", title, "EZD", tags, questions, body))
    return out


def latency(matcher: KbMatcher, questions: list[str], rounds: int = 3) -> tuple[float, float]:
    """p50 and p99 per-question latency in ms (the first, cold pass is included)."""
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            matcher.answer(q)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def cross_validated(
    matcher: KbMatcher, labelled: list[LabelledQuestion], extra: list[LabelledQuestion]
) -> None:
    """Print k-fold figures of the fitted confidence, the extra set under the fit on all
    development questions, and the parameters of that fit."""
    data = samples(matcher, labelled)
    for folds in (2, 5, 10):
        cv = cross_validate(data, matcher.calibration, folds=folds, **FIT_OPTIONS)
        kinds = ", ".join(
            f"{k} {v.accuracy:.0%}/{v.wrong_rate:.0%}" for k, v in sorted(cv.items()) if k != "ALL"
        )
        print(f"{folds}-fold: right {cv['ALL'].accuracy:.1%}, wrong {cv['ALL'].wrong_rate:.1%} ({kinds})")
    cal = fit(data, matcher.calibration, **FIT_OPTIONS)
    if extra:
        sc = score(cal, samples(matcher, extra))
        kinds = ", ".join(
            f"{k} {v.accuracy:.0%}/{v.wrong_rate:.0%}" for k, v in sorted(sc.items()) if k != "ALL"
        )
        print(
            f"extra set, dev fit: right {sc['ALL'].accuracy:.1%}, wrong {sc['ALL'].wrong_rate:.1%} ({kinds})"
        )
    print(f"fitted on all: weights={cal.weights} bias={cal.bias} answer_at={cal.answer_at}")


def main() -> None:
    """Run the benchmark and print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument(
        "--extra", type=Path, default=DEFAULT_EXTRA, help="a second labelled set, never fitted on"
    )
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument(
        "--fit", action="store_true", help="cross-validate and refit the confidence, then exit"
    )
    args = parser.parse_args()
    rng = random.Random(42)
    base_rss = rss_mb()
    articles = load_articles([args.eval / "kb"])
    labelled = load_questions(args.eval / "questions-dev.jsonl")
    extra = load_questions(args.extra) if args.extra.is_file() else []
    questions = [q.q for q in labelled]

    t = time.perf_counter()
    matcher = KbMatcher(articles)
    build = time.perf_counter() - t
    if args.fit:
        cross_validated(matcher, labelled, extra)
        return
    p50, p99 = latency(matcher, questions)
    print(
        f"eval KB: {len(articles)} articles, build {build * 1000:.0f} ms, p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(report(evaluate(matcher, labelled)))
    if extra:
        print(f"extra set ({args.extra.name}):")
        print(report(evaluate(matcher, extra)))

    synthetic = synthetic_articles(articles, args.synthetic, rng) + articles
    del matcher
    rss_before = rss_mb()
    t = time.perf_counter()
    big = KbMatcher(synthetic)
    build = time.perf_counter() - t
    rss_after = rss_mb()
    p50, p99 = latency(big, questions)
    print(
        f"synthetic KB: {len(synthetic)} articles, build {build:.1f} s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"RSS start {base_rss:.0f} MB, with articles {rss_before:.0f} MB, with index {rss_after:.0f} MB"
    )
    print(report(evaluate(big, labelled)))


if __name__ == "__main__":
    main()
