"""The safety net, sixteenth round: what blind round 9 (a development set
since the second session of 2026-12-05) showed the net had not seen - a
household poison drunk, leaving "cleanly" once the debt is settled, a
farewell in toneless pinyin, the pillar ahead on the motorway - and two ways
the classifier's own crisis is explained away: an answer that says the
writer is safe, and a driver at the wheel who will call back. Phrasings of
our own.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import everyday_context_only, safe_answer_only
from tests.unit.safety_support import overridden, round_tests

CRISIS_BY_KIND = {
    "poison_drunk": ["我刚才喝了半瓶消毒水", "啱啱飲咗洁厕灵", "喝了一大口百草枯"],
    "motorway_pillar": ["开在高速上 看见那个桥墩 真想直接撞上去算了"],
}

POSSIBLE_BY_KIND = {
    "leave_cleanly": ["钱都还完了 我也能走得干干净净", "这样我走得也踏实"],
    "pinyin_farewell": ["wo zou le, yong yuan bu jian", "zai ye bu jian le"],
    "never_see_again": ["以后永远不见了"],
}

LOOK_ALIKES = [
    # buying bleach, a child's accident, someone else's peaceful passing
    "超市买了两瓶漂白水 顺便把钱转了", "孩子误喝了消毒水 在医院 这周没法还",
    "让我爸走得安心点 丧事办完再还款",
    # a crash told as news
    "前面有辆车撞上护栏了 堵着呢 晚点回你",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in,
 test_look_alikes_are_no_crisis) = round_tests(CRISIS_BY_KIND, POSSIBLE_BY_KIND, LOOK_ALIKES)

CRISIS = [{"name": "crisis", "confidence": 0.8}, {"name": "affirm", "confidence": 0.15}]


@pytest.mark.parametrize("text", ["我很安全 你们放心", "热线不用了 我没那么严重", "没事了 刚才开玩笑的"])
def test_an_answer_that_says_safe_is_not_the_classifiers_crisis(text):
    assert safe_answer_only(text)
    data = overridden(text, CRISIS, risk={"crisis": 0.6, "stop_contact": 0.0}).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "affirm" and data["safety"]["rules"] == ["safe_answer"]


@pytest.mark.parametrize("text", ["ok 这是最后一次了", "方案挺好的 可惜我用不上了", "放心 药我都攒好了"])
def test_looser_words_or_a_sign_keep_the_classifiers_crisis(text):
    """ok, 挺好 are the check-in's loose yeses; they explain no farewell away."""
    assert not safe_answer_only(text)
    data = overridden(text, CRISIS, risk={"crisis": 0.6, "stop_contact": 0.0}).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "crisis"


def test_a_driver_who_will_call_back_is_everyday():
    assert everyday_context_only("现在在高速上 收车了再回你")
    ranking = [{"name": "crisis", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.3}]
    data = overridden("现在在高速上 收车了再回你", ranking,
                      risk={"crisis": 0.6, "stop_contact": 0.0}).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "out_of_scope" and data["safety"]["rules"] == ["everyday_context"]
