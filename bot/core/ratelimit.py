"""Rate limits as plain Python (no web framework, no database).

- ``TokenBucketLimiter``: requests per key (an SMS sender, a web chat
  socket). Each key has a bucket of ``burst`` tokens refilled at
  ``per_minute`` tokens a minute; a request takes one token or is refused.
  The buckets live in this process's memory: with several Rasa processes
  behind a load balancer each process counts on its own, so a sender spread
  over N processes gets up to N times the rate. That is good enough to stop
  a flood or an auto-responder loop from one number; a shared limit across
  processes would keep the buckets in Redis instead.
- ``backoff_check``: identity-verification failures for one subject (a
  conversation, or a phone number claimed across conversations) slow down
  further tries with an exponential back-off that expires. The caller reads
  the attempts from the database and passes them in.

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
class Backoff:
    """How verification failures slow down further tries (issue 16).

    ``free_failures`` wrong answers cost nothing; each one after that makes
    the next try wait ``base`` × 2^(extra − 1) after the latest failure, at
    most ``cap``. Failures older than ``window``, or before the latest
    success, are forgotten: a block always expires, and nobody is locked out
    for good by answers someone else gave.
    """

    free_failures: int
    window: timedelta = timedelta(hours=24)
    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(hours=4)

    def __post_init__(self) -> None:
        if self.free_failures < 1:
            raise ValueError("free_failures must be at least 1")


@dataclass(frozen=True)
class VerifyCheck:
    blocked: bool
    failures: int
    # When the next try is allowed (None when not blocked).
    retry_at: Optional[datetime] = None

    def retry_after_minutes(self, now: datetime) -> int:
        if self.retry_at is None:
            return 0
        return max(1, math.ceil((self.retry_at - now).total_seconds() / 60))


def backoff_check(attempts: Iterable[Tuple[datetime, bool]], now: datetime, rule: Backoff) -> VerifyCheck:
    """Whether one more verification answer may be checked now.

    ``attempts`` are (time, success) for one subject: a conversation, or a
    phone number claimed in conversations that the carrier did not vouch
    for. The counts and the wait follow ``rule`` (see ``Backoff``).
    """
    ordered = sorted(attempts, key=lambda a: a[0])
    last_success = max((t for t, ok in ordered if ok), default=None)
    start = now - rule.window
    failures = [
        t for t, ok in ordered
        if not ok and start < t <= now and (last_success is None or t > last_success)
    ]
    extra = len(failures) - rule.free_failures + 1
    if extra < 1:
        return VerifyCheck(False, len(failures))
    wait = min(rule.cap, rule.base * (2 ** (extra - 1)))
    retry_at = failures[-1] + wait
    return VerifyCheck(now < retry_at, len(failures), retry_at if now < retry_at else None)
