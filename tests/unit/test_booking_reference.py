"""Reference numbers and how to pay in booking replies (issue 14): every
booked arrangement names a stable, human-friendly reference, and a booking
that leaves money to pay says how to pay it."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bot.core import booking, policy

TODAY = date(2026, 11, 25)
CFG = policy.PolicyConfig()
FACTS = policy.AccountFacts(
    balance=Decimal("12000.00"), minimum_due=Decimal("1200.00"), due_date=date(2026, 10, 10), days_past_due=46
)
# HK-XXXX-XXXX in Crockford's base32 (no I, L, O, U).
SHAPE = re.compile(r"^HK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_a_reference_is_stable_human_friendly_and_reveals_nothing_of_its_key():
    key = "+8613900000001:installment:12:12000.00"
    ref = booking.reference(key)
    assert SHAPE.match(ref), ref
    assert booking.reference(key) == ref  # the same booking, the same reference, whoever asks
    assert "13900000001" not in ref and "12000" not in ref
    others = {booking.reference(f"+86139{n:08d}:installment:12:12000.00") for n in range(2000)}
    assert len(others) == 2000  # two bookings practically never share one
    assert all(SHAPE.match(r) for r in others)


def test_booked_and_already_booked_replies_carry_the_same_reference():
    q = policy.installment_quote(FACTS.balance, 12, CFG)
    plans = [
        booking.promise("c-1", Decimal("3000"), date(2026, 12, 4), FACTS, booking.BY_BOT, CFG.payment_methods),
        booking.installment("c-1", q, TODAY, booking.BY_BOT, CFG.payment_methods),
        booking.deferral("c-1", 14, TODAY, booking.BY_BOT, CFG.payment_methods),
        booking.hardship("c-1", policy.hardship_quote(FACTS.balance, 48, CFG), CFG, booking.BY_BOT,
                         budget=Decimal("300")),
        booking.hardship("c-2", policy.hardship_quote(FACTS.balance, 36, CFG), CFG, booking.BY_AGENT,
                         approved_by="boss"),
        booking.fee_waiver("c-1", TODAY, "免息", FACTS.minimum_due),
    ]
    for plan in plans:
        ref = booking.reference(plan.idempotency_key)
        assert f"业务编号：{ref}。" in plan.reply, plan.reply
        assert ref in plan.already, plan.already


def test_a_booking_with_money_to_pay_says_how_to_pay_with_the_configured_channels():
    methods = ("手机银行App", "柜台还款")
    q = policy.installment_quote(FACTS.balance, 12, CFG)
    paying = [
        booking.promise("c-1", Decimal("3000"), date(2026, 12, 4), FACTS, booking.BY_BOT, methods),
        booking.installment("c-1", q, TODAY, booking.BY_BOT, methods),
        booking.deferral("c-1", 14, TODAY, booking.BY_BOT, methods),
    ]
    for plan in paying:
        assert "还款方式：手机银行App；柜台还款。" in plan.reply, plan.reply
    approved = booking.hardship("c-2", policy.hardship_quote(FACTS.balance, 36, CFG), CFG, booking.BY_AGENT,
                                approved_by="boss")
    assert "还款方式：" + "；".join(CFG.payment_methods) in approved.reply
    # Waiting for a specialist: nothing to pay by yet.
    submitted = booking.hardship("c-1", policy.hardship_quote(FACTS.balance, 48, CFG), CFG, booking.BY_BOT,
                                 budget=Decimal("300"))
    assert "还款方式" not in submitted.reply


def test_the_specialists_decision_names_the_plans_reference_and_how_to_pay_once_approved():
    figures = booking.PlanFigures(months=48, monthly_payment=Decimal("250.00"), total_repayment=Decimal("12000.00"))
    key = "c-1:hardship_plan:48:12000.00"
    ref = booking.reference(key)
    approved = booking.decision_message(booking.APPROVE, figures, key=key, payment_methods=("手机银行App",))
    assert f"业务编号：{ref}。" in approved and "还款方式：手机银行App。" in approved
    rejected = booking.decision_message(booking.REJECT, figures, "收入证明不足", key=key, payment_methods=("x",))
    assert ref in rejected and "还款方式" not in rejected


def test_the_account_snapshot_shows_each_arrangements_reference_as_the_cardholder_was_told(db_url, pinned_now):
    from bot.db import repository
    from bot.db.importer import import_accounts_csv
    from bot.db.session import session_scope
    from bot.services import booking as bookings
    from tests.unit.actions_support import REPO

    with session_scope() as s:
        import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=TODAY)
    result = bookings.book_deferral(account_id="E2E-1", conversation_id="+8613900000001", days=14, today=TODAY,
                                    config=CFG, booked_by=booking.BY_BOT)
    with session_scope() as s:
        (row,) = repository.account_snapshot(s, "E2E-1", TODAY)["arrangements"]
    assert row["reference"] == booking.reference(row["idempotency_key"])
    assert f"业务编号：{row['reference']}。" in result.reply
