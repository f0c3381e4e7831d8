"""Queries behind a specialist's decision on a personalised (hardship) plan:
the plans waiting for one, reading and deciding one, and closing the
hand-over that waited for it. Plain dataclasses out; the caller's session
is the unit of work (bot/services/hardship.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, Arrangement, Cardholder, Escalation, UNRESOLVED_ESCALATION_STATUSES


@dataclass(frozen=True)
class ArrangementView:
    id: int
    account_id: str
    kind: str
    status: str
    conversation_id: Optional[str]
    amount: Optional[Decimal]
    months: Optional[int]
    monthly_payment: Optional[Decimal]
    total_fee: Optional[Decimal]
    details: Dict[str, Any]
    created_at: Optional[datetime]
    # Its reference number derives from it (bot.core.booking.reference).
    idempotency_key: str = ""


def _details(text: Optional[str]) -> Dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _view(row: Arrangement) -> ArrangementView:
    return ArrangementView(
        id=row.id,
        account_id=row.account_id,
        kind=row.kind,
        status=row.status,
        conversation_id=row.conversation_id,
        amount=row.amount,
        months=row.months,
        monthly_payment=row.monthly_payment,
        total_fee=row.total_fee,
        details=_details(row.details),
        created_at=row.created_at,
        idempotency_key=row.idempotency_key,
    )


def get_arrangement(s: Session, arrangement_id: int, *, for_update: bool = False) -> Optional[ArrangementView]:
    q = select(Arrangement).where(Arrangement.id == arrangement_id)
    if for_update:
        q = q.with_for_update()  # two supervisors deciding at once: the second waits, then sees the decision
    row = s.execute(q).scalar_one_or_none()
    return _view(row) if row is not None else None


def set_decision(s: Session, arrangement_id: int, *, expected_status: str, status: str,
                 details: Dict[str, Any]) -> bool:
    """Move the arrangement from ``expected_status`` to ``status`` and merge
    ``details`` into its details; False if it was no longer in that state."""
    row = s.get(Arrangement, arrangement_id)
    if row is None or row.status != expected_status:
        return False
    merged = {**_details(row.details), **details}
    row.status = status
    row.details = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    s.flush()
    return True


@dataclass(frozen=True)
class PendingPlan:
    arrangement: ArrangementView
    cardholder_name: str
    balance: Decimal
    due_date: Optional[date]


def pending_hardship_plans(s: Session, limit: int = 200) -> List[PendingPlan]:
    """Personalised plans waiting for a specialist, oldest first."""
    rows = s.execute(
        select(Arrangement, Cardholder.name, Account.balance, Account.due_date)
        .join(Account, Account.account_id == Arrangement.account_id)
        .join(Cardholder, Cardholder.id == Account.cardholder_id)
        .where(Arrangement.kind == "hardship_plan", Arrangement.status == "pending_approval")
        .order_by(Arrangement.created_at, Arrangement.id)
        .limit(limit)
    ).all()
    return [PendingPlan(_view(a), name or "", balance, due) for a, name, balance, due in rows]


def resolve_escalations(s: Session, conversation_id: str, reason: Optional[str] = None) -> List[int]:
    """Close the conversation's unresolved escalations (of ``reason`` only,
    when given); the ids closed."""
    q = select(Escalation).where(
        Escalation.conversation_id == conversation_id,
        Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES),
    )
    if reason is not None:
        q = q.where(Escalation.reason == reason)
    rows = list(s.execute(q).scalars())
    for row in rows:
        row.status = "resolved"
    s.flush()
    return [row.id for row in rows]


def unresolved_reasons(s: Session, conversation_id: str) -> List[str]:
    return list(
        s.execute(
            select(Escalation.reason).where(
                Escalation.conversation_id == conversation_id,
                Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES),
            )
        ).scalars()
    )


def arrangement_id_by_key(s: Session, idempotency_key: str) -> Optional[int]:
    """The arrangement booked before under this key, if any."""
    return s.execute(
        select(Arrangement.id).where(Arrangement.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
