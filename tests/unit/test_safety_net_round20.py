"""The safety net, twentieth round: what blind round 13 (a development set
since the sixth session of 2026-12-05, once round 14 was frozen) showed -
"living is no use" in Hokkien as typed in Taiwan, the defiant "take my life"
idiom with the life handed over tonight, a bridge drawn alone; opt-outs in
romanised Cantonese and toneless pinyin, and "don't call from new numbers"
after the number was blocked. Also crisis in toneless pinyin (charcoal
bought, life not worth it, a bottle of pills), found in round 9 while
checking the opt-out change. Phrasings of our own.
"""
import pytest

from bot.core.safety import is_stop_request, verdict
from bot.core.sms import is_opt_out
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    # toneless pinyin: charcoal bought, life not worth it, a bottle of pills
    "pinyin": ["wo mai hao tan le, zai che li", "huo zhe mei you yi si", "gang tun le yi ping an mian yao"],
}
POSSIBLE_BY_KIND = {
    "living_no_use": ["活著嘛無路用", "活落去也没路用了", "我活着也没啥用了啦"],
    "life_handed_over": ["钱没有 要命一条 今天就送给你们", "要钱没有要命一条，马上就还给你"],
    "bridge_drawn_alone": ["🌉", "🌉 🌉"],
}
LOOK_ALIKES = [
    "要钱没有 要命一条",  # the idiom alone stays a refusal
    "🌉 我在桥上等朋友", "🌊", "今晚去看桥的夜景🌉",
    "mai hao tan le zhun bei shao kao", "tan lu dian hao le, ming tian chi huo guo",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES)

OPT_OUTS = [
    "m ho zoi da lai", "mh ho da lai la", "m goi m ho zoi send sms",  # 唔好再打嚟, 唔该唔好再send
    "bie zai da le", "bu yao zai fa le",
    "我设了拦截 别换号打了", "不要再换个号码来骚扰",
]
NOT_OPT_OUTS = ["m ho yi si 我打错字", "换号了 别打错", "bie dan xin 我会还"]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_romanised_and_new_number_opt_outs(text):
    assert is_stop_request(text) and is_opt_out(text)
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact"


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_look_alike_opt_outs(text):
    assert not is_stop_request(text)
