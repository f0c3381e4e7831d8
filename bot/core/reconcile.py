"""Payments against promises: kept, partially kept, broken.

Plain Python (no database imports); bot/db/payments.py loads the
rows, applies these rules and writes the results.

A promise to pay (``promise_to_pay`` arrangement) is

- **kept** as soon as the payments made since it was booked cover its
  amount (also before its date);
- **partially kept** when its date plus the grace days has passed and some
  but not all of the amount was paid;
- **broken** when its date plus the grace days has passed and nothing was
  paid;
- otherwise still ``booked`` (waiting).

Payments are allocated to promises in promise-date order, each payment at
most once, so one payment never keeps two promises. A promise without an
amount (the cardholder promised "the minimum") counts as kept by any payment.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from bot.core.money import to_money

KEPT = "kept"
PARTIALLY_KEPT = "partially_kept"
BROKEN = "broken"
WAITING = "booked"


@dataclass(frozen=True)
class ReconcileConfig:
    #: Days after the promised date before a promise counts as broken
    #: (bank transfers can take a working day to show up).
    grace_days: int = 1
    #: A broken promise puts the account in the follow-up queue.
    follow_up_on_broken: bool = True
    #: ... and so does a partially kept one.
    follow_up_on_partial: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.grace_days, int) or isinstance(self.grace_days, bool) or self.grace_days < 0:
            raise ValueError(f"grace_days must be a non-negative integer, got {self.grace_days!r}")

    @classmethod
    def from_mapping(cls, data: Optional[Mapping]) -> "ReconcileConfig":
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise ValueError(f"unknown reconcile keys: {', '.join(unknown)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class PromiseFacts:
    id: int
    amount: Optional[Decimal]
    pay_date: date
    booked_on: date


@dataclass(frozen=True)
class PaymentFacts:
    id: int
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class PromiseOutcome:
    promise_id: int
    status: str  # KEPT, PARTIALLY_KEPT, BROKEN or WAITING
    paid: Decimal


def reconcile_promises(
    promises: Sequence[PromiseFacts],
    payments: Sequence[PaymentFacts],
    today: date,
    cfg: ReconcileConfig = ReconcileConfig(),
) -> List[PromiseOutcome]:
    """Outcome of each open promise of one account, given its payments."""
    remaining: Dict[int, Decimal] = {p.id: to_money(p.amount) for p in payments}
    ordered_payments = sorted(payments, key=lambda p: (p.paid_on, p.id))
    outcomes: List[PromiseOutcome] = []
    for promise in sorted(promises, key=lambda p: (p.pay_date, p.id)):
        window_end = promise.pay_date + timedelta(days=cfg.grace_days)
        target = to_money(promise.amount) if promise.amount is not None else None
        paid = Decimal("0.00")
        for payment in ordered_payments:
            if target is not None and paid >= target:
                break
            if not (promise.booked_on <= payment.paid_on <= window_end):
                continue
            left = remaining[payment.id]
            if left <= 0:
                continue
            take = left if target is None else min(left, target - paid)
            remaining[payment.id] = left - take
            paid += take
            if target is None:
                break
        if (target is None and paid > 0) or (target is not None and paid >= target):
            status = KEPT
        elif today > window_end:
            status = PARTIALLY_KEPT if paid > 0 else BROKEN
        else:
            status = WAITING
        outcomes.append(PromiseOutcome(promise.id, status, paid))
    return outcomes


def needs_follow_up(status: str, cfg: ReconcileConfig) -> bool:
    return (status == BROKEN and cfg.follow_up_on_broken) or (
        status == PARTIALLY_KEPT and cfg.follow_up_on_partial
    )


def apply_payment(balance: Decimal, minimum_due: Decimal, amount: Decimal) -> Tuple[Decimal, Decimal, Decimal]:
    """(new balance, new minimum due, overpaid part) after a payment.

    Balances never go negative; what is paid beyond the balance is reported
    as overpaid (the bank refunds or credits it, not our business here).
    """
    balance, minimum_due, amount = to_money(balance), to_money(minimum_due), to_money(amount)
    if amount <= 0:
        raise ValueError("payment amount must be positive")
    applied = min(balance, amount)
    new_balance = balance - applied
    new_minimum = max(Decimal("0.00"), minimum_due - amount)
    new_minimum = min(new_minimum, new_balance)
    return new_balance, new_minimum, amount - applied


def local_date(at: datetime, tz) -> date:
    return at.astimezone(tz).date()
