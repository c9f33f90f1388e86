"""Rate limiting of the bot: a token bucket per Telegram user.

A person (or a script under their account) may send `burst` messages at once and then
`per_second` on average (HELPDESK_TELEGRAM_RATE_BURST, HELPDESK_TELEGRAM_RATE_PER_S). Over the
limit an update is dropped; the person is told once per limited stretch, not once per message.
"""

import time
from dataclasses import dataclass

MAX_TRACKED = 100_000  # buckets kept before those idle for an hour are forgotten
IDLE_SECONDS = 3600.0


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class RateLimiter:
    """A token bucket per user: `burst` messages at once, then `per_second` sustained."""

    def __init__(self, burst: float, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self.buckets: dict[int, _Bucket] = {}

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn is True once per limited stretch, to tell the person."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = _Bucket(self.burst, now)
            if len(self.buckets) > MAX_TRACKED:
                self.buckets = {k: v for k, v in self.buckets.items() if now - v.stamp < IDLE_SECONDS}
                self.buckets[user_id] = bucket
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.per_second)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn
