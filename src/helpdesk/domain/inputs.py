"""Checking what people send before it goes anywhere: numbers, dates, texts, JSON values.

Bad input is refused with a Polish message (InvalidInput, HTTP 400), never let through to fail
later as a 500: digits that are not ASCII (`²`, fullwidth `１` pass `str.isdigit()`), integers a
database column cannot hold, dates at the calendar's edges, lone surrogates (text no encoder can
write), control characters in one-line texts (a CR/LF in a title would break every mail header it
goes into), JSON nested deeper than any real request.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from helpdesk.domain.errors import InvalidInput

MAX_INT = 2**63 - 1
MAX_DEPTH = 32
MIN_YEAR, MAX_YEAR = 1970, 9998
_ASCII_DIGITS = re.compile(r"[0-9]{1,40}")
_LINE_BREAKS = {"\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}


def ascii_int(raw: str, name: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """An integer written with ASCII digits only, within [minimum, maximum]."""
    text = raw.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        raise InvalidInput(f"parametr '{name}' musi być liczbą naturalną zapisaną cyframi 0–9")
    value = int(text)
    if not minimum <= value <= maximum:
        raise InvalidInput(f"parametr '{name}' musi mieścić się w zakresie {minimum}–{maximum}")
    return value


def parse_date(value: Any, name: str) -> date:
    """A YYYY-MM-DD date with a year from 1970 to 9998; InvalidInput naming the parameter."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"parametr '{name}' jest wymagany (RRRR-MM-DD)")
    text = value.strip()
    if not text.isascii() or len(text) != 10:
        raise InvalidInput(f"niepoprawna data {name}='{text[:40]}' (oczekiwano RRRR-MM-DD)")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"niepoprawna data {name}='{text}' (oczekiwano RRRR-MM-DD)") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInput(f"data {name}='{text}' poza obsługiwanym zakresem lat {MIN_YEAR}–{MAX_YEAR}")
    return day


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a UTF-16 surrogate that no encoder can write."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def check_text(text: str, name: str) -> str:
    """`text` if it can be stored and sent; InvalidInput naming the field otherwise."""
    if has_lone_surrogate(text):
        raise InvalidInput(f"pole '{name}' zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)")
    return text


def clean_line(text: str) -> str:
    """A one-line text (a title): line breaks and other control characters become spaces, runs of
    white space one space, ends trimmed."""
    out = []
    for ch in text:
        if ch in _LINE_BREAKS or ch == "\t" or unicodedata.category(ch) == "Cc":
            out.append(" ")
        elif unicodedata.category(ch) == "Cf" and ch not in "\u200d":
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def clean_multiline(text: str) -> str:
    """A longer text: CR LF and CR become LF; control characters other than LF and TAB are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def check_json(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """`value` (decoded JSON) if every string is storable, every integer fits 64 bits, every number
    is finite and nesting is at most `max_depth`; InvalidInput otherwise. Iterative: no recursion."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, key = stack.pop()
        where = f"pole '{key}': " if key else ""
        if isinstance(item, str):
            if has_lone_surrogate(item):
                raise InvalidInput(
                    f"{where}treść żądania zawiera niepoprawne znaki (pojedyncze surogaty UTF-16)"
                )
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -MAX_INT - 1 <= item <= MAX_INT:
                raise InvalidInput(f"{where}liczba w treści żądania jest poza zakresem (najwyżej 64 bity)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidInput(f"{where}liczba w treści żądania musi być skończona")
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise InvalidInput(
                    f"treść żądania jest zagnieżdżona zbyt głęboko (najwyżej {max_depth} poziomów)"
                )
            children: Iterable[Any] = item.items() if isinstance(item, dict) else item
            for child in children:
                if isinstance(item, dict):
                    name, sub = child
                    stack.append((name, depth, key))
                    stack.append((sub, depth + 1, str(name)[:40]))
                else:
                    stack.append((child, depth + 1, key))
    return value
