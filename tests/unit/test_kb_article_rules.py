"""The one set of article field rules, shared by `helpdesk kb import` and the editing of drafts:
limits, control characters, errors naming the field (and, for files, the line); draft ids and the
final id a draft is published under."""

from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import ArticleFileError, parse_article
from helpdesk.domain.kb.article import (
    ArticleFieldError,
    draft_id,
    draft_ticket_no,
    make_article,
    parse_article_id,
    parse_published_id,
    slug_words,
    suggest_article_id,
    unique_id,
)

GOOD = {
    "id": "ezd-test",
    "title": "Tytuł",
    "component": "ezd",
    "tags": ["a", 2],
    "questions": "Jedno?",
    "body": "Treść\n\nakapit",
}


def article_file(**front: str) -> str:
    fields = {"id": "ezd-test", "title": "Tytuł", "component": "EZD", **front}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\nTreść.\n"


def test_a_good_article_is_normalised_as_an_imported_one_would_be():
    article = make_article(GOOD)
    assert article.component == "EZD" and article.tags == ("a", "2") and article.questions == ("Jedno?",)


@pytest.mark.parametrize(
    "change, field, needle",
    [
        ({"id": "a" * 129}, "id", "za długie"),
        ({"title": "x" * 201}, "title", "za długie"),
        ({"title": "dwie\nlinie"}, "title", "końce linii"),
        ({"body": "zero\x00bajt"}, "body", "sterujące"),
        ({"tags": ["t"] * 31}, "tags", "najwyżej 30"),
        ({"questions": ["q" * 501]}, "questions", "za długa"),
        ({"component": "KAWA"}, "component", "nieznany komponent"),
        ({"title": None}, "title", "brak pola"),
    ],
)
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


@pytest.mark.parametrize(
    "component, title, expected",
    [
        ("SPRZET", "Rzutnik nie wyświetla obrazu", "sprzet-rzutnik-nie-wyswietla-obrazu"),
        ("EZD", "Zażółć gęślą jaźń: ŁÓDŹ, Śląsk, Ćmielów, Ńa", "ezd-zazolc-gesla-jazn-lodz-slask-cmielow-na"),
        ("EZD", "EZD się zawiesza po zalogowaniu", "ezd-sie-zawiesza-po-zalogowaniu"),
        ("SYSTEMY_DZIEDZINOWE", "Systemy dziedzinowe: import z EZD", "systemy-dziedzinowe-import-z-ezd"),
        ("epuap", "Błąd 500 przy wysyłce UPO (ePUAP)", "epuap-blad-500-przy-wysylce-upo-epuap"),
        ("KONTO", "  Hasło -- wygasło!!! ", "konto-haslo-wygaslo"),
        ("KONTO", "Café naïve résumé", "konto-cafe-naive-resume"),
        ("KONTO", "Пароль 🙂", "konto-artykul"),
        ("KONTO", "", "konto-artykul"),
        ("", "Szkic T 5", "artykul-szkic-t-5"),
        (
            "PODPIS",
            "Podpis kwalifikowany nie działa w przeglądarce Chrome i Edge po aktualizacji systemu Windows",
            "podpis-kwalifikowany-nie-dziala-w-przegladarce-chrome-i-edge",
        ),
        (
            "KONTO",
            "Bardzo długi tytuł artykułu który ma wiele słów i przekracza sześćdziesiąt znaków",
            "konto-bardzo-dlugi-tytul-artykulu-ktory-ma-wiele-slow",
        ),
        ("KONTO", "x" * 300, "konto-" + "x" * 54),
    ],
)
def test_the_suggested_id_is_component_and_title_as_an_ascii_slug_cut_at_a_word(component, title, expected):
    suggested = suggest_article_id(component, title)
    assert suggested == expected and len(suggested) <= 60
    assert parse_article_id(suggested) == suggested and parse_published_id(suggested) == suggested


def test_slug_words_transliterate_polish_letters_both_cases():
    assert slug_words("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ") == ["acelnoszz", "acelnoszz"]


def test_a_taken_id_gets_the_next_free_number():
    assert unique_id("ezd-a", set()) == "ezd-a"
    assert unique_id("ezd-a", {"ezd-a"}) == "ezd-a-2"
    assert unique_id("ezd-a", {"ezd-a", "ezd-a-2", "ezd-a-4"}) == "ezd-a-3"


@pytest.mark.parametrize(
    "value, needle",
    [
        (7, "musi być tekstem"),
        (["a"], "musi być tekstem"),
        ("", "nie może być puste"),
        ("a" * 129, "za długie"),
        ("Ezd-a", "tylko małe litery"),
        ("ezd a", "tylko małe litery"),
        ("szkic-t-000042", "zarezerwowane"),
    ],
)
def test_a_published_id_follows_the_import_rules_and_leaves_the_draft_prefix_alone(value, needle):
    with pytest.raises(ArticleFieldError) as err:
        parse_published_id(value)
    assert err.value.field == "id" and needle in str(err.value)
    assert parse_published_id(None) is None and parse_published_id(" ezd-a ") == "ezd-a"
