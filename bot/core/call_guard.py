"""The compliance guard for phone calls: the SMS guard's rules plus the call's own.

Every outbound call asks `check_call` before it is placed
(bot/voice/calls.py). It applies bot/core/guard.check_outbound to the call
(quiet hours, daily/weekly contact caps, dispute freeze, wrong-party marks,
forbidden wording of what would be said) with the voice channel's own
rules first:

- an opt-out from calls, from SMS or from every channel stops calls (a
  cardholder who texted 退订 does not want the phone to ring either; "别再打了"
  on a call is recorded as an opt-out from every channel by the channel);
- at most ``max_unanswered_per_day`` unanswered attempts (no answer, busy,
  failed, an answering machine) per number per Shanghai day (default 6).
  Unanswered attempts are no contact made: they count here, not toward the
  contact caps, which count the calls somebody answered.

Plain Python: the caller gathers the facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import FrozenSet, Iterable, Tuple

from bot.core import guard
from bot.core.channels import VOICE  # the one channel-name map

VOICE_CHANNELS = frozenset({VOICE})
UNANSWERED_CALL_CAP = "unanswered_call_cap"
# Not a rule of the guard: no Twilio voice settings, so nothing is dialled
# (bot/voice/calls.py); recorded and counted like a refusal.
NOT_CONFIGURED = "not_configured"
# Channels whose opt-out also stops calls.
STOPS_CALLS: FrozenSet[str] = frozenset({VOICE, "all", "twilio_sms", "sms"})
# Call outcomes that are an attempt nobody answered.
UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled", "machine"})


@dataclass(frozen=True)
class CallGuardConfig:
    max_unanswered_per_day: int = 6

    def __post_init__(self) -> None:
        if not isinstance(self.max_unanswered_per_day, int) or self.max_unanswered_per_day < 1:
            raise ValueError("max_unanswered_per_day must be a positive integer")


def is_voice(channel: str) -> bool:
    return channel in VOICE_CHANNELS


def check_call(
    facts: guard.ContactFacts,
    unanswered_today: int,
    now: datetime,
    text: str = "",
    cfg: guard.GuardConfig = guard.GuardConfig(),
    call_cfg: CallGuardConfig = CallGuardConfig(),
    is_collection: bool = True,
) -> guard.GuardDecision:
    """Whether a call may be placed now; the first rule that blocks wins."""
    opted = facts.opted_out_channels & STOPS_CALLS
    if opted:
        return guard.GuardDecision(False, guard.OPTED_OUT, "、".join(sorted(opted)))
    if unanswered_today >= call_cfg.max_unanswered_per_day:
        return guard.GuardDecision(
            False, UNANSWERED_CALL_CAP, f"{unanswered_today}/{call_cfg.max_unanswered_per_day}"
        )
    return guard.check_outbound(guard.Outbound(text=text, channel=VOICE, is_collection=is_collection), facts, now, cfg)


def unanswered_calls_today(outcomes: Iterable[Tuple[str, str, datetime]], now: datetime) -> int:
    """Distinct calls (CallSid, status, when) that went unanswered on the
    calendar day of ``now`` (in ``now``'s zone: Asia/Shanghai)."""
    day = now.date()
    sids = {sid for sid, status, at in outcomes
            if status in UNANSWERED and at.astimezone(now.tzinfo).date() == day}
    return len(sids)
