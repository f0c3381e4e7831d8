"""The compliance guard: one decision for every outbound message.

Campaign SMS, bot replies that start a new contact and agent messages all
ask `check_outbound` before anything leaves. It says no, with a reason,
when the message would be unlawful or unkind:

- quiet hours (default no contact 21:00-08:00 Asia/Shanghai),
- more contacts than the cap per account per day / per week,
- a channel the cardholder opted out of,
- debt collection on an account with an open dispute,
- a number marked as a third party or wrong number,
- forbidden threatening or humiliating wording,
- an SMS that does not end with how to stop them (``回T退订``,
  bot/core/sms.py): campaign templates must carry it themselves; an agent's
  SMS reply gets it appended by `as_sent` before it is checked (agents do
  not type it). Web chat needs none: the widget is not SMS.

A message blocked only by quiet hours can wait: `retry_at` says when the
next allowed moment is. Every other block is final and is logged with its
reason by the caller. Plain Python: the caller gathers the facts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import FrozenSet, Optional, Tuple

from bot.core.channels import TWILIO_SMS
from bot.core.clock import SHANGHAI
from bot.core.compliance import find_forbidden
from bot.core.sms import OPT_OUT_LINE, has_opt_out_line, with_opt_out_line

# Reasons are stable identifiers: reports count blocked sends by them.
QUIET_HOURS = "quiet_hours"
DAILY_CAP = "daily_cap"
WEEKLY_CAP = "weekly_cap"
OPTED_OUT = "opted_out"
OPEN_DISPUTE = "open_dispute"
THIRD_PARTY = "third_party_number"
FORBIDDEN_WORDING = "forbidden_wording"
MISSING_OPT_OUT = "missing_opt_out"

# Channels whose messages are SMS (Twilio's, and the plain name in settings).
SMS_CHANNELS = frozenset({TWILIO_SMS, "sms"})


@dataclass(frozen=True)
class GuardConfig:
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    max_contacts_per_day: int = 3
    max_contacts_per_week: int = 10


@dataclass(frozen=True)
class Outbound:
    text: str
    channel: str
    #: Collection content (reminders, notices, payment requests). Replies to
    #: a cardholder who wrote first are not new contacts and are not capped.
    is_collection: bool = True
    starts_contact: bool = True


@dataclass(frozen=True)
class ContactFacts:
    opted_out_channels: FrozenSet[str] = frozenset()
    open_dispute: bool = False
    third_party_number: bool = False
    contacts_today: int = 0
    contacts_this_week: int = 0


@dataclass(frozen=True)
class GuardDecision:
    allowed: bool
    reason: str = ""
    detail: str = ""
    retry_at: Optional[datetime] = None
    forbidden_terms: Tuple[str, ...] = field(default_factory=tuple)


ALLOW = GuardDecision(True)


def in_quiet_hours(now: datetime, cfg: GuardConfig) -> bool:
    local = now.astimezone(SHANGHAI).time()
    if cfg.quiet_start <= cfg.quiet_end:
        return cfg.quiet_start <= local < cfg.quiet_end
    return local >= cfg.quiet_start or local < cfg.quiet_end


def next_allowed(now: datetime, cfg: GuardConfig) -> datetime:
    """The end of the current quiet period, in Shanghai time."""
    local = now.astimezone(SHANGHAI)
    end = local.replace(hour=cfg.quiet_end.hour, minute=cfg.quiet_end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


def is_sms(channel: str) -> bool:
    return channel in SMS_CHANNELS


def as_sent(text: str, channel: str) -> str:
    """An agent's reply as it must leave on ``channel``: on SMS with the
    opt-out line appended when it is missing (never doubled)."""
    return with_opt_out_line(text) if is_sms(channel) else text


def check_outbound(msg: Outbound, facts: ContactFacts, now: datetime, cfg: GuardConfig = GuardConfig()) -> GuardDecision:
    """Whether `msg` may be sent now; the first rule that blocks wins.

    Final blocks come first (wording, the SMS opt-out line, wrong party,
    opt-out, dispute), so a message is never queued for the morning only to
    be dropped then.
    """
    terms = tuple(find_forbidden(msg.text))
    if terms:
        return GuardDecision(False, FORBIDDEN_WORDING, "、".join(terms), forbidden_terms=terms)
    if is_sms(msg.channel) and not has_opt_out_line(msg.text):
        # The detail is the line the SMS must end with.
        return GuardDecision(False, MISSING_OPT_OUT, OPT_OUT_LINE)
    if facts.third_party_number:
        return GuardDecision(False, THIRD_PARTY)
    if msg.channel in facts.opted_out_channels or "all" in facts.opted_out_channels:
        return GuardDecision(False, OPTED_OUT, msg.channel)
    if msg.is_collection and facts.open_dispute:
        return GuardDecision(False, OPEN_DISPUTE)
    if msg.starts_contact:
        if facts.contacts_today >= cfg.max_contacts_per_day:
            return GuardDecision(False, DAILY_CAP, f"{facts.contacts_today}/{cfg.max_contacts_per_day}")
        if facts.contacts_this_week >= cfg.max_contacts_per_week:
            return GuardDecision(False, WEEKLY_CAP, f"{facts.contacts_this_week}/{cfg.max_contacts_per_week}")
        if in_quiet_hours(now, cfg):
            return GuardDecision(False, QUIET_HOURS, retry_at=next_allowed(now, cfg))
    return ALLOW
