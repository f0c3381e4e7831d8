"""Everything known about one account, JSON-ready, for operators
(``collectbot show-account``, the console's account panel, tests).

One function per section, each one query over one table; ``account_snapshot``
puts them together. Read-only: no section writes.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import booking
from bot.db import repository
from bot.db.models import (
    Account,
    Arrangement,
    Assessment,
    Cardholder,
    ContactLog,
    Escalation,
    OptOut,
    Payment,
    PaymentClaim,
    VerificationAttempt,
)


def _money_str(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else f"{value:.2f}"


def _iso(value) -> Optional[str]:
    return None if value is None else value.isoformat()


def _load_details(text: Optional[str]):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        # Shown to an operator: better the raw text than a crash.
        return text


def _rows(s: Session, model, where, *order_by) -> List[Any]:
    return list(s.execute(select(model).where(where).order_by(*order_by)).scalars())


def arrangements(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {
            "id": a.id,
            "kind": a.kind,
            "status": a.status,
            "amount": _money_str(a.amount),
            "pay_date": _iso(a.pay_date),
            "months": a.months,
            "monthly_payment": _money_str(a.monthly_payment),
            "total_fee": _money_str(a.total_fee),
            "new_due_date": _iso(a.new_due_date),
            "details": _load_details(a.details),
            "idempotency_key": a.idempotency_key,
            # What the cardholder was told to quote (bot/core/booking.reference).
            "reference": booking.reference(a.idempotency_key),
            "conversation_id": a.conversation_id,
            "created_at": _iso(a.created_at),
        }
        for a in _rows(s, Arrangement, Arrangement.account_id == account_id, Arrangement.created_at, Arrangement.id)
    ]


def assessments(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {
            "id": a.id,
            "willingness": a.willingness,
            "ability": a.ability,
            "monthly_affordable": _money_str(a.monthly_affordable),
            "hardship_reason": a.hardship_reason,
            "note": a.note,
            "conversation_id": a.conversation_id,
            "created_at": _iso(a.created_at),
        }
        for a in _rows(s, Assessment, Assessment.account_id == account_id, Assessment.created_at, Assessment.id)
    ]


def escalations(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {
            "id": e.id,
            "conversation_id": e.conversation_id,
            "channel": e.channel,
            "reason": e.reason,
            "priority": e.priority,
            "summary": e.summary,
            "status": e.status,
            "created_at": _iso(e.created_at),
        }
        for e in _rows(s, Escalation, Escalation.account_id == account_id, Escalation.created_at, Escalation.id)
    ]


def opt_outs(s: Session, phone: str) -> List[Dict[str, Any]]:
    return [
        {
            "phone": o.phone,
            "channel": o.channel,
            "created_at": _iso(o.created_at),
            "revoked_at": _iso(o.revoked_at),
            "active": o.revoked_at is None,
        }
        for o in _rows(s, OptOut, OptOut.phone == phone, OptOut.created_at, OptOut.id)
    ]


def payment_claims(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {
            "id": c.id,
            "conversation_id": c.conversation_id,
            "claimed_text": c.claimed_text,
            "amount": _money_str(c.amount),
            "check_by": _iso(c.check_by),
            "status": c.status,
            "created_at": _iso(c.created_at),
        }
        for c in _rows(s, PaymentClaim, PaymentClaim.account_id == account_id, PaymentClaim.created_at, PaymentClaim.id)
    ]


def payments(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {"id": p.id, "amount": _money_str(p.amount), "paid_at": _iso(p.paid_at), "reference": p.reference}
        for p in _rows(s, Payment, Payment.account_id == account_id, Payment.paid_at, Payment.id)
    ]


def verification_attempts(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {"conversation_id": v.conversation_id, "success": bool(v.success), "created_at": _iso(v.created_at)}
        for v in _rows(
            s, VerificationAttempt, VerificationAttempt.account_id == account_id,
            VerificationAttempt.created_at, VerificationAttempt.id,
        )
    ]


def contact_log(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        {
            "id": c.id,
            "conversation_id": c.conversation_id,
            "channel": c.channel,
            "direction": c.direction,
            "text": c.text,
            "intent": c.intent,
            "message_id": c.message_id,
            "status": c.status,
            "created_at": _iso(c.created_at),
        }
        for c in _rows(s, ContactLog, ContactLog.account_id == account_id, ContactLog.created_at, ContactLog.id)
    ]


def account_snapshot(s: Session, account_id: str, today: date) -> Optional[Dict[str, Any]]:
    """Everything known about one account, JSON-ready, for operators."""
    view = repository.get_account(s, account_id, today)
    if view is None:
        return None
    holder = s.get(Cardholder, view.cardholder_id)
    account = s.get(Account, account_id)
    booked = arrangements(s, account_id)
    assessed = assessments(s, account_id)
    return {
        "as_of": today.isoformat(),
        "account": {
            "account_id": view.account_id,
            "card_last4": view.card_last4,
            "balance": _money_str(view.balance),
            "minimum_due": _money_str(view.minimum_due),
            "due_date": view.due_date.isoformat(),
            "days_past_due": view.days_past_due,
            "stage": view.stage,
            "follow_up": view.follow_up,
            "open_dispute": view.open_dispute,
            "broken_promises": view.broken_promises,
            "active_arrangement_kinds": sorted(view.active_arrangement_kinds),
            "updated_at": _iso(account.updated_at),
        },
        "cardholder": {"id": holder.id, "name": holder.name, "phone": holder.phone, "id_last4": holder.id_last4},
        "arrangements": booked,
        "promises": [a for a in booked if a["kind"] == "promise_to_pay"],
        "assessment": assessed[-1] if assessed else None,
        "assessment_history": assessed,
        "escalations": escalations(s, account_id),
        "opt_outs": opt_outs(s, holder.phone),
        "payment_claims": payment_claims(s, account_id),
        "payments": payments(s, account_id),
        "verification_attempts": verification_attempts(s, account_id),
        "contact_log": contact_log(s, account_id),
    }
