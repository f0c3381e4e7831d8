"""bot/core/ratelimit.py with a fixed clock."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.ratelimit import TokenBucketLimiter, phone_verification_check


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


def test_phone_allows_until_the_limit_within_the_window():
    attempts = [(at(50), False), (at(40), False), (at(30), False), (at(20), False)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    assert not check.blocked and check.failures == 4


def test_phone_blocked_at_the_limit_until_the_oldest_failure_ages_out():
    attempts = [(at(m), False) for m in (50, 40, 30, 20, 10)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    assert check.blocked and check.failures == 5
    assert check.retry_at == at(50) + WINDOW
    assert check.retry_after_minutes(NOW) == 24 * 60 - 50


def test_phone_failures_outside_the_window_do_not_count():
    attempts = [(at(25 * 60), False)] * 10 + [(at(5), False)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    assert not check.blocked and check.failures == 1


def test_phone_success_resets_the_count():
    attempts = [(at(m), False) for m in (60, 50, 40, 30)] + [(at(20), True), (at(10), False)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    assert not check.blocked and check.failures == 1


def test_phone_blocked_with_more_failures_than_the_limit():
    attempts = [(at(m), False) for m in (70, 60, 50, 40, 30, 20, 10)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    # Three failures must age out before one more try fits: the third oldest.
    assert check.blocked and check.retry_at == at(50) + WINDOW


def test_phone_check_order_of_input_does_not_matter():
    attempts = [(at(m), False) for m in (10, 50, 30, 20, 40)]
    check = phone_verification_check(attempts, NOW, max_failures=5, window=WINDOW)
    assert check.blocked and check.retry_at == at(50) + WINDOW
