"""What the supervisor KPIs are counted from (bot/reports/kpi.py): one read
of the rows of a period, as plain values. The definitions (right-party
contact, every rate) live in bot/reports/kpi.py; this module only reads.

A period is ``[t0, t1)`` in aware datetimes. Messages are read whole (not
only the period's): the channel of a conversation is that of its first
message, which may be older than the period.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Set, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Arrangement,
    Cardholder,
    ContactLog,
    Escalation,
    OptOut,
    OutboundBlock,
    Payment,
    VerificationAttempt,
)

CONFIRM_IDENTITY = "confirm_identity"  # an agent confirmed the cardholder's identity (console/inbox_store.py)
REPLY_BLOCKED = "reply_blocked"  # an agent's reply the guard refused (console)
AGENT_REPLY = "reply"


@dataclass(frozen=True)
class Message:
    conversation_id: str
    account_id: Optional[str]
    channel: Optional[str]
    direction: str
    status: Optional[str]
    created_at: datetime


@dataclass(frozen=True)
class Verification:
    conversation_id: str
    account_id: Optional[str]
    success: bool
    created_at: datetime


@dataclass(frozen=True)
class ArrangementRow:
    id: int
    account_id: str
    conversation_id: Optional[str]
    kind: str
    status: str
    amount: Optional[Decimal]
    created_at: datetime


@dataclass(frozen=True)
class EscalationRow:
    conversation_id: str
    account_id: Optional[str]
    channel: Optional[str]
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    account_id: Optional[str]
    conversation_id: Optional[str]
    detail: Optional[Dict[str, Any]]  # the audit row's JSON detail when it is an object
    created_at: datetime


@dataclass(frozen=True)
class KpiFacts:
    due_dates: Dict[str, date]  # account id -> current due date
    account_of_phone: Dict[str, str]  # the largest balance's account when a phone has several
    messages: List[Message]  # every message, in the order logged
    verifications: List[Verification]
    arrangements: List[ArrangementRow]
    payments: List[Tuple[str, Decimal, datetime]]  # (account id, amount, paid at)
    escalations: List[EscalationRow]
    agent_replies: Dict[str, List[datetime]]  # the escalated conversations' agent replies, oldest first
    opt_outs: List[Tuple[str, str, datetime]]  # (phone, channel, at)
    blocks: List[Tuple[Optional[str], str, str, datetime]]  # (account id, channel, reason, at): the guard's log
    identity_confirmations: List[AuditEntry]
    blocked_replies: List[AuditEntry]


def kpi_facts(s: Session, t0: datetime, t1: datetime) -> KpiFacts:
    def in_range(column):
        return (column >= t0) & (column < t1)

    account_of_phone: Dict[str, str] = {}
    for account_id, phone in s.execute(
        select(Account.account_id, Cardholder.phone)
        .join(Cardholder, Account.cardholder_id == Cardholder.id)
        .order_by(Account.balance.desc(), Account.account_id)
    ):
        account_of_phone.setdefault(phone, account_id)
    messages = [
        Message(*row)
        for row in s.execute(
            select(
                ContactLog.conversation_id, ContactLog.account_id, ContactLog.channel, ContactLog.direction,
                ContactLog.status, ContactLog.created_at,
            ).order_by(ContactLog.id)
        )
    ]
    verifications = [
        Verification(conv, account_id, bool(success), at)
        for conv, account_id, success, at in s.execute(
            select(
                VerificationAttempt.conversation_id, VerificationAttempt.account_id, VerificationAttempt.success,
                VerificationAttempt.created_at,
            ).where(in_range(VerificationAttempt.created_at))
        )
    ]
    arrangements = [
        ArrangementRow(a.id, a.account_id, a.conversation_id, a.kind, a.status, a.amount, a.created_at)
        for a in s.execute(select(Arrangement).where(in_range(Arrangement.created_at))).scalars()
    ]
    payments = [
        tuple(row)
        for row in s.execute(
            select(Payment.account_id, Payment.amount, Payment.paid_at).where(in_range(Payment.paid_at))
        )
    ]
    escalations = [
        EscalationRow(e.conversation_id, e.account_id, e.channel, e.reason, e.created_at)
        for e in s.execute(select(Escalation).where(in_range(Escalation.created_at))).scalars()
    ]
    opt_outs = [
        tuple(row)
        for row in s.execute(
            select(OptOut.phone, OptOut.channel, OptOut.created_at).where(in_range(OptOut.created_at))
        )
    ]
    blocks = [
        tuple(row)
        for row in s.execute(
            select(OutboundBlock.account_id, OutboundBlock.channel, OutboundBlock.reason, OutboundBlock.created_at)
            .where(in_range(OutboundBlock.created_at))
        )
    ]
    return KpiFacts(
        due_dates=dict(s.execute(select(Account.account_id, Account.due_date)).all()),
        account_of_phone=account_of_phone,
        messages=messages,
        verifications=verifications,
        arrangements=arrangements,
        payments=payments,
        escalations=escalations,
        agent_replies=_agent_replies(s, {e.conversation_id for e in escalations}),
        opt_outs=opt_outs,
        blocks=blocks,
        identity_confirmations=_audit(s, CONFIRM_IDENTITY, t0, t1),
        blocked_replies=_audit(s, REPLY_BLOCKED, t0, t1),
    )


def _audit(s: Session, action: str, t0: datetime, t1: datetime) -> List[AuditEntry]:
    """The console's audit rows of one action in the period (its table is
    the console's: console/models.py)."""
    try:
        from console.models import AuditLog
    except ImportError:  # pragma: no cover - the console is part of the repo
        return []
    out = []
    for account_id, conv, detail, at in s.execute(
        select(AuditLog.account_id, AuditLog.conversation_id, AuditLog.detail, AuditLog.created_at).where(
            AuditLog.action == action, AuditLog.created_at >= t0, AuditLog.created_at < t1
        )
    ):
        try:
            parsed = json.loads(detail) if detail else None
        except ValueError:
            parsed = None
        out.append(AuditEntry(account_id, conv, parsed if isinstance(parsed, dict) else None, at))
    return out


def _agent_replies(s: Session, conversations: Set[str]) -> Dict[str, List[datetime]]:
    if not conversations:
        return {}
    try:
        from console.models import AuditLog
    except ImportError:  # pragma: no cover
        return {}
    out: Dict[str, List[datetime]] = defaultdict(list)
    for conv, at in s.execute(
        select(AuditLog.conversation_id, AuditLog.created_at)
        .where(AuditLog.action == AGENT_REPLY, AuditLog.conversation_id.in_(conversations))
        .order_by(AuditLog.created_at)
    ):
        out[conv].append(at)
    return dict(out)
