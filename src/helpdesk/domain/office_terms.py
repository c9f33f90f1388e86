"""Office calendars and the first line's own targets (`sla/offices/*.yaml`, `sla/first_line.yaml`).

Each office may have its own working calendar (hours, public holidays, `closed` days off such as
the day given for a holiday that fell on a Saturday, `open` days worked) and its leaders' targets
per priority: `take` (until the first `assigned`), `answer` (until the first reply to the official)
and `resolve_or_escalate` (until `resolved` or `escalated`), in working time of that calendar,
where `d` is one working day of it. `first_line.yaml` gives both to offices without their own
file; an office file takes the defaults' targets for every priority its own `first_line` does not
name, measured in its own calendar. The contractor's clocks use an office's calendar only when the office has its own file
and the contract's priority says `office_calendar: true` (domain/sla.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.contracts import PRIORITIES, HolidaysFor, build_calendar, parse_duration
from helpdesk.domain.errors import InvalidInput

FIRST_LINE_METRICS: tuple[str, ...] = ("take", "answer", "resolve_or_escalate")
"""The first line's three clocks, in the order they are reported."""

FIRST_LINE_LABELS_PL = {
    "take": "podjęcie",
    "answer": "pierwsza odpowiedź",
    "resolve_or_escalate": "rozwiązanie lub przekazanie Wykonawcy",
}
DEFAULT_OFFICE = ""
"""The key of the defaults (`first_line.yaml`) among the office terms."""


@dataclass(frozen=True)
class OfficeTerms:
    """One office's calendar and first-line targets (priority -> metric -> working seconds)."""

    office: str  # DEFAULT_OFFICE for the defaults
    calendar: BusinessCalendar
    first_line: Mapping[str, Mapping[str, int]]
    own_calendar: bool = True  # False: an office without its own file, on the defaults
    raw: Mapping[str, Any] | None = None  # the parsed mapping it was built from (for export)


class OfficeBook(Mapping[str, OfficeTerms]):
    """The offices' terms by code; an office without its own file gets the defaults."""

    def __init__(self, offices: Mapping[str, OfficeTerms], default: OfficeTerms | None) -> None:
        self._offices = dict(offices)
        self.default = default

    def __getitem__(self, code: str) -> OfficeTerms:
        return self._offices[code]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._offices)

    def __len__(self) -> int:
        return len(self._offices)

    def own(self, code: str | None) -> OfficeTerms | None:
        """The office's own terms (from its file), or None."""
        return self._offices.get(code or "")

    def terms_for(self, code: str | None) -> OfficeTerms | None:
        """The office's own terms, else the defaults, else None (no first-line targets at all)."""
        return self._offices.get(code or "") or self.default


EMPTY_BOOK = OfficeBook({}, None)


def _fail(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}")


def office_code(value: object, path: str = "office") -> str:
    """A TERYT code as text: digits only (YAML may give it as an int)."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdigit() or not 1 <= len(text) <= 12 or not text.isascii():
        raise _fail(path, f"niepoprawny kod urzędu '{value}' (oczekiwano kodu TERYT, np. 1462011)")
    return text


def parse_first_line(data: object, calendar: BusinessCalendar, path: str) -> dict[str, dict[str, int]]:
    """priority -> {take, answer, resolve_or_escalate} seconds; a priority may omit a metric."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise _fail(path, "oczekiwano słownika priorytetów")
    out: dict[str, dict[str, int]] = {}
    for priority, targets in data.items():
        where = f"{path}.{priority}"
        if priority not in PRIORITIES:
            raise _fail(where, f"nieznany priorytet (dozwolone: {', '.join(PRIORITIES)})")
        if not isinstance(targets, Mapping):
            raise _fail(where, "oczekiwano słownika czasów (take, answer, resolve_or_escalate)")
        parsed: dict[str, int] = {}
        for key, value in targets.items():
            if key not in FIRST_LINE_METRICS:
                raise _fail(f"{where}.{key}", f"nieznany czas (dozwolone: {', '.join(FIRST_LINE_METRICS)})")
            try:
                seconds = parse_duration(value, calendar.day_seconds)
            except ValueError as err:
                raise _fail(f"{where}.{key}", str(err)) from None
            if seconds <= 0:
                raise _fail(f"{where}.{key}", "czas musi być dłuższy niż zero")
            parsed[key] = seconds
        out[str(priority)] = parsed
    return out


def build_office_terms(
    data: Mapping[str, Any],
    holidays_for: HolidaysFor,
    *,
    default: OfficeTerms | None = None,
    is_default: bool = False,
) -> OfficeTerms:
    """Validate one office file (or `first_line.yaml` with `is_default`); InvalidInput names the field."""
    if not isinstance(data, Mapping):
        raise _fail("plik", "oczekiwano słownika YAML (office, calendar, first_line)")
    allowed = {"calendar", "first_line"} | (set() if is_default else {"office"})
    unknown = set(data) - allowed
    if unknown:
        raise _fail(sorted(map(str, unknown))[0], "nieznane pole")
    code = DEFAULT_OFFICE if is_default else office_code(data.get("office"), "office")
    if data.get("calendar") is None:
        raise _fail("calendar", "brak wymaganego pola")
    calendar = build_calendar(data["calendar"], "calendar", holidays_for, "urząd" if is_default else code)
    first_line: dict[str, dict[str, int]] = {}
    if default is not None and default.raw is not None:
        # The defaults' targets for the priorities the office does not name, with `d` counted as
        # one working day of this office's calendar.
        first_line.update(parse_first_line(default.raw.get("first_line"), calendar, "first_line"))
    first_line.update(parse_first_line(data.get("first_line"), calendar, "first_line"))
    return OfficeTerms(code, calendar, first_line, True, dict(data))


def first_line_target(terms: OfficeTerms | None, priority: str | None, metric: str) -> int | None:
    """The target in seconds, or None when the office has none for this priority and metric."""
    if terms is None:
        return None
    return terms.first_line.get(priority or "", {}).get(metric)
