"""Accounts, verification, arrangements, assessments, escalations,
opt-outs and payments: the queries and writes the bot's actions, the use
cases (bot/services) and the operator CLI share. Other tables have modules
of their own in bot/db (contact log, dead letters, agent tasks, SMS,
campaign, KPIs, snapshot, ...).

Every function takes a ``Session`` first and leaves committing to the caller
(``session_scope``), so one action = one transaction. Results are frozen
dataclasses, never ORM objects: an action keeps them after its session has
closed, and a detached ORM object would lazy-load into an error there.

Idempotent writers (``book_arrangement``, ``open_escalation``,
``record_opt_out``; ``contact_log.log_contact`` too) all follow the same
pattern: look the natural key up first, otherwise insert inside a SAVEPOINT
(``session.insert_once``); if a concurrent transaction won the race the
unique constraint raises, only the SAVEPOINT is rolled back, and the
winner's row is re-read. The caller's transaction survives either way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot import clock
from bot.core.escalation import DISPUTE_DEBT
from bot.core.money import to_money
from bot.core.phone import normalize_phone, opt_out_key  # noqa: F401 (opt_out_key: console/store.py reaches it here)
from bot.core.policy import days_past_due, stage_for
# Moved to bot/db/contact_log.py; channels/voice.py and
# tests/console/test_console_api.py still reach it here.
from bot.db.contact_log import log_contact  # noqa: F401
from bot.db.models import (
    ABILITY_VALUES,
    ACTIVE_ARRANGEMENT_STATUSES,
    ARRANGEMENT_KINDS,
    ARRANGEMENT_STATUSES,
    ESCALATION_STATUSES,
    UNRESOLVED_ESCALATION_STATUSES,
    WILLINGNESS_VALUES,
    Account,
    Arrangement,
    Assessment,
    Cardholder,
    Escalation,
    OptOut,
    Payment,
    PaymentClaim,
    VerificationAttempt,
)
from bot.db.session import insert_once

# An opt-out on this channel silences the number everywhere.
ALL_CHANNELS = "all"
DISPUTE_REASON = DISPUTE_DEBT


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CardholderView:
    id: int
    name: str
    phone: str
    id_last4: str
    account_ids: List[str]


@dataclass(frozen=True)
class AccountView:
    account_id: str
    cardholder_id: int
    name: str
    phone: str
    card_last4: str
    balance: Decimal
    minimum_due: Decimal
    due_date: date
    days_past_due: int
    stage: str
    follow_up: bool
    open_dispute: bool
    broken_promises: int
    active_arrangement_kinds: FrozenSet[str]


@dataclass(frozen=True)
class PaymentView:
    id: int
    account_id: str
    amount: Decimal
    paid_at: datetime
    reference: str


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _optional_money(value) -> Optional[Decimal]:
    return None if value is None else to_money(value)


def _require_in(field: str, value: str, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{field} {value!r} is not one of {', '.join(allowed)}")


def _stage(due: date, today: date) -> Tuple[int, str]:
    dpd = days_past_due(due, today)
    return dpd, str(stage_for(dpd))


# --------------------------------------------------------------------------
# Cardholders and accounts
# --------------------------------------------------------------------------


def find_cardholder_by_phone(s: Session, phone: str) -> Optional[CardholderView]:
    try:
        phone = normalize_phone(phone)
    except ValueError:
        return None
    holder = s.execute(
        select(Cardholder).where(Cardholder.phone == phone)
    ).scalar_one_or_none()
    if holder is None:
        return None
    account_ids = (
        s.execute(
            select(Account.account_id)
            .where(Account.cardholder_id == holder.id)
            .order_by(Account.account_id)
        )
        .scalars()
        .all()
    )
    return CardholderView(
        id=holder.id,
        name=holder.name,
        phone=holder.phone,
        id_last4=holder.id_last4,
        account_ids=list(account_ids),
    )


def _account_query():
    """The account, its cardholder and the facts an AccountView needs, in one
    statement (correlated sub-queries): reading them as four ORM queries
    was most of an action's database time (bench/history.md)."""
    acc, holder = Account.__table__, Cardholder.__table__
    esc, arr = Escalation.__table__, Arrangement.__table__
    open_disputes = (
        select(func.count()).select_from(esc)
        .where(esc.c.account_id == acc.c.account_id, esc.c.reason == DISPUTE_REASON,
               esc.c.status.in_(UNRESOLVED_ESCALATION_STATUSES))
        .scalar_subquery().label("open_disputes")
    )
    broken = (
        select(func.count()).select_from(arr)
        .where(arr.c.account_id == acc.c.account_id, arr.c.kind == "promise_to_pay", arr.c.status == "broken")
        .scalar_subquery().label("broken_promises")
    )
    active = [
        exists().where(arr.c.account_id == acc.c.account_id, arr.c.kind == kind,
                       arr.c.status.in_(ACTIVE_ARRANGEMENT_STATUSES)).label(f"active_{kind}")
        for kind in ARRANGEMENT_KINDS
    ]
    return (
        select(acc.c.account_id, acc.c.card_last4, acc.c.balance, acc.c.minimum_due, acc.c.due_date,
               acc.c.follow_up, holder.c.id.label("cardholder_id"), holder.c.name, holder.c.phone,
               open_disputes, broken, *active)
        .join_from(acc, holder, acc.c.cardholder_id == holder.c.id)
    )


def _account_view(row, today: date) -> AccountView:
    dpd, stage = _stage(row.due_date, today)
    return AccountView(
        account_id=row.account_id,
        cardholder_id=row.cardholder_id,
        name=row.name,
        phone=row.phone,
        card_last4=row.card_last4,
        balance=row.balance,
        minimum_due=row.minimum_due,
        due_date=row.due_date,
        days_past_due=dpd,
        stage=stage,
        follow_up=bool(row.follow_up),
        open_dispute=row.open_disputes > 0,
        broken_promises=int(row.broken_promises),
        active_arrangement_kinds=frozenset(k for k in ARRANGEMENT_KINDS if getattr(row, f"active_{k}")),
    )


_account_statements: Dict[str, Any] = {}


def _account_statement(kind: str):
    """The account query by id or by phone, built once: building it (and
    SQLAlchemy's cache key for it) cost more than running it."""
    stmt = _account_statements.get(kind)
    if stmt is None:
        acc = Account.__table__
        if kind == "id":
            stmt = _account_query().where(acc.c.account_id == bindparam("account_id"))
        else:
            stmt = (
                _account_query()
                .where(Cardholder.__table__.c.phone == bindparam("phone"))
                # Ties: the longest-overdue account first, then a stable order.
                .order_by(acc.c.balance.desc(), acc.c.due_date, acc.c.account_id)
                .limit(1)
            )
        _account_statements[kind] = stmt
    return stmt


def get_account(s: Session, account_id: str, today: date) -> Optional[AccountView]:
    row = s.connection().execute(_account_statement("id"), {"account_id": account_id}).first()
    return None if row is None else _account_view(row, today)


def primary_account_for_phone(s: Session, phone: str, today: date) -> Optional[AccountView]:
    """The cardholder's account with the highest balance (what to talk about first)."""
    try:
        phone = normalize_phone(phone)
    except ValueError:
        return None
    row = s.connection().execute(_account_statement("phone"), {"phone": phone}).first()
    return None if row is None else _account_view(row, today)


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------


def record_verification(
    s: Session, conversation_id: str, account_id: Optional[str], success: bool,
    claimed_phone: Optional[str] = None,
) -> None:
    """Log an identity check in the conversation, and for ``claimed_phone``
    (a number the carrier did not vouch for) under that phone's subject."""
    s.add(VerificationAttempt(conversation_id=conversation_id, account_id=account_id, success=bool(success)))
    if claimed_phone:
        s.add(VerificationAttempt(
            conversation_id=PHONE_SUBJECT_PREFIX + claimed_phone, account_id=None, success=bool(success)))
    s.flush()


# Verification answers are counted per subject (the back-off rule is
# bot/core/ratelimit.backoff_check): the conversation itself, and for a
# phone number claimed where the carrier did not vouch for it (anonymous
# web chat, the REST channel) the subject "phone:<E.164>", written whether
# or not the phone is on file, so the limit never reveals which numbers are.
# An SMS conversation counts only its own rows: strangers claiming its
# number elsewhere cannot lock the cardholder out of it.
PHONE_SUBJECT_PREFIX = "phone:"


def claimed_phone_subject(phone: str) -> str:
    return PHONE_SUBJECT_PREFIX + phone


def verification_attempts(
    s: Session, subjects: Sequence[str], since: datetime
) -> Dict[str, List[Tuple[datetime, bool]]]:
    """(time, success) of every answer since ``since``, per subject."""
    found: Dict[str, List[Tuple[datetime, bool]]] = {subject: [] for subject in subjects}
    rows = s.execute(
        select(VerificationAttempt.conversation_id, VerificationAttempt.created_at, VerificationAttempt.success).where(
            VerificationAttempt.conversation_id.in_(list(subjects)),
            VerificationAttempt.created_at >= since,
        )
    ).all()
    for subject, created_at, success in rows:
        found[subject].append((created_at, bool(success)))
    return found


# --------------------------------------------------------------------------
# Arrangements
# --------------------------------------------------------------------------


def _find_or_insert(s: Session, find_id: Select, make_row: Callable[[], Any]) -> Tuple[int, bool]:
    """The idempotent writers' pattern (see the module docstring): the id
    ``find_id`` selects by the natural key, else ``make_row()`` inserted by
    ``insert_once``. Returns (id, created). The row is only made (and its
    values validated) when none exists, so a replay never fails on them."""

    def find() -> Optional[int]:
        return s.execute(find_id).scalar_one_or_none()

    existing = find()
    if existing is not None:
        return existing, False
    return insert_once(s, make_row(), find)


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dump_details(details) -> Optional[str]:
    if details is None:
        return None
    if isinstance(details, str):
        json.loads(details)  # reject malformed JSON at write time
        return details
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=_json_default)


def book_arrangement(
    s: Session,
    *,
    account_id: str,
    kind: str,
    idempotency_key: str,
    conversation_id: Optional[str],
    status: str = "booked",
    amount=None,
    pay_date: Optional[date] = None,
    months: Optional[int] = None,
    monthly_payment=None,
    total_fee=None,
    new_due_date: Optional[date] = None,
    details=None,
) -> Tuple[int, bool]:
    """Record an arrangement once per ``idempotency_key``; return (id, created)."""
    _require_in("kind", kind, ARRANGEMENT_KINDS)
    _require_in("status", status, ARRANGEMENT_STATUSES)
    if not idempotency_key:
        raise ValueError("idempotency_key is required")

    return _find_or_insert(
        s,
        select(Arrangement.id).where(Arrangement.idempotency_key == idempotency_key),
        lambda: Arrangement(
            account_id=account_id,
            kind=kind,
            status=status,
            amount=_optional_money(amount),
            pay_date=pay_date,
            months=months,
            monthly_payment=_optional_money(monthly_payment),
            total_fee=_optional_money(total_fee),
            new_due_date=new_due_date,
            details=_dump_details(details),
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
        ),
    )


# --------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------

_ASSESSMENT_FIELDS = (
    "willingness",
    "ability",
    "monthly_affordable",
    "hardship_reason",
    "note",
)


def record_assessment(
    s: Session,
    *,
    account_id: str,
    conversation_id: Optional[str],
    willingness: Optional[str] = None,
    ability: Optional[str] = None,
    monthly_affordable=None,
    hardship_reason: Optional[str] = None,
    note: Optional[str] = None,
) -> int:
    """Append an assessment; fields passed as None keep their previous value.

    History is append-only so that a reviewer can see how the picture of a
    cardholder changed during the conversation.
    """
    if willingness is not None:
        _require_in("willingness", willingness, WILLINGNESS_VALUES)
    if ability is not None:
        _require_in("ability", ability, ABILITY_VALUES)
    previous = _latest_assessment(s, account_id)
    given = {
        "willingness": willingness,
        "ability": ability,
        "monthly_affordable": _optional_money(monthly_affordable),
        "hardship_reason": hardship_reason,
        "note": note,
    }
    values: Dict[str, Any] = {}
    for field in _ASSESSMENT_FIELDS:
        value = given[field]
        if value is None and previous is not None:
            value = getattr(previous, field)
        values[field] = value
    values["willingness"] = values["willingness"] or "unknown"
    values["ability"] = values["ability"] or "unknown"
    row = Assessment(account_id=account_id, conversation_id=conversation_id, **values)
    s.add(row)
    s.flush()
    return row.id


def _latest_assessment(s: Session, account_id: str) -> Optional[Assessment]:
    # Timestamps can tie (pinned clock, same transaction); the id breaks it.
    return s.execute(
        select(Assessment)
        .where(Assessment.account_id == account_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------
# Escalations
# --------------------------------------------------------------------------


def open_escalation(
    s: Session,
    *,
    conversation_id: str,
    account_id: Optional[str],
    channel: str,
    reason: str,
    priority: int,
    summary: str,
) -> Tuple[int, bool]:
    """Hand the conversation to a human; one unresolved ticket per reason.

    Returns (id, created). If an open (or already claimed) escalation exists
    for this conversation and reason, that one is returned unchanged.
    """
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 3:
        raise ValueError(f"priority must be an int from 0 (crisis) to 3, got {priority!r}")

    return _find_or_insert(
        s,
        select(Escalation.id).where(
            Escalation.conversation_id == conversation_id,
            Escalation.reason == reason,
            Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES),
        ),
        lambda: Escalation(
            conversation_id=conversation_id,
            account_id=account_id,
            channel=channel,
            reason=reason,
            priority=priority,
            summary=summary or "",
            status="open",
        ),
    )


def set_escalation_status(s: Session, escalation_id: int, status: str) -> bool:
    """Move an escalation to claimed/resolved; return False if it doesn't exist."""
    _require_in("status", status, ESCALATION_STATUSES)
    result = s.execute(
        update(Escalation).where(Escalation.id == escalation_id).values(status=status)
    )
    return result.rowcount > 0


# --------------------------------------------------------------------------
# Opt-outs
# --------------------------------------------------------------------------


def record_opt_out(s: Session, phone: str, channel: str) -> int:
    """Stop contacting ``phone`` on ``channel`` ("all" = every channel)."""
    phone = opt_out_key(phone)

    opt_out_id, _ = _find_or_insert(
        s,
        select(OptOut.id).where(
            OptOut.phone == phone,
            OptOut.channel == channel,
            OptOut.revoked_at.is_(None),
        ),
        lambda: OptOut(phone=phone, channel=channel),
    )
    return opt_out_id


def revoke_opt_out(s: Session, phone: str, channel: str) -> bool:
    """End the live opt-out (the row stays as history); False if none was live."""
    phone = opt_out_key(phone)
    result = s.execute(
        update(OptOut)
        .where(
            OptOut.phone == phone,
            OptOut.channel == channel,
            OptOut.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def record_new_opt_out(s: Session, phone: str, channel: str) -> bool:
    """Record an opt-out; False when one for ``phone`` on ``channel`` (or on
    every channel) was in force already, so that it is confirmed only once."""
    if is_opted_out(s, phone, channel):
        return False
    record_opt_out(s, phone, channel)
    return True


def is_opted_out(s: Session, phone: str, channel: str) -> bool:
    phone = opt_out_key(phone)
    found = s.execute(
        select(OptOut.id)
        .where(
            OptOut.phone == phone,
            OptOut.channel.in_((channel, ALL_CHANNELS)),
            OptOut.revoked_at.is_(None),
        )
        .limit(1)
    ).first()
    return found is not None


# --------------------------------------------------------------------------
# Payments and payment claims
# --------------------------------------------------------------------------


def record_payment_claim(
    s: Session,
    *,
    account_id: str,
    conversation_id: Optional[str],
    text: str,
    amount,
    check_by: date,
) -> int:
    """Store an "I already paid" statement to be checked by ``check_by``."""
    row = PaymentClaim(
        account_id=account_id,
        conversation_id=conversation_id,
        claimed_text=text,
        amount=_optional_money(amount),
        check_by=check_by,
        status="open",
    )
    s.add(row)
    s.flush()
    return row.id


def payments_since(s: Session, account_id: str, since: date) -> List[PaymentView]:
    """Payments made on or after ``since`` (a Shanghai calendar date);
    reversals (negative amounts, bot/db/payments.py) are not payments."""
    start = datetime.combine(since, time.min, tzinfo=clock.SHANGHAI)
    rows = (
        s.execute(
            select(Payment)
            .where(Payment.account_id == account_id, Payment.paid_at >= start, Payment.amount > 0)
            .order_by(Payment.paid_at, Payment.id)
        )
        .scalars()
        .all()
    )
    return [
        PaymentView(
            id=p.id,
            account_id=p.account_id,
            amount=p.amount,
            paid_at=p.paid_at,
            reference=p.reference,
        )
        for p in rows
    ]


# --------------------------------------------------------------------------
# Snapshot for operators
# --------------------------------------------------------------------------


def account_snapshot(s: Session, account_id: str, today: date) -> Optional[Dict[str, Any]]:
    """Everything known about one account, JSON-ready, for operators
    (built in bot/db/snapshot.py)."""
    from bot.db.snapshot import account_snapshot as snapshot

    return snapshot(s, account_id, today)
