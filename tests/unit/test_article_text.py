"""How an article's body is shown (domain/kb/article.py): Markdown reduced to one plain line, an
excerpt cut at a word boundary with an ellipsis, and the summary an index keeps — each expected
text written out by hand."""

from helpdesk.domain.kb.article import Article


def article(body: str) -> Article:
    return Article("ezd-test", "Tytuł", "EZD", body=body, source="plik.md")


def test_the_plain_body_drops_links_lists_and_markup():
    body = "# Nagłówek\n\n- punkt **ważny**\n2) drugi [tu](https://x.pl)\n> cytat `kod`"
    assert article(body).plain_body() == "Nagłówek punkt ważny drugi tu cytat kod"


def test_a_body_of_the_limit_is_whole_and_a_longer_one_is_cut_to_the_limit_with_the_ellipsis():
    assert article("a" * 200).excerpt() == "a" * 200
    assert article("a" * 201).excerpt() == "a" * 199 + "…"
    assert article("a" * 21).excerpt(20) == "a" * 19 + "…"
    assert article("abc").excerpt(0) == "…"


def test_an_excerpt_is_cut_at_the_last_space_past_half_the_limit():
    assert article("a" * 11 + " bb cc " + "d" * 9).excerpt(20) == "a" * 11 + " bb cc…"
    assert article("a" * 10 + " " + "b" * 15).excerpt(20) == "a" * 10 + " " + "b" * 8 + "…"
    assert article("a" * 8 + " " + "b" * 15).excerpt(20) == "a" * 8 + " " + "b" * 10 + "…"


def test_an_excerpt_does_not_end_in_punctuation_before_the_ellipsis():
    assert article(",XXXXXXXXXXX, bb" + "c" * 20).excerpt(20) == ",XXXXXXXXXXX…"
    assert article("X" * 12 + " – bb" + "c" * 20).excerpt(20) == "X" * 12 + "…"


def test_the_summary_keeps_the_start_of_the_plain_body_and_the_source():
    summary = article("**Pierwsze** zdanie. Drugie zdanie.").summary(8)
    assert (summary.id, summary.title, summary.component, summary.body, summary.source) == (
        "ezd-test",
        "Tytuł",
        "EZD",
        "Pierwsze",
        "plik.md",
    )
    assert (summary.tags, summary.questions) == ((), ())
