"""Article files: parsing, folder loading, errors naming file and line; shipped KB."""

from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import ArticleFileError, load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.kb.article import Article
from helpdesk.services.kb.matcher import KbMatcher

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
SHIPPED = Path(__file__).resolve().parents[2] / "knowledge_base"


def test_a_folder_is_loaded_recursively_and_readme_is_skipped() -> None:
    articles = load_articles([FIXTURES / "good"])
    assert sorted(a.id for a in articles) == ["test-reset-hasla", "test-skaner"]


def test_front_matter_fields_become_the_article() -> None:
    [article] = load_articles([FIXTURES / "good" / "ezd" / "reset-hasla.md"])
    assert article.title == "Resetowanie hasła do EZD"
    assert article.component == "EZD"
    assert article.tags == ("logowanie", "hasło", "reset")
    assert article.questions == ("Jak zmienić hasło w EZD?", "Nie pamiętam hasła do systemu")
    assert article.body.startswith("Kliknij **Nie pamiętam hasła**")


def test_a_missing_title_is_reported_with_file_and_line() -> None:
    with pytest.raises(ArticleFileError, match=r"no-title\.md:\d+: brak pola 'title'"):
        load_articles([FIXTURES / "bad" / "no-title.md"])


def test_an_id_with_capitals_or_underscores_is_refused_on_its_line() -> None:
    with pytest.raises(ArticleFileError, match=r"bad-id\.md:2: id 'Zle_ID'"):
        load_articles([FIXTURES / "bad" / "bad-id.md"])


def test_an_unknown_component_is_refused_and_the_known_ones_listed() -> None:
    with pytest.raises(ArticleFileError, match=r"bad-component\.md:4: nieznany komponent 'KAWA'.*EZD"):
        load_articles([FIXTURES / "bad" / "bad-component.md"])


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ArticleFileError, match=r"bad-yaml\.md:\d+: niepoprawny nagłówek YAML"):
        load_articles([FIXTURES / "bad" / "bad-yaml.md"])


def test_a_file_without_front_matter_is_refused() -> None:
    with pytest.raises(ArticleFileError, match=r"no-front-matter\.md:1: brak nagłówka YAML"):
        load_articles([FIXTURES / "bad" / "no-front-matter.md"])


def test_article_errors_are_invalid_input_for_the_cli_and_api() -> None:
    assert issubclass(ArticleFileError, InvalidInput)


def test_a_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    source = (FIXTURES / "good" / "skaner.md").read_text(encoding="utf-8")
    (tmp_path / "a.md").write_text(source, encoding="utf-8")
    (tmp_path / "b.md").write_text(source, encoding="utf-8")
    with pytest.raises(ArticleFileError, match=r"test-skaner.*już użyte"):
        load_articles([tmp_path])


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArticleFileError, match="nie ma takiego pliku"):
        load_articles([tmp_path / "brak"])


def test_an_excerpt_is_plain_text_cut_at_a_word() -> None:
    article = Article(
        "x", "T", "EZD", body="**Kliknij** [tutaj](http://x) i wpisz *swoje* hasło, a potem zapisz zmiany."
    )
    assert article.excerpt(200) == "Kliknij tutaj i wpisz swoje hasło, a potem zapisz zmiany."
    short = article.excerpt(30)
    assert short.endswith("…") and len(short) <= 30 and "*" not in short


def test_every_shipped_article_loads_and_answers_its_own_title_and_questions() -> None:
    articles = load_articles([SHIPPED])
    assert len(articles) >= 25
    matcher = KbMatcher(articles, morfeusz())
    failures = []
    for article in articles:
        assert 3 <= len(article.questions) <= 6, article.id
        for text in (article.title, *article.questions):
            answer = matcher.answer(text)
            if not (answer.answered and answer.article_id == article.id):
                failures.append((article.id, text, answer.article_id, answer.score))
    assert not failures, failures


def test_shipped_articles_sit_in_a_folder_named_after_their_component() -> None:
    for article in load_articles([SHIPPED]):
        assert article.source is not None
        assert Path(article.source).parent.name.upper() == article.component, article.source


def test_an_articles_summary_keeps_what_answers_show_and_drops_the_rest() -> None:
    from helpdesk.domain.kb.article import Article
    from helpdesk.services.intake.dialogue import EXCERPT_CHARS
    from helpdesk.services.kb.answers import SUMMARY_CHARS

    body = "**Krok po kroku:**\n" + "\n".join(
        f"{i}. Kliknij [przycisk](https://x.pl) numer {i} i poczekaj." for i in range(60)
    )
    article = Article("a-1", "Tytuł", "EZD", ("tag",), ("Pytanie?",), body)
    summary = article.summary(SUMMARY_CHARS)
    assert (summary.id, summary.title, summary.component) == ("a-1", "Tytuł", "EZD")
    assert summary.tags == () and summary.questions == () and len(summary.body) == SUMMARY_CHARS
    assert EXCERPT_CHARS < SUMMARY_CHARS
    for n in (100, 200, EXCERPT_CHARS):
        assert summary.excerpt(n) == article.excerpt(n)
