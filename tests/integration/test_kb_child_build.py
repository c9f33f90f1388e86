"""A big index is built in a fresh child process and loaded here (helpdesk.services.kb.memory).

What must hold, stated without the code: the index loaded from the child answers every question
exactly as an index built here would (same article, same confidence, same candidates); it uses this
process's morphology, not a copy; the child really is another process; and when the child cannot
build (its morphology fails to load), the index is built here and the service still answers.
These start real child processes (spawned Python interpreters), nothing is mocked.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.services.kb.answers import KbService
from helpdesk.services.kb.matcher import KbMatcher, Learned
from helpdesk.services.kb.memory import build_in_child, dump_index, load_index
from helpdesk.services.kb.morphology import Morphology
from helpdesk.services.kb.quality import load_questions

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "kb_eval"
PID_FILE = "HELPDESK_TEST_CHILD_PID_FILE"


def morphology_noting_the_process() -> Morphology:
    """A morphology factory for the child that writes down which process called it."""
    with open(os.environ[PID_FILE], "w", encoding="utf-8") as out:
        out.write(str(os.getpid()))
    return morfeusz()


def morphology_that_fails() -> Morphology:
    """A morphology factory that cannot load (as when the child cannot start the analyser)."""
    raise RuntimeError("no dictionary here")


def verdicts(index: KbMatcher, questions: list[str]) -> list[tuple[object, ...]]:
    out = []
    for q in questions:
        a = index.answer(q)
        out.append((a.answered, a.article_id, round(a.score, 9), tuple(c for c, _ in a.candidates)))
    return out


@pytest.fixture(scope="module")
def articles():  # type: ignore[no-untyped-def]
    return load_articles([EVAL / "kb"])


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [q.q for q in load_questions(EVAL / "questions-dev2.jsonl")][:120]


def test_the_index_from_the_child_answers_as_one_built_here(
    articles, questions: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(PID_FILE, str(tmp_path / "pid"))
    learned = Learned(phrasings={articles[5].id: ("wywala mnie z systemu przy wejściu",)})
    here = KbMatcher(articles, morfeusz(), learned=learned)
    from_child = build_in_child(articles, learned, morfeusz(), morphology_noting_the_process)
    assert int((tmp_path / "pid").read_text()) != os.getpid()  # built in another process
    assert from_child.lexicon.morphology is morfeusz()  # this process's analyser, not a copy
    assert verdicts(from_child, questions) == verdicts(here, questions)
    assert len(from_child) == len(here) == len(articles)


def test_an_index_from_the_child_takes_changes_like_any_other(articles, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(PID_FILE, str(tmp_path / "pid"))
    from_child = build_in_child(articles, Learned(), morfeusz(), morphology_noting_the_process)
    changed = articles[0].__class__(
        articles[0].id,
        "Drukarka etykiet Zebra drukuje puste naklejki",
        articles[0].component,
        ("drukarka", "etykieta"),
        ("Drukarka Zebra wypluwa puste etykiety",),
        "Skalibruj czujnik etykiet: przytrzymaj przycisk FEED, aż drukarka wysunie dwie etykiety.",
    )
    updated = from_child.updated([changed])
    answer = updated.answer("zebra drukuje puste etykiety")
    assert answer.article_id == changed.id


def test_when_the_child_cannot_build_the_index_is_built_here(articles, questions, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="helpdesk.kb"):
        index = build_in_child(articles, Learned(), morfeusz(), morphology_that_fails)
    assert "w osobnym procesie" in caplog.text and "no dictionary here" in caplog.text
    assert verdicts(index, questions[:30]) == verdicts(KbMatcher(articles, morfeusz()), questions[:30])


def test_the_serialised_index_refers_to_the_morphology_by_name(articles) -> None:  # type: ignore[no-untyped-def]
    index = KbMatcher(articles[:10], morfeusz())
    blob = dump_index(index, morfeusz())
    assert len(blob) < 5_000_000  # the shingle counters (2 MB) and ten articles; no dictionary
    loaded = load_index(blob, morfeusz())
    assert loaded.lexicon.morphology is morfeusz()
    assert loaded.answer(articles[3].title).article_id == articles[3].id


def test_the_service_builds_a_big_index_in_a_child(container, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(PID_FILE, str(tmp_path / "pid"))
    service = KbService(
        container.db,
        container.clock,
        container.settings,
        morphology=morfeusz(),
        morphology_factory=morphology_noting_the_process,
        child_build_min=1,  # every index counts as big here
    )
    service.import_articles(load_articles([EVAL / "kb"])[:20])
    service.invalidate()
    index, summaries = service.matcher()
    assert int((tmp_path / "pid").read_text()) != os.getpid()
    assert len(index) == len(summaries) == 20
    first = next(iter(summaries.values()))
    assert service.answer(first.title, record=False)["article"]["id"] == first.id
