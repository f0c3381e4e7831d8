"""The bank's time zone and the one parser of a pinned instant.

Cardholders, due dates and the bank's business day are all in China
Standard Time, regardless of where the server runs. Every module that needs
the zone imports ``SHANGHAI`` from here; ``bot/clock.py`` (which reads
``COLLECTBOT_NOW`` from the environment) is the one place that asks what time
it is. Plain Python.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TIME_ZONE = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TIME_ZONE)


def parse_instant(value: str, name: str = "COLLECTBOT_NOW") -> datetime:
    """An ISO 8601 timestamp as a tz-aware instant in Shanghai time; a bare
    local time means Shanghai time. ``name`` is the setting it came from (for
    the error message)."""
    text = value.strip()
    # datetime.fromisoformat() only accepts "Z" from Python 3.11 on.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        pinned = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{name}={value!r} is not an ISO 8601 timestamp "
            "(expected e.g. 2026-11-25T10:00:00+08:00)"
        ) from exc
    if pinned.tzinfo is None:
        pinned = pinned.replace(tzinfo=SHANGHAI)
    return pinned.astimezone(SHANGHAI)
