"""The rule of failed attempts (domain/throttle.py), step by step on a hand-written timeline: the
limit within a window blocks for the window, each further block before a quiet window lasts twice
as long (at most a day), a quiet window starts counting afresh, and Retry-After is whole seconds
rounded up."""

from datetime import UTC, datetime, timedelta

from helpdesk.domain.throttle import Attempts, Limit, after_failure, blocked_for, seconds

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_three_failures_in_ten_minutes_block_for_ten_then_twenty_then_a_quiet_window_starts_afresh():
    limit = Limit(3, 10 * MIN)
    a = after_failure(None, limit, T0)
    assert a == Attempts(1, T0, None)
    a = after_failure(a, limit, T0 + MIN)
    assert a == Attempts(2, T0, None)
    a = after_failure(a, limit, T0 + 2 * MIN)
    assert a == Attempts(3, T0, T0 + 12 * MIN)
    assert blocked_for(a, T0 + 5 * MIN) == 7 * MIN
    assert blocked_for(a, T0 + 12 * MIN - timedelta(seconds=1)) == timedelta(seconds=1)
    assert blocked_for(a, T0 + 12 * MIN) is None
    a = after_failure(a, limit, T0 + 13 * MIN)  # not yet quiet for a window since the block ended
    assert a == Attempts(4, T0, T0 + 12 * MIN)
    a = after_failure(a, limit, T0 + 14 * MIN)
    a = after_failure(a, limit, T0 + 15 * MIN)
    assert a == Attempts(6, T0, T0 + 35 * MIN)
    a = after_failure(a, limit, T0 + 45 * MIN - timedelta(seconds=1))
    assert a == Attempts(7, T0, T0 + 35 * MIN)
    a = after_failure(a, limit, T0 + 55 * MIN)  # quiet for a whole window since the last block
    assert a == Attempts(1, T0 + 55 * MIN, None)


def test_a_quiet_window_after_the_first_failures_starts_afresh_too():
    limit = Limit(3, 10 * MIN)
    a = after_failure(after_failure(None, limit, T0), limit, T0 + MIN)
    assert after_failure(a, limit, T0 + 10 * MIN) == Attempts(1, T0 + 10 * MIN, None)
    assert after_failure(a, limit, T0 + 10 * MIN - timedelta(seconds=1)) == Attempts(
        3, T0, T0 + 20 * MIN - timedelta(seconds=1)
    )


def test_blocks_double_up_to_a_day():
    limit = Limit(1, timedelta(hours=1))
    a = None
    ends = []
    now = T0
    for _ in range(6):
        a = after_failure(a, limit, now)
        assert a.blocked_until is not None
        ends.append(a.blocked_until - now)
        now = a.blocked_until
    assert ends == [timedelta(hours=h) for h in (1, 2, 4, 8, 16, 24)]


def test_the_doubling_stops_at_two_to_the_sixteenth_windows():
    limit = Limit(1, timedelta(seconds=1))
    a = None
    for _ in range(18):
        a = after_failure(a, limit, T0)
    assert a == Attempts(18, T0, T0 + timedelta(seconds=2**16))


def test_nothing_blocks_a_key_without_failures_or_whose_block_ended():
    assert blocked_for(None, T0) is None
    assert blocked_for(Attempts(2, T0), T0) is None
    assert blocked_for(Attempts(3, T0, T0), T0) is None


def test_retry_after_is_whole_seconds_rounded_up_and_at_least_one():
    assert seconds(timedelta(0)) == 1
    assert seconds(timedelta(seconds=0.2)) == 1
    assert seconds(timedelta(seconds=1)) == 1
    assert seconds(timedelta(seconds=1.5)) == 2
    assert seconds(timedelta(seconds=120)) == 120
    assert seconds(timedelta(minutes=7, microseconds=1)) == 421
