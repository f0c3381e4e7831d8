"""Hardship and budget actions against a real SQLite account database: the
reported case (90,000.00 owed, "lost my job", "每个月最多还1000"). Nothing
above the stated budget is put to the cardholder as the plan, nothing is
submitted before their yes, and the yes submits exactly the figures shown."""
from __future__ import annotations

import json
import os

import pytest

from bot.actions.assessment import ActionAnswerHardshipOffer, ActionHandleHardship, ActionHandleIncome
from bot.core import booking, replies
from bot.db import repository
from bot.db.importer import import_accounts_csv
from bot.db.session import session_scope
from tests.unit.actions_support import make_tracker, run_action, slot_events

PHONE = "+8613900000091"
ACCOUNT = "HS-1"
HEADER = "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date\n"


def load_account(tmp_path, today, balance="90000.00", minimum="9000.00"):
    csv = tmp_path / f"accounts-{balance}.csv"
    csv.write_text(HEADER + f"{ACCOUNT},刘建国,{PHONE},4321,5566,{balance},{minimum},2026-10-10\n", "utf-8")
    with session_scope() as s:
        result = import_accounts_csv(s, csv, today=today)
    assert not result.rejected


@pytest.fixture
def account(db_url, pinned_now, today, tmp_path):
    load_account(tmp_path, today)
    return ACCOUNT


VERIFIED = {"verified": True, "account_id": ACCOUNT}


def snapshot(today):
    with session_scope() as s:
        return repository.account_snapshot(s, ACCOUNT, today)


def nothing_submitted(today):
    snap = snapshot(today)
    return snap["arrangements"] == [] and snap["escalations"] == []


def amount(value):
    return [{"entity": "amount", "value": value}]


def hardship(slots=None, text="我失业了", entities=None):
    return run_action(
        ActionHandleHardship(),
        make_tracker(PHONE, slots={**VERIFIED, **(slots or {})}, text=text, intent="inform_hardship",
                     entities=entities),
    )


def budget(value, slots=None):
    return run_action(
        ActionHandleIncome(),
        make_tracker(PHONE, slots={**VERIFIED, **(slots or {})}, text=f"每个月最多还{value}",
                     intent="inform_income", entities=amount(value)),
    )


def answer(intent, slots):
    text = {"affirm": "是", "deny": "不是"}[intent]
    return run_action(
        ActionAnswerHardshipOffer(),
        make_tracker(PHONE, slots={**VERIFIED, **slots}, text=text, intent=intent,
                     events=[{"event": "user", "text": "每个月最多还1000"}, {"event": "user", "text": text}]),
    )


def test_after_lost_job_the_bot_asks_what_can_be_afforded_first(account, today):
    events, texts = hardship()
    assert texts == [replies.HARDSHIP_ASK_BUDGET]
    # No full payment, no 9,000.00 minimum, no figure at all before the budget.
    assert "9,000" not in texts[0] and "90,000" not in texts[0]
    assert "最低还款" not in texts[0] and "全额" not in texts[0]
    assert slot_events(events) == {"suggested_plan": "none"}
    snap = snapshot(today)
    assert [a["ability"] for a in snap["assessment_history"]] == ["none"]
    assert nothing_submitted(today)


def test_a_budget_of_1000_gets_no_plan_above_it_and_nothing_is_submitted(account, today):
    events, texts = budget("1000")
    (text,) = texts
    assert "已为您提交" not in text and "2,040.00" not in text
    # Said plainly: nothing within policy fits, and what can be done.
    assert "现行政策内没有不超出这个金额的方案" in text
    assert "分60期，每期1,500.00元，免手续费" in text  # the nearest, named as above the budget
    assert "专员特别审核：将90,000.00元分90期，每期1,000.00元，免手续费，合计还款90,000.00元" in text
    assert "不超过1,000.00元的款项" in text
    assert "请回复“是”" in text
    slots = slot_events(events)
    assert slots["suggested_plan"] == "hardship" and slots["monthly_budget"] == "1000.00"
    offer = json.loads(slots["hardship_offer"])
    assert (offer["months"], offer["monthly_payment"], offer["budget"]) == (90, "1000.00", "1000.00")
    assert nothing_submitted(today)


def test_no_submits_nothing_and_a_new_budget_recomputes(account, today):
    events, _ = budget("1000")
    offered = slot_events(events)
    events, texts = answer("deny", offered)
    assert texts == [replies.HARDSHIP_NOT_SUBMITTED]
    assert slot_events(events) == {"hardship_offer": None}
    assert nothing_submitted(today)

    events, texts = budget("1500")
    # 1,500.00 a month reaches the policy's 60-month personalised plan.
    assert "个性化还款方案：将90,000.00元分60期，每期1,500.00元，免手续费，合计还款90,000.00元" in texts[0]
    assert json.loads(slot_events(events)["hardship_offer"])["months"] == 60
    assert nothing_submitted(today)


def test_yes_submits_exactly_the_confirmed_figures(account, today):
    events, _ = budget("1000")
    offered = slot_events(events)
    events, texts = answer("affirm", offered)
    reference = booking.reference_text(booking.idempotency_key(PHONE, booking.HARDSHIP, 90, "90000.00"))
    assert texts == [replies.HARDSHIP_SUBMITTED.format(
        months=90, monthly="1,000.00元", total="90,000.00元", reference=reference)]
    assert slot_events(events)["escalated"] is True
    assert slot_events(events)["hardship_offer"] is None
    snap = snapshot(today)
    (plan,) = snap["arrangements"]
    assert (plan["kind"], plan["status"], plan["amount"], plan["months"], plan["monthly_payment"], plan["total_fee"]) == (
        "hardship_plan", "pending_approval", "90000.00", 90, "1000.00", "0.00")
    assert plan["details"]["monthly_budget"] == "1000.00" and plan["details"]["within_policy"] is False
    assert [(e["reason"], e["status"]) for e in snap["escalations"]] == [("hardship_plan", "open")]


def test_yes_after_the_account_changed_submits_nothing(account, today, tmp_path):
    events, _ = budget("1000")
    offered = slot_events(events)
    load_account(tmp_path, today, balance="80000.00", minimum="8000.00")  # a payment came in
    _, texts = answer("affirm", offered)
    assert texts == [replies.HARDSHIP_OFFER_CHANGED]
    assert nothing_submitted(today)


def test_a_yes_with_nothing_offered_submits_nothing(account, today):
    _, texts = answer("affirm", {})
    assert texts == [replies.HARDSHIP_NOT_SUBMITTED]
    assert nothing_submitted(today)


def test_hardship_uses_a_budget_already_stated(account, today):
    events, texts = hardship(slots={"monthly_budget": "1000.00"})
    assert "专员特别审核：将90,000.00元分90期，每期1,000.00元" in texts[0]
    assert slot_events(events)["suggested_plan"] == "hardship"
    assert nothing_submitted(today)


def test_hardship_and_a_budget_in_one_message(account, today):
    events, texts = hardship(text="我失业了，每个月最多还2000", entities=amount("2000"))
    assert "分45期，每期2,000.00元" in texts[0]
    assert snapshot(today)["assessment_history"][0]["monthly_affordable"] == "2000.00"
    assert nothing_submitted(today)


def test_a_budget_that_fits_a_standard_plan_goes_to_its_confirmation(account, today):
    events, texts = budget("8000")
    # 24 months of 90,000.00: 3,750.00 + 540.00 = 4,290.00; 12 months: 7,500.00 + 540.00 = 8,040.00.
    assert texts == [replies.INCOME_INSTALLMENT.format(affordable="8,000.00元", months=24, monthly="4,290.00元")]
    assert slot_events(events)["installment_months"] == "24"
    assert nothing_submitted(today)


def test_a_database_failure_on_the_yes_keeps_the_offer_for_the_yes_resent(account, today, monkeypatch):
    events, _ = budget("1000")
    offered = slot_events(events)
    working = os.environ["DATABASE_URL"]
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/never/x.db")
    events, texts = answer("affirm", offered)
    assert texts == [replies.SYSTEM_BUSY] and events == []  # the offer slot is untouched
    monkeypatch.setenv("DATABASE_URL", working)
    assert nothing_submitted(today)
    _, texts = answer("affirm", offered)
    assert texts[0].startswith("已为您提交个性化还款方案申请：分90期，每期1,000.00元")
    assert [a["months"] for a in snapshot(today)["arrangements"]] == [90]
