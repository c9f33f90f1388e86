"""The only place that asks the system for the time; tests use ManualClock instead."""

from datetime import UTC, datetime, timedelta


class SystemClock:
    """Real time, aware, in UTC."""

    def now(self) -> datetime:
        """Current time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, demo data, replays)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        """The time it was set to."""
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to `at`."""
        self._now = at

    def advance(self, **delta: float) -> datetime:
        """Move forward by timedelta(**delta) and return the new time."""
        self._now = self._now + timedelta(**delta)
        return self._now
