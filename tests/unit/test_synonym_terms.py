"""The term a lemma or phrase stands for in the knowledge-base index (domain/kb/synonyms.py): folded,
without diacritics, words joined by '_' — written out by hand."""

from helpdesk.domain.kb.synonyms import term_key


def test_a_term_is_the_folded_words_joined_by_underscores():
    assert term_key("Podpis elektroniczny") == "podpis_elektroniczny"
    assert term_key("Zażółć  GĘŚLĄ, jaźń!") == "zazolc_gesla_jazn"
    assert term_key("EZD") == "ezd"
    assert term_key("") == ""
