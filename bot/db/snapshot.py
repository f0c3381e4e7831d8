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


def _json_value(value):
    if isinstance(value, Decimal):
        return _money_str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


def _fields(row, *names: str, **computed) -> Dict[str, Any]:
    """The named columns of ``row`` in that order, JSON-ready: money as
    ``"0.00"`` text, dates and timestamps as ISO 8601. ``computed`` gives
    the value for a name that is not a column as it stands."""
    return {
        name: computed[name] if name in computed else _json_value(getattr(row, name))
        for name in names
    }


def _history(s: Session, model, account_id: str, at=None) -> List[Any]:
    """The account's rows of ``model``, oldest first (by ``at``, default created_at)."""
    at = model.created_at if at is None else at
    return list(s.execute(select(model).where(model.account_id == account_id).order_by(at, model.id)).scalars())


def arrangements(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(
            a,
            "id", "kind", "status", "amount", "pay_date", "months", "monthly_payment", "total_fee",
            "new_due_date", "details", "idempotency_key", "reference", "conversation_id", "created_at",
            details=_load_details(a.details),
            # What the cardholder was told to quote (bot/core/booking.reference).
            reference=booking.reference(a.idempotency_key),
        )
        for a in _history(s, Arrangement, account_id)
    ]


def assessments(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(
            a,
            "id", "willingness", "ability", "monthly_affordable", "hardship_reason", "note",
            "conversation_id", "created_at",
        )
        for a in _history(s, Assessment, account_id)
    ]


def escalations(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(e, "id", "conversation_id", "channel", "reason", "priority", "summary", "status", "created_at")
        for e in _history(s, Escalation, account_id)
    ]


def opt_outs(s: Session, phone: str) -> List[Dict[str, Any]]:
    rows = s.execute(select(OptOut).where(OptOut.phone == phone).order_by(OptOut.created_at, OptOut.id)).scalars()
    return [
        _fields(o, "phone", "channel", "created_at", "revoked_at", "active", active=o.revoked_at is None)
        for o in rows
    ]


def payment_claims(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(c, "id", "conversation_id", "claimed_text", "amount", "check_by", "status", "created_at")
        for c in _history(s, PaymentClaim, account_id)
    ]


def payments(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(p, "id", "amount", "paid_at", "reference")
        for p in _history(s, Payment, account_id, at=Payment.paid_at)
    ]


def verification_attempts(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(v, "conversation_id", "success", "created_at", success=bool(v.success))
        for v in _history(s, VerificationAttempt, account_id)
    ]


def contact_log(s: Session, account_id: str) -> List[Dict[str, Any]]:
    return [
        _fields(
            c,
            "id", "conversation_id", "channel", "direction", "text", "intent", "message_id", "status",
            "created_at",
        )
        for c in _history(s, ContactLog, account_id)
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
