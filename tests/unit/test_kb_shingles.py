"""Letter-by-letter similarity of a question and an article (helpdesk.services.kb.shingles).

The rule, stated independently of the code: a shingle is every run of four characters of the
folded text with its words separated and surrounded by single spaces; both sides weigh a shingle
(1 + ln count) × (ln((1 + articles) / (1 + articles holding it)) + 1); the similarity is the cosine
of the two vectors. The reference below computes that with plain strings and dictionaries.
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from helpdesk.adapters.files.articles import load_articles
from helpdesk.adapters.morph import morfeusz
from helpdesk.domain.kb.article import Article
from helpdesk.domain.kb.text import tokens
from helpdesk.services.kb import shingles as sh
from helpdesk.services.kb.matcher import SHINGLED, Calibration, KbMatcher

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "kb_eval"


def reference_shingles(text: str) -> Counter[str]:
    padded = " " + " ".join(tokens(text)) + " "
    return Counter(padded[i : i + 4] for i in range(len(padded) - 3))


def reference_similarity(question: str, article: str, corpus: list[str]) -> float:
    docs = [set(reference_shingles(t)) for t in corpus]

    def idf(s: str) -> float:
        return math.log((1 + len(corpus)) / (1 + sum(s in d for d in docs))) + 1.0

    def vector(text: str) -> dict[str, float]:
        return {s: (1.0 + math.log(c)) * idf(s) for s, c in reference_shingles(text).items()}

    q, a = vector(question), vector(article)
    dot = sum(w * a.get(s, 0.0) for s, w in q.items())
    return dot / (math.sqrt(sum(w * w for w in q.values())) * math.sqrt(sum(w * w for w in a.values())))


CORPUS = [
    "Certyfikat kwalifikowany wygasa – odnowienie certyfikatu na karcie, zamówienie u koordynatora.",
    "Wyszukiwanie pism i spraw w EZD po znaku sprawy, dacie wpływu albo nadawcy.",
    "Błędnie zarejestrowane pismo, np. ulotka reklamowa – anulowanie wpisu w RPW.",
    "Załączniki: dopuszczalne formaty PDF, DOCX, XML, SHP i limit rozmiaru 100 MB.",
]


def test_every_run_of_four_characters_is_counted_once() -> None:
    rng = random.Random(7)
    words = ["cert", "ą", "pismo", "ezd", "2fa", "zażółć", "a", "pdf-ie", "rpw"]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        expected = {s.encode(): c for s, c in reference_shingles(text).items()}
        got = {s.to_bytes(4, sys.byteorder): c for s, c in sh.shingles(sh.plain(text)).items()}
        assert got == expected, text


def test_a_clipped_word_shares_shingles_with_the_whole_one() -> None:
    clipped = set(reference_shingles("cert"))
    assert clipped == {" cer", "cert", "ert "}
    assert {" cer", "cert"} <= set(reference_shingles("certyfikat"))


@pytest.mark.parametrize(
    ("question", "long"),
    [
        ("cert mi się kończy", False),  # few shingles: each searched for in the article's text
        (
            " ".join(CORPUS[2:] * 3) + " rejestracja ulotki z pizzerii, jak to wycofać",
            True,
        ),  # the text's counted
    ],
)
def test_the_similarity_is_the_cosine_of_the_tf_idf_vectors(question: str, long: bool) -> None:
    index = sh.ShingleIndex()
    table = index.table(CORPUS)
    query = index.query(question)
    assert query.long == long  # both ways of counting are exercised
    for i, article in enumerate(CORPUS):
        expected = reference_similarity(question, article, CORPUS)
        assert sh.ShingleIndex.similarity(query, table, i) == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_the_table_gives_back_each_articles_text_as_the_shingles_read_it() -> None:
    texts = [*CORPUS, "", "Pismo, pismo i jeszcze raz PISMO."]
    table = sh.ShingleIndex().table(texts)
    for i, text in enumerate(texts):
        assert table.text(i).decode() == " " + " ".join(tokens(text)) + " "
    assert len(table.texts.words) == len({w for t in texts for w in tokens(t)})  # each word once
    assert table.texts.ids.itemsize == 2  # a small vocabulary: two bytes a word


def test_removing_articles_leaves_the_frequencies_of_the_rest() -> None:
    fresh = sh.ShingleIndex()
    fresh.table([*CORPUS[:2], "Nowa wersja: ulotka reklamowa wycofana z dziennika."])
    base = sh.ShingleIndex()
    table = base.table(CORPUS)
    changed = base.copy()
    changed.remove(table.articles([2, 3]))
    changed.table(["Nowa wersja: ulotka reklamowa wycofana z dziennika."])
    query = "ulotka w dzienniku, certyfikat, pdf"
    assert changed.documents == fresh.documents == 3
    assert changed.query(query).weights == fresh.query(query).weights
    assert base.documents == 4  # the copy's changes did not touch the base


def test_a_clipped_word_decides_between_articles_the_lemmas_cannot_tell_apart() -> None:
    """'cert' is no lemma and too short to be repaired as a typo; its shingles are certyfikat's."""
    articles = [
        Article(
            "szukanie", "Zamówienie nowego czytnika", "EZD", (), ("Kto zamawia nowy czytnik?",), "Treść."
        ),
        Article(
            "certyfikat",
            "Zamówienie nowego certyfikatu",
            "EZD",
            (),
            ("Kto zamawia nowy certyfikat?",),
            "Treść.",
        ),
    ]
    question = "kto u nas zamawia nowy cert"
    without = KbMatcher(articles, morfeusz(), Calibration(shingle=0.0)).explain(question)
    explained = KbMatcher(articles, morfeusz()).explain(question)
    assert without is not None and explained is not None
    assert without.unknown == explained.unknown == ["cert"]
    lead_without = without.rows[0]["combined"] - without.rows[1]["combined"]  # type: ignore[operator]
    assert abs(lead_without) < 0.01  # lemmas and the phrasings' letters hardly tell them apart
    assert explained.rows[0]["id"] == "certyfikat"
    assert explained.rows[0]["shingle"] > explained.rows[1]["shingle"] > 0
    assert explained.rows[0]["margin"] > 0.1


def test_only_the_best_few_candidates_are_compared_letter_by_letter() -> None:
    matcher = KbMatcher(load_articles([EVAL / "kb"]), morfeusz())
    explained = matcher.explain("jak zarejestrować pismo w dzienniku korespondencji")
    assert explained is not None and len(explained.rows) > SHINGLED
    assert all(row["shingle"] > 0 for row in explained.rows[:SHINGLED])
    assert all(row["shingle"] == 0 for row in explained.rows[SHINGLED:])


def test_an_updated_matcher_compares_the_changed_article_by_its_new_text() -> None:
    articles = [
        Article(
            "a", "Rejestracja pisma wpływającego", "EZD", ("rpw",), ("Jak zarejestrować pismo?",), "Treść."
        ),
        Article("b", "Anulowanie wpisu w dzienniku", "EZD", ("rpw",), ("Jak anulować wpis?",), "Treść."),
    ]
    matcher = KbMatcher(articles, morfeusz())
    newer = Article(
        "b", articles[1].title, "EZD", ("rpw",), articles[1].questions, "Ulotka reklamowa w dzienniku."
    )
    updated = matcher.updated([newer])
    before = {r["id"]: r["shingle"] for r in matcher.explain("ulotka reklamowa w dzienniku pism").rows}  # type: ignore[union-attr]
    after = {r["id"]: r["shingle"] for r in updated.explain("ulotka reklamowa w dzienniku pism").rows}  # type: ignore[union-attr]
    assert after["b"] > before["b"]
    rebuilt = KbMatcher([articles[0], newer], morfeusz())
    again = {r["id"]: r["shingle"] for r in rebuilt.explain("ulotka reklamowa w dzienniku pism").rows}  # type: ignore[union-attr]
    assert after["b"] == pytest.approx(again["b"], rel=1e-4)
