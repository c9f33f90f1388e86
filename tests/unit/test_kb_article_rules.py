"""The one set of article field rules, shared by `helpdesk kb import` and the editing of drafts:
limits, control characters, errors naming the field (and, for files, the line); draft ids."""

from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import ArticleFileError, parse_article
from helpdesk.domain.kb.article import ArticleFieldError, draft_id, draft_ticket_no, make_article

GOOD = {"id": "ezd-test", "title": "Tytuł", "component": "ezd", "tags": ["a", 2], "questions": "Jedno?",
        "body": "Treść\n\nakapit"}


def article_file(**front: str) -> str:
    fields = {"id": "ezd-test", "title": "Tytuł", "component": "EZD", **front}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\nTreść.\n"


def test_a_good_article_is_normalised_as_an_imported_one_would_be():
    article = make_article(GOOD)
    assert article.component == "EZD" and article.tags == ("a", "2") and article.questions == ("Jedno?",)


@pytest.mark.parametrize("change, field, needle", [
    ({"id": "a" * 129}, "id", "za długie"), ({"title": "x" * 201}, "title", "za długie"),
    ({"title": "dwie\nlinie"}, "title", "końce linii"), ({"body": "zero\x00bajt"}, "body", "sterujące"),
    ({"tags": ["t"] * 31}, "tags", "najwyżej 30"), ({"questions": ["q" * 501]}, "questions", "za długa"),
    ({"component": "KAWA"}, "component", "nieznany komponent"), ({"title": None}, "title", "brak pola"),
])
def test_each_rule_names_its_field(change, field, needle):
    with pytest.raises(ArticleFieldError) as err:
        make_article({**GOOD, **change})
    assert err.value.field == field and needle in str(err.value) and f"'{field}'" in err.value.named()


def test_an_import_refuses_the_same_things_on_the_right_line():
    with pytest.raises(ArticleFileError, match=r"a\.md:2: id .* za długie"):
        parse_article(article_file(id="a" * 129), Path("a.md"))
    with pytest.raises(ArticleFileError, match=r"a\.md:3: pole 'title' jest za długie"):
        parse_article(article_file(title="x" * 201), Path("a.md"))
    with pytest.raises(ArticleFileError, match=r"a\.md:5: artykuł nie ma treści"):
        parse_article(article_file().replace("Treść.\n", ""), Path("a.md"))


def test_a_draft_id_tells_the_ticket_it_was_made_of():
    assert draft_id(42) == "szkic-t-000042" and draft_ticket_no("szkic-t-000042") == 42
    assert draft_id(1234567) == "szkic-t-1234567" and draft_ticket_no("szkic-t-1234567") == 1234567
    for other in ("ezd-reset-hasla", "szkic-t-", "szkic-t-12a", "szkic-x-000001"):
        assert draft_ticket_no(other) is None
