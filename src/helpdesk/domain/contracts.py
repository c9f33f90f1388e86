"""Maintenance contracts (SPEC §4.2): period, calendars, per-priority targets and penalties.

`build_contract` turns the parsed YAML mapping into frozen dataclasses and checks every field;
an error names the field path in Polish (`priorities.critical.targets.fix: niepoprawny czas '3x'`).
Targets and penalty steps are seconds of working time in the priority's calendar, where `d` is one
working day of that calendar (8 h for 08:00–16:00, 24 h for 00:00–24:00).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from helpdesk.domain.calendar import WEEKDAY_NAMES, BusinessCalendar, HolidayProvider, no_holidays, parse_hour
from helpdesk.domain.errors import InvalidInput

METRICS: tuple[str, ...] = ("reaction", "workaround", "fix")
"""The three contractor clocks, in the order they are reported."""

PRIORITIES: tuple[str, ...] = ("critical", "high", "normal", "low")

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NO_HOLIDAYS = ("none", "brak", "")

HolidaysFor = Callable[[str], HolidayProvider]
"""Given a country code (`PL`), returns that country's holiday provider; raises for unknown codes."""


@dataclass(frozen=True)
class PenaltyRule:
    """A contractual penalty: `pln` per started `per` seconds of delay, at most `cap_pln` in total."""

    per: int
    pln: float
    cap_pln: float | None = None

    def amount(self, delay: float) -> float:
        """Penalty for `delay` working seconds over the target (0 when not late)."""
        if delay <= 0:
            return 0
        steps = -(-delay // self.per)  # ceil without float division error on whole seconds
        value = steps * self.pln
        if self.cap_pln is not None and value > self.cap_pln:
            return self.cap_pln
        return value


@dataclass(frozen=True)
class PriorityTerms:
    """What one priority promises: the calendar its time counts in, targets and penalties."""

    calendar: BusinessCalendar
    targets: Mapping[str, int]  # metric -> working seconds
    penalties: Mapping[str, PenaltyRule] = field(default_factory=dict)
    calendar_name: str = ""


@dataclass(frozen=True)
class Contract:
    """One maintenance contract between the region and a contractor."""

    id: str
    contractor: str
    components: tuple[str, ...]
    period_start: date
    period_end: date  # inclusive
    calendars: Mapping[str, BusinessCalendar]
    priorities: Mapping[str, PriorityTerms]
    name: str = ""

    def covers(self, day: date) -> bool:
        """Whether `day` lies within the maintenance period (both ends inclusive)."""
        return self.period_start <= day <= self.period_end

    def terms(self, priority: str) -> PriorityTerms:
        """The terms of `priority`, or InvalidInput when the contract does not define it."""
        try:
            return self.priorities[priority]
        except KeyError:
            raise InvalidInput(
                f"umowa '{self.id}' nie określa priorytetu '{priority}' "
                f"(określa: {', '.join(self.priorities)})"
            ) from None


def parse_duration(value: object, day_seconds: int) -> int:
    """Seconds of working time in '30m', '2h' or '3d' (`d` = `day_seconds`); ValueError otherwise."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"niepoprawny czas '{value}' (oczekiwano np. 30m, 4h, 2d)")
    number, unit = int(match.group(1)), match.group(2)
    return number * {"m": 60, "h": 3600, "d": day_seconds}[unit]


def _fail(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}")


def _mapping(data: object, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail(path, "oczekiwano słownika (klucz: wartość)")
    return data


def _required(data: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in data or data[key] is None:
        raise _fail(f"{path}{key}", "brak wymaganego pola")
    return data[key]


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "oczekiwano niepustego tekstu")
    return value.strip()


def _identifier(value: object, path: str) -> str:
    text = _text(value, path)
    if not _ID.match(text):
        raise _fail(path, f"niepoprawny identyfikator '{text}' (litery, cyfry, '-', '_', '.')")
    return text


def _date(value: object, path: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, f"niepoprawna data '{value}' (oczekiwano RRRR-MM-DD)")


def _dates(value: object, path: str) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _fail(path, "oczekiwano listy dat")
    return frozenset(_date(item, f"{path}[{i}]") for i, item in enumerate(value))


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(path, f"niepoprawna kwota '{value}' (oczekiwano liczby >= 0)")
    return value


def build_calendar(data: object, path: str, holidays_for: HolidaysFor, name: str = "") -> BusinessCalendar:
    """Build one calendar from its mapping; errors name the field under `path`."""
    spec = _mapping(data, path)
    prefix = f"{path}."
    unknown = set(spec) - {"timezone", "days", "hours", "holidays", "closed", "open"}
    if unknown:
        raise _fail(f"{prefix}{sorted(unknown)[0]}", "nieznane pole")
    tz_name = _text(_required(spec, "timezone", prefix), f"{prefix}timezone")
    if tz_name not in _known_timezones():
        raise _fail(f"{prefix}timezone", f"nieznana strefa czasowa '{tz_name}'")
    days = _required(spec, "days", prefix)
    if not isinstance(days, list) or not days:
        raise _fail(f"{prefix}days", "oczekiwano niepustej listy dni (mon … sun)")
    weekdays: set[int] = set()
    for i, day in enumerate(days):
        key = str(day).strip().lower()
        if key not in WEEKDAY_NAMES:
            raise _fail(
                f"{prefix}days[{i}]", f"nieznany dzień '{day}' (dozwolone: {', '.join(WEEKDAY_NAMES)})"
            )
        weekdays.add(WEEKDAY_NAMES.index(key))
    hours = _required(spec, "hours", prefix)
    if not isinstance(hours, list) or len(hours) != 2:
        raise _fail(f"{prefix}hours", 'oczekiwano dwóch godzin, np. ["08:00", "16:00"]')
    try:
        start, end = parse_hour(hours[0]), parse_hour(hours[1])
    except ValueError as err:
        raise _fail(f"{prefix}hours", str(err)) from None
    if start >= end:
        raise _fail(f"{prefix}hours", "godzina końca musi być późniejsza niż początku")
    code = spec.get("holidays", "none")
    provider: HolidayProvider = no_holidays
    if code is not None and not (isinstance(code, str) and code.strip().lower() in _NO_HOLIDAYS):
        if not isinstance(code, str):
            raise _fail(f"{prefix}holidays", f"niepoprawny kod kraju '{code}'")
        try:
            provider = holidays_for(code.strip())
        except (InvalidInput, LookupError, NotImplementedError, ValueError):
            raise _fail(f"{prefix}holidays", f"nieznany kod kraju '{code}' (np. PL albo none)") from None
    closed = _dates(spec.get("closed"), f"{prefix}closed")
    opened = _dates(spec.get("open"), f"{prefix}open")
    both = closed & opened
    if both:
        raise _fail(f"{prefix}open", f"dzień {min(both).isoformat()} jest jednocześnie w closed")
    try:
        return BusinessCalendar(tz_name, frozenset(weekdays), start, end, provider, closed, opened, name)
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise _fail(path, str(err)) from None


_TZ_CACHE: set[str] = set()


def _known_timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
        _TZ_CACHE.add("UTC")
    return _TZ_CACHE


def _penalty(data: object, path: str, day_seconds: int) -> PenaltyRule:
    spec = _mapping(data, path)
    prefix = f"{path}."
    unknown = set(spec) - {"per", "pln", "cap_pln"}
    if unknown:
        raise _fail(f"{prefix}{sorted(unknown)[0]}", "nieznane pole")
    try:
        per = parse_duration(_required(spec, "per", prefix), day_seconds)
    except ValueError as err:
        raise _fail(f"{prefix}per", str(err)) from None
    if per <= 0:
        raise _fail(f"{prefix}per", "okres musi być dłuższy niż zero")
    pln = _number(_required(spec, "pln", prefix), f"{prefix}pln")
    cap = spec.get("cap_pln")
    return PenaltyRule(per, pln, None if cap is None else _number(cap, f"{prefix}cap_pln"))


def _priority(data: object, path: str, calendars: Mapping[str, BusinessCalendar]) -> PriorityTerms:
    spec = _mapping(data, path)
    prefix = f"{path}."
    unknown = set(spec) - {"calendar", "targets", "penalties"}
    if unknown:
        raise _fail(f"{prefix}{sorted(unknown)[0]}", "nieznane pole")
    cal_name = _text(_required(spec, "calendar", prefix), f"{prefix}calendar")
    if cal_name not in calendars:
        raise _fail(f"{prefix}calendar", f"nieznany kalendarz '{cal_name}'")
    calendar = calendars[cal_name]
    day = calendar.day_seconds
    targets_spec = _mapping(_required(spec, "targets", prefix), f"{prefix}targets")
    targets: dict[str, int] = {}
    for key in targets_spec:
        if key not in METRICS:
            raise _fail(f"{prefix}targets.{key}", f"nieznany czas (dozwolone: {', '.join(METRICS)})")
    for metric in METRICS:
        try:
            seconds = parse_duration(_required(targets_spec, metric, f"{prefix}targets."), day)
        except ValueError as err:
            raise _fail(f"{prefix}targets.{metric}", str(err)) from None
        if seconds <= 0:
            raise _fail(f"{prefix}targets.{metric}", "czas musi być dłuższy niż zero")
        targets[metric] = seconds
    penalties: dict[str, PenaltyRule] = {}
    penalties_spec = spec.get("penalties")
    if penalties_spec is not None:
        for key, rule in _mapping(penalties_spec, f"{prefix}penalties").items():
            if key not in METRICS:
                raise _fail(f"{prefix}penalties.{key}", f"nieznany czas (dozwolone: {', '.join(METRICS)})")
            penalties[key] = _penalty(rule, f"{prefix}penalties.{key}", day)
    return PriorityTerms(calendar, targets, penalties, cal_name)


def build_contract(data: Mapping[str, Any], holidays_for: HolidaysFor) -> Contract:
    """Validate a parsed contract file and build the Contract; InvalidInput names the bad field."""
    spec = _mapping(data, "umowa")
    unknown = set(spec) - {"id", "name", "contractor", "components", "period", "calendars", "priorities"}
    if unknown:
        raise _fail(sorted(unknown)[0], "nieznane pole")
    contract_id = _identifier(_required(spec, "id", ""), "id")
    contractor = _identifier(_required(spec, "contractor", ""), "contractor")
    name = spec.get("name")
    components_spec = _required(spec, "components", "")
    if not isinstance(components_spec, list) or not components_spec:
        raise _fail("components", "oczekiwano niepustej listy kodów komponentów")
    components = tuple(_identifier(c, f"components[{i}]").upper() for i, c in enumerate(components_spec))
    period = _mapping(_required(spec, "period", ""), "period")
    start = _date(_required(period, "start", "period."), "period.start")
    end = _date(_required(period, "end", "period."), "period.end")
    if end < start:
        raise _fail("period.end", "koniec okresu przed jego początkiem")
    calendars_spec = _mapping(_required(spec, "calendars", ""), "calendars")
    if not calendars_spec:
        raise _fail("calendars", "umowa musi określać co najmniej jeden kalendarz")
    calendars = {
        str(key): build_calendar(value, f"calendars.{key}", holidays_for, str(key))
        for key, value in calendars_spec.items()
    }
    priorities_spec = _mapping(_required(spec, "priorities", ""), "priorities")
    if not priorities_spec:
        raise _fail("priorities", "umowa musi określać co najmniej jeden priorytet")
    priorities: dict[str, PriorityTerms] = {}
    for key, value in priorities_spec.items():
        if key not in PRIORITIES:
            raise _fail(f"priorities.{key}", f"nieznany priorytet (dozwolone: {', '.join(PRIORITIES)})")
        priorities[key] = _priority(value, f"priorities.{key}", calendars)
    return Contract(
        contract_id,
        contractor,
        components,
        start,
        end,
        calendars,
        priorities,
        name if isinstance(name, str) else "",
    )
