"""Quality of KB answering on the evaluation data in the repository (tests/fixtures/kb_eval).

Sets: `dev` (120) and `dev2` (240), written by others; `extra` (120, tests/fixtures/kb_extra), the
team's own earlier set; `own` (194), written before any tuning, and `body` (298), written from the
articles' bodies before the second round of changes — both never fitted on. The figures
that count are those on questions a fit has not seen: cross-validation grouped by article AND by
question set (each question is scored by a fit on the other sets' questions about other articles),
and the `own` set scored by the shipped calibration. Wrong answers cost more than silence, so the
wrong-answer bars are the tight ones. The figures per set and kind are printed (pytest -s).
"""

from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.services.kb.calibration import FIT_OPTIONS, fit, grouped_cross_validate, samples, score
from helpdesk.services.kb.matcher import FEATURES, Calibration, KbMatcher
from helpdesk.services.kb.quality import evaluate, load_questions, report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
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


@pytest.fixture(scope="module")
def matcher() -> KbMatcher:
    return KbMatcher(load_articles([EVAL / "kb"]), morfeusz())


@pytest.fixture(scope="module")
def data(matcher: KbMatcher) -> list:  # type: ignore[type-arg]
    out = []
    for name, path in SETS.items():
        out += samples(matcher, load_questions(path), name)
    return out


def test_the_evaluation_data_is_in_the_repository() -> None:
    assert len(load_articles([EVAL / "kb"])) == 80
    sizes = {name: len(load_questions(path)) for name, path in SETS.items()}
    assert sizes == {"dev": 120, "dev2": 240, "extra": 120, "own": 194, "body": 298}


def test_grouped_cross_validation_by_article_and_set_keeps_wrong_answers_rare(data: list) -> None:  # type: ignore[type-arg]
    cv = grouped_cross_validate(data, Calibration(), folds=5, held_out=HELD_OUT, **FIT_OPTIONS)
    for name, scores in cv.items():
        kinds = ", ".join(
            f"{k} {v.right}/{v.answerable} wrong {v.wrong}" for k, v in sorted(scores.items()) if k != "ALL"
        )
        print(f"\n{name}: right {scores['ALL'].accuracy:.1%}, wrong {scores['ALL'].wrong_rate:.1%} ({kinds})")
    overall = cv["ALL"]["ALL"]
    assert overall.wrong_rate <= 0.03
    assert overall.accuracy >= 0.63  # 61.8 % before the shingles (bench/bench_kb.py)
    for name in HELD_OUT:
        assert cv[name]["ALL"].wrong_rate <= 0.035, name  # one question of a set is 0.3-0.5 %
        assert cv[name]["ALL"].accuracy >= 0.67, name


@pytest.mark.parametrize("name", HELD_OUT)
def test_the_held_out_sets_with_the_shipped_calibration(matcher: KbMatcher, name: str) -> None:
    """Our own questions, never fitted on, answered by the shipped matcher."""
    tallies = evaluate(matcher, load_questions(SETS[name]))
    print(f"\n{name} set, shipped calibration:\n" + report(tallies))
    assert tallies["ALL"].wrong_rate <= 0.03
    assert tallies["ALL"].accuracy >= 0.67
    # Silence is no dead end: answered right, or the right article offered ("Może chodzi o…").
    every = tallies["ALL"]
    assert (every.right + every.offered) / every.answerable >= 0.9  # own 98 %, body 93 % (bench_kb)


def test_the_shipped_calibration_is_the_fit_on_the_development_sets(data: list) -> None:  # type: ignore[type-arg]
    refit = fit([s for s in data if s.source in FITTED_ON], Calibration(), **FIT_OPTIONS)
    shipped = Calibration()
    assert len(shipped.weights) == len(FEATURES)
    assert max(abs(a - b) for a, b in zip(refit.weights, shipped.weights, strict=True)) < 0.05
    assert abs(refit.answer_at - shipped.answer_at) < 0.02


def test_no_fit_ever_sees_the_held_out_set(data: list) -> None:  # type: ignore[type-arg]
    """Changing the held-out set's labels changes none of its own scores' fits."""
    flipped = [
        s if s.source not in HELD_OUT else type(s)(s.kind, None, s.top, s.x, s.allowed, s.source)
        for s in data
    ]
    a = fit([s for s in data if s.source in FITTED_ON], Calibration(), **FIT_OPTIONS)
    b = fit([s for s in flipped if s.source in FITTED_ON], Calibration(), **FIT_OPTIONS)
    assert a == b


def test_greetings_thanks_and_noise_stay_silent(matcher: KbMatcher) -> None:
    for text in ("cześć", "dzięki wielkie!", "...", "dzień dobry", "ok", "qwerty uiop", "👍"):
        assert not matcher.answer(text).answered, text


def test_each_development_set_keeps_wrong_answers_rare_with_the_shipped_matcher(matcher: KbMatcher) -> None:
    for name in FITTED_ON:
        tallies = evaluate(matcher, load_questions(SETS[name]))
        print(f"\n{name} (fitted on):\n" + report(tallies))
        assert tallies["ALL"].wrong_rate <= 0.05, report(tallies)


def test_a_fit_on_two_sets_holds_on_the_third(data: list) -> None:  # type: ignore[type-arg]
    for test_set in FITTED_ON:
        cal = fit(
            [s for s in data if s.source in FITTED_ON and s.source != test_set], Calibration(), **FIT_OPTIONS
        )
        scores = score(cal, [s for s in data if s.source == test_set])
        print(
            f"\n{test_set} by a fit on the others: right {scores['ALL'].accuracy:.1%}, wrong {scores['ALL'].wrong_rate:.1%}"
        )
        assert scores["ALL"].wrong_rate <= 0.05
