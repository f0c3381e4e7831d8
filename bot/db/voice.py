"""The voice channel's queries: the call guard's facts for one number, and
a refused call recorded in ``outbound_blocks`` (bot/voice/calls.py)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import call_guard, guard
from bot.core import campaign as rules
from bot.core.escalation import DISPUTE_DEBT
from bot.core.phone import opt_out_key
from bot.db.campaign import log_block
from bot.db.models import (
    UNRESOLVED_ESCALATION_STATUSES,
    ContactLog,
    Escalation,
    OptOut,
    PhoneMark,
)

CHANNEL = call_guard.VOICE
DISPUTE_REASON = DISPUTE_DEBT
# Rows of a call that are no contact made (the guard counts them as attempts).
_NOT_A_CONTACT = call_guard.UNANSWERED | {"queued", "initiated", "ringing"}


def call_facts(s: Session, phone: str, account_id: Optional[str], now: datetime) -> Tuple[guard.ContactFacts, int]:
    """(contact facts, unanswered attempts today) for calling ``phone``."""
    key = opt_out_key(phone)
    opted = frozenset(
        s.execute(select(OptOut.channel).where(OptOut.phone == key, OptOut.revoked_at.is_(None))).scalars()
    )
    dispute = False
    if account_id:
        dispute = s.execute(
            select(Escalation.id).where(
                Escalation.account_id == account_id,
                Escalation.reason == DISPUTE_REASON,
                Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES),
            ).limit(1)
        ).first() is not None
    marked = s.execute(
        select(PhoneMark.id).where(PhoneMark.phone.in_((phone, key)), PhoneMark.revoked_at.is_(None)).limit(1)
    ).first() is not None
    cutoff = now - timedelta(days=8)
    rows = s.execute(
        select(ContactLog.channel, ContactLog.direction, ContactLog.status, ContactLog.message_id,
               ContactLog.conversation_id, ContactLog.created_at)
        .where(ContactLog.created_at >= cutoff, ContactLog.conversation_id.in_((phone, "rest:" + phone)))
    ).all()
    machine_calls = {(mid or "").rsplit(":", 1)[0] for ch, _, st, mid, _, _ in rows
                     if ch == CHANNEL and st in call_guard.UNANSWERED}
    events: List[rules.ContactEvent] = []
    outcomes = []
    for channel, direction, status, message_id, conversation_id, created_at in rows:
        if channel == CHANNEL and status:
            sid = (message_id or "").rsplit(":", 1)[0]
            outcomes.append((sid, status, created_at))
            if status in _NOT_A_CONTACT or sid in machine_calls:
                continue
        elif direction == "out" and status in ("failed", "undelivered", "blocked_opt_out"):
            continue
        events.append(rules.ContactEvent(created_at, direction, conversation_id))
    today, week = rules.count_contacts(events, now)
    facts = guard.ContactFacts(
        opted_out_channels=opted, open_dispute=dispute, third_party_number=marked,
        contacts_today=today, contacts_this_week=week,
    )
    return facts, call_guard.unanswered_calls_today(outcomes, now)


def record_call_block(s: Session, *, account_id: Optional[str], phone: str, source: str, stage: Optional[str],
                      decision: guard.GuardDecision, text: str) -> int:
    """One refused call (``source``: campaign, agent or bot), in the same
    ``outbound_blocks`` log as refused SMS."""
    return log_block(s, account_id=account_id, phone=phone, channel=CHANNEL, source=source,
                     decision=decision, stage=stage, text=text)
