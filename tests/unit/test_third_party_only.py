""""Don't call my mother, contact me" (issue 18, eighteenth round, from
blind round 11's misses, read once round 12 was frozen): the cardholder
restricts whom we contact, and asks to be contacted. Before, the net read it
as the cardholder's own opt-out - the SMS channel recorded an SMS opt-out on
the number the cardholder had just asked us to use. Every blind writer who
saw such a message labelled it a complaint, and the intent definitions agree
(stop_contact is "stop contacting them"). Now it is no opt-out: the
classifier's reading stands (a complaint when it read nothing else), the
cardholder is told the family and the work will not be contacted, and the
agent's queue says so first. Phrasings of our own.
"""
import pytest
from rasa.shared.nlu.constants import INTENT
from sqlalchemy import select

from bot.actions.escalation import ActionEscalate
from bot.core import replies
from bot.core.safety import is_stop_request, third_party_only_request
from bot.core.sms import is_opt_out
from bot.db import repository
from bot.db.models import Escalation
from bot.db.session import session_scope
from tests.unit.actions_support import e2e_accounts, make_tracker, run_action  # noqa: F401 (fixture)
from tests.unit.safety_support import overridden

THIRD_PARTY_ONLY = [
    "别打给我妈 她血压高 有事直接找我",
    "别再给我爸打电话了，他八十多了，有什么事跟我说",
    "唔好再打俾我阿媽 有咩直接搵我",
    "不要打給我老婆！有事找我就好",
    "别打我单位座机了 打我手机 我会接",
    "我公司那边别再打了，钱的事你们找我本人",
    "别找我同事传话，有事冲我来",
    "别给我妈打电话就行，有事发短信给我本人",
]
STILL_OPT_OUTS = [
    "不要再联系我家人了",  # nobody asked to be contacted instead: recall first
    "别再打我家里人电话 也别打我的",
    "别给我和我家里人打电话发短信了",
    "别打我妈电话，别找我",
    "别再给我爸妈打电话了 有事找我 也别发短信了",
    "别打了 有事找我妈",  # the cardholder is the one not to be called
    "不要再找我了",
    "别打我单位电话了，领导已经找我谈过话了，别再打了",
]


@pytest.mark.parametrize("text", THIRD_PARTY_ONLY)
def test_the_family_or_the_work_spared_and_the_cardholder_asking_is_no_opt_out(text):
    assert third_party_only_request(text)
    assert not is_stop_request(text)
    assert not is_opt_out(text)  # the SMS channel records nothing


@pytest.mark.parametrize("text", STILL_OPT_OUTS)
def test_an_opt_out_of_the_cardholder_is_still_an_opt_out(text):
    assert not third_party_only_request(text)
    assert is_stop_request(text)


def test_read_as_an_opt_out_alone_it_is_a_complaint():
    ranking = [{"name": "stop_contact", "confidence": 0.93}, {"name": "wrong_person", "confidence": 0.05},
               {"name": "complain", "confidence": 0.02}]
    data = overridden("别打给我妈 她血压高 有事直接找我", ranking).as_dict(only_output_properties=True)
    # Never wrong_person: that would mark the cardholder's own number.
    assert data[INTENT]["name"] == "complain"
    assert data["safety"]["rules"] == ["third_party_only"]


def test_the_rest_of_the_message_is_answered():
    ranking = [{"name": "stop_contact", "confidence": 0.7}, {"name": "promise_to_pay", "confidence": 0.25}]
    data = overridden("别再打我单位电话了，有事找我，月底我还两千", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "promise_to_pay" and data["safety"]["rules"] == ["third_party_only"]


def test_a_crisis_still_wins():
    ranking = [{"name": "stop_contact", "confidence": 0.6}, {"name": "crisis", "confidence": 0.3}]
    data = overridden("别打给我妈了 有事找我 反正我也不想活了", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "crisis"


# ------------------------------------------------------------------ actions

PHONE = "+8613900000003"  # account E2E-3 in tests/fixtures/e2e_accounts.csv


def test_the_cardholder_hears_it_and_the_agent_reads_it_first(e2e_accounts, today):
    tracker = make_tracker(PHONE, text="别打给我妈 她血压高 有事直接找我", intent="complain", channel="twilio_sms")
    tracker.latest_message["safety"] = {"intent": "complain", "tier": None, "rules": ["third_party_only"],
                                        "model_intent": "stop_contact"}
    _, texts = run_action(ActionEscalate(), tracker)
    assert texts[0] == replies.THIRD_PARTY_NOTED
    assert "已记录" in texts[1]  # the complaint goes to a person
    with session_scope() as s:
        assert not repository.is_opted_out(s, PHONE, "twilio_sms")
        escalation = s.execute(select(Escalation)).scalar_one()
        assert escalation.reason == "complaint"
        assert escalation.summary.startswith(replies.THIRD_PARTY_NOTE_FOR_AGENTS)
        assert "有事直接找我" in escalation.summary


def test_a_complaint_without_the_mark_says_nothing_of_it(e2e_accounts, today):
    tracker = make_tracker(PHONE, text="你们服务太差了", intent="complain", channel="twilio_sms")
    _, texts = run_action(ActionEscalate(), tracker)
    assert replies.THIRD_PARTY_NOTED not in texts
    with session_scope() as s:
        assert not s.execute(select(Escalation)).scalar_one().summary.startswith(replies.THIRD_PARTY_NOTE_FOR_AGENTS)
