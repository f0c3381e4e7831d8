"""The safety net, sixth round (issue 18): kinds of crisis wording the
round-4 blind sets showed the net had not seen (round 4 became a development
set with this round; round 5 is the held-out one), each in phrasings of our
own, none a sentence of any test set, and the look-alikes each kind must
leave alone: a plain "kill me" about a fee, a bridge in a holiday photo, money
that will not last until payday, settling the account once and for all.
"""
import pytest

from bot.core.safety import assess_crisis, verdict
from tests.unit.safety_support import assert_caught_as_crisis, parametrize_by_kind

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
