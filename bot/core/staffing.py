"""When people are at their desks: staffed hours and the hand-over promise.

A cardholder handed to a person is told roughly when someone will answer:
within the SLA during staffed hours, otherwise when the desk opens again.
The agent console uses the same rules for its SLA timers, so the promise
made in the chat and the clock on the agent's screen never disagree.

Plain Python: the caller passes the time (bot.clock.now()).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.core.clock import SHANGHAI
from bot.core.replies import HANDOFF_ETA_CRISIS_OUT_OF_HOURS, HANDOFF_ETA_IN_HOURS, HANDOFF_ETA_OUT_OF_HOURS

DEFAULT_STAFFED_HOURS = "09:00-21:00"
DEFAULT_SLA_MINUTES = 5

_RANGE_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")



class StaffedHoursError(ValueError):
    pass


@dataclass(frozen=True)
class StaffedHours:
    """Every day from ``start`` to ``end`` (Asia/Shanghai); ``end`` may be past midnight."""

    start: time = time(9, 0)
    end: time = time(21, 0)

    @classmethod
    def parse(cls, text: str) -> "StaffedHours":
        """"09:00-21:00" → StaffedHours; "00:00-24:00" means around the clock."""
        match = _RANGE_RE.match(text or "")
        if not match:
            raise StaffedHoursError(f"staffed hours must look like 09:00-21:00, got {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h2 == 24 and m2 == 0:
            h2, m2 = 0, 0
        if not (0 <= h1 < 24 and 0 <= h2 < 24 and 0 <= m1 < 60 and 0 <= m2 < 60):
            raise StaffedHoursError(f"not a time of day in {text!r}")
        return cls(time(h1, m1), time(h2, m2))

    @property
    def around_the_clock(self) -> bool:
        return self.start == self.end

    def label(self) -> str:
        end = "24:00" if self.end == time(0, 0) else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"

    def is_staffed(self, now: datetime) -> bool:
        if self.around_the_clock:
            return True
        local = now.astimezone(SHANGHAI).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # e.g. 20:00-02:00

    def next_opening(self, now: datetime) -> datetime:
        """``now`` if staffed, else the next moment the desk opens (Shanghai time)."""
        local = now.astimezone(SHANGHAI)
        if self.is_staffed(local):
            return local
        opening = local.replace(hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0)
        if opening <= local:
            opening += timedelta(days=1)
        return opening


def sla_deadline(opened_at: datetime, hours: StaffedHours, sla_minutes: int) -> datetime:
    """When a hand-over opened at ``opened_at`` should have been picked up."""
    return hours.next_opening(opened_at) + timedelta(minutes=sla_minutes)


def _day_word(opening: datetime, now: datetime) -> str:
    days = (opening.date() - now.astimezone(SHANGHAI).date()).days
    hm = opening.strftime("%H:%M")
    if days <= 0:
        return f"今天{hm}"
    if days == 1:
        return f"明天{hm}"
    return f"{opening.month}月{opening.day}日{hm}"


def handoff_eta(now: datetime, hours: StaffedHours, sla_minutes: int, crisis_hotline: str = "") -> str:
    """What the cardholder is told about when a person will answer.

    With ``crisis_hotline`` (a crisis hand-over) out of staffed hours, the
    reply says where help is now instead of asking them to wait.
    """
    if hours.is_staffed(now):
        return HANDOFF_ETA_IN_HOURS.format(minutes=sla_minutes)
    opening = hours.next_opening(now)
    if crisis_hotline:
        return HANDOFF_ETA_CRISIS_OUT_OF_HOURS.format(crisis_hotline=crisis_hotline, when=_day_word(opening, now))
    end = "24:00" if hours.end == time(0, 0) else hours.end.strftime("%H:%M")
    return HANDOFF_ETA_OUT_OF_HOURS.format(
        start=hours.start.strftime("%H:%M"), end=end, when=_day_word(opening, now)
    )
