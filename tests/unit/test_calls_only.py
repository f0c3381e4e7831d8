""""No more calls, write to me instead" (issue 18, seventeenth round, from
blind round 10's misses, read once round 11 was frozen): the cardholder
restricts one channel and asks for another. Before, the net read it as a
whole opt-out - the SMS channel recorded an SMS opt-out, the very channel
asked for, and the promise or question beside it was lost. Now it is no
opt-out of writing: calls stop (a voice opt-out, which bot/core/call_guard.py
honours) and the rest of the message is answered. Phrasings of our own.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.actions.account import ActionStateBalance
from bot.actions.escalation import ActionOptOut
from bot.core import replies
from bot.core.safety import calls_only_request, is_stop_request
from bot.core.sms import is_opt_out
from bot.db import repository
from bot.db.session import session_scope
from tests.unit.actions_support import e2e_accounts, make_tracker, run_action  # noqa: F401 (fixture)
from tests.unit.safety_support import overridden

CALLS_ONLY = [
    "别打电话了 发短信就行 周五我还八百",
    "不要打电话 就在这里聊 我想分期",
    "电话别打了 我在车间听不见 你就在这上面说 我到底欠多少",
    "别老给我打电话，有事微信说",
    "以后有事发短信，别打我手机",
    "pls dont call me, text me",
]
STILL_OPT_OUTS = [
    "别打电话了",  # nothing asked instead: a plain opt-out, as before
    "请不要再打电话发短信了",  # both in one breath
    "别打电话和发信息",
    "不要打电话给我，发信息也不要",
    "别打电话，短信也别发了",
    "电话别打了 短信也退订",
    "dont call me and stop texting",
    "别打电话了 也别再发短信了",
]


@pytest.mark.parametrize("text", CALLS_ONLY)
def test_calls_stopped_with_writing_asked_for_is_no_opt_out_of_writing(text):
    assert calls_only_request(text)
    assert not is_stop_request(text)
    assert not is_opt_out(text)  # the SMS channel records nothing


@pytest.mark.parametrize("text", STILL_OPT_OUTS)
def test_an_opt_out_beside_or_instead_of_the_calls_is_still_an_opt_out(text):
    assert not calls_only_request(text)
    assert is_stop_request(text)


def test_the_rest_of_the_message_is_answered():
    """The classifier hears the opt-out words; its next guess is the request."""
    ranking = [{"name": "stop_contact", "confidence": 0.81}, {"name": "promise_to_pay", "confidence": 0.14},
               {"name": "already_paid", "confidence": 0.02}]
    data = overridden("别打电话了 发短信就行 周五我还八百", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "promise_to_pay"
    assert data["safety"]["rules"] == ["calls_only"]


def test_the_classifiers_own_request_stands():
    ranking = [{"name": "ask_balance", "confidence": 0.98}, {"name": "stop_contact", "confidence": 0.02}]
    data = overridden("别打电话 我在开会 直接发短信告诉我欠多少", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "ask_balance" and data["safety"]["rules"] == ["calls_only"]


def test_nothing_else_asked_is_the_opt_out_of_calls_alone():
    ranking = [{"name": "stop_contact", "confidence": 0.99}, {"name": "complain", "confidence": 0.004}]
    data = overridden("别打电话了，有事发短信", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "stop_contact" and data["safety"]["rules"] == ["calls_only"]


def test_a_crisis_still_wins():
    ranking = [{"name": "stop_contact", "confidence": 0.6}, {"name": "crisis", "confidence": 0.3}]
    data = overridden("别打电话了 有事发短信 反正我也不想活了", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "crisis"


# ------------------------------------------------------------------ actions

PHONE = "+8613900000003"  # account E2E-3 in tests/fixtures/e2e_accounts.csv


def opted_out(channel):
    with session_scope() as s:
        return repository.is_opted_out(s, PHONE, channel)


def calls_only_tracker(text, intent, slots=None):
    tracker = make_tracker(PHONE, text=text, intent=intent, channel="twilio_sms", slots=slots)
    tracker.latest_message["safety"] = {"intent": intent, "tier": None, "rules": ["calls_only"],
                                        "model_intent": "stop_contact"}
    return tracker


def test_the_calls_stop_and_the_question_is_answered(e2e_accounts, today):
    tracker = calls_only_tracker("别打电话 直接发短信告诉我欠多少", "ask_balance",
                                 slots={"verified": True, "account_id": "E2E-3"})
    _, texts = run_action(ActionStateBalance(), tracker)
    assert texts[0] == replies.CALLS_STOPPED
    assert any("800.00元" in t for t in texts[1:])
    assert opted_out("voice") and not opted_out("twilio_sms")
    # Said once: the same turn's or a later action does not say it again.
    _, again = run_action(ActionStateBalance(), tracker)
    assert replies.CALLS_STOPPED not in again


def test_after_a_hand_over_the_calls_stop_too(e2e_accounts, today):
    tracker = calls_only_tracker("别打电话了 在这里说 我要还钱", "promise_to_pay",
                                 slots={"verified": True, "account_id": "E2E-3", "escalated": True})
    _, texts = run_action(ActionStateBalance(), tracker)
    assert texts == [replies.CALLS_STOPPED, replies.HOLDING]
    assert opted_out("voice")


def test_the_opt_out_of_calls_alone_keeps_this_channel(e2e_accounts, today):
    tracker = calls_only_tracker("别打电话了，有事发短信", "stop_contact")
    _, texts = run_action(ActionOptOut(), tracker)
    assert texts == [replies.CALLS_STOPPED]
    assert opted_out("voice") and not opted_out("twilio_sms")
    _, again = run_action(ActionOptOut(), tracker)  # recorded already: still answered
    assert again == [replies.CALLS_STOPPED]


def test_a_message_without_the_mark_records_nothing(e2e_accounts, today):
    tracker = make_tracker(PHONE, text="我欠多少", intent="ask_balance", channel="twilio_sms",
                           slots={"verified": True, "account_id": "E2E-3"})
    _, texts = run_action(ActionStateBalance(), tracker)
    assert replies.CALLS_STOPPED not in texts and not opted_out("voice")


def test_a_channel_preference_read_as_out_of_scope_is_the_opt_out_of_calls():
    """out_of_scope would only say what the bot cannot do; the calls must stop."""
    ranking = [{"name": "out_of_scope", "confidence": 0.7}, {"name": "stop_contact", "confidence": 0.2}]
    data = overridden("只有微信联系我，别打电话", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "stop_contact" and data["safety"]["rules"] == ["calls_only"]
