"""What a booking writes, whoever books it: the bot after a cardholder's
yes, or an agent in the console.

Plain Python (no Rasa, web or database imports). Given terms the policy
already accepted (bot/core/policy.py), each function here returns a
``BookingPlan``: the arrangement's fields as the database stores them, its
idempotency key, the assessment the booking implies, and what the
cardholder is told when it is booked (or was booked before). The use cases
in bot/services/booking.py check the policy, then write a plan in one
transaction; so a promise of the same amount on the same day is the same
row with the same key whether the bot or an agent booked it.

Idempotency key: ``<conversation>:<kind>:<term>:<term>…`` — a confirmation
processed twice (a retry, a double click) books once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Dict, Iterable, Optional, Sequence

from bot.core import policy, replies
from bot.core.money import fmt_yuan, to_money

# Arrangement kinds as the database names them.
PROMISE = "promise_to_pay"
INSTALLMENT = "installment"
DEFERRAL = "deferral"
HARDSHIP = "hardship_plan"
FEE_WAIVER = "fee_waiver"

# Statuses a booking starts in.
BOOKED = "booked"
PENDING_APPROVAL = "pending_approval"
REQUESTED = "requested"

# Who booked it (details["booked_by"]).
BY_BOT = "bot"
BY_AGENT = "agent"

# Arrangement kinds as the database names them → as the policy names them.
POLICY_KINDS = {
    INSTALLMENT: policy.ARRANGEMENT_INSTALLMENT,
    HARDSHIP: policy.ARRANGEMENT_HARDSHIP,
    DEFERRAL: policy.ARRANGEMENT_DEFERRAL,
    PROMISE: policy.ARRANGEMENT_PROMISE,
}

# The first instalment falls due one statement cycle after booking.
FIRST_INSTALMENT_AFTER_DAYS = 30


def policy_kinds(kinds: Iterable[str]) -> frozenset:
    """The active arrangements of an account in the policy's words (a
    hardship plan counts as an instalment plan: bot/core/policy.py)."""
    return frozenset(POLICY_KINDS.get(kind, kind) for kind in kinds)


def idempotency_key(conversation_id: str, kind: str, *terms: Any) -> str:
    """One key per conversation, kind and terms."""
    return ":".join([conversation_id, kind, *[str(t) for t in terms]])


# Reference numbers: what a cardholder quotes to an agent or at a counter.
REFERENCE_PREFIX = "HK"
# Crockford's base32: no I, L, O or U, so nothing read aloud or copied by
# hand is mistaken for 1, 0 or V.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference(key: str) -> str:
    """The arrangement's reference number, derived from its idempotency key
    (so the same booking always has the same one, whoever asks: the bot's
    reply, the "already booked" reply, the console), e.g. ``HK-7F3A-9K2Q``.

    Not a secret and not a credential (it only names a booking the
    cardholder already knows about); 40 bits of a hash keep two bookings
    from sharing one in practice. The key itself (which holds the
    conversation id, a phone number) cannot be read back from it.
    """
    digest = hashlib.sha256(str(key).encode("utf-8", "surrogatepass")).digest()
    number = int.from_bytes(digest[:5], "big")
    chars = []
    for _ in range(8):
        number, index = divmod(number, 32)
        chars.append(_REFERENCE_ALPHABET[index])
    code = "".join(reversed(chars))
    return f"{REFERENCE_PREFIX}-{code[:4]}-{code[4:]}"


def reference_text(key: str) -> str:
    return replies.REFERENCE.format(reference=reference(key))


@dataclass(frozen=True)
class Assessment:
    """What a booking says about the cardholder (None keeps the previous value)."""

    willingness: Optional[str] = None
    ability: Optional[str] = None
    monthly_affordable: Optional[Decimal] = None

    def fields(self) -> Dict[str, Any]:
        return {
            "willingness": self.willingness,
            "ability": self.ability,
            "monthly_affordable": self.monthly_affordable,
        }


@dataclass(frozen=True)
class BookingPlan:
    kind: str
    idempotency_key: str
    status: str = BOOKED
    amount: Optional[Decimal] = None
    pay_date: Optional[date] = None
    months: Optional[int] = None
    monthly_payment: Optional[Decimal] = None
    total_fee: Optional[Decimal] = None
    new_due_date: Optional[date] = None
    details: Dict[str, Any] = field(default_factory=dict)
    assessment: Optional[Assessment] = None
    # What the cardholder is told: booked now / booked before.
    reply: str = ""
    already: str = ""
    # The terms in plain strings, for an agent's screen and the audit log.
    summary: Dict[str, Any] = field(default_factory=dict)

    def arrangement_fields(self) -> Dict[str, Any]:
        """Keyword arguments of the repository's ``book_arrangement``."""
        return {
            "kind": self.kind,
            "idempotency_key": self.idempotency_key,
            "status": self.status,
            "amount": self.amount,
            "pay_date": self.pay_date,
            "months": self.months,
            "monthly_payment": self.monthly_payment,
            "total_fee": self.total_fee,
            "new_due_date": self.new_due_date,
            "details": self.details,
        }


def _methods_text(payment_methods: Sequence[str]) -> str:
    """How to pay (the policy's configured channels), or nothing."""
    return replies.HOW_TO_PAY.format(methods="；".join(payment_methods)) if payment_methods else ""


def promise(
    conversation_id: str,
    amount: Decimal,
    pay_date: date,
    facts: policy.AccountFacts,
    booked_by: str,
    payment_methods: Sequence[str] = (),
) -> BookingPlan:
    amount = to_money(amount)
    partial = amount < facts.minimum_due
    when, how_much = policy.fmt_date(pay_date), fmt_yuan(amount)
    key = idempotency_key(conversation_id, PROMISE, amount, pay_date)
    ref = reference_text(key)
    return BookingPlan(
        kind=PROMISE,
        idempotency_key=key,
        amount=amount,
        pay_date=pay_date,
        details={"partial": partial, "booked_by": booked_by},
        assessment=Assessment(willingness="willing", ability="full" if amount >= facts.balance else "partial"),
        reply=replies.PROMISE_BOOKED.format(
            date=when, amount=how_much, reference=ref, methods=_methods_text(payment_methods)
        ),
        already=replies.PROMISE_ALREADY.format(date=when, amount=how_much, reference=ref),
        summary={"amount": f"{amount:.2f}", "pay_date": pay_date.isoformat(), "partial": partial},
    )


def quote_summary(q: policy.InstallmentQuote) -> Dict[str, Any]:
    return {
        "months": q.months,
        "principal": f"{q.principal:.2f}",
        "monthly_payment": f"{q.monthly_payment:.2f}",
        "last_payment": f"{q.last_payment:.2f}",
        "total_fee": f"{q.total_fee:.2f}",
    }


def installment(
    conversation_id: str,
    q: policy.InstallmentQuote,
    today: date,
    booked_by: str,
    payment_methods: Sequence[str] = (),
) -> BookingPlan:
    first_date = today + timedelta(days=FIRST_INSTALMENT_AFTER_DAYS)
    key = idempotency_key(conversation_id, INSTALLMENT, q.months, q.principal)
    ref = reference_text(key)
    return BookingPlan(
        kind=INSTALLMENT,
        idempotency_key=key,
        amount=q.principal,
        months=q.months,
        monthly_payment=q.monthly_payment,
        total_fee=q.total_fee,
        details={
            "last_payment": str(q.last_payment),
            "monthly_fee_rate": str(q.monthly_fee_rate),
            "booked_by": booked_by,
        },
        assessment=Assessment(willingness="willing", ability="partial"),
        reply=replies.INSTALLMENT_BOOKED.format(
            months=q.months, monthly=fmt_yuan(q.monthly_payment), first_date=policy.fmt_date(first_date),
            reference=ref, methods=_methods_text(payment_methods),
        ),
        already=replies.INSTALLMENT_ALREADY.format(months=q.months, reference=ref),
        summary=quote_summary(q),
    )


def deferral(
    conversation_id: str, days: int, today: date, booked_by: str, payment_methods: Sequence[str] = ()
) -> BookingPlan:
    new_date = today + timedelta(days=days)
    key = idempotency_key(conversation_id, DEFERRAL, new_date)
    ref = reference_text(key)
    return BookingPlan(
        kind=DEFERRAL,
        idempotency_key=key,
        new_due_date=new_date,
        details={"days": days, "booked_by": booked_by},
        assessment=Assessment(willingness="willing", ability="none"),
        reply=replies.DEFERRAL_BOOKED.format(
            new_date=policy.fmt_date(new_date), reference=ref, methods=_methods_text(payment_methods)
        ),
        already=replies.DEFERRAL_ALREADY.format(new_date=policy.fmt_date(new_date), reference=ref),
        summary={"days": days, "new_due_date": new_date.isoformat()},
    )


def hardship(
    conversation_id: str,
    q: policy.InstallmentQuote,
    config: policy.PolicyConfig,
    booked_by: str,
    *,
    budget: Optional[Decimal] = None,
    approved_by: Optional[str] = None,
) -> BookingPlan:
    """A personalised plan. Submitted by the cardholder (``budget``: what
    they said they can pay, confirmed by them) it waits for a specialist's
    approval; booked by a supervisor (``approved_by``) it is booked at once."""
    details: Dict[str, Any] = {
        "last_payment": str(q.last_payment),
        "monthly_fee_rate": str(q.monthly_fee_rate),
        # Beyond hardship_max_months: an exception for the specialist.
        "within_policy": q.months <= config.hardship_max_months,
        "booked_by": booked_by,
    }
    if budget is not None:
        details["monthly_budget"] = str(to_money(budget))
        details["confirmed_by"] = "cardholder"
    if approved_by:
        details["approved_by"] = approved_by
    key = idempotency_key(conversation_id, HARDSHIP, q.months, q.principal)
    figures = dict(
        months=q.months, monthly=fmt_yuan(q.monthly_payment), total=fmt_yuan(q.total_repayment),
        reference=reference_text(key),
        # How to pay once it is a plan to pay by; a submitted one waits for the specialist.
        methods=_methods_text(config.payment_methods) if approved_by else "",
    )
    return BookingPlan(
        kind=HARDSHIP,
        idempotency_key=key,
        status=BOOKED if approved_by else PENDING_APPROVAL,
        amount=q.principal,
        months=q.months,
        monthly_payment=q.monthly_payment,
        total_fee=q.total_fee,
        details=details,
        assessment=Assessment(
            willingness="willing", ability="partial",
            monthly_affordable=to_money(budget) if budget is not None else None,
        ),
        reply=(replies.HARDSHIP_APPROVED if approved_by else replies.HARDSHIP_SUBMITTED).format(**figures),
        # Submitted before: the same words again (it still waits for the
        # specialist); booked by a supervisor before: already done.
        already=(replies.HARDSHIP_ALREADY if approved_by else replies.HARDSHIP_SUBMITTED).format(**figures),
        summary=quote_summary(q),
    )


def offer_record(q: policy.InstallmentQuote, budget: Decimal) -> Dict[str, Any]:
    """Every figure of a personalised plan the cardholder is asked to confirm
    (kept in the conversation until they answer, compared again at booking)."""
    return {
        "budget": str(to_money(budget)),
        "principal": str(q.principal),
        "months": q.months,
        "monthly_payment": str(q.monthly_payment),
        "last_payment": str(q.last_payment),
        "total_fee": str(q.total_fee),
        "total_repayment": str(q.total_repayment),
        "monthly_fee_rate": str(q.monthly_fee_rate),
    }


def fee_waiver(conversation_id: str, today: date, text: str, minimum_due: Decimal) -> BookingPlan:
    """Fee relief is never granted by the bot: a request for a person to review."""
    key = idempotency_key(conversation_id, FEE_WAIVER, today)
    said = replies.FEE_WAIVER.format(minimum_due=fmt_yuan(minimum_due), reference=reference_text(key))
    return BookingPlan(
        kind=FEE_WAIVER,
        idempotency_key=key,
        status=REQUESTED,
        details={"text": (text or "")[:500]},
        reply=said,
        already=said,
    )


# --------------------------------------------------------------------------
# A specialist's decision on a pending hardship plan
# --------------------------------------------------------------------------

APPROVE = "approve"
REJECT = "reject"
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class PlanFigures:
    months: int
    monthly_payment: Decimal
    total_repayment: Decimal


def decision_message(
    decision: str,
    figures: PlanFigures,
    reason: str = "",
    *,
    key: str = "",
    payment_methods: Sequence[str] = (),
) -> str:
    """What the cardholder is told about their plan (Simplified Chinese,
    polite); with the plan's idempotency ``key``, its reference number, and
    once approved, how to pay."""
    values = dict(
        months=figures.months, monthly=fmt_yuan(figures.monthly_payment), total=fmt_yuan(figures.total_repayment),
        reference=reference_text(key) if key else "",
        methods=_methods_text(payment_methods) if decision == APPROVE else "",
    )
    if decision == APPROVE:
        return replies.HARDSHIP_APPROVED.format(**values)
    if decision == REJECT:
        reason = (reason or "").strip().rstrip("。.！!；;，,")
        because = replies.HARDSHIP_REJECTED_REASON.format(reason=reason) if reason else ""
        return replies.HARDSHIP_REJECTED.format(because=because, **values)
    raise ValueError(f"unknown decision {decision!r}")


def decision_details(decision: str, decided_by: str, reason: str, decided_at: str) -> Dict[str, Any]:
    """Recorded in the plan's details next to what the cardholder confirmed."""
    return {
        "decision": "approved" if decision == APPROVE else "rejected",
        "decided_by": decided_by,
        "decided_at": decided_at,
        **({"decision_reason": reason} if reason else {}),
    }


def status_after(decision: str) -> str:
    """A rejected plan no longer binds anyone: cancelled, the reason in its details."""
    return BOOKED if decision == APPROVE else "cancelled"
