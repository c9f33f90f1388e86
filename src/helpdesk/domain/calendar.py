"""Business calendars: working time between two instants, and the instant a working time ends.

A calendar is a time zone, the working weekdays, the daily hours, public holidays (from a provider
callable, because the domain may not import the `holidays` package) and per-calendar exceptions
(`closed` days off, `open` days worked). Each working day becomes one interval of absolute time
(POSIX seconds, UTC), so daylight-saving days come out right by construction: a 00:00–24:00 day
lasts 23 h or 25 h of real time, an 08:00–16:00 day is 8 h of local wall-clock time.

Queries never walk minute by minute or day by day: per local year the calendar lazily builds the
sorted intervals and their cumulative working seconds, and answers with a bisect (O(log n)).
The `*_ts` methods work on POSIX seconds directly; the SLA replay uses them on its hot path.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HolidayProvider = Callable[[int], frozenset[date]]
"""Returns the public holidays of one calendar year."""

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS_PL: dict[str, str] = {
    "mon": "pon.",
    "tue": "wt.",
    "wed": "śr.",
    "thu": "czw.",
    "fri": "pt.",
    "sat": "sob.",
    "sun": "niedz.",
}
"""The days of a calendar file (``days: [mon, …]``) as a Polish reader abbreviates them."""

MONTHS_PL: tuple[str, ...] = (
    "styczeń",
    "luty",
    "marzec",
    "kwiecień",
    "maj",
    "czerwiec",
    "lipiec",
    "sierpień",
    "wrzesień",
    "październik",
    "listopad",
    "grudzień",
)
"""The months in the nominative, as a heading names one: "luty 2027"."""


def month_label(month: date | str) -> str:
    """A month as a heading names it: date(2027, 2, 1) or "2027-02" → "luty 2027"."""
    if isinstance(month, str):
        year, number = (int(part) for part in month.split("-")[:2])
    else:
        year, number = month.year, month.month
    return f"{MONTHS_PL[number - 1]} {year}"


def days_in_words(days: Sequence[str]) -> str:
    """Working days in Polish, runs of three or more joined: [mon … fri] → ``pon.–pt.``,
    [mon, wed] → ``pon., śr.``; unknown codes as written, ``—`` for none."""
    order = [d for d in WEEKDAY_NAMES if d in days]
    parts: list[str] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and WEEKDAY_NAMES.index(order[j + 1]) == WEEKDAY_NAMES.index(order[j]) + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{DAY_LABELS_PL[order[i]]}–{DAY_LABELS_PL[order[j]]}")
        else:
            parts.extend(DAY_LABELS_PL[d] for d in order[i : j + 1])
        i = j + 1
    parts.extend(str(d) for d in days if d not in WEEKDAY_NAMES)
    return ", ".join(parts) or "—"


DAY_MINUTES = 24 * 60
# A search for the end of a working time gives up after this many years of a calendar with
# (almost) no working time, instead of looping for ever.
_MAX_YEARS_AHEAD = 400


def no_holidays(year: int) -> frozenset[date]:
    """Holiday provider of a calendar without public holidays."""
    return frozenset()


@dataclass
class _Year:
    """The working intervals of one local calendar year, with cumulative sums for bisecting."""

    starts: list[float]
    ends: list[float]
    cum_before: list[float]  # working seconds in this year before interval i starts
    cum_after: list[float]  # working seconds in this year when interval i ends
    total: float
    first: float  # the instant the local year begins
    last: float  # the instant the next local year begins

    def before(self, ts: float) -> float:
        """Working seconds of this year before instant `ts` (which lies within the year)."""
        i = bisect_right(self.starts, ts) - 1
        if i < 0:
            return 0.0
        end = self.ends[i]
        if ts >= end:
            return self.cum_after[i]
        return self.cum_before[i] + (ts - self.starts[i])

    def instant(self, worked: float) -> float:
        """The earliest instant at which `worked` (0 < worked <= total) seconds have elapsed."""
        i = bisect_left(self.cum_after, worked)
        return self.starts[i] + (worked - self.cum_before[i])


@dataclass(eq=False)
class BusinessCalendar:
    """Working time of one calendar; immutable in meaning, caches its years as it goes."""

    timezone: str
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday
    start_minute: int  # daily hours, minutes after local midnight
    end_minute: int  # up to 1440 (24:00)
    holidays: HolidayProvider = no_holidays
    closed: frozenset[date] = frozenset()
    open: frozenset[date] = frozenset()
    name: str = ""
    _tz: ZoneInfo = field(init=False, repr=False)
    _years: dict[int, _Year] = field(init=False, repr=False, default_factory=dict)
    # The year asked about last: most queries of a replay fall in the same year as the one before.
    _hit: _Year | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= DAY_MINUTES:
            raise ValueError("working hours must satisfy 00:00 <= start < end <= 24:00")
        if not self.weekdays <= set(range(7)):
            raise ValueError("weekdays must be 0..6")
        self._tz = ZoneInfo(self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._tz

    @property
    def day_seconds(self) -> int:
        """Nominal length of one working day (what `1d` means in a contract)."""
        return (self.end_minute - self.start_minute) * 60

    def is_working_day(self, day: date) -> bool:
        """Whether `day` has working hours: open days win, then closed days and holidays are off."""
        if day in self.open:
            return True
        if day in self.closed:
            return False
        if day.weekday() not in self.weekdays:
            return False
        return day not in self._holidays(day.year)

    def _holidays(self, year: int) -> frozenset[date]:
        return self.holidays(year)

    def _local(self, day: date, minute: int) -> float:
        """POSIX seconds of a local wall-clock time; 24:00 is the next day's midnight."""
        if minute >= DAY_MINUTES:
            day, minute = day + timedelta(days=1), minute - DAY_MINUTES
        wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._tz)
        return wall.timestamp()

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        holidays = self._holidays(year)
        starts: list[float] = []
        ends: list[float] = []
        jan1 = date(year, 1, 1)
        base = jan1.toordinal()
        first_weekday = jan1.weekday()
        midnights = _midnights(self.timezone, year)
        # Days as their index in the year: integer set lookups instead of date arithmetic.
        off = {d.toordinal() - base for d in (holidays | self.closed) if d.year == year}
        on = {d.toordinal() - base for d in self.open if d.year == year}
        weekdays = self.weekdays
        start_s, end_s = self.start_minute * 60, self.end_minute * 60
        for index in range(len(midnights) - 1):
            if not (index in on or ((first_weekday + index) % 7 in weekdays and index not in off)):
                continue
            m0, m1 = midnights[index], midnights[index + 1]
            if m1 - m0 == 86400:  # no clock change that day: wall time is midnight + minutes
                start, end = m0 + start_s, m0 + end_s
            else:
                day = date.fromordinal(base + index)
                start = self._local(day, self.start_minute)
                end = self._local(day, self.end_minute)
            if end > start:
                # Adjacent days of a 24/7 calendar merge into one interval: fewer to bisect.
                if ends and ends[-1] == start:
                    ends[-1] = end
                else:
                    starts.append(start)
                    ends.append(end)
        cum_before: list[float] = []
        cum_after: list[float] = []
        total = 0.0
        for start, end in zip(starts, ends, strict=True):
            cum_before.append(total)
            total += end - start
            cum_after.append(total)
        first, last = midnights[0], midnights[-1]
        built = _Year(starts, ends, cum_before, cum_after, total, first, last)
        self._years[year] = built
        return built

    def _year_of(self, ts: float) -> int:
        """The local calendar year that instant `ts` falls in."""
        # The mean Gregorian year guesses the year to within a day or two of New Year; the
        # year's local bounds then settle it (cheaper than converting the instant to a date).
        year = 1970 + int(ts // 31_556_952)
        built = self._year(year)
        if ts < built.first:
            year -= 1
        elif ts >= built.last:
            year += 1
        self._hit = self._year(year)
        return year

    # --- POSIX-seconds API (hot path) -------------------------------------------------------

    def working_seconds_ts(self, start: float, end: float) -> float:
        """Working seconds between two POSIX instants (0 if end <= start)."""
        if end <= start:
            return 0.0
        hit = self._hit
        if hit is not None and hit.first <= start and end < hit.last:
            # `_Year.before` twice, inlined: this is the replay's most frequent call.
            starts = hit.starts
            i = bisect_right(starts, end) - 1
            if i < 0:
                return 0.0
            ends = hit.ends
            after = hit.cum_after[i] if end >= ends[i] else hit.cum_before[i] + (end - starts[i])
            j = bisect_right(starts, start, 0, i + 1) - 1
            if j < 0:
                return after
            return after - (hit.cum_after[j] if start >= ends[j] else hit.cum_before[j] + (start - starts[j]))
        y1 = self._year_of(start)
        y2 = self._year_of(end)
        first = self._year(y1)
        if y1 == y2:
            return first.before(end) - first.before(start)
        total = first.total - first.before(start)
        for year in range(y1 + 1, y2):
            total += self._year(year).total
        return total + self._year(y2).before(end)

    def add_working_seconds_ts(self, start: float, seconds: float) -> float:
        """The POSIX instant at which `seconds` of working time have elapsed since `start`."""
        if seconds <= 0:
            return start
        hit = self._hit
        if hit is not None and hit.first <= start < hit.last:
            wanted = hit.before(start) + seconds
            if wanted <= hit.total:  # ends within the same year: the common case
                return hit.instant(wanted)
        year = self._year_of(start)
        built = self._year(year)
        wanted = built.before(start) + seconds
        for _ in range(_MAX_YEARS_AHEAD):
            if wanted <= built.total:
                return built.instant(wanted)
            wanted -= built.total
            year += 1
            built = self._year(year)
        raise ValueError(f"calendar {self.name or self.timezone!r} has no working time ahead")

    # --- datetime API -----------------------------------------------------------------------

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two aware datetimes (0 if end <= start)."""
        return self.working_seconds_ts(_ts(start), _ts(end))

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant (in the calendar's time zone) when `seconds` of working time have elapsed."""
        return datetime.fromtimestamp(self.add_working_seconds_ts(_ts(start), seconds), self._tz)

    def working_intervals(self, start: datetime, end: datetime) -> Iterable[tuple[datetime, datetime]]:
        """The working intervals overlapping [start, end), clipped to it (for display and tests)."""
        a, b = _ts(start), _ts(end)
        if b <= a:
            return
        for year in range(self._year_of(a), self._year_of(b) + 1):
            built = self._year(year)
            for s, e in zip(built.starts, built.ends, strict=True):
                if e <= a or s >= b:
                    continue
                yield (
                    datetime.fromtimestamp(max(s, a), self._tz),
                    datetime.fromtimestamp(min(e, b), self._tz),
                )

    def local_date(self, at: datetime) -> date:
        """The calendar date of `at` in the calendar's time zone."""
        return at.astimezone(self._tz).date()


@lru_cache(maxsize=256)
def _midnights(timezone: str, year: int) -> tuple[float, ...]:
    """POSIX seconds of every local midnight of `year` in `timezone`, and of the next 1 January;
    shared by every calendar of that zone (building a year then costs no time-zone arithmetic on
    days without a clock change)."""
    tz = ZoneInfo(timezone)
    day = date(year, 1, 1)
    one = timedelta(days=1)
    out = []
    while day.year == year:
        out.append(datetime.combine(day, time(0), tzinfo=tz).timestamp())
        day += one
    out.append(datetime.combine(day, time(0), tzinfo=tz).timestamp() if year < 9999 else float("inf"))
    return tuple(out)


def _ts(at: datetime) -> float:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("calendar times must be timezone-aware")
    return at.timestamp()


def parse_hour(value: str | int) -> int:
    """Minutes after midnight of 'HH:MM' ('24:00' allowed); YAML's sexagesimal ints are minutes."""
    if isinstance(value, bool):
        raise ValueError(f"niepoprawna godzina '{value}' (oczekiwano HH:MM)")
    if isinstance(value, int):
        # YAML 1.1 reads an unquoted 16:00 as the base-60 integer 960, i.e. minutes.
        minutes = value
    else:
        text = str(value).strip()
        hh, sep, mm = text.partition(":")
        if not (sep and hh.isdigit() and mm.isdigit() and len(mm) == 2 and 1 <= len(hh) <= 2):
            raise ValueError(f"niepoprawna godzina '{value}' (oczekiwano HH:MM)")
        if int(mm) >= 60:
            raise ValueError(f"niepoprawna godzina '{value}' (oczekiwano HH:MM)")
        minutes = int(hh) * 60 + int(mm)
    if not 0 <= minutes <= DAY_MINUTES:
        raise ValueError(f"niepoprawna godzina '{value}' (dozwolone 00:00–24:00)")
    return minutes
