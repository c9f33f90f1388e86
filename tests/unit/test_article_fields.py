"""Every field rule of a knowledge-base article (domain/kb/article.py `make_article`), at its limits
and with its refusal word for word; the values accepted are written out as they are stored."""

import pytest

from helpdesk.domain.kb.article import ArticleFieldError, make_article, parse_article_id

GOOD = {
    "id": "ezd-test",
    "title": " Tytuł ",
    "component": "ezd",
    "tags": ["a", 2, 1.5, " "],
    "questions": "Jedno?",
    "body": "Treść\n\takapit",
}


def test_a_good_article_is_stored_trimmed_with_lists_and_its_source():
    article = make_article(GOOD, source="plik.md")
    assert (article.id, article.title, article.component) == ("ezd-test", "Tytuł", "EZD")
    assert (article.tags, article.questions, article.body, article.source) == (
        ("a", "2", "1.5"),
        ("Jedno?",),
        "Treść\n\takapit",
        "plik.md",
    )
    at_limits = make_article(
        {
            **GOOD,
            "id": "a" * 128,
            "title": "t" * 200,
            "tags": ["g" * 60] * 30,
            "questions": ["q" * 500] * 50,
            "tags2": 1,
        }
    )
    assert (len(at_limits.id), len(at_limits.title), len(at_limits.tags), len(at_limits.questions)) == (
        128,
        200,
        30,
        50,
    )
    assert make_article({**GOOD, "tags": None, "questions": ("a",)}).tags == ()
    assert make_article({**GOOD, "title": 2027}).title == "2027"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id": None}, "id", "brak pola 'id'"),
        ({"id": "  "}, "id", "brak pola 'id'"),
        ({"id": "a" * 129}, "id", f"id '{'a' * 40}…' jest za długie (limit 128 znaków)"),
        ({"id": "EZD-test"}, "id", "id 'EZD-test' może zawierać tylko małe litery ascii, cyfry i myślniki"),
        ({"id": "ezd--test"}, "id", "id 'ezd--test' może zawierać tylko małe litery ascii, cyfry i myślniki"),
        ({"id": True}, "id", "pole 'id' musi być tekstem"),
        ({"title": None}, "title", "brak pola 'title'"),
        ({"title": " "}, "title", "pole 'title' nie może być puste"),
        ({"title": "x" * 201}, "title", "pole 'title' jest za długie (201 znaków, limit 200)"),
        (
            {"title": "dwie\nlinie"},
            "title",
            "pole 'title' zawiera niedozwolone znaki sterujące lub końce linii",
        ),
        (
            {"title": "dwie\rlinie"},
            "title",
            "pole 'title' zawiera niedozwolone znaki sterujące lub końce linii",
        ),
        ({"title": "bell\x07"}, "title", "pole 'title' zawiera niedozwolone znaki sterujące lub końce linii"),
        ({"title": ["x"]}, "title", "pole 'title' musi być tekstem"),
        ({"body": "zero\x00bajt"}, "body", "pole 'body' zawiera niedozwolone znaki sterujące"),
        ({"body": "x\x7f"}, "body", "pole 'body' zawiera niedozwolone znaki sterujące"),
        ({"body": None}, "body", "brak pola 'body'"),
        ({"component": None}, "component", "brak pola 'component'"),
        ({"component": ["EZD"]}, "component", "pole 'component' musi być tekstem"),
        (
            {"tags": ["a\rb"]},
            "tags",
            "pozycja 1 pola 'tags' zawiera niedozwolone znaki sterujące lub końce linii",
        ),
        ({"component": " "}, "component", "brak pola 'component'"),
        ({"tags": ["t"] * 31}, "tags", "pole 'tags' może mieć najwyżej 30 pozycji (jest 31)"),
        ({"tags": ["a", "g" * 61]}, "tags", "pozycja 2 pola 'tags' jest za długa (61 znaków, limit 60)"),
        ({"tags": {"a": 1}}, "tags", "pole 'tags' musi być listą tekstów"),
        ({"tags": ["a", True]}, "tags", "pole 'tags' musi być listą tekstów"),
        ({"tags": ["a", None]}, "tags", "pole 'tags' musi być listą tekstów"),
        (
            {"tags": ["a", "b\x01"]},
            "tags",
            "pozycja 2 pola 'tags' zawiera niedozwolone znaki sterujące lub końce linii",
        ),
        ({"questions": ["q"] * 51}, "questions", "pole 'questions' może mieć najwyżej 50 pozycji (jest 51)"),
        (
            {"questions": ["q" * 501]},
            "questions",
            "pozycja 1 pola 'questions' jest za długa (501 znaków, limit 500)",
        ),
        (
            {"questions": ["a\nb"]},
            "questions",
            "pozycja 1 pola 'questions' zawiera niedozwolone znaki sterujące lub końce linii",
        ),
    ],
)
def test_each_refusal_names_its_field_word_for_word(change, field, message):
    with pytest.raises(ArticleFieldError) as caught:
        make_article({**GOOD, **change})
    assert (caught.value.field, str(caught.value)) == (field, message)


def test_an_id_field_of_another_name_is_named_so():
    with pytest.raises(ArticleFieldError) as caught:
        parse_article_id(None, "new_id")
    assert (caught.value.field, str(caught.value)) == ("new_id", "brak pola 'new_id'")
