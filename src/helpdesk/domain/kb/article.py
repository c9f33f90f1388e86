"""A knowledge-base article (SPEC §4.1) as an immutable value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP_RE = re.compile(r"[*_`>#|]+")
_LIST_RE = re.compile(r"^\s*(?:[-+]|\d+[.)])\s+", re.MULTILINE)
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Article:
    """One article: what it answers (title, questions, tags) and the Markdown body shown to people."""

    id: str
    title: str
    component: str
    tags: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    body: str = ""
    source: str | None = field(default=None, compare=False)

    def plain_body(self) -> str:
        """The body as one line of plain text, Markdown markup removed."""
        text = _LINK_RE.sub(r"\1", self.body)
        text = _LIST_RE.sub("", text)
        text = _MARKUP_RE.sub("", text)
        return _SPACE_RE.sub(" ", text).strip()

    def excerpt(self, n: int = 200) -> str:
        """A plain-text excerpt of at most n characters, cut at a word boundary with an ellipsis."""
        text = self.plain_body()
        if len(text) <= n:
            return text
        cut = text[: max(n - 1, 0)]
        space = cut.rfind(" ")
        if space > n // 2:
            cut = cut[:space]
        return cut.rstrip(" ,;:–-") + "…"
