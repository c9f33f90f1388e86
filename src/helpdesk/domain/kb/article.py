"""A knowledge-base article (a Markdown file with YAML front matter under knowledge_base/) as an immutable value, the rules its fields follow, and the
statuses an article goes through (a draft made of a ticket is reviewed, then published or discarded).

`make_article` is the one validation of an article's fields: `helpdesk kb import` (which adds the
file and line to the message) and the editing of drafts (web, API) both go through it.

A draft made of a ticket is `szkic-t-000042`; it is published under a final id that says what the
article is about: given by the reviewer, or `suggest_article_id` (component and title as an ASCII
slug, `sprzet-rzutnik-nie-wyswietla-obrazu`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.offices import parse_component
from helpdesk.domain.tickets import format_ticket_id

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

    def summary(self, keep: int) -> Article:
        """The article as an index of thousands keeps it: id, title, component and the first `keep`
        characters of the plain body (so excerpts of up to `keep - 1` characters are the same as
        the whole article's); tags and phrasings are left out."""
        return Article(self.id, self.title, self.component, body=self.plain_body()[:keep], source=self.source)

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


# --- statuses ---------------------------------------------------------------------------------
PUBLISHED, DRAFT, DISCARDED = "published", "draft", "discarded"
STATUS_LABELS_PL = {PUBLISHED: "opublikowany", DRAFT: "szkic", DISCARDED: "odrzucony"}
DRAFT_PREFIX = "szkic-t-"
"""Drafts made of a ticket are `szkic-t-000042`: the id says which ticket they came from. Ids with this
prefix are reserved for such drafts: a draft is published under another id."""

# --- field rules ------------------------------------------------------------------------------
FIELDS = ("id", "title", "component", "tags", "questions", "body")
MAX_ID = 128  # the width of kb_article.id
MAX_TITLE = 200
MAX_TAGS, MAX_TAG = 30, 60
MAX_QUESTIONS, MAX_QUESTION = 50, 500
MAX_BODY = 100_000
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ArticleFieldError(InvalidInput):
    """One field of an article breaks a rule; `field` names it (for messages that add a place)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name

    def named(self) -> str:
        """The message, starting with the field's name unless it already says it."""
        message = str(self)
        return message if f"'{self.field}'" in message else f"pole '{self.field}': {message}"


def _scalar(value: Any, name: str) -> str:
    """A text field given as text (a number in a YAML header is taken as its text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleFieldError(name, f"pole '{name}' musi być tekstem")
    return str(value)


def _text(value: Any, name: str, limit: int, *, multiline: bool = False) -> str:
    """A required, stripped text of at most `limit` characters without control characters."""
    if value is None:
        raise ArticleFieldError(name, f"brak pola '{name}'")
    text = _scalar(value, name).strip()
    if not text:
        raise ArticleFieldError(name, f"pole '{name}' nie może być puste")
    if len(text) > limit:
        raise ArticleFieldError(name, f"pole '{name}' jest za długie ({len(text)} znaków, limit {limit})")
    if _CONTROL_RE.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise ArticleFieldError(
            name,
            f"pole '{name}' zawiera niedozwolone znaki sterujące{'' if multiline else ' lub końce linii'}",
        )
    return text


def _text_list(value: Any, name: str, limit: int, item_limit: int) -> tuple[str, ...]:
    """A list of texts (empty entries dropped); a single text counts as a list of one."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        raise ArticleFieldError(name, f"pole '{name}' musi być listą tekstów")
    items = tuple(str(v).strip() for v in value if str(v).strip())
    if len(items) > limit:
        raise ArticleFieldError(name, f"pole '{name}' może mieć najwyżej {limit} pozycji (jest {len(items)})")
    for number, item in enumerate(items, start=1):
        if len(item) > item_limit:
            raise ArticleFieldError(
                name, f"pozycja {number} pola '{name}' jest za długa ({len(item)} znaków, limit {item_limit})"
            )
        if _CONTROL_RE.search(item) or "\n" in item or "\r" in item:
            raise ArticleFieldError(
                name, f"pozycja {number} pola '{name}' zawiera niedozwolone znaki sterujące lub końce linii"
            )
    return items


def parse_article_id(value: Any, name: str = "id") -> str:
    """A valid article id (lower-case ascii letters, digits and hyphens, at most 128) or an error."""
    article_id = _scalar(value, name).strip() if value is not None else ""
    if not article_id:
        raise ArticleFieldError(name, f"brak pola '{name}'")
    if len(article_id) > MAX_ID:
        raise ArticleFieldError(name, f"id '{article_id[:40]}…' jest za długie (limit {MAX_ID} znaków)")
    if not _ID_RE.match(article_id):
        raise ArticleFieldError(
            name, f"id '{article_id}' może zawierać tylko małe litery ascii, cyfry i myślniki"
        )
    return article_id


def make_article(values: dict[str, Any], source: str | None = None) -> Article:
    """Check every field of an article (as `helpdesk kb import` and draft editing both need) and build it.

    Raises ArticleFieldError naming the field: required id, title, component and body; a known
    component code; tags and questions as lists of texts; lengths within the limits above; no
    control characters (no line ends in the one-line fields).
    """
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("id", lambda: parse_article_id(values.get("id"))),
        ("title", lambda: _text(values.get("title"), "title", MAX_TITLE)),
        ("component", lambda: _component(values.get("component"))),
        ("tags", lambda: _text_list(values.get("tags"), "tags", MAX_TAGS, MAX_TAG)),
        ("questions", lambda: _text_list(values.get("questions"), "questions", MAX_QUESTIONS, MAX_QUESTION)),
        ("body", lambda: _text(values.get("body"), "body", MAX_BODY, multiline=True)),
    ]
    clean = {name: check() for name, check in checks}
    return Article(source=source, **clean)


def _component(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ArticleFieldError("component", "brak pola 'component'")
    try:
        return parse_component(_scalar(value, "component"))
    except ArticleFieldError:
        raise
    except InvalidInput as err:
        raise ArticleFieldError("component", str(err)) from err


def draft_id(ticket_no: int) -> str:
    """The id of the draft made of ticket number `ticket_no` (`szkic-t-000042`)."""
    return f"szkic-{format_ticket_id(ticket_no).lower()}"


def draft_ticket_no(article_id: str) -> int | None:
    """The ticket number a draft id was made of, or None for any other id."""
    rest = article_id[len(DRAFT_PREFIX) :] if article_id.startswith(DRAFT_PREFIX) else ""
    return int(rest) if rest.isdigit() and len(rest) <= 12 else None


# --- the final id of a published draft ----------------------------------------------------------
SUGGESTED_ID_MAX = 60
"""A suggested id is cut at a word boundary to at most this many characters (before a -2, -3 suffix)."""
FALLBACK_SLUG = "artykul"
_POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def slug_words(text: str) -> list[str]:
    """The words of `text` in lower-case ASCII: Polish letters transliterated (ł→l, ż→z …), other
    accents dropped, anything that is not a letter or digit a word break."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_POLISH)).encode("ascii", "ignore").decode()
    return [w for w in _NOT_ALNUM_RE.split(ascii_text.lower()) if w]


def suggest_article_id(component: str, title: str, limit: int = SUGGESTED_ID_MAX) -> str:
    """`<component>-<slug of the title>` cut at a word boundary to `limit` characters.

    `SPRZET`, "Rzutnik nie wyświetla obrazu" → `sprzet-rzutnik-nie-wyswietla-obrazu`; a title that
    starts with the component's name does not repeat it (`EZD`, "EZD się zawiesza" →
    `ezd-sie-zawiesza`). Always a valid article id (`parse_article_id`) outside the draft prefix.
    """
    prefix = slug_words(str(component or ""))
    words = slug_words(str(title or ""))
    if prefix and words[: len(prefix)] == prefix:
        words = words[len(prefix) :]
    words = words or [FALLBACK_SLUG]
    parts = list(prefix)
    for word in words:
        if len("-".join([*parts, word])) > limit:
            if len(parts) == len(prefix):  # not even one word of the title fits: cut it
                parts.append(word[: limit - len("-".join([*parts, ""]))])
            while len(parts) > len(prefix) + 1 and len(parts[-1]) == 1:  # no dangling "i", "w", "z"
                parts.pop()
            break
        parts.append(word)
    suggestion = "-".join(p for p in parts if p)[:limit].strip("-")
    if suggestion.startswith(DRAFT_PREFIX):
        suggestion = f"{FALLBACK_SLUG}-{suggestion}"[:limit].strip("-")
    return suggestion


def unique_id(base: str, taken: Collection[str]) -> str:
    """`base`, or the first of `base-2`, `base-3` … that is not `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def parse_published_id(value: Any) -> str | None:
    """The id a draft is to be published under: None (derive one) or a valid id outside the draft prefix.

    The id follows the rules of imported articles (`parse_article_id`); it must be given as text, and
    `szkic-t-…` is kept for drafts made of tickets. Raises ArticleFieldError for the field `id`.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleFieldError("id", "pole 'id' musi być tekstem (id artykułu po publikacji)")
    if not value.strip():
        raise ArticleFieldError(
            "id", "pole 'id' nie może być puste (pomiń je, a id powstanie z komponentu i tytułu)"
        )
    article_id = parse_article_id(value)
    if article_id.startswith(DRAFT_PREFIX):
        raise ArticleFieldError(
            "id",
            f"id '{article_id}' zaczyna się od '{DRAFT_PREFIX}', a te są zarezerwowane "
            "dla szkiców ze zgłoszeń; podaj id, które mówi, czego dotyczy artykuł",
        )
    return article_id
