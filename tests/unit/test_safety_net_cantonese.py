"""The safety net in Cantonese and traditional script (issue 18, 2026-12-03).

The normaliser turns written Cantonese into Mandarin (唔 不, 咗 了, 嚟 来,
搵 找 …), so the net's Mandarin patterns read Cantonese messages too; the
phrasings here are our own, not the development set's sentences.
"""
import pytest

from bot.core.safety import everyday_context_only, figure_of_speech_only, keyword_intent, verdict

CRISIS = [
    # a farewell said with 咗 / 之後
    "我走咗以後 你哋唔好怪我",
    "以後你哋都唔會再見到我",
    "過咗今晚你哋就搵唔到我",
    # the debt paid with one's life, with a measure word (條命)
    "冇錢還 咪用條命抵囉",
    "攞條命去還啦",
    # pills saved up (儲 is Cantonese for 攢), a rope tied
    "安眠藥我儲咗成個月",
    "繩已經綁好喇",
    # resolve with a time, going into the water
    "我諗住聽晚去死",
    "我而家喺江邊 好想行落去",
    # the family better off without me, letters and goodbyes
    "冇我 屋企人會輕鬆啲",
    "我寫咗封信俾阿媽 同屋企人講咗再見",
    "隻貓我已經送咗俾朋友",
    # traditional script, Mandarin
    "今晚之後你們就聯繫不到我了",
    "我把貓送了給鄰居 以後就拜託她了",
]


@pytest.mark.parametrize("text", CRISIS)
def test_cantonese_and_traditional_crisis_is_caught(text):
    assert keyword_intent(text) == "crisis", (text, verdict(text))


STOP = ["請勿再致電給我", "唔該唔好再致電", "取消全部短訊通知", "唔好再send簡訊俾我"]


@pytest.mark.parametrize("text", STOP)
def test_cantonese_and_traditional_opt_out_is_caught(text):
    assert keyword_intent(text) == "stop_contact", (text, verdict(text))


BENIGN = [
    "聽日出咗糧就還 唔好再催",  # a promise: 别催 with a promise is no opt-out
    "我阿媽寫咗封信俾我",
    "我喺江邊做嘢 收工先覆你",
    "藥費好貴 我儲緊錢",
    "今晚之後我就放假",
    "我部電話死咗機 頭先冇睇到",
]


def test_cantonese_look_alikes_do_not_trigger_the_net():
    triggered = {text: verdict(text) for text in BENIGN if verdict(text) is not None}
    assert triggered == {}


def test_a_crisis_only_the_classifier_saw_falls_back_for_a_dead_phone_or_pet():
    assert figure_of_speech_only("我部電話死咗機 啱啱先睇到")
    assert everyday_context_only("我隻狗死咗 好傷心")
    assert everyday_context_only("我家的猫死了，心情很差")
    # ... but not when the writer wants to die too
    assert not figure_of_speech_only("手機死咗機 我都想死")
    assert not everyday_context_only("我家的狗死了 我也想死")
