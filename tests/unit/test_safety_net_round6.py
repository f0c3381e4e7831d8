"""The safety net, sixth round (issue 18): kinds of crisis wording the
round-4 blind sets showed the net had not seen (round 4 became a development
set with this round; round 5 is the held-out one), each in phrasings of our
own, none a sentence of any test set, and the look-alikes each kind must
leave alone: a plain "kill me" about a fee, a bridge in a holiday photo, money
that will not last until payday, settling the account once and for all.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import assess_crisis, verdict
from tests.unit.safety_support import assert_caught_as_crisis, overridden, parametrize_by_kind

CRISIS_BY_KIND = {
    "end_it": ["这周末我就做个了断", "欠这么多，不如做一个了断", "想好了，今天就了结吧"],
    "burden_anyone": ["我不想再拖累谁了", "活着只会连累人，不想再害人了", "我不想再拖累任何人"],
    "place_described": ["大桥上面风好大", "我在楼顶，这里好安静", "铁道边上没有人", "江边好黑，风挺冷的",
                        "天台上风景真美"],
    "last_look": ["想最后再看一眼我女儿", "最后看一次这个城市"],
    "not_lasting": ["分期就算了，我估计撑不到明年", "人怕是熬不过这个月了", "要是那时候我还在的话再说吧",
                    "如果我还活着的话，下个月还"],
    "sorry_by_proxy": ["替我跟我爸说声对不起", "帮我和孩子说句我爱他", "帮我同阿妈讲声对不住"],
    "going_tonight": ["钱的事就这样吧，我今晚就走了"],
    "last_day": ["今天是我最后一天了，别回我", "明天是我人生的最后一天"],
    "no_future": ["我不想再面对明天了"],
    "next_life": ["这辈子欠的，来世再报", "下辈子再报答我妈"],
    "english": ["life has no meaning anymore", "no money, life is meaningless", "kill me now"],
    # Two signs in one message are no longer ambiguous; and a crisis wins
    # over the opt-out the same message asks for.
    "with_opt_out": ["每天打电话烦死了，别打了，我不想再拖累谁了，今晚就做个了断"],
}

LOOK_ALIKES = [
    # fees and forms: hyperbole, not a wish
    "kill me now, this annual fee is a joke, waive it", "kill me now 这利息也太高了",
    # a bridge or a roof with something ordinary to do there
    "桥上风景不错，拍了几张照片发朋友圈", "楼顶风好大，我在收衣服", "江边散步风挺大的",
    # money, not the person, not lasting
    "工资撑不到月底", "钱怕是撑不到发工资", "我撑不到发工资那天就没钱了",
    # settling the account once and for all
    "今天跟你们做个了断，一次性还清", "和过去做个了断，换个工作重新开始",
    # looking again at a paper
    "最后再看一次账单，没问题就付",
    # leaving for a trip
    "明天我就走了，回老家过年", "我下班就走了，明天再聊",
    # someone else's thanks and sorry, said in person
    "我跟我妈说了，她会帮我还一部分",
    # the last day of a job or an offer
    "今天是我最后一天上班", "明天是我在这家公司的最后一天",
]


@parametrize_by_kind(CRISIS_BY_KIND)
def test_every_round6_kind_of_crisis_is_caught(kind, text):
    assert_caught_as_crisis(kind, text)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_round6_look_alikes_are_no_crisis(text):
    assert assess_crisis(text) is None, text


def test_two_new_signs_together_are_certain():
    finding = assess_crisis("我不想再拖累谁了，今晚就做个了断")
    assert finding.tier == "certain"
    assert {"end_it", "burden_anyone"} <= set(finding.rules)


def test_kill_me_alone_is_only_a_possible_crisis():
    # Alone it is checked on gently; about a fee it is the fee request.
    assert assess_crisis("kill me now").tier == "possible"
    assert verdict("kill me now, these late fees, can you waive them") is None


@pytest.mark.parametrize("text", ["别打到我单位去，求你们了", "上班时间别打，说了多少遍", "不要打去我家里"])
def test_calls_restricted_to_a_place_or_time_are_an_opt_out_to_ask_about(text):
    found = verdict(text)
    assert (found.intent, found.tier) == ("stop_contact", "possible"), text


@pytest.mark.parametrize("text", ["别打到我公司，打我手机就好", "上班时间别打游戏", "别打到我单位去，打我电话就行"])
def test_a_call_restriction_that_names_another_way_or_is_no_call_is_no_opt_out(text):
    assert verdict(text) is None, text


@pytest.mark.parametrize("text,intent", [("好，谢了", "thank"), ("晚安，下了", "goodbye"), ("不想", "deny"),
                                         ("你好啊，我来了", "greet")])
def test_the_detectors_flag_alone_on_a_short_ordinary_reply_is_no_crisis(text, intent):
    message = overridden(text, [{"name": intent, "confidence": 0.8}], risk={"crisis": 0.85, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == intent


def test_the_detectors_flag_stands_on_a_longer_message_or_an_unread_one():
    # Longer than a short reply: still a crisis to check in on.
    message = overridden("谢谢你们 这是我最后一次回复你们了", [{"name": "thank", "confidence": 0.8}],
                         risk={"crisis": 0.9, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"
    # Short, but the classifier could not read it: the flag stands.
    message = overridden("好想自煞", [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "out_of_scope", "confidence": 0.2}],
                         risk={"crisis": 0.95, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"


def test_an_unsure_classifier_crisis_the_detector_does_not_back_falls_to_the_next_guess():
    ranking = [{"name": "crisis", "confidence": 0.6}, {"name": "inform_income", "confidence": 0.3}]
    message = overridden("我收入不固定，好的时候一万，差的时候几千", ranking, risk={"crisis": 0.1, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "inform_income"
    assert message.get("safety")["rules"] == ["models_disagree"]


@pytest.mark.parametrize("confidence,risk", [(0.95, 0.1), (0.6, 0.5)])
def test_a_classifier_crisis_stays_when_it_is_sure_or_the_detector_backs_it(confidence, risk):
    ranking = [{"name": "crisis", "confidence": confidence}, {"name": "inform_hardship", "confidence": 0.05}]
    message = overridden("我想用这种方式把债还了", ranking, risk={"crisis": risk, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"
    assert message.get("safety")["tier"] == "model"
