"""Short texts kept as word numbers (helpdesk.services.kb.packed): every text comes back word for
word, empty ones included; each word is stored once; two bytes a word while the vocabulary fits."""

from __future__ import annotations

from helpdesk.services.kb.packed import PackedTexts


def test_every_text_comes_back_word_for_word() -> None:
    texts = [["reset", "hasla", "ezd"], [], ["hasla"], ["zmiana hasla", "konto"]]
    packed = PackedTexts.pack(texts)
    assert len(packed) == 4
    assert [packed.words_of(i) for i in range(4)] == texts
    assert [packed.joined(i) for i in range(4)] == ["reset hasla ezd", "", "hasla", "zmiana hasla konto"]
    assert sorted(packed.words) == sorted({w for t in texts for w in t})
    assert packed.ids.itemsize == 2


def test_a_vocabulary_beyond_two_bytes_takes_four() -> None:
    texts = [[f"w{i}", f"w{i + 1}"] for i in range(0, 70_000, 2)]
    packed = PackedTexts.pack(texts)
    assert packed.ids.itemsize == 4
    assert packed.words_of(34_999) == ["w69998", "w69999"]
