"""The perfective a secondary imperfective verb is made from (podpisywać → podpisać, zmieniać → zmienić).

Articles name a task with the perfective infinitive (*Jak podpisać pismo*, *Jak zmienić hasło*),
while people describe what they are doing with the imperfective (*podpisuję pismo i …*, *zmieniam
hasło*). The dictionary lists the two as separate lemmas, so without this rule the question and the
article would share no verb. Polish forms most such imperfectives from the perfective by a few
regular suffixes, and these are the patterns tried here:

- -ywać / -iwać from -ać: podpisywać → podpisać, wyszukiwać → wyszukać, odblokowywać → odblokować;
- -awać from -ać: dodawać → dodać, rozpoznawać → rozpoznać;
- -yłać from -łać: wysyłać → wysłać;
- -iać / -ać from -ić / -yć, with the stem's o or ó turned into a: zmieniać → zmienić,
  załączać → załączyć, zatwierdzać → zatwierdzić, przywracać → przywrócić, zwalniać → zwolnić.

The patterns over-generate (*używać* would give *używić*), so a spelling is only a candidate: the
lexicon keeps it when the dictionary knows it as a perfective verb in current use, and only when
exactly one candidate passes. Irregular pairs (usuwać → usunąć, otwierać → otworzyć) are left
apart: measured on the evaluation questions they added wrong answers as often as right ones.
"""

from __future__ import annotations


def _stem_variants(stem: str) -> tuple[str, ...]:
    """The stem as it is, and with its last ``a`` as ``o`` and ``ó`` (wracać → wrócić)."""
    i = stem.rfind("a")
    if i <= 0:
        return (stem,)
    return (stem, stem[:i] + "o" + stem[i + 1 :], stem[:i] + "ó" + stem[i + 1 :])


def perfective_spellings(lemma: str) -> tuple[str, ...]:
    """The perfectives the imperfective infinitive `lemma` may be derived from, by the regular
    patterns above; candidates for the dictionary to confirm, () when no pattern applies."""
    out: list[str] = []
    if lemma.endswith(("ywać", "iwać", "awać")):
        out.append(lemma[:-4] + "ać")
    if lemma.endswith("yłać"):
        out.append(lemma[:-4] + "łać")
    if lemma.endswith("iać"):
        out.extend(stem + "ić" for stem in _stem_variants(lemma[:-3]))
    elif lemma.endswith("ać") and len(lemma) > 3:
        for stem in _stem_variants(lemma[:-2]):
            out.extend((stem + "ić", stem + "yć"))
    return tuple(dict.fromkeys(s for s in out if s != lemma))
