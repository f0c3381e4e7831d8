"""Sign-in throttling: exponential back-off per source, never a hard lock.

The old rule locked a *user name* for 15 minutes after five failures, so
anyone could lock an agent out (issue 16). Failures are now counted per
source address and per (user name, source address):

- a few failures are free (typing mistakes);
- after that each further failure doubles the wait before the next try
  (``base``, 2 × ``base`` … up to ``cap``);
- a success from that address forgets the (user, address) count, and a
  count with no failure for ``forget_after`` is dropped: the back-off
  expires on its own;
- a user signing in from another address is never slowed down by
  failures elsewhere.

A refused attempt is not a failure (it does not lengthen the wait), so a
script hammering the form cannot push the wait further than it already is;
only the first refusal of each wait is audited, so a flood does not
flood the audit log either.
State is kept in this process (the console runs as one process,
``console/__main__.py``); the audit log keeps the durable trail of every
failed and refused sign-in. Plain Python, the clock is passed in.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Tuple


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed before any wait
    base: timedelta  # the first wait
    cap: timedelta  # the longest wait


# One person mistyping: 5 free tries. One address: more (an office behind
# one NAT address shares it), then the same doubling.
USER_RULE = Rule(free=5, base=timedelta(seconds=30), cap=timedelta(minutes=30))
ADDRESS_RULE = Rule(free=20, base=timedelta(seconds=30), cap=timedelta(minutes=30))
FORGET_AFTER = timedelta(hours=24)
MAX_KEYS = 100_000  # bounded memory however many addresses an attacker uses


@dataclass
class _Count:
    failures: int
    last: datetime
    refused: int = 0  # refusals since the last failure


def wait_after(failures: int, rule: Rule) -> timedelta:
    """How long to wait after ``failures`` failures (zero while free)."""
    if failures < rule.free:
        return timedelta(0)
    doublings = min(failures - rule.free, 30)
    return min(rule.base * (2**doublings), rule.cap)


class LoginThrottle:
    def __init__(
        self,
        user_rule: Rule = USER_RULE,
        address_rule: Rule = ADDRESS_RULE,
        forget_after: timedelta = FORGET_AFTER,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.rules = {"user": user_rule, "address": address_rule}
        self.forget_after = forget_after
        self.max_keys = max_keys
        self._counts: "OrderedDict[Tuple, _Count]" = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> Tuple[Tuple, Tuple]:
        return ("user", username.casefold(), address), ("address", address)

    def retry_after(self, username: str, address: str, now: datetime) -> Optional[timedelta]:
        """None when a try is allowed now, else how long to wait."""
        longest = timedelta(0)
        with self._lock:
            for key in self._keys(username, address):
                count = self._current(key, now)
                if count is None:
                    continue
                until = count.last + wait_after(count.failures, self.rules[key[0]])
                longest = max(longest, until - now)
        return longest if longest > timedelta(0) else None

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            for key in self._keys(username, address):
                count = self._current(key, now)
                if count is None:
                    count = _Count(0, now)
                count.failures += 1
                count.last = now
                count.refused = 0
                self._counts[key] = count
                self._counts.move_to_end(key)
            while len(self._counts) > self.max_keys:
                self._counts.popitem(last=False)

    def refused(self, username: str, address: str) -> bool:
        """Note a refused try; True for the first one since the last
        failure (the audit log records that one, not each of a flood)."""
        first = False
        with self._lock:
            for key in self._keys(username, address):
                count = self._counts.get(key)
                if count is not None:
                    first = first or count.refused == 0
                    count.refused += 1
        return first

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._counts.pop(self._keys(username, address)[0], None)

    def _current(self, key: Tuple, now: datetime) -> Optional[_Count]:
        count = self._counts.get(key)
        if count is not None and now - count.last > self.forget_after:
            del self._counts[key]
            return None
        return count


def wait_text(wait: timedelta) -> str:
    """A wait in Chinese, rounded up: "30秒" / "2分钟"."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds}秒"
    return f"{math.ceil(seconds / 60)}分钟"
