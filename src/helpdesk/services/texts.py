"""Texts people read in a chat, as safe markup: our own tags kept, every inserted value escaped.

Chat texts (the dialogue's replies, Telegram notices) use a small HTML subset — `<b>`, `<i>`,
escaped entities — that Telegram shows in its HTML parse mode and a web page can show as it is.
`Html` marks a string as already safe; anything else that meets it is escaped on the way in:
filling a template (`Texts`), joining (`Html("\n").join(...)`) and concatenating (`html + text`).
So a ticket title like `Awaria <EZD> & ESB` can never break a message, and nobody has to
remember to escape it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


class Html(str):
    """A string that is safe in the chat HTML subset (see the module docstring)."""

    __slots__ = ()

    @classmethod
    def escape(cls, value: object) -> Html:
        """`value` as safe markup: kept when it already is, escaped (`&`, `<`, `>`) otherwise."""
        if isinstance(value, Html):
            return value
        return cls(html.escape(str(value), quote=False))

    def join(self, parts: Iterable[object]) -> Html:  # type: ignore[override]
        """The parts joined by this separator, each escaped unless it is already `Html`."""
        return Html(str.join(self, (Html.escape(p) for p in parts)))

    def __add__(self, other: str) -> Html:
        return Html(str.__add__(self, Html.escape(other)))

    def __radd__(self, other: str) -> Html:
        return Html(str.__add__(Html.escape(other), self))


class Texts:
    """The conversation and notice texts (bot/texts.<lang>.toml) with safe formatting."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def raw(self, path: str) -> str:
        """The text at `section.key`, unformatted (button labels: plain text, never parsed)."""
        node: Any = self.data
        for part in path.split("."):
            node = node[part]
        return str(node)

    def __call__(self, path: str, **values: object) -> Html:
        """The text at `section.key` with the values filled in, each escaped unless already `Html`."""
        return Html(self.raw(path).format(**{k: Html.escape(v) for k, v in values.items()}))

    def for_channel(self, channel: str) -> Texts:
        """These texts with the channel's own wording put over them: the file's `[<channel>.*]`
        sections replace single keys of the same name (a web page has no "reply to this
        message"), everything else stays as it is."""
        overrides: Mapping[str, Any] = self.data.get(channel, {})
        merged = {k: v for k, v in self.data.items() if k != channel}
        for section, keys in overrides.items():
            merged[section] = {**merged.get(section, {}), **keys}
        return Texts(merged)


TIME_FORMAT_PL = "%d.%m.%Y %H:%M"
"""How people read an instant, on pages, in reports and in notices: 02.03.2027 09:00."""
DATE_FORMAT_PL = "%d.%m.%Y"
"""How people read a date: 04.02.2026."""


def in_polish(iso: str, fmt: str = TIME_FORMAT_PL) -> str:
    """An ISO date or instant as written (its own offset kept) the way people read it:
    "2027-07-01T11:00+02:00" → "01.07.2027 11:00"; with DATE_FORMAT_PL, "2026-01-01" → "01.01.2026"."""
    return datetime.fromisoformat(iso).strftime(fmt)


EVENTS_PL = ("zdarzenie", "zdarzenia", "zdarzeń")
"""The forms of "event" for plural_pl: the event log is counted on pages, in mails and the CLI."""


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """`n` with the Polish form of its noun: 1 osoba, 2–4 / 22–24 osoby, 5–21 / 25 osób (and 0, 12–14)."""
    if n == 1:
        return f"{n} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} {few}"
    return f"{n} {many}"


def human_size(size: int) -> str:
    """A byte count for people, Polish style: 512 B, 20 KB, 1,5 MB, 10 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0") + " MB"
