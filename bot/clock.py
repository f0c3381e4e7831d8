"""The one place the bot asks "what time is it?".

Collection rules depend on the calendar (days past due, promise dates,
contact-hour windows), so every module reads time through here. Tests and
demos pin the clock with ``COLLECTBOT_NOW`` instead of monkeypatching
``datetime`` in a dozen places.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Cardholders, due dates and the bank's business day are all in China
# Standard Time, regardless of where the server runs.
SHANGHAI = ZoneInfo("Asia/Shanghai")

NOW_ENV = "COLLECTBOT_NOW"


def _parse_pinned(value: str) -> datetime:
    text = value.strip()
    # datetime.fromisoformat() only accepts "Z" from Python 3.11 on.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        pinned = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{NOW_ENV}={value!r} is not an ISO 8601 timestamp "
            "(expected e.g. 2026-11-25T10:00:00+08:00)"
        ) from exc
    if pinned.tzinfo is None:
        # A bare local time in a demo script means Shanghai time.
        pinned = pinned.replace(tzinfo=SHANGHAI)
    return pinned.astimezone(SHANGHAI)


def now() -> datetime:
    """Current instant, tz-aware, expressed in Asia/Shanghai."""
    pinned = os.environ.get(NOW_ENV)
    if pinned:
        return _parse_pinned(pinned)
    return datetime.now(SHANGHAI)


def today() -> date:
    """Today's calendar date in Shanghai (not the server's local date)."""
    return now().date()
