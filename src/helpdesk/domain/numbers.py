"""Numbers as Polish readers write them: ``1 234 567,50 zł``, ``12,5%``, ``40 h 5 min``.

Polish puts a comma before the decimals and a space between groups of thousands; the space is a
non-breaking one, so that a narrow table cell never splits an amount between two lines, nor the
amount from its ``zł``. Machine formats (JSON, CSV, spreadsheets) keep plain numbers: this is only
for what people read — pages, printed reports, messages.
"""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"


def polish_number(value: float | int | Decimal | str, places: int | None = 2) -> str:
    """`value` with a decimal comma and spaced thousands: exactly `places` decimals, or with
    ``places=None`` only those it needs, at most two (``40``, ``5 946,92``, ``12,5``)."""
    number = float(value)
    text = f"{number:,.{2 if places is None else places}f}"
    if places is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.00"):
        text = text[1:]
    return text.replace(",", NBSP).replace(".", ",")


def pln(value: float | int | Decimal | str) -> str:
    """An amount in złoty: ``52 000,00 zł``."""
    return polish_number(value, 2) + NBSP + "zł"


def percent(share: float) -> str:
    """A share as a Polish percentage: 0.125 → ``12,5%``."""
    return polish_number(share * 100, None) + "%"


def duration(minutes: float) -> str:
    """Working minutes as Polish words, in hours: 40 h, 3 h 5 min, 40 min.

    No days: a contract's working day may be 8 hours or 24, so "1 dzień 16 h" of working time would
    mislead (it is five working days of 08:00–16:00). Hours mean the same in every calendar.
    """
    total = round(abs(minutes))
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(f"{polish_number(hours, 0)} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)
