"""The spellings a word typed without Polish letters may stand for (widac → widać, wpadaja → wpadają).

Officials often type on phones without Polish letters. The knowledge base folds the forms of its
own vocabulary, so ``hasla`` finds ``hasło``; a word the articles do not use (``wpadaja``) the
dictionary does not know as typed, and it must not be taken for a typo of some article's word
(``wydają``). Giving the word its letters back and asking the dictionary tells the two apart.

Only what Polish spelling allows is tried, so that a word has a few spellings, not hundreds:
``ą``/``ę`` never begin a word nor stand before a vowel; ``ć``/``ń``/``ś``/``ź`` never stand before
a vowel (there the softness is written with an ``i``: *cia*, *nie*, *sio*, *zia*); ``ł``, ``ó`` and
``ż`` may stand anywhere. Spellings with fewer changed letters come first, and more letters
change only while the spellings stay under a budget: most words carry one to three Polish letters
(*źródło* three), and the count of spellings grows with the power of that number.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

_VOWELS = frozenset("aeiouyąęó")
_NASAL = {"a": "ą", "e": "ę"}
_SOFT = {"c": "ć", "n": "ń", "s": "ś", "z": "ź"}
_ANYWHERE = {"l": ("ł",), "o": ("ó",), "z": ("ż",)}
CHANGES = 3  # letters changed at most …
BUDGET = 128  # … as long as the spellings of that many changes keep the total at most this


def _letters(word: str, i: int) -> list[str]:
    """The Polish letters that may stand at position i of the word in place of its plain letter."""
    plain = word[i]
    before_vowel = i + 1 < len(word) and word[i + 1] in _VOWELS
    out: list[str] = []
    if plain in _NASAL and i > 0 and not before_vowel:
        out.append(_NASAL[plain])
    if plain in _SOFT and not before_vowel:
        out.append(_SOFT[plain])
    out.extend(_ANYWHERE.get(plain, ()))
    return out


def polish_spellings(word: str, changes: int = CHANGES, budget: int = BUDGET) -> list[str]:
    """Spellings of a lower-case ASCII word with one to `changes` letters given their Polish form,
    fewest changes first; the spellings of one more change are added only if all of them fit in
    `budget`. The word itself is not among them; a word with no letter to change has none.
    """
    if not word.isascii() or not word.isalpha():
        return []
    slots = [(i, letter) for i in range(len(word)) for letter in _letters(word, i)]
    out: list[str] = []
    for count in range(1, changes + 1):
        if len(out) + comb(len(slots), count) > budget:  # an upper bound of what this count adds
            break
        for chosen in combinations(slots, count):
            positions = [i for i, _ in chosen]
            if len(set(positions)) < count:  # ź and ż at one place
                continue
            spelled = list(word)
            for i, letter in chosen:
                spelled[i] = letter
            out.append("".join(spelled))
    return out
