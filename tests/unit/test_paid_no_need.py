""""No need to contact me: I have paid / I will pay today" (issue 18,
nineteenth round, from blind round 12's misses): "不用联系了，已经全部还清了",
"不用打电话了，明天中午前把2000还上". The net read it as an opt-out, so the
payment claim or the promise was never the turn's reading. Every such message
of the data and development sets that is no crisis (9 of 9) was labelled the
payment or the promise, none an opt-out. Said as "don't" ("已经还了 别再发了")
it stays an opt-out, with the claim recorded beside it. Phrasings of our own.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import is_stop_request, paid_no_need, paid_or_promised, verdict
from bot.core.sms import is_opt_out
from tests.unit.safety_support import overridden

PAID = [
    "不用再联系我了，上周已经全部结清",
    "不用打电话了 我老婆今天帮我还完了",
    "剛剛繳清了 唔使再催",
    "不用再发短信提醒了，前天已经还了3000",
]
PROMISED = [
    "不用再打了 今天下午我就去还",
    "不用催了，明天中午之前肯定还上",
]
STILL_OPT_OUTS = [
    "已经还了 别再发了",  # "don't", not "no need": the claim is recorded beside the opt-out
    "不用再发了",  # nothing paid or promised
    "不用再打了 已经还清了 以后也别发短信了",  # a "don't" clause too
    "不用再发了 还钱的事以后再说",
]


@pytest.mark.parametrize("text", PAID + PROMISED)
def test_no_need_because_paid_or_promised_is_no_opt_out(text):
    assert paid_no_need(text)
    assert not is_stop_request(text) and verdict(text) is None
    assert not is_opt_out(text)  # the SMS channel records nothing


@pytest.mark.parametrize("text", STILL_OPT_OUTS)
def test_a_plain_or_demanded_opt_out_is_still_one(text):
    assert not paid_no_need(text)
    assert is_stop_request(text)


def test_a_crisis_beside_it_still_wins():
    found = verdict("不用再催了，我已经还了最后一笔，反正以后也没有我这个人了")
    assert found is not None and found.intent == "crisis"


@pytest.mark.parametrize("text,intent", [(t, "already_paid") for t in PAID] + [(t, "promise_to_pay") for t in PROMISED])
def test_read_as_an_opt_out_alone_it_is_the_payment_or_the_promise(text, intent):
    assert paid_or_promised(text) == intent
    ranking = [{"name": "stop_contact", "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.05}]
    data = overridden(text, ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == intent
    assert data["safety"]["rules"] == ["paid_no_need"]


def test_the_classifier_s_own_reading_of_the_rest_stands():
    ranking = [{"name": "stop_contact", "confidence": 0.6}, {"name": "promise_to_pay", "confidence": 0.3}]
    data = overridden("不用打电话了，我明天中午前把2000还上", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "promise_to_pay"
    # ... and the safety risk detector's opt-out flag does not bring it back.
    ranking = [{"name": "already_paid", "confidence": 0.8}, {"name": "stop_contact", "confidence": 0.1}]
    data = overridden("不用联系了，已经全部还清了", ranking, risk={"crisis": 0.01, "stop_contact": 0.9}).as_dict(
        only_output_properties=True)
    assert data[INTENT]["name"] == "already_paid" and data["safety"]["rules"] == ["paid_no_need"]
