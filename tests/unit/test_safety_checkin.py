"""The crisis actions: a possible crisis gets a gentle check-in (safe? the
hotline, a person, no money), a confirmed one reaches a person at top
priority, whatever the hour and whoever has the conversation."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.escalation import ActionCrisisCheckinAnswer, ActionHandleCrisis
from bot.core import replies
from bot.core.safety import SAFE, UNSAFE, checkin_answer
from bot.db import repository
from bot.db.session import session_scope
from tests.unit.actions_support import DOMAIN, e2e_accounts, make_tracker, run_action, slot_events  # noqa: F401 (fixture)

PHONE = "+8613900000003"  # account E2E-3 in tests/fixtures/e2e_accounts.csv
MONEY_WORDS = ("元", "逾期", "信用卡", "欠", "还款", "账单", "催收", "分期", "征信", "钱")


@pytest.fixture
def accounts(e2e_accounts):
    return e2e_accounts


def escalations(today):
    with session_scope() as s:
        return [(e["reason"], e["priority"]) for e in repository.account_snapshot(s, "E2E-3", today)["escalations"]]


def crisis_tracker(text, tier, events=(), intent="crisis", active_loop=None):
    tracker = make_tracker(PHONE, text=text, intent=intent, active_loop=active_loop,
                           events=list(events) + [{"event": "user", "text": text}])
    if tier:
        tracker.latest_message["safety"] = {"intent": "crisis", "tier": tier, "rules": [], "model_intent": None}
    return tracker


CHECKED_IN = [
    {"event": "user", "text": "活着好累"},
    {"event": "action", "name": "action_handle_crisis"},
    {"event": "bot", "text": "..."},
    {"event": "action", "name": "action_listen"},
]


@pytest.mark.parametrize("text", [replies.CRISIS_CHECKIN, replies.CRISIS_CHECKIN_SAFE])
def test_the_check_in_never_talks_money(text):
    assert not [w for w in MONEY_WORDS if w in text]
    assert "{crisis_hotline}" in text and "安全" in text and "人工" in text


def test_a_possible_crisis_gets_a_check_in_and_no_hand_over(accounts, today):
    events, texts = run_action(ActionHandleCrisis(), crisis_tracker("还不上 活着好累", "possible",
                                                                    active_loop="promise_form"))
    assert texts == [replies.CRISIS_CHECKIN.format(crisis_hotline="全国心理援助热线 12356（24小时）")]
    assert "12356" in texts[0] and "您现在安全吗" in texts[0]
    # The form in progress is dropped: its next question must not follow.
    assert {"event": "active_loop", "name": None}.items() <= events[0].items()
    assert slot_events(events) == {"requested_slot": None}
    assert escalations(today) == []


def test_a_crisis_only_the_classifier_saw_gets_the_check_in_too(accounts, today):
    _, texts = run_action(ActionHandleCrisis(), crisis_tracker("我最近老是一个人发呆", "model"))
    assert "您现在安全吗" in texts[0] and escalations(today) == []


def test_a_certain_crisis_hands_over_at_top_priority(accounts, today):
    events, texts = run_action(ActionHandleCrisis(), crisis_tracker("安眠药攒了一瓶", "certain"))
    assert "12356" in texts[0] and "我已请人工专员" in texts[0]
    assert escalations(today) == [("crisis", 0)]
    assert any(e.get("event") == "pause" for e in events)


def test_a_crisis_the_classifier_found_alone_still_hands_over(accounts, today):
    run_action(ActionHandleCrisis(), crisis_tracker("……", None))
    assert escalations(today) == [("crisis", 0)]


def test_a_second_sign_after_the_check_in_hands_over(accounts, today):
    run_action(ActionHandleCrisis(), crisis_tracker("真的撑不住了", "possible", events=CHECKED_IN))
    assert escalations(today) == [("crisis", 0)]


@pytest.mark.parametrize("text,intent", [("不安全", "deny"), ("不太好", "nlu_fallback"), ("不是", "deny"),
                                         ("人工", "request_human"), ("算了 再见", "goodbye"),
                                         ("我想找个人说说话", "out_of_scope")])
def test_not_safe_or_unclear_after_the_check_in_hands_over(accounts, today, text, intent):
    _, texts = run_action(ActionCrisisCheckinAnswer(),
                          crisis_tracker(text, None, events=CHECKED_IN, intent=intent))
    assert "12356" in texts[0] and "我已请人工专员" in texts[0]
    assert escalations(today) == [("crisis", 0)]


@pytest.mark.parametrize("text,intent", [("是的 我没事", "affirm"), ("嗯", "affirm"), ("安全的 放心吧", "affirm"),
                                         ("没有没有 我就是说说而已", "deny"), ("谢谢", "thank")])
def test_safe_after_the_check_in_keeps_the_door_open(accounts, today, text, intent):
    events, texts = run_action(ActionCrisisCheckinAnswer(),
                               crisis_tracker(text, None, events=CHECKED_IN, intent=intent))
    assert texts == [replies.CRISIS_CHECKIN_SAFE.format(crisis_hotline="全国心理援助热线 12356（24小时）")]
    assert events == [] and escalations(today) == []


@pytest.mark.parametrize("text,expected", [
    ("不安全", UNSAFE), ("我不好", UNSAFE), ("救救我", UNSAFE), ("我控制不住自己", UNSAFE), ("安眠药还在", UNSAFE),
    ("还好吧 其实不太好", UNSAFE), ("我没事", SAFE), ("安全", SAFE), ("放心 我不会做傻事的", SAFE),
    ("不用找人 我没事", SAFE), ("不好意思 刚才开玩笑的", SAFE), ("嗯", None),
])
def test_reading_the_answer_to_the_check_in(text, expected):
    assert checkin_answer(text) == expected


def opted_out(channel):
    with session_scope() as s:
        return repository.is_opted_out(s, PHONE, channel)


def crisis_with_opt_out(text, channel="webchat"):
    tracker = make_tracker(PHONE, text=text, intent="crisis", channel=channel)
    tracker.latest_message["safety"] = {"intent": "crisis", "tier": "model", "rules": ["opt_out_too"],
                                        "model_intent": "crisis"}
    return tracker


def test_a_crisis_said_with_an_opt_out_checks_in_and_records_the_opt_out(accounts, today):
    """The opt-out is acknowledged in one line first, so the reply still ends on "are you safe?"."""
    events, texts = run_action(ActionHandleCrisis(), crisis_with_opt_out("别打了 这个号以后没人用了"))
    assert texts == [replies.OPT_OUT_BESIDE_CRISIS.format(channel_name="在线聊天"),
                     replies.CRISIS_CHECKIN.format(crisis_hotline="全国心理援助热线 12356（24小时）")]
    assert opted_out("webchat")
    assert not any(word in texts[0] for word in MONEY_WORDS)


def test_an_opt_out_in_force_already_is_not_acknowledged_again(accounts, today):
    """The SMS channel's keywords record and confirm 别再发了 before the bot reads it."""
    with session_scope() as s:
        repository.record_opt_out(s, PHONE, "twilio_sms")
    _, texts = run_action(ActionHandleCrisis(), crisis_with_opt_out("别再发了 我不想活了", channel="twilio_sms"))
    assert texts == [replies.CRISIS_CHECKIN.format(crisis_hotline="全国心理援助热线 12356（24小时）")]
    assert opted_out("twilio_sms")


def test_a_crisis_without_an_opt_out_records_none(accounts, today):
    run_action(ActionHandleCrisis(), crisis_tracker("我最近老是一个人发呆", "model"))
    assert not opted_out("rest") and not opted_out("webchat")


def test_the_crisis_reply_goes_out_even_when_the_opt_out_cannot_be_stored(accounts, today, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(repository, "record_new_opt_out", down)
    _, texts = run_action(ActionHandleCrisis(), crisis_with_opt_out("别打了 这个号以后没人用了"))
    assert texts == [replies.CRISIS_CHECKIN.format(crisis_hotline="全国心理援助热线 12356（24小时）")]


def test_every_crisis_reply_is_marked_as_a_safety_reply(accounts, today):
    """The SMS channel sends what carries the mark even to a number that opted out."""
    for tracker in (crisis_with_opt_out("别打了 这个号以后没人用了"), crisis_tracker("安眠药攒了一瓶", "certain")):
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionHandleCrisis().run(dispatcher, tracker, DOMAIN))
        assert dispatcher.messages and all(m.get(replies.SAFETY_REPLY_KEY) is True for m in dispatcher.messages)
