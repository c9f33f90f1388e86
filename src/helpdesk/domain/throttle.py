"""Throttling failed attempts (passwords, Telegram link codes): the rule, without storage or clock.

`limit` failures within `window` block the key for `window`; every further block of the same key,
before it has been quiet for a whole window, lasts twice as long as the one before (at most a day).
While blocked, attempts are refused without being checked, so a right password guessed during a
block does not get in. A success clears the key.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_BLOCK = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """How many failures a key may have within a window."""

    failures: int
    window: timedelta


@dataclass(frozen=True)
class Attempts:
    """The failures of one key so far."""

    failures: int
    window_start: datetime
    blocked_until: datetime | None = None


def blocked_for(attempts: Attempts | None, now: datetime) -> timedelta | None:
    """How much longer the key is blocked, or None."""
    if attempts is None or attempts.blocked_until is None or attempts.blocked_until <= now:
        return None
    return attempts.blocked_until - now


def after_failure(attempts: Attempts | None, limit: Limit, now: datetime) -> Attempts:
    """The attempts after one more failure at `now` (blocked when the limit is reached)."""
    quiet_since = None
    if attempts is not None:
        quiet_since = max(attempts.window_start, attempts.blocked_until or attempts.window_start)
    if attempts is None or (quiet_since is not None and now - quiet_since >= limit.window):
        attempts = Attempts(0, now)
    failures = attempts.failures + 1
    if failures % limit.failures != 0:
        return replace(attempts, failures=failures)
    blocks = failures // limit.failures
    block = min(limit.window * (2 ** min(blocks - 1, 16)), MAX_BLOCK)
    return Attempts(failures, attempts.window_start, now + block)


def seconds(delta: timedelta) -> int:
    """A wait in whole seconds, rounded up (what Retry-After says)."""
    return max(1, int(-(-delta.total_seconds() // 1)))
