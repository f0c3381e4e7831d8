"""Rate limits as plain Python (no web framework, no database).

- ``TokenBucketLimiter``: requests per key (an SMS sender, a web chat
  socket). Each key has a bucket of ``burst`` tokens refilled at
  ``per_minute`` tokens a minute; a request takes one token or is refused.
  The buckets live in this process's memory: with several Rasa processes
  behind a load balancer each process counts on its own, so a sender spread
  over N processes gets up to N times the rate. That is good enough to stop
  a flood or an auto-responder loop from one number; a shared limit across
  processes would keep the buckets in Redis instead.
- ``phone_verification_check``: identity-verification failures for one
  phone number across conversations within a sliding time window (the
  per-conversation lock-out stays in bot/actions/verification.py). The
  caller reads the attempts from the database and passes them in.

Both take the time as an argument or from an injected clock, so the rules
are tested with a fixed clock.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Dict, Iterable, Optional, Tuple


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # Seconds until one token is available again (0 when allowed).
    retry_after: float = 0.0


class TokenBucketLimiter:
    """Per-key token buckets, in memory, for one process (see module doc)."""

    def __init__(
        self,
        burst: int,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: Dict[str, _Bucket] = {}

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        return min(self.burst, bucket.tokens + max(0.0, now - bucket.updated) * self.rate)

    def allow(self, key: str, cost: float = 1.0) -> Decision:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        tokens = self._refilled(bucket, now)
        if tokens >= cost:
            bucket.tokens, bucket.updated = tokens - cost, now
            return Decision(True)
        bucket.tokens, bucket.updated = tokens, now
        return Decision(False, (cost - tokens) / self.rate)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no state);
        if every bucket is still in use, drop the oldest half so memory stays
        bounded whatever a flood of distinct keys does."""
        full = [k for k, b in self._buckets.items() if self._refilled(b, now) >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            oldest = sorted(self._buckets.items(), key=lambda kv: kv[1].updated)
            for key, _ in oldest[: len(oldest) // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class PhoneCheck:
    blocked: bool
    failures: int
    # When the oldest counted failure leaves the window (None when not blocked).
    retry_at: Optional[datetime] = None

    def retry_after_minutes(self, now: datetime) -> int:
        if self.retry_at is None:
            return 0
        return max(1, math.ceil((self.retry_at - now).total_seconds() / 60))


def phone_verification_check(
    attempts: Iterable[Tuple[datetime, bool]],
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> PhoneCheck:
    """Whether a phone may try to verify again.

    ``attempts`` are (time, success) for every verification answer given for
    the phone, in any conversation. Failures count when they are inside
    ``window`` and after the phone's latest success (the cardholder got in:
    earlier mistakes no longer count). ``max_failures`` failures block the
    phone until the oldest of them leaves the window.
    """
    if max_failures < 1:
        raise ValueError("max_failures must be at least 1")
    start = now - window
    ordered = sorted(attempts, key=lambda a: a[0])
    last_success = max((t for t, ok in ordered if ok), default=None)
    failures = [
        t for t, ok in ordered
        if not ok and t > start and t <= now and (last_success is None or t > last_success)
    ]
    if len(failures) < max_failures:
        return PhoneCheck(False, len(failures))
    # Blocked until enough failures age out to leave room for one more try.
    release = failures[len(failures) - max_failures] + window
    return PhoneCheck(True, len(failures), release)
