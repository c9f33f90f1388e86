"""Knowledge-base matcher benchmark: quality per set and kind, latency p50/p99, index build, memory.

Run: .venv/bin/python bench/bench_kb.py [--synthetic N] [--fit] [--server | --server-only]
Not part of the test suite; prints figures only. The evaluation data is in tests/fixtures/kb_eval.

- quality: the shipped matcher on every set (`own` and `body` were never fitted on) — right, wrong,
  and offered (silent, the right article among the "Może chodzi o…" suggestions) —, then
  cross-validation grouped by article and by question set — the figures that count — and how they
  move with the wrong-answer budget of the fit;
- ranking: per set and kind, how often the right article is ranked first, among the first three,
  and first with the answer rules allowing it (the ceiling of any confidence), and the same
  questions with their Polish letters stripped (does the diacritic-free path lose lemmas?);
- speed: p50/p99 per question on the 80 evaluation articles and on N synthetic articles (10,000 by
  default) plus the evaluation articles, one thread;
- memory: RSS of this process with Morfeusz loaded and the big index built; `--server` also starts
  `helpdesk serve` on a fresh demo database holding the synthetic KB (written as article files and
  imported by `helpdesk init --demo`), asks it questions and reads its RSS (`--server-only`: just that).

`--fit` fits the confidence on the development sets (dev, dev2, extra) and prints the constants to
paste into ``matcher.Calibration`` (tests/unit/test_kb_quality.py checks they match a fresh fit).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import fold, tokens
from helpdesk.services.kb.calibration import FIT_OPTIONS, fit, grouped_cross_validate, samples
from helpdesk.services.kb.matcher import Calibration, KbMatcher
from helpdesk.services.kb.quality import (
    LabelledQuestion,
    evaluate,
    load_questions,
    rank_report,
    rank_tallies,
    report,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EVAL = FIXTURES / "kb_eval"
SETS = {
    "dev": EVAL / "questions-dev.jsonl",
    "dev2": EVAL / "questions-dev2.jsonl",
    "extra": FIXTURES / "kb_extra" / "questions-extra.jsonl",
    "own": EVAL / "questions-own.jsonl",
    "body": EVAL / "questions-body.jsonl",
}
FITTED_ON = ("dev", "dev2", "extra")
HELD_OUT = ("own", "body")


def rss_mb(pid: int | None = None) -> float:
    """Resident set size in MB of this process (or `pid`), from /proc; the peak as a fallback."""
    try:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb(pid: int) -> float:
    """Peak resident set size in MB of process `pid`, from /proc (0 when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


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


def latency(matcher: KbMatcher, questions: list[str], rounds: int = 3) -> tuple[float, float, float, float]:
    """Per-question latency in ms: p50 and p99 over every run (the first, cold pass included), and
    p99 of each question's median and fastest run (on a shared machine these filter other
    processes' noise; the fastest is the question's own cost, warm)."""
    runs: list[list[float]] = [[] for _ in questions]
    for _ in range(rounds):
        for i, q in enumerate(questions):
            t = time.perf_counter()
            matcher.answer(q)
            runs[i].append((time.perf_counter() - t) * 1000)
    times = sorted(x for r in runs for x in r)
    medians = sorted(statistics.median(r) for r in runs)
    fastest = sorted(min(r) for r in runs)
    at = int(len(runs) * 0.99) - 1
    return statistics.median(times), times[int(len(times) * 0.99) - 1], medians[at], fastest[at]


def print_scores(title: str, scores: dict[str, object]) -> None:
    """One line per set: right / wrong overall and per kind (right/answerable, wrong)."""
    print(title)
    for name, per_kind in scores.items():
        assert isinstance(per_kind, dict)
        overall = per_kind["ALL"]
        kinds = ", ".join(
            f"{k} {v.right}/{v.answerable} w{v.wrong}" for k, v in sorted(per_kind.items()) if k != "ALL"
        )
        print(f"  {name:<6} right {overall.accuracy:6.1%}  wrong {overall.wrong_rate:5.1%}   ({kinds})")


def quality(matcher: KbMatcher, sets: dict[str, list[LabelledQuestion]]) -> None:
    """The shipped matcher per set, then the grouped cross-validation."""
    for name, questions in sets.items():
        note = "never fitted on" if name in HELD_OUT else "fitted on"
        print(f"shipped matcher, {name} ({note}):")
        print(report(evaluate(matcher, questions)))
    data = [s for name, qs in sets.items() for s in samples(matcher, qs, name)]
    cv = grouped_cross_validate(data, Calibration(), folds=5, held_out=HELD_OUT, **FIT_OPTIONS)
    print_scores("cross-validated, grouped by article (5 folds) and by question set:", dict(cv))
    # The trade-off the features allow: the same grouped cross-validation with other budgets.
    for budget in (0.015, 0.02, 0.03, 0.035):
        options = {**FIT_OPTIONS, "wrong_target": budget}
        every = grouped_cross_validate(data, Calibration(), folds=5, held_out=HELD_OUT, **options)["ALL"][
            "ALL"
        ]
        print(f"  with wrong_target {budget:.3f}: right {every.accuracy:6.1%}  wrong {every.wrong_rate:5.1%}")


def ranking(matcher: KbMatcher, sets: dict[str, list[LabelledQuestion]]) -> None:
    """Where the right article stands per set and kind, and what stripping Polish letters changes."""
    for name, questions in sets.items():
        print(f"ranking, {name} (answerable questions; first, among the first 3, first and allowed):")
        print(rank_report(rank_tallies(matcher, questions)))
    every = [q for qs in sets.values() for q in qs if q.expected is not None and fold(q.q) != q.q.lower()]
    stripped = [LabelledQuestion(fold(q.q), q.expected, q.kind) for q in every]
    as_written, plain = rank_tallies(matcher, every)["ALL"], rank_tallies(matcher, stripped)["ALL"]
    right, right_plain = evaluate(matcher, every)["ALL"].right, evaluate(matcher, stripped)["ALL"].right
    print(
        f"{len(every)} answerable questions with Polish letters, as written / stripped: first "
        f"{as_written.top1} / {plain.top1}, allowed {as_written.allowed} / {plain.allowed}, "
        f"answered right (shipped) {right} / {right_plain}"
    )


def refit(matcher: KbMatcher, sets: dict[str, list[LabelledQuestion]]) -> None:
    """Fit on the development sets and print the constants for matcher.Calibration."""
    data = [s for name in FITTED_ON for s in samples(matcher, sets[name], name)]
    cal = fit(data, Calibration(), **FIT_OPTIONS)
    print(
        f"fitted on {', '.join(FITTED_ON)}: weights={cal.weights} bias={cal.bias} answer_at={cal.answer_at}"
    )


def write_articles(articles: list[Article], folder: Path) -> None:
    """The articles as files of the knowledge-base folder format (YAML front matter, Markdown body)."""
    for a in articles:
        meta = {"id": a.id, "title": a.title, "component": a.component, "tags": list(a.tags)}
        meta["questions"] = list(a.questions)
        front = json.dumps(meta, ensure_ascii=False)  # JSON is YAML
        (folder / f"{a.id}.md").write_text(f"---\n{front}\n---\n{a.body}\n", encoding="utf-8")


def generator_mb() -> float:
    """What loading Morfeusz's generator adds to a process that has only analysed (fresh Python)."""
    script = (
        "from helpdesk.adapters.morph import MorfeuszMorphology\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:'))\n"
        "m = MorfeuszMorphology(); m.analyse('hasła'); before = rss(); m.forms('hasło'); print(rss() - before)"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return int(out.stdout) / 1024


def ask(request: urllib.request.Request, text: str) -> None:
    """Ask the server one question (the answer is read and dropped)."""
    request.data = json.dumps({"text": text}).encode()
    with urllib.request.urlopen(request, timeout=60) as resp:
        resp.read()


def typos(text: str, rng: random.Random) -> str:
    """The text with two neighbouring letters swapped in about half of its longer words, as hurried
    typing does."""
    words = text.split()
    for i, word in enumerate(words):
        if len(word) > 5 and rng.random() < 0.5:
            at = rng.randrange(1, len(word) - 2)
            words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)


def server_rss(articles: list[Article]) -> None:
    """Start `helpdesk serve` on a fresh demo database holding `articles`, ask one question, print
    its RSS and how long the index took to build at start."""
    helpdesk = Path(sys.executable).with_name("helpdesk")
    with tempfile.TemporaryDirectory() as tmp:
        kb_dir = Path(tmp) / "kb"
        kb_dir.mkdir()
        write_articles(articles, kb_dir)
        env = {
            **os.environ,
            "HELPDESK_DATABASE_URL": f"sqlite:///{tmp}/h.db",
            "HELPDESK_HTTP": "127.0.0.1:18931",
            "HELPDESK_SMTP_LISTEN": "",
            "HELPDESK_KB_DIR": str(kb_dir),
            "HELPDESK_SLA_DIR": str(ROOT / "sla"),
        }
        t = time.perf_counter()
        subprocess.run([str(helpdesk), "init", "--demo"], env=env, check=True, capture_output=True)
        print(f"server: {len(articles)} articles imported in {time.perf_counter() - t:.0f} s")
        token = subprocess.run(
            [str(helpdesk), "users", "token", "urzednik.plock"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(helpdesk), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            request = urllib.request.Request(
                "http://127.0.0.1:18931/api/v1/kb/answer",
                data=json.dumps({"text": "zapomnialam hasla do ezd"}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            for _ in range(1500):
                try:
                    with urllib.request.urlopen(request, timeout=60) as resp:
                        answer = json.loads(resp.read())
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                print("server: did not answer in 5 minutes")
                return
            ready = time.perf_counter() - started
            for text in ("jak zresetować hasło", "nie działa czytnik kart", "zgłoszenie awarii"):
                ask(request, text)
            print(
                f"server (helpdesk serve, {len(articles)} articles, Morfeusz loaded, after four questions): "
                f"RSS {rss_mb(proc.pid):.0f} MB, peak {peak_mb(proc.pid):.0f} MB; first answer {ready:.1f} s after "
                f"start (index built at start); answered={answer['answered']} article={(answer['article'] or {}).get('id')}"
            )
            # A day's traffic fills the per-word caches: every evaluation question, as written and
            # without Polish letters, with a few typos each (thousands of distinct words).
            rng = random.Random(7)
            asked = 0
            for path in SETS.values():
                for q in load_questions(path):
                    for text in (q.q, fold(q.q), typos(q.q, rng)):
                        ask(request, text)
                        asked += 1
            print(
                f"server after {asked} more questions (the caches filled): RSS {rss_mb(proc.pid):.0f} MB, "
                f"peak {peak_mb(proc.pid):.0f} MB; plus {generator_mb():.0f} MB once an article with "
                "words new to the index is published in this process (Morfeusz's generator is loaded)"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def main() -> None:
    """Run the benchmark and print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument(
        "--fit", action="store_true", help="fit the confidence and print its constants, then exit"
    )
    parser.add_argument(
        "--server", action="store_true", help="also measure helpdesk serve holding the synthetic KB"
    )
    parser.add_argument("--server-only", action="store_true", help="only measure helpdesk serve")
    args = parser.parse_args()
    rng = random.Random(42)
    base_rss = rss_mb()
    articles = load_articles([EVAL / "kb"])
    sets = {name: load_questions(path) for name, path in SETS.items()}
    t = time.perf_counter()
    morphology = morfeusz()
    morphology.analyse("hasło")
    load = time.perf_counter() - t
    if args.server_only:
        server_rss(synthetic_articles(articles, args.synthetic, rng) + articles)
        return
    t = time.perf_counter()
    matcher = KbMatcher(articles, morphology)
    build = time.perf_counter() - t
    if args.fit:
        refit(matcher, sets)
        return
    questions = [q.q for qs in sets.values() for q in qs]
    p50, p99, p99m, p99f = latency(matcher, questions)
    print(
        f"Morfeusz load {load * 1000:.0f} ms; eval KB: {len(articles)} articles, build {build * 1000:.0f} ms, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (p99 of per-question medians {p99m:.2f} ms, of fastest runs "
        f"{p99f:.2f} ms) over {len(questions)} questions"
    )
    quality(matcher, sets)
    ranking(matcher, sets)

    synthetic = synthetic_articles(articles, args.synthetic, rng) + articles
    del matcher
    rss_before = rss_mb()
    t = time.perf_counter()
    big = KbMatcher(synthetic, morphology)
    build = time.perf_counter() - t
    rss_after = rss_mb()
    p50, p99, p99m, p99f = latency(big, questions)
    print(
        f"synthetic KB: {len(synthetic)} articles, build {build:.1f} s, p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"(p99 of per-question medians {p99m:.2f} ms, of fastest runs {p99f:.2f} ms), "
        f"RSS start {base_rss:.0f} MB, with Morfeusz and articles {rss_before:.0f} MB, with index {rss_after:.0f} MB"
    )
    if args.server:
        server_rss(synthetic)


if __name__ == "__main__":
    main()
