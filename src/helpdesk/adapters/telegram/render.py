"""Turning dialogue replies into Telegram messages: 4,096-character chunks and inline keyboards."""

from collections.abc import Sequence
from typing import Any

from helpdesk.services.intake.dialogue import Button

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split text into chunks of at most `limit` characters, at line breaks where possible.

    A hard cut never lands inside an HTML tag or entity (`<b>`, `&amp;`), so each chunk stays
    valid for Telegram's HTML mode.
    """
    text = text or " "
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
            lt, gt = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
            if lt > gt:
                cut = lt
            amp, semi = text.rfind("&", 0, cut), text.rfind(";", 0, cut)
            if amp > semi and cut - amp < 10:
                cut = amp
        chunks.append(text[:cut].rstrip() or text[:cut])
        text = text[cut:].lstrip("\n ")
    chunks.append(text)
    return [c for c in chunks if c] or [" "]


def keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any] | None:
    """The Bot API's inline keyboard for rows of dialogue buttons (None when there are none).

    Plain data, not PTB's InlineKeyboardMarkup: building its objects only to turn them back into
    a dict cost a fifth of a reply's CPU in py-spy.
    """
    if not rows:
        return None
    return {
        "inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in rows if row]
    }
