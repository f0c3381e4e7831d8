"""Promise reconciliation rules (bot/core/reconcile.py), fixed dates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.core.reconcile import (
    BROKEN,
    KEPT,
    PARTIALLY_KEPT,
    WAITING,
    PaymentFacts,
    PromiseFacts,
    ReconcileConfig,
    apply_payment,
    needs_follow_up,
    reconcile_promises,
)

D = date


def promise(pid, amount, pay_date, booked=D(2026, 11, 20)):
    return PromiseFacts(pid, None if amount is None else Decimal(amount), pay_date, booked)


def pay(pid, amount, day):
    return PaymentFacts(pid, Decimal(amount), day)


def status(promises, payments, today, cfg=ReconcileConfig()):
    return {o.promise_id: (o.status, o.paid) for o in reconcile_promises(promises, payments, today, cfg)}


def test_kept_as_soon_as_covered_even_before_the_date():
    assert status([promise(1, "500.00", D(2026, 11, 30))], [pay(1, "500.00", D(2026, 11, 22))], D(2026, 11, 23)) == {
        1: (KEPT, Decimal("500.00"))
    }


def test_waiting_until_date_plus_grace_then_broken():
    p = [promise(1, "500.00", D(2026, 11, 25))]
    assert status(p, [], D(2026, 11, 25))[1][0] == WAITING
    assert status(p, [], D(2026, 11, 26))[1][0] == WAITING  # one grace day
    assert status(p, [], D(2026, 11, 27)) == {1: (BROKEN, Decimal("0.00"))}
    assert status(p, [], D(2026, 11, 26), ReconcileConfig(grace_days=0))[1][0] == BROKEN


def test_partially_kept():
    assert status([promise(1, "500.00", D(2026, 11, 25))], [pay(1, "200.00", D(2026, 11, 25))], D(2026, 11, 30)) == {
        1: (PARTIALLY_KEPT, Decimal("200.00"))
    }


def test_payment_before_the_promise_was_made_or_after_the_window_does_not_count():
    payments = [pay(1, "500.00", D(2026, 11, 19)), pay(2, "500.00", D(2026, 11, 28))]
    assert status([promise(1, "500.00", D(2026, 11, 25))], payments, D(2026, 11, 28))[1][0] == BROKEN


def test_one_payment_never_keeps_two_promises():
    promises = [promise(1, "300.00", D(2026, 11, 24)), promise(2, "300.00", D(2026, 11, 26))]
    result = status(promises, [pay(1, "400.00", D(2026, 11, 23))], D(2026, 11, 30))
    assert result == {1: (KEPT, Decimal("300.00")), 2: (PARTIALLY_KEPT, Decimal("100.00"))}


def test_promise_without_amount_kept_by_any_payment():
    assert status([promise(1, None, D(2026, 11, 25))], [pay(1, "50.00", D(2026, 11, 24))], D(2026, 11, 30))[1][0] == KEPT


def test_follow_up_rules():
    cfg = ReconcileConfig()
    assert needs_follow_up(BROKEN, cfg) and needs_follow_up(PARTIALLY_KEPT, cfg) and not needs_follow_up(KEPT, cfg)
    assert not needs_follow_up(PARTIALLY_KEPT, ReconcileConfig(follow_up_on_partial=False))


def test_apply_payment_to_the_fen():
    assert apply_payment(Decimal("1000.00"), Decimal("100.00"), Decimal("0.01")) == (
        Decimal("999.99"), Decimal("99.99"), Decimal("0.00"))
    assert apply_payment(Decimal("80.00"), Decimal("80.00"), Decimal("100.00")) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("20.00"))
    with pytest.raises(ValueError):
        apply_payment(Decimal("1"), Decimal("1"), Decimal("0"))
