"""The one place the bot asks "what time is it?".

Collection rules depend on the calendar (days past due, promise dates,
contact-hour windows), so every module reads time through here. Tests and
demos pin the clock with ``COLLECTBOT_NOW`` instead of monkeypatching
``datetime`` in a dozen places.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from bot.core.clock import SHANGHAI, parse_instant
from bot.settings import NOW_ENV, pinned_now


def _parse_pinned(value: str) -> datetime:
    return parse_instant(value, NOW_ENV)


def now() -> datetime:
    """Current instant, tz-aware, expressed in Asia/Shanghai."""
    pinned = pinned_now()
    if pinned:
        return _parse_pinned(pinned)
    return datetime.now(SHANGHAI)


def today() -> date:
    """Today's calendar date in Shanghai (not the server's local date)."""
    return now().date()


def wall_now() -> datetime:
    """The real current instant (UTC), never pinned: for liveness measured in
    seconds of real time between processes (is the cardholder typing, is the
    agent's console still open), which a pinned COLLECTBOT_NOW would freeze."""
    return datetime.now(timezone.utc)
