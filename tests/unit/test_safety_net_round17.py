"""The safety net, seventeenth round: what blind round 10 (a development set
since the third session of 2026-12-05, once round 11 was frozen) showed - a
farewell with the next life, "I don't even care for my life", a bare "leave
me alone", the crisis hotline asked for again or found busy, an account
given away with "never online again" - and how often we write, said alone,
read as the classifier reads it. Phrasings of our own.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import CERTAIN, POSSIBLE, is_stop_request, verdict
from tests.unit.safety_support import overridden, round_tests

POSSIBLE_BY_KIND = {
    "next_life_farewell": ["再见了 来生再也不碰信用卡", "永别了，下辈子不要再做人了"],
    "life_not_cared_for": ["催吧 我连命都不要了 还怕你们催", "老子命都不想要了"],
    "leave_me_alone": ["别管我了", "你们就别管我了吧"],
    "hotline_again": ["热线打了一晚上都占线", "热线号码再发我一次", "那个心理援助热线是多少"],
    "given_away_for_good": ["号和装备都送人了 以后再也不会上线了"],
    "no_number_any_more": ["退订，今晚以后我不会再用任何号码了"],
}

LOOK_ALIKES = [
    "别管我了 我自己会想办法还的",  # not bare: the cardholder's own plan
    "你们客服热线是多少", "客服热线打不通啊", "什么心理援助热线？发错人了吧",
    "为了赚钱命都不要了，天天加班",  # said of the work, no 我
    "退游了 号送给表弟了",  # quitting a game, no "never again"
    "再见，下周再聊",
    "我换号了，以后不会再用这个号码", "谢谢你们发的心理援助热线，我没事", "热线打过了，聊完好多了",  # thanks, and better
]

(test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis) = round_tests(
    possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES)


@pytest.mark.parametrize("text", ["你们天天催，烦不烦", "一天打八个电话 你们是要逼疯人吗", "每天都打电话 有完没完"])
def test_how_often_said_alone_is_no_certain_opt_out(text):
    """On every set never trained on, all 25 such messages were complaints."""
    assert not is_stop_request(text)
    found = verdict(text)
    assert (found.intent, found.tier, found.rules) == ("stop_contact", POSSIBLE, ("too_often_only",))


def test_the_classifiers_complaint_stands_and_goes_to_a_person():
    ranking = [{"name": "complain", "confidence": 0.76}, {"name": "stop_contact", "confidence": 0.22}]
    data = overridden("天天发短信 烦不烦 有事直接说事", ranking,
                      risk={"crisis": 0.0, "stop_contact": 0.82}).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "complain" and "safety" not in data


@pytest.mark.parametrize("model_intent", ["stop_contact", "nlu_fallback"])
def test_the_classifiers_opt_out_or_no_reading_is_asked_about(model_intent):
    ranking = [{"name": model_intent, "confidence": 0.5}, {"name": "complain", "confidence": 0.3}]
    data = overridden("每天都打电话 有完没完", ranking).as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "stop_contact" and data["safety"]["tier"] == POSSIBLE


@pytest.mark.parametrize("text", ["一天发五六条，有完没完，停了吧", "我日日都收到你哋短訊 唔該停咗佢", "短信太多了 退了",
                                  "天天发短信 别再发了"])
def test_a_word_that_says_stop_keeps_it_an_opt_out(text):
    assert is_stop_request(text)
    assert verdict(text).tier is None


def test_certain_stays_certain():
    assert verdict("我不想活了").tier == CERTAIN
