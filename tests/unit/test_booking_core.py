"""bot/core/booking.py: what a booking writes and says, whoever books it."""
from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core import booking, policy, replies

TODAY = date(2026, 11, 25)
CFG = policy.PolicyConfig()
FACTS = policy.AccountFacts(
    balance=Decimal("12000.00"), minimum_due=Decimal("1200.00"), due_date=date(2026, 10, 10), days_past_due=46
)


def test_the_idempotency_key_is_conversation_kind_and_terms():
    assert booking.idempotency_key("+8613900000001", "promise_to_pay", Decimal("3000.00"), date(2026, 12, 4)) == (
        "+8613900000001:promise_to_pay:3000.00:2026-12-04"
    )
    assert booking.idempotency_key("web-1", "deferral", date(2026, 12, 9)) == "web-1:deferral:2026-12-09"


def test_a_promise_below_the_minimum_is_partial_and_says_so_nowhere_in_the_key():
    plan = booking.promise("c-1", Decimal("900"), date(2026, 12, 1), FACTS, booking.BY_AGENT)
    assert plan.kind == "promise_to_pay" and plan.status == "booked"
    assert plan.idempotency_key == "c-1:promise_to_pay:900.00:2026-12-01"
    assert plan.amount == Decimal("900.00") and plan.pay_date == date(2026, 12, 1)
    assert plan.details == {"partial": True, "booked_by": "agent"}
    assert plan.assessment == booking.Assessment(willingness="willing", ability="partial")
    ref = booking.reference("c-1:promise_to_pay:900.00:2026-12-01")
    assert plan.reply == f"已为您登记还款承诺：2026年12月1日前还款900.00元。业务编号：{ref}。感谢您的配合！"
    assert "无需重复办理" in plan.already


def test_a_promise_of_the_whole_balance_means_able_to_pay_in_full_and_lists_the_methods():
    plan = booking.promise("c-1", Decimal("12000"), date(2026, 12, 1), FACTS, booking.BY_BOT, CFG.payment_methods)
    assert plan.details["partial"] is False
    assert plan.assessment.ability == "full"
    assert "还款方式：" + CFG.payment_methods[0] in plan.reply


def test_an_installment_plan_carries_the_quote_and_its_first_due_date():
    q = policy.installment_quote(FACTS.balance, 12, CFG)
    plan = booking.installment("c-1", q, TODAY, booking.BY_BOT)
    fields = plan.arrangement_fields()
    assert fields["idempotency_key"] == "c-1:installment:12:12000.00"
    assert (fields["amount"], fields["months"], fields["monthly_payment"], fields["total_fee"]) == (
        Decimal("12000.00"), 12, Decimal("1072.00"), Decimal("864.00")
    )
    assert fields["details"] == {"last_payment": "1072.00", "monthly_fee_rate": "0.006", "booked_by": "bot"}
    # One statement cycle after booking.
    assert "2026年12月25日" in plan.reply
    assert plan.assessment == booking.Assessment(willingness="willing", ability="partial")


def test_a_deferral_is_keyed_by_its_new_due_date():
    plan = booking.deferral("c-1", 14, TODAY, booking.BY_AGENT)
    assert plan.new_due_date == date(2026, 12, 9)
    assert plan.idempotency_key == "c-1:deferral:2026-12-09"
    assert plan.details == {"days": 14, "booked_by": "agent"}
    assert plan.assessment == booking.Assessment(willingness="willing", ability="none")
    assert "2026年12月9日" in plan.reply and "2026年12月9日" in plan.already


def test_a_submitted_hardship_plan_waits_for_approval_with_the_budget_the_cardholder_confirmed():
    q = policy.hardship_quote(Decimal("90000.00"), 90, CFG)  # beyond hardship_max_months: an exception
    plan = booking.hardship("c-1", q, CFG, booking.BY_BOT, budget=Decimal("1000"))
    assert plan.status == "pending_approval"
    assert plan.idempotency_key == "c-1:hardship_plan:90:90000.00"
    assert plan.details["monthly_budget"] == "1000.00" and plan.details["within_policy"] is False
    assert plan.details["confirmed_by"] == "cardholder"
    assert plan.assessment.monthly_affordable == Decimal("1000.00")
    assert plan.reply.startswith("已为您提交个性化还款方案申请：分90期，每期1,000.00元")


def test_a_supervisors_hardship_plan_is_booked_at_once():
    q = policy.hardship_quote(FACTS.balance, 36, CFG)
    plan = booking.hardship("c-1", q, CFG, booking.BY_AGENT, approved_by="boss")
    assert plan.status == "booked" and plan.details["approved_by"] == "boss"
    assert plan.details["within_policy"] is True
    assert "已审批通过" in plan.reply and "无需重复办理" in plan.already


def test_the_offer_record_holds_every_confirmed_figure():
    q = policy.hardship_quote(Decimal("90000.00"), 90, CFG)
    assert booking.offer_record(q, Decimal("1000")) == {
        "budget": "1000.00", "principal": "90000.00", "months": 90, "monthly_payment": "1000.00",
        "last_payment": "1000.00", "total_fee": "0.00", "total_repayment": "90000.00", "monthly_fee_rate": "0",
    }


def test_policy_kinds_count_a_hardship_plan_as_an_installment():
    facts = policy.AccountFacts(
        balance=Decimal("1000"), minimum_due=Decimal("100"), due_date=TODAY, days_past_due=0,
        active_arrangement_kinds=booking.policy_kinds(["hardship_plan"]),
    )
    assert facts.has_installment


FIGURES = booking.PlanFigures(months=48, monthly_payment=Decimal("125.00"), total_repayment=Decimal("6000.00"))


def test_the_cardholder_is_told_an_approval_with_the_figures():
    text = booking.decision_message(booking.APPROVE, FIGURES)
    assert text == replies.HARDSHIP_APPROVED.format(
        months=48, monthly="125.00元", total="6,000.00元", reference="", methods=""
    )
    assert "分48期，每期125.00元，合计还款6,000.00元" in text


def test_a_rejection_gives_the_reason_once_and_what_can_be_done():
    text = booking.decision_message(booking.REJECT, FIGURES, " 收入证明不足。 ")
    assert "未能通过审批" in text and "原因：收入证明不足。" in text and "。。" not in text
    assert "转人工" in text
    assert "原因" not in booking.decision_message(booking.REJECT, FIGURES, "")
    with pytest.raises(ValueError):
        booking.decision_message("maybe", FIGURES)


def test_a_decision_is_recorded_and_a_rejected_plan_is_cancelled():
    assert booking.status_after(booking.APPROVE) == "booked"
    assert booking.status_after(booking.REJECT) == "cancelled"
    assert booking.decision_details(booking.REJECT, "boss", "不符合", "t") == {
        "decision": "rejected", "decided_by": "boss", "decided_at": "t", "decision_reason": "不符合",
    }


def test_policy_check_hardship_plan_uses_the_hardship_rate_and_the_account_blockers():
    ok = policy.check_hardship_plan(FACTS, 36, CFG)
    assert ok.ok and ok.value == policy.hardship_quote(FACTS.balance, 36, CFG)
    assert ok.value.total_fee == Decimal("0.00")  # hardship_fee_rate defaults to 0
    assert not policy.check_hardship_plan(FACTS, CFG.hardship_max_months + 1, CFG).ok
    disputed = policy.AccountFacts(
        balance=FACTS.balance, minimum_due=FACTS.minimum_due, due_date=FACTS.due_date, days_past_due=46,
        open_dispute=True,
    )
    assert policy.check_hardship_plan(disputed, 36, CFG).reason == policy.account_blocks_installment(disputed, CFG).reason
    # No minimum principal for a plan a person prices.
    small = policy.AccountFacts(balance=Decimal("300"), minimum_due=Decimal("30"), due_date=TODAY, days_past_due=0)
    assert policy.account_blocks_installment(small, CFG) is not None
    assert policy.check_hardship_plan(small, 6, CFG).ok


def test_booking_rules_import_no_framework():
    tree = ast.parse(Path(booking.__file__).read_text("utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not {m for m in imported if m and m.split(".")[0] in ("rasa", "rasa_sdk", "sanic", "sqlalchemy")}
    assert not {m for m in imported if m and (m.startswith("bot.db") or m.startswith("bot.actions"))}
