"""The safety net, twentieth round: what blind round 13 (a development set
since the sixth session of 2026-12-05, once round 14 was frozen) showed -
"living is no use" in Hokkien as typed in Taiwan, the defiant "take my life"
idiom with the life handed over tonight, a bridge drawn alone; opt-outs in
romanised Cantonese and toneless pinyin, and "don't call from new numbers"
after the number was blocked. Also crisis in toneless pinyin (charcoal
bought, life not worth it, a bottle of pills), found in round 9 while
checking the opt-out change; and someone else's suicide years ago told as
the background of a hardship (round 13 and the sixth session's training
writers all labelled it the hardship), which stays a crisis when the writer
follows them or any other sign is left. Phrasings of our own.
"""
import pytest

from bot.core.safety import is_stop_request, verdict
from bot.core.sms import is_opt_out
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    # "I'd better go die myself", with a word between or as 748
    "die_myself": ["我干脆去死", "我还是去死吧", "我自己去死得了", "我748算了", "我自己748得了 省得你们催"],
    # someone else's past suicide with the writer following, or any other sign left
    "following_them": ["我哥去年跳河走了 我今晚也去那条河", "我妈三年前喝药走的 现在轮到我了",
                       "我姐前年跳楼了，我也想跟她一样", "我爸几年前上吊走的 我也不想活了"],
    # toneless pinyin: charcoal bought, life not worth it, a bottle of pills
    "pinyin": ["wo mai hao tan le, zai che li", "huo zhe mei you yi si", "gang tun le yi ping an mian yao"],
}
POSSIBLE_BY_KIND = {
    "living_no_use": ["活著嘛無路用", "活落去也没路用了", "我活着也没啥用了啦"],
    "life_handed_over": ["钱没有 要命一条 今天就送给你们", "要钱没有要命一条，马上就还给你"],
    "bridge_drawn_alone": ["🌉", "🌉 🌉"],
    "meaningless_alone": ["没意义", "都没意义了"],
    "not_to_be_reached": ["明天你们再找我也找不到了", "到时候打我也打不通了"],
    "dead_end_alone": ["我已经走投无路了", "走投无路了，只剩一条路可以走"],
    "family_affairs_handed_over": ["家里的事我都交代好了", "我已經共厝內的代誌攏交代好勢"],
}
LOOK_ALIKES = [
    # a living made on the water; see you tomorrow; a dead end of a hardship named
    "我在湖边上包的鱼塘 大水把塘埂冲垮了 能不能延三个月", "我在江边养鱼的 今年赔了",
    "我走啦 聽日再嚟搵你", "手机要换号了 再打我也打不通了",
    "走投无路了，厂子倒闭三个月，工资一分没发", "公司裁员把我裁了 房租都交不起 真的走投无路",
    "你去748吧", "748", "我还是死心吧", "我干脆死磕到底", "这样分期没意义",
    "家里的事都安排好了 我下周出差",
    "要钱没有 要命一条",  # the idiom alone stays a refusal
    "🌉 我在桥上等朋友", "🌊", "今晚去看桥的夜景🌉",
    "mai hao tan le zhun bei shao kao", "tan lu dian hao le, ming tian chi huo guo",
    # someone else's suicide years ago, the background of a hardship
    "我弟前年跳楼走了 他的网贷一直是我在还 这个月实在还不上",
    "我前夫几年前自杀了，孩子我一个人带，工资不够用",
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


def test_a_move_to_a_named_place_explains_a_crisis_only_the_classifier_saw():
    from bot.core.safety import everyday_context_only

    assert everyday_context_only("我去年离婚以后就从武汉搬到宜昌了，以后的账单寄那边")
    assert everyday_context_only("东西都分给朋友了，下周就搬去上海，卡还留着用")
    assert not everyday_context_only("我要搬到另一个世界去了")
