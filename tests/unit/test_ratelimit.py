"""bot/core/ratelimit.py with a fixed clock."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.ratelimit import Backoff, TokenBucketLimiter, backoff_check


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_bucket_allows_burst_then_refuses_with_retry_after():
    clock = FakeClock()
    limiter = TokenBucketLimiter(burst=3, per_minute=6, clock=clock)  # one token per 10 s
    assert [limiter.allow("+8613800000001").allowed for _ in range(3)] == [True, True, True]
    refused = limiter.allow("+8613800000001")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(10.0)


def test_bucket_refills_at_the_rate_and_caps_at_burst():
    clock = FakeClock()
    limiter = TokenBucketLimiter(burst=2, per_minute=6, clock=clock)
    assert limiter.allow("a").allowed and limiter.allow("a").allowed
    assert not limiter.allow("a").allowed
    clock.t += 9.9
    assert not limiter.allow("a").allowed
    clock.t += 0.2
    assert limiter.allow("a").allowed
    clock.t += 3600  # long quiet: back to the burst, not more
    assert [limiter.allow("a").allowed for _ in range(3)] == [True, True, False]


def test_bucket_keys_are_independent():
    clock = FakeClock()
    limiter = TokenBucketLimiter(burst=1, per_minute=1, clock=clock)
    assert limiter.allow("a").allowed
    assert not limiter.allow("a").allowed
    assert limiter.allow("b").allowed


def test_bucket_memory_stays_bounded_under_many_senders():
    clock = FakeClock()
    limiter = TokenBucketLimiter(burst=1, per_minute=60, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.allow(f"sender-{i}")
        clock.t += 0.01
    assert len(limiter) <= 100


def test_bucket_rejects_nonsense_settings():
    with pytest.raises(ValueError):
        TokenBucketLimiter(burst=0, per_minute=1)
    with pytest.raises(ValueError):
        TokenBucketLimiter(burst=1, per_minute=0)


NOW = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)
WINDOW = timedelta(hours=24)


def at(minutes_ago: float) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


RULE = Backoff(free_failures=3, window=WINDOW, base=timedelta(minutes=5), cap=timedelta(hours=4))


def test_free_failures_cost_nothing():
    check = backoff_check([(at(3), False), (at(2), False)], NOW, RULE)
    assert not check.blocked and check.failures == 2


def test_the_wait_doubles_with_each_failure_after_the_free_ones():
    waits = []
    for extra in range(1, 8):
        failures = [(at(1), False)] * (2 + extra)
        check = backoff_check(failures, NOW, RULE)
        assert check.blocked
        waits.append(check.retry_at - at(1))
    minutes = [w.total_seconds() / 60 for w in waits]
    assert minutes == [5, 10, 20, 40, 80, 160, 240]  # capped at 4 hours


def test_a_block_expires_when_the_wait_is_over():
    failures = [(at(m), False) for m in (30, 20, 6)]
    assert not backoff_check(failures, NOW, RULE).blocked  # 5 minutes after the third
    assert backoff_check(failures, at(2), RULE).blocked


def test_failures_outside_the_window_are_forgotten():
    attempts = [(at(25 * 60), False)] * 10 + [(at(1), False)]
    check = backoff_check(attempts, NOW, RULE)
    assert not check.blocked and check.failures == 1


def test_a_success_resets_the_count():
    attempts = [(at(m), False) for m in (60, 50, 40, 30)] + [(at(20), True), (at(10), False)]
    check = backoff_check(attempts, NOW, RULE)
    assert not check.blocked and check.failures == 1


def test_order_of_input_does_not_matter():
    attempts = [(at(m), False) for m in (1, 50, 3)]
    check = backoff_check(attempts, NOW, RULE)
    assert check.blocked and check.retry_at == at(1) + timedelta(minutes=5)
    assert check.retry_after_minutes(NOW) == 4


def test_backoff_needs_at_least_one_free_failure():
    with pytest.raises(ValueError):
        Backoff(free_failures=0)
