"""The safety net, eighth round (issue 18): kinds of crisis wording the
round-8 safety development set (tests/nlu_safety_dev/round8_*.yml, written
blind: workers with the risk in the middle of a story, Hong Kong and Taiwan,
women in hardship) showed the net had not seen, in phrasings of our own, and
the look-alikes the same round showed it read as crisis.
"""
import pytest

from bot.core.safety import verdict
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "no_time_for_it": ["你们说逾期六十天上征信，我没有六十天了", "分期随便，反正我等不到第二期", "我连下个月都不打算过了",
                       "我的困难明天就没了", "到时候被告都没了你们告谁", "明天中午前一切都会结束的",
                       "我很快就不存在了", "明天会是一场意外，保险会赔"],
    "places_passing": ["今天在水库的坝上站了很久", "在月台等车的时候总想往前走一步", "开车时总想方向盘一扭撞过去",
                       "我现在就在楼顶，你说吧，说完我也该走了"],
    "last_arrangements": ["孩子托付给我妹了，其实我哪也不去了", "车你帮我开回老家，我永远不回去了",
                          "老婆别哭，以后找个对你好的", "信已经放在抽屉里了", "户口本和存折都放在我妈那个柜子里了"],
    "self_and_burden": ["一收到催款短信我就打自己，打到淤青", "该给大家一个解脱了", "只要我不在了他们就安生了",
                        "我走了孩子至少能去奶奶家", "不知道我还留在这个世上做什么", "想好好睡一觉，不要再醒来",
                        "我的葬礼大概只有催收会来"],
    "english": ["after this week you call also no one pick up", "better i take a walk off the top of my block"],
}

LOOK_ALIKES = [
    "楼上天台的水管漏水了，物业不来修", "我在天台晒衣服，你说欠多少", "在货车上捆绳子装货，你说最低还多少",
    "摩托车卖给我弟了，他帮我把这个月的还了", "奶奶的遗嘱里把房子留给我了，过户要什么材料",
    "你们找的是我爸吧，他已经去世两年了，这个号码现在我在用", "昨晚钱全还了，一了百了，以后不用这张破卡了",
    "永别了这张破卡，钱已经全部还清了", "我闺蜜说不想活了，我该怎么劝她", "我在写毕业论文，题目是大学生自杀防治",
    "下个月搬去英国，走之前一次还清",
]

OPT_OUTS = ["我要退ㄉㄧㄥˋ", "莫擱打來啦", "毋通擱傳簡訊來", "能不能别天天@我", "别再＠我了"]


test_crisis_is_caught, test_look_alikes_are_no_crisis, test_opt_outs_stop_contact = round_tests(
    CRISIS_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS)


@pytest.mark.parametrize("text", ["跟他说以后别替我还，我这边很快会有个了结", "保单受益人写了我妹，数她会帮我还"])
def test_someone_paying_explains_a_gift_only_when_it_is_paid(text):
    # A payment promised by someone else after one is gone is no sale or swap.
    found = verdict(text)
    assert found is not None and found.intent == "crisis", text


def test_a_mention_alone_is_no_opt_out():
    assert verdict("@我干嘛") is None
