"""The ids of knowledge-base articles (domain/kb/article.py): which ticket a draft id was made of,
the id suggested when a draft is published, the id a person gives instead, and the messages that
name the field — every expected value written out by hand."""

import pytest

from helpdesk.domain.kb.article import (
    ArticleFieldError,
    draft_ticket_no,
    parse_published_id,
    suggest_article_id,
)


def test_a_draft_id_gives_back_its_ticket_number_of_at_most_twelve_digits():
    assert draft_ticket_no("szkic-t-000042") == 42
    assert draft_ticket_no("szkic-t-999999999999") == 999999999999
    assert draft_ticket_no("szkic-t-1000000000000") is None
    assert draft_ticket_no("szkic-t-") is None
    assert draft_ticket_no("ezd-000042") is None


@pytest.mark.parametrize(
    ("component", "title", "limit", "expected"),
    [
        ("SPRZET", "Rzutnik nie wyświetla obrazu", 60, "sprzet-rzutnik-nie-wyswietla-obrazu"),
        ("EZD", "EZD się zawiesza", 60, "ezd-sie-zawiesza"),
        # a one-letter word kept when it is all of the title that fits
        ("EZD", "w bardzodlugieslowo", 10, "ezd-w"),
        # a dangling one-letter word after others is dropped
        ("EZD", "drukarka i skaner", 16, "ezd-drukarka"),
        # not even one word of the title fits: it is cut
        ("EZD", "bardzodlugieslowo", 10, "ezd-bardzo"),
        # a component longer than the limit is cut, never leaving a hyphen at the end
        ("abc-def", "x", 4, "abc"),
        # a title that would look like a draft's id gets the fallback word in front, cut cleanly
        ("", "szkic t 000042", 14, "artykul-szkic"),
        ("", "", 60, "artykul"),
    ],
)
def test_the_suggested_id_is_the_component_and_the_title_cut_at_a_word(component, title, limit, expected):
    assert suggest_article_id(component, title, limit) == expected


def test_the_published_id_is_none_or_a_valid_id_outside_the_draft_prefix_with_messages_word_for_word():
    assert parse_published_id(None) is None
    assert parse_published_id("ezd-logowanie") == "ezd-logowanie"
    cases = {
        12: "pole 'id' musi być tekstem (id artykułu po publikacji)",
        "  ": "pole 'id' nie może być puste (pomiń je, a id powstanie z komponentu i tytułu)",
        "szkic-t-000042": (
            "id 'szkic-t-000042' zaczyna się od 'szkic-t-', a te są zarezerwowane dla szkiców ze "
            "zgłoszeń; podaj id, które mówi, czego dotyczy artykuł"
        ),
    }
    for value, message in cases.items():
        with pytest.raises(ArticleFieldError) as caught:
            parse_published_id(value)
        assert caught.value.field == "id"
        assert str(caught.value) == message


def test_a_field_error_names_its_field_once():
    assert ArticleFieldError("title", "za długi tytuł").named() == "pole 'title': za długi tytuł"
    assert ArticleFieldError("id", "pole 'id' musi być tekstem").named() == "pole 'id' musi być tekstem"
