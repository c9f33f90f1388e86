"""Maintenance contracts (sla/contracts/*.yaml): period, calendars, per-priority targets and penalties.

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
from helpdesk.domain.numbers import percent, pln

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
    """What one priority promises: the calendar its time counts in, targets and penalties.

    `office_calendar`: the clocks count in the calendar of the ticket's office instead (when that
    office has its own calendar file; otherwise in `calendar`).
    """

    calendar: BusinessCalendar
    targets: Mapping[str, int]  # metric -> working seconds
    penalties: Mapping[str, PenaltyRule] = field(default_factory=dict)
    calendar_name: str = ""
    office_calendar: bool = False


@dataclass(frozen=True)
class PenaltiesCap:
    """The maximum total of a contract's penalties: a sum or a share of the contract's value,
    over the whole contract or (`per_year`) for each contract year counted from `period.start`."""

    pln: float | None = None
    share: float | None = None
    per_year: bool = False

    def limit(self, value_pln: float | None) -> float:
        """The cap in PLN."""
        if self.pln is not None:
            return self.pln
        assert self.share is not None and value_pln is not None  # checked when the contract is built
        return round(self.share * value_pln, 2)

    def describe(self, value_pln: float | None) -> str:
        """The cap as a statement says it, in Polish."""
        how = "w każdym roku umowy" if self.per_year else "w całym okresie umowy"
        if self.share is not None:
            return f"{percent(self.share)} wartości umowy ({pln(self.limit(value_pln))}) {how}"
        return f"{pln(self.limit(value_pln))} {how}"


@dataclass(frozen=True)
class Contract:
    """One maintenance contract between the region and a contractor — one version of its text.

    The original text has `version` = `id` and lists its annexes in `amendments`, each a whole
    Contract (same id, period, value and cap) with the parts the annex replaced; `in_force(day)`
    is the version a ticket first escalated on `day` is measured under. `takes_over` names the
    contracts whose tickets still open at their end this contract measures from its start.
    """

    id: str
    contractor: str
    components: tuple[str, ...]
    period_start: date
    period_end: date  # inclusive
    calendars: Mapping[str, BusinessCalendar]
    priorities: Mapping[str, PriorityTerms]
    name: str = ""
    value_pln: float | None = None
    penalties_cap: PenaltiesCap | None = None
    version: str = ""
    effective: date | None = None  # None: the original text
    amendments: tuple[Contract, ...] = ()
    offices: tuple[str, ...] = ()  # empty: every office
    takes_over: tuple[str, ...] = ()
    contractor_name: str = ""  # the contractor's name for people to read; the id stays for the log

    @property
    def title(self) -> str:
        """What people read for the contract: its name, or its id when the file gives none."""
        return self.name or self.id

    @property
    def contractor_title(self) -> str:
        """What people read for the contractor: its name, or its id when the file gives none."""
        return self.contractor_name or self.contractor

    def covers(self, day: date) -> bool:
        """Whether `day` lies within the maintenance period (both ends inclusive)."""
        return self.period_start <= day <= self.period_end

    def in_force(self, day: date) -> Contract:
        """The version (original or annex) in force on `day`: the latest one effective by then."""
        found = self
        for amendment in self.amendments:
            if amendment.effective is not None and amendment.effective <= day:
                found = amendment
        return found

    def specificity(self, component: str | None, office: str | None) -> int:
        """How closely this contract fits: 2 office and component, 1 component, 0 not at all."""
        if component not in self.components:
            return 0
        if self.offices:
            return 2 if office in self.offices else 0
        return 1

    def terms(self, priority: str) -> PriorityTerms:
        """The terms of `priority`, or InvalidInput when the contract does not define it."""
        try:
            return self.priorities[priority]
        except KeyError:
            raise InvalidInput(
                f"umowa '{self.id}' nie określa priorytetu '{priority}' "
                f"(określa: {', '.join(self.priorities)})"
            ) from None


def duration_parts(value: object) -> tuple[int, str] | None:
    """The number and unit (m, h or d) of a duration written '30m', '2h' or '3d'; None otherwise."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    return (int(match.group(1)), match.group(2)) if match else None


def parse_duration(value: object, day_seconds: int) -> int:
    """Seconds of working time in '30m', '2h' or '3d' (`d` = `day_seconds`); ValueError otherwise."""
    parts = duration_parts(value)
    if parts is None:
        raise ValueError(f"niepoprawny czas '{value}' (oczekiwano np. 30m, 4h, 2d)")
    number, unit = parts
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
    unknown = set(spec) - {"calendar", "targets", "penalties", "office_calendar"}
    if unknown:
        raise _fail(f"{prefix}{sorted(unknown)[0]}", "nieznane pole")
    office_calendar = spec.get("office_calendar", False)
    if not isinstance(office_calendar, bool):
        raise _fail(f"{prefix}office_calendar", "oczekiwano true albo false")
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
    return PriorityTerms(calendar, targets, penalties, cal_name, office_calendar)


_TOP_KEYS = frozenset(
    {
        "id",
        "name",
        "contractor",
        "contractor_name",
        "components",
        "offices",
        "period",
        "calendars",
        "priorities",
        "value_pln",
        "penalties_cap",
        "amendments",
        "takes_over",
    }
)
_AMENDMENT_KEYS = frozenset({"id", "effective", "name", "components", "offices", "calendars", "priorities"})


def _cap(data: object, value_pln: float | None) -> PenaltiesCap:
    spec = _mapping(data, "penalties_cap")
    unknown = set(spec) - {"pln", "share", "per"}
    if unknown:
        raise _fail(f"penalties_cap.{sorted(unknown)[0]}", "nieznane pole")
    per = spec.get("per", "contract")
    if per not in ("contract", "year"):
        raise _fail("penalties_cap.per", f"niepoprawny okres '{per}' (dozwolone: contract, year)")
    if ("pln" in spec) == ("share" in spec):
        raise _fail("penalties_cap", "podaj dokładnie jedno z pól: pln albo share")
    if "pln" in spec:
        return PenaltiesCap(pln=_number(spec["pln"], "penalties_cap.pln"), per_year=per == "year")
    share = _number(spec["share"], "penalties_cap.share")
    if not 0 < share <= 1:
        raise _fail("penalties_cap.share", f"udział {share} poza przedziałem (0, 1]")
    if value_pln is None:
        raise _fail("penalties_cap.share", "limit jako udział wymaga pola value_pln (wartość umowy)")
    return PenaltiesCap(share=share, per_year=per == "year")


def _ids(value: object, path: str) -> tuple[str, ...]:
    """A non-empty list of identifiers (offices' TERYT codes may come as YAML integers)."""
    if not isinstance(value, list) or not value:
        raise _fail(path, "oczekiwano niepustej listy")
    return tuple(
        _identifier(str(v) if isinstance(v, int) else v, f"{path}[{i}]") for i, v in enumerate(value)
    )


def build_contract(data: Mapping[str, Any], holidays_for: HolidaysFor) -> Contract:
    """Validate a parsed contract file and build the Contract with its annexes; InvalidInput
    names the bad field (`amendments[0].priorities.high.targets.fix: …` inside an annex)."""
    spec = _mapping(data, "umowa")
    unknown = set(spec) - _TOP_KEYS
    if unknown:
        raise _fail(sorted(unknown)[0], "nieznane pole")
    original = _build_text(spec, holidays_for, "")
    value = spec.get("value_pln")
    value_pln = None if value is None else _number(value, "value_pln")
    cap = None if spec.get("penalties_cap") is None else _cap(spec["penalties_cap"], value_pln)
    takes_over = () if spec.get("takes_over") is None else _ids(spec["takes_over"], "takes_over")
    amendments: list[Contract] = []
    amendments_spec = spec.get("amendments") or []
    if not isinstance(amendments_spec, list):
        raise _fail("amendments", "oczekiwano listy aneksów")
    merged: dict[str, Any] = dict(spec)
    seen = {original.id}
    previous = original.period_start
    for i, item in enumerate(amendments_spec):
        path = f"amendments[{i}]"
        annex = _mapping(item, path)
        bad = set(annex) - _AMENDMENT_KEYS
        if bad:
            raise _fail(f"{path}.{sorted(bad)[0]}", "nieznane pole")
        annex_id = _identifier(_required(annex, "id", f"{path}."), f"{path}.id")
        if annex_id in seen:
            raise _fail(f"{path}.id", f"identyfikator '{annex_id}' już występuje")
        seen.add(annex_id)
        effective = _date(_required(annex, "effective", f"{path}."), f"{path}.effective")
        if not original.period_start <= effective <= original.period_end:
            raise _fail(f"{path}.effective", f"data {effective} poza okresem umowy")
        if effective < previous:
            raise _fail(f"{path}.effective", "aneksy muszą następować po sobie (od najstarszego)")
        previous = effective
        # An annex replaces whole entries: the named priorities and calendars, the lists given.
        merged = dict(merged)
        for key in ("calendars", "priorities"):
            if annex.get(key) is not None:
                merged[key] = {**_mapping(merged.get(key), key), **_mapping(annex[key], f"{path}.{key}")}
        for key in ("components", "offices", "name"):
            if key in annex:
                merged[key] = annex[key]
        text = _build_text(merged, holidays_for, f"{path}.")
        amendments.append(_version(text, annex_id, effective, value_pln, cap, takes_over))
    return Contract(
        **{
            **_fields(original),
            "value_pln": value_pln,
            "penalties_cap": cap,
            "version": original.id,
            "amendments": tuple(amendments),
            "takes_over": takes_over,
        }
    )


def _fields(contract: Contract) -> dict[str, Any]:
    return {name: getattr(contract, name) for name in contract.__dataclass_fields__}


def _version(
    text: Contract,
    version: str,
    effective: date,
    value_pln: float | None,
    cap: PenaltiesCap | None,
    takes_over: tuple[str, ...],
) -> Contract:
    return Contract(
        **{
            **_fields(text),
            "value_pln": value_pln,
            "penalties_cap": cap,
            "version": version,
            "effective": effective,
            "takes_over": takes_over,
        }
    )


def _build_text(spec: Mapping[str, Any], holidays_for: HolidaysFor, where: str) -> Contract:
    """One version's text: id, parties, components, period, calendars and priorities."""
    try:
        return _build_text_inner(spec, holidays_for)
    except InvalidInput as err:
        if where and not str(err).startswith(where):
            raise InvalidInput(f"{where}{err}") from None
        raise


def _build_text_inner(spec: Mapping[str, Any], holidays_for: HolidaysFor) -> Contract:
    contract_id = _identifier(_required(spec, "id", ""), "id")
    contractor = _identifier(_required(spec, "contractor", ""), "contractor")
    name = spec.get("name")
    contractor_name = spec.get("contractor_name")
    if contractor_name is not None and not isinstance(contractor_name, str):
        raise _fail("contractor_name", "oczekiwano nazwy Wykonawcy jako tekstu")
    components_spec = _required(spec, "components", "")
    if not isinstance(components_spec, list) or not components_spec:
        raise _fail("components", "oczekiwano niepustej listy kodów komponentów")
    components = tuple(_identifier(c, f"components[{i}]").upper() for i, c in enumerate(components_spec))
    offices = () if spec.get("offices") is None else _ids(spec["offices"], "offices")
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
        version=contract_id,
        offices=offices,
        contractor_name=(contractor_name or "").strip(),
    )
