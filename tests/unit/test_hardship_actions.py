"""Hardship and budget actions against a real SQLite account database: the
reported case (90,000.00 owed, "lost my job", "每个月最多还1000"). Nothing
above the stated budget is put to the cardholder as the plan, nothing is
submitted before their yes, and the yes submits exactly the figures shown."""
from __future__ import annotations

import asyncio
import json
import os
import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.assessment import ActionAnswerHardshipOffer, ActionHandleHardship, ActionHandleIncome
from bot.core import booking, plan_menu, replies
from bot.db import repository
from bot.db.importer import import_accounts_csv
from bot.db.session import session_scope
from tests.unit.actions_support import DOMAIN, make_tracker, run_action, slot_events

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


def answer_tracker(intent, slots, text=None, entities=None):
    text = text or {"affirm": "是", "deny": "不是"}[intent]
    return make_tracker(PHONE, slots={**VERIFIED, **slots}, text=text, intent=intent, entities=entities,
                        events=[{"event": "user", "text": "每个月最多还1000"}, {"event": "user", "text": text}])


def answer(intent, slots):
    return run_action(ActionAnswerHardshipOffer(), answer_tracker(intent, slots))


def messages_of(action, tracker):
    """(events, the messages with their buttons)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def tap(button, slots):
    """A tap on a card: its payload, parsed as Rasa parses a payload."""
    entities = [{"entity": "months", "value": v} for v in re.findall(r'"months":"([^"]+)"', button["payload"])]
    return messages_of(ActionAnswerHardshipOffer(),
                       answer_tracker("affirm", slots, text=button["payload"], entities=entities))


def offered_card(events_and_messages):
    """The personalised plan's card among the offer's buttons, and the offer slot."""
    events, messages = events_and_messages
    (message,) = messages
    card = next(b for b in message["buttons"] if b.get("card"))
    return card, slot_events(events)


def confirmed_slots(slots):
    """The offer slot after the card was tapped: its confirmation shown."""
    events, _ = tap(card_for(slots), slots)
    return {**slots, **slot_events(events)}


def card_for(slots):
    offer = json.loads(slots["hardship_offer"])
    return {"payload": plan_menu.hardship_payload(offer["months"])}


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
    assert "专员特别审核" in text
    assert "不超过1,000.00元的款项" in text
    slots = slot_events(events)
    assert slots["suggested_plan"] == "hardship" and slots["monthly_budget"] == "1000.00"
    offer = json.loads(slots["hardship_offer"])
    assert (offer["months"], offer["monthly_payment"], offer["budget"]) == (90, "1000.00", "1000.00")
    assert nothing_submitted(today)


def test_the_personalised_plan_is_a_card_and_its_tap_only_opens_the_confirmation(account, today):
    card, slots = offered_card(messages_of(ActionHandleIncome(), make_tracker(
        PHONE, slots=VERIFIED, text="每个月最多还1000", intent="inform_income", entities=amount("1000"))))
    # The figures are on the card, as on the standard plans' cards; the SMS line carries them too.
    assert card["card"]["heading"] == "个性化方案 · 分90期"
    assert card["card"]["figures"] == [["每期", "1,000.00元"], ["手续费", "免手续费"],
                                       ["合计还款", "90,000.00元"], ["审批", "需专员审批"]]
    assert card["title"] == "个性化方案90期：每期1,000.00元，免手续费，合计90,000.00元（需专员审批）"
    assert card["payload"] == '/affirm{"months":"90期"}'

    events, messages = tap(card, slots)
    (confirm,) = messages
    assert "将90,000.00元分90期，每期1,000.00元，免手续费，合计还款90,000.00元" in confirm["text"]
    assert [b["title"] for b in confirm["buttons"]] == ["是，提交申请", "不是"]
    assert nothing_submitted(today)  # a tap is not the confirmation
    slots = {**slots, **slot_events(events)}
    assert json.loads(slots["hardship_offer"])["stage"] == "confirm"

    _, (again,) = tap(card, slots)  # the card again: still only the confirmation
    assert again["text"] == confirm["text"]
    assert nothing_submitted(today)
    _, texts = answer("affirm", slots)
    assert texts[0].startswith("已为您提交个性化还款方案申请：分90期，每期1,000.00元")


def test_a_typed_yes_to_the_card_also_asks_for_the_confirmation_first(account, today):
    slots = slot_events(budget("1000")[0])
    events, texts = answer("affirm", slots)
    assert texts[0].startswith("请确认您要申请的个性化还款方案") and nothing_submitted(today)
    _, texts = answer("affirm", {**slots, **slot_events(events)})
    assert texts[0].startswith("已为您提交个性化还款方案申请")


def test_a_tap_on_a_plan_not_offered_submits_nothing_and_shows_the_offered_card(account, today):
    slots = slot_events(budget("1000")[0])
    forged = {"payload": plan_menu.hardship_payload(60)}
    for stage_slots in (slots, confirmed_slots(slots)):
        events, messages = tap(forged, stage_slots)
        (message,) = messages
        assert message["text"] == replies.HARDSHIP_CARD_NOT_OFFERED
        assert message["buttons"][0]["card"]["heading"] == "个性化方案 · 分90期"
        assert json.loads(slot_events(events)["hardship_offer"])["stage"] == "card"
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
    assert texts[0].startswith(replies.HARDSHIP_OFFER.format(budget="1,500.00元"))
    assert json.loads(slot_events(events)["hardship_offer"])["months"] == 60
    assert nothing_submitted(today)


def test_yes_submits_exactly_the_confirmed_figures(account, today):
    events, _ = budget("1000")
    offered = confirmed_slots(slot_events(events))
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
    confirmed = confirmed_slots(offered)
    load_account(tmp_path, today, balance="80000.00", minimum="8000.00")  # a payment came in
    for slots in (offered, confirmed):  # at the card, and at its confirmation
        _, texts = answer("affirm", slots)
        assert texts == [replies.HARDSHIP_OFFER_CHANGED]
    assert nothing_submitted(today)


def test_a_yes_with_nothing_offered_submits_nothing(account, today):
    _, texts = answer("affirm", {})
    assert texts == [replies.HARDSHIP_NOT_SUBMITTED]
    assert nothing_submitted(today)


def test_hardship_uses_a_budget_already_stated(account, today):
    events, texts = hardship(slots={"monthly_budget": "1000.00"})
    assert "专员特别审核" in texts[0]
    assert json.loads(slot_events(events)["hardship_offer"])["monthly_payment"] == "1000.00"
    assert slot_events(events)["suggested_plan"] == "hardship"
    assert nothing_submitted(today)


def test_hardship_and_a_budget_in_one_message(account, today):
    events, texts = hardship(text="我失业了，每个月最多还2000", entities=amount("2000"))
    offer = json.loads(slot_events(events)["hardship_offer"])
    assert (offer["months"], offer["monthly_payment"]) == (45, "2000.00")
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
    offered = confirmed_slots(slot_events(events))
    working = os.environ["DATABASE_URL"]
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/never/x.db")
    events, texts = answer("affirm", offered)
    assert texts == [replies.SYSTEM_BUSY] and events == []  # the offer slot is untouched
    monkeypatch.setenv("DATABASE_URL", working)
    assert nothing_submitted(today)
    _, texts = answer("affirm", offered)
    assert texts[0].startswith("已为您提交个性化还款方案申请：分90期，每期1,000.00元")
    assert [a["months"] for a in snapshot(today)["arrangements"]] == [90]


def bare(text, intent, entities=None):
    return run_action(ActionHandleIncome(), make_tracker(PHONE, slots=VERIFIED, text=text, intent=intent,
                                                         entities=entities))


def test_four_digits_alone_after_the_budget_question_are_the_budget(account, today):
    """"1000" in answer to "how much a month at most?" is read by the NLU as
    the ID's last four; right after that question (bot/data/rules/forms.yml)
    it is the budget, not "already verified"."""
    events, texts = bare("1000", "inform_identity", [{"entity": "id_last4", "value": "1000"}])
    assert "现行政策内没有不超出这个金额的方案" in texts[0]
    slots = slot_events(events)
    assert slots["suggested_plan"] == "hardship" and slots["monthly_budget"] == "1000.00"
    assert not any(e.get("event") == "followup" for e in events)


def test_a_bare_figure_that_fits_a_standard_plan_opens_its_form(account, today):
    """inform_income is followed by installment_form by a rule; a bare
    figure read otherwise opens it by itself."""
    events, texts = bare("８０００元", "nlu_fallback")
    assert texts == [replies.INCOME_INSTALLMENT.format(affordable="8,000.00元", months=24, monthly="4,290.00元")]
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["installment_form"]


def test_a_figure_with_inform_income_leaves_the_form_to_the_rule(account, today):
    events, _ = budget("8000")
    assert not any(e.get("event") == "followup" for e in events)


def test_a_message_that_is_not_a_figure_is_asked_again(account, today):
    events, texts = bare("啥意思", "nlu_fallback")
    assert texts == [replies.INCOME_ASK] and slot_events(events)["suggested_plan"] == "none"
