"""Time asked for without a length (issue 18, real writing): 过几天, 一阵子,
一段时间, 缓缓, 宽限些日子, a few days. The deferral form asks how long,
naming the policy's maximum, instead of calling the answer unreadable, and
never books a number of days the cardholder did not say."""
from __future__ import annotations

from datetime import datetime

import pytest

from bot.actions.arrangements import ActionAskDeferralDays, ValidateDeferralForm
from bot.core import replies
from bot.core.normalize import find_entities, is_vague_duration, parse_date, parse_duration_days
from bot.core.policy import PolicyConfig
from tests.unit.actions_support import make_tracker, run_action, slot_events
from tests.unit.test_actions import accounts  # noqa: F401  (the action tests' fixture: the E2E accounts)

PHONE = "+8613900000001"  # E2E-1: 46 days past due on the pinned day, may defer
MAX_DAYS = PolicyConfig().max_deferral_days
VAGUE = ["几天", "过几天", "一阵子", "一段时间", "缓缓", "宽限些日子", "a few days", "过阵子",
         "过两天吧", "能不能再宽限几天", "再给我一段时间吧", "缓一缓", "给点时间", "两三天",
         "宽限三五天", "I need a few more days", "some more time please", "几个月"]
ASKED_HOW_LONG = replies.DEFERRAL_VAGUE.format(max_days=MAX_DAYS)



def deferral_turn(text, intent="request_deferral", requested="deferral_days"):
    """The deferral form's validation, then its question, for one message
    whose entities are the rule extractor's."""
    entities = [{"entity": s.entity, "value": s.value, "start": s.start, "end": s.end} for s in find_entities(text)]
    candidates = {e["entity"]: e["value"] for e in entities if e["entity"] in ("duration", "date")}
    value = candidates.get("duration") or candidates.get("date")
    slots = {"verified": True, "auth_state": "verified", "account_id": "E2E-1", "requested_slot": requested}
    events = []
    if value is not None:  # what Rasa's from_entity mapping hands the validation
        slots["deferral_days"] = value
        events = [{"event": "slot", "name": "deferral_days", "value": value}]
    tracker = make_tracker(PHONE, slots=slots, text=text, intent=intent, entities=entities,
                           events=events, active_loop="deferral_form")
    validation_events, said = run_action(ValidateDeferralForm(), tracker)
    _, asked = run_action(ActionAskDeferralDays(), tracker)
    return slot_events(validation_events), said, asked


@pytest.mark.parametrize("text", VAGUE)
def test_a_vague_length_is_recognised_as_such(text):
    assert is_vague_duration(text)


@pytest.mark.parametrize("text", ["15天", "一个月", "两周", "宽限几天，到15号就行", "asdf", "好的", "几号还", "一阵风"])
def test_a_length_a_day_or_something_else_is_not_vague(text):
    assert not is_vague_duration(text)


@pytest.mark.parametrize("text", ["过两天", "这两天", "三五天", "宽限三五天", "两三天"])
def test_a_vague_length_is_never_a_number_of_days(text):
    assert parse_duration_days(text) is None
    assert not [s for s in find_entities(text) if s.entity == "duration"]


def test_some_days_from_now_is_no_date():
    assert parse_date("三五天后", datetime(2026, 11, 25, 10)) is None  # not 35 days from now
    assert parse_duration_days("过两天再延一个月") == 30  # the length said, not the vague one


@pytest.mark.parametrize("text", VAGUE)
def test_the_cardholder_is_asked_how_long_instead_of_told_it_is_unreadable(accounts, text):
    slots, said, asked = deferral_turn(text)
    assert replies.DEFERRAL_INVALID not in said
    # A slot event (empty) keeps the form on its question instead of being rejected.
    assert "deferral_days" in slots and slots["deferral_days"] is None
    assert said == [] and asked == [ASKED_HOW_LONG]
    assert f"最长可以延期{MAX_DAYS}天" in asked[0]


def test_a_vague_length_beside_a_day_no_one_can_count_is_still_asked_about(accounts):
    slots, said, asked = deferral_turn("过几天吧，等发工资那天")
    assert slots["deferral_days"] is None
    assert said == [] and asked == [ASKED_HOW_LONG]


def test_a_real_length_is_still_taken(accounts):
    slots, said, _ = deferral_turn("宽限15天吧")
    assert slots["deferral_days"] == "15" and said == []


def test_real_invalid_input_still_gets_the_invalid_reply(accounts):
    slots, said, asked = deferral_turn("发工资那天")
    assert slots["deferral_days"] is None
    assert said == [replies.DEFERRAL_INVALID]
    assert asked == [replies.DEFERRAL_ASK.format(max_days=MAX_DAYS)]


def test_a_crisis_in_the_form_is_not_taken_as_an_answer(accounts):
    # Nothing is set: Rasa rejects the form's turn and the crisis rule runs.
    slots, said, _ = deferral_turn("这一段时间我真的撑不下去了", intent="crisis")
    assert slots == {} and said == []


def test_an_opening_request_with_a_vague_length_is_asked_how_long(accounts):
    # 能不能宽限几天 opens the form: its first question is the "how long" one.
    _, _, asked = deferral_turn("能不能宽限几天", requested=None)
    assert asked == [ASKED_HOW_LONG]
    _, _, asked = deferral_turn("我想申请延期", requested=None)
    assert asked == [replies.DEFERRAL_ASK.format(max_days=MAX_DAYS)]
