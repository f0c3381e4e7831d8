"""The NLU override: what the safety net forces, and how it reports it in
the parse data the tracker keeps (the trainers' workbench reads it)."""
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.keyword_override import POSSIBLE_CONFIDENCE, KeywordIntentOverride
from tests.unit.safety_support import overridden


def parsed(text, model_intent="inform_hardship", confidence=0.62, second=None):
    second = second or ("crisis" if model_intent != "crisis" else "out_of_scope")
    ranking = [{"name": model_intent, "confidence": confidence}, {"name": second, "confidence": 0.2}]
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    KeywordIntentOverride().process([message])
    return message.as_dict(only_output_properties=True)


def test_certain_crisis_overrides_the_model_with_full_confidence_and_says_why():
    data = parsed("欠了好多钱 安眠药攒了一瓶")
    assert data[INTENT] == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in data[INTENT_RANKING_KEY]] == ["crisis", "inform_hardship"]
    assert data["safety"]["tier"] == "certain" and "method" in data["safety"]["rules"]
    assert data["safety"]["model_intent"] == "inform_hardship"


def test_possible_crisis_is_crisis_at_half_confidence_with_its_tier():
    data = parsed("还不上钱 活着好累")
    assert data[INTENT] == {"name": "crisis", "confidence": POSSIBLE_CONFIDENCE}
    assert data["safety"] == {"intent": "crisis", "tier": "possible", "rules": ["tired_of_life"],
                              "model_intent": "inform_hardship"}


def test_a_possible_crisis_keeps_the_models_own_higher_crisis_confidence():
    data = parsed("撑不下去了", model_intent="crisis", confidence=0.91)
    assert data[INTENT] == {"name": "crisis", "confidence": 0.91}
    assert data["safety"]["tier"] == "possible"


def test_opt_out_overrides_even_a_fallback():
    data = parsed("唔好再send啦", model_intent="nlu_fallback", confidence=1.0)
    assert data[INTENT]["name"] == "stop_contact"
    assert data["safety"] == {"intent": "stop_contact", "tier": None, "rules": [], "model_intent": "nlu_fallback"}


def test_an_ordinary_message_keeps_the_model_prediction_and_no_report():
    data = parsed("我想销卡", model_intent="out_of_scope", confidence=0.7)
    assert data[INTENT] == {"name": "out_of_scope", "confidence": 0.7}
    assert "safety" not in data


def test_a_crisis_the_classifier_found_alone_is_crisis_that_checks_in_first():
    data = parsed("我最近老是一个人发呆 不知道为了什么", model_intent="crisis", confidence=0.7)
    assert data[INTENT] == {"name": "crisis", "confidence": 0.7}
    assert data["safety"] == {"intent": "crisis", "tier": "model", "rules": [], "model_intent": "crisis"}


def test_a_classifier_crisis_made_of_figures_of_speech_falls_to_its_next_guess():
    for text in ("笑死我了", "最近忙死了", "这个月煤气费都交不起了", "跳楼价甩卖也卖不出去", "累到死，明天再说"):
        data = parsed(text, model_intent="crisis", confidence=0.55)
        assert data[INTENT] == {"name": "out_of_scope", "confidence": 0.2}, text
        assert data["safety"]["rules"] == ["figure_of_speech"] and data["safety"]["model_intent"] == "crisis"


def test_figure_of_speech_with_a_real_sign_stays_crisis():
    data = parsed("笑死 反正我也活不长了", model_intent="crisis", confidence=0.6)
    assert data[INTENT]["name"] == "crisis" and data["safety"]["tier"] == "model"


def test_the_net_reads_what_was_written_not_the_normalised_text():
    # bot.nlu.normalizer.TextNormalizer turned "td" into 退订 for the classifier.
    message = Message(data={TEXT: "退订是什么意思我想问一下账单", "text_as_written": "td是什么意思我想问一下账单"})
    message.set(INTENT, {"name": "ask_balance", "confidence": 0.8}, add_to_output=True)
    KeywordIntentOverride().process([message])
    assert message.get(INTENT)["name"] == "ask_balance"
    traditional = Message(data={TEXT: "我已经站在天台上了", "text_as_written": "我已經站在天台上了"})
    KeywordIntentOverride().process([traditional])
    assert traditional.get(INTENT) == {"name": "crisis", "confidence": 1.0}


def test_a_classifier_crisis_with_an_everyday_explanation_falls_to_its_next_guess():
    for text in ("打游戏又被人杀了", "发烧了该吃哪种药", "我在机场，落地再说", "听说隔壁楼有人跳楼了"):
        data = parsed(text, model_intent="crisis", confidence=0.6)
        assert data[INTENT] == {"name": "out_of_scope", "confidence": 0.2}, text
        assert data["safety"]["rules"] == ["everyday_context"] and data["safety"]["model_intent"] == "crisis"


def test_an_everyday_context_with_a_wish_of_ones_own_stays_crisis():
    data = parsed("听说有人跳楼了 我也想去死", model_intent="crisis", confidence=0.6)
    assert data[INTENT]["name"] == "crisis" and data["safety"]["tier"] == "certain"
    data = parsed("打完这局游戏 我真的想消失", model_intent="crisis", confidence=0.6)
    assert data[INTENT]["name"] == "crisis"


def test_a_classifier_opt_out_that_is_a_question_or_about_fees_falls_to_its_next_guess():
    for text in ("回TD是啥意思", "验证码麻烦再发一次", "别再收我滞纳金了", "how do I stop the late fee"):
        data = parsed(text, model_intent="stop_contact", confidence=0.7, second="out_of_scope")
        assert data[INTENT] == {"name": "out_of_scope", "confidence": 0.2}, text
        assert data["safety"]["rules"] == ["not_an_opt_out"] and data["safety"]["model_intent"] == "stop_contact"


def test_a_demoted_opt_out_whose_runner_up_is_crisis_still_checks_in():
    data = parsed("回T是什么意思", model_intent="stop_contact", confidence=0.7, second="crisis")
    assert data[INTENT]["name"] == "crisis" and data["safety"]["tier"] == "model"


def test_an_opt_out_the_net_sees_is_never_demoted():
    data = parsed("别再发了 利息我会还", model_intent="stop_contact", confidence=0.7)
    assert data[INTENT] == {"name": "stop_contact", "confidence": 1.0}
    data = parsed("不要再打电话了", model_intent="stop_contact", confidence=0.7)
    assert data[INTENT]["name"] == "stop_contact"


# Crisis always wins, also over an opt-out the net heard in the same words
# (issue 18, round 8 development set: five of its eight missed crisis
# messages said "stop calling" beside a farewell only a model heard).

def test_a_crisis_the_classifier_hears_beside_an_opt_out_wins_and_carries_the_opt_out():
    # ("谢谢你们这些年" is the net's own sign since its thirty-third round.)
    for text in ("以后不用打这个电话了 我这边用不着了 谢谢你们", "别再发了 我的事都安排妥了 多谢你们"):
        data = parsed(text, model_intent="crisis", confidence=0.93)
        assert data[INTENT]["name"] == "crisis", text
        assert data["safety"]["tier"] == "model", text
        assert "opt_out_too" in data["safety"]["rules"], text
    # Less sure, but the detector flags it too.
    message = overridden("以后不用打这个电话了 我这边用不着了 谢谢你们",
                         [{"name": "crisis", "confidence": 0.7}, {"name": "stop_contact", "confidence": 0.2}],
                         risk={"crisis": 0.9, "stop_contact": 0.3})
    assert message.get(INTENT)["name"] == "crisis"


def test_the_detectors_flag_alone_does_not_outweigh_the_nets_opt_out():
    message = overridden("每天早上准时发 受够了 别再发",
                         [{"name": "complain", "confidence": 0.6}], risk={"crisis": 0.82, "stop_contact": 0.4})
    assert message.get(INTENT) == {"name": "stop_contact", "confidence": 1.0}


def test_an_opt_out_beside_a_figure_of_speech_the_classifier_read_as_crisis_stays_an_opt_out():
    data = parsed("天天打电话 烦死了 别打了", model_intent="crisis", confidence=0.6)
    assert data[INTENT] == {"name": "stop_contact", "confidence": 1.0}
    assert data["safety"]["rules"] == []


def test_an_opt_out_the_classifier_reads_as_an_unsure_crisis_the_detector_does_not_back_stays_an_opt_out():
    message = overridden("别打了，我不想聊", [{"name": "crisis", "confidence": 0.5}, {"name": "deny", "confidence": 0.3}],
                         risk={"crisis": 0.1, "stop_contact": 0.9})
    assert message.get(INTENT)["name"] == "stop_contact"


def test_a_plain_opt_out_with_no_model_crisis_is_unchanged():
    data = parsed("别打了 我会还的", model_intent="promise_to_pay", confidence=0.7)
    assert data[INTENT]["name"] == "stop_contact" and "opt_out_too" not in data["safety"]["rules"]


def test_an_opt_out_only_guessed_at_is_not_carried_beside_a_crisis():
    """A possible opt-out is asked about, never recorded: beside a crisis the
    classifier hears it is dropped, not carried."""
    message = overridden("非诚勿扰 我的事都安排妥了", [{"name": "crisis", "confidence": 0.8}],
                         risk={"crisis": 0.8, "stop_contact": 0.2})
    data = message.as_dict(only_output_properties=True)
    assert data[INTENT]["name"] == "crisis" and "opt_out_too" not in data["safety"]["rules"]


def test_an_everyday_word_does_not_explain_away_a_crisis_the_detector_all_but_confirms():
    text = "游戏里的装备都送给室友了 他会好好用的"
    ranking = [{"name": "crisis", "confidence": 0.7}, {"name": "out_of_scope", "confidence": 0.2}]
    sure = overridden(text, ranking, risk={"crisis": 0.97, "stop_contact": 0.0}).as_dict(only_output_properties=True)
    assert sure[INTENT]["name"] == "crisis" and sure["safety"]["tier"] == "model"
    unsure = overridden(text, ranking, risk={"crisis": 0.6, "stop_contact": 0.0}).as_dict(only_output_properties=True)
    assert unsure[INTENT]["name"] == "out_of_scope" and unsure["safety"]["rules"] == ["everyday_context"]


def test_ordinary_words_with_huo_explain_nothing_away():
    """生活费, 干活 are no figures of speech: the classifier's crisis beside
    them stands (it had fallen to its next guess)."""
    data = parsed("学费生活费都刷了卡 保险单我已经交给老婆了 日子我也定了", model_intent="crisis", confidence=0.8)
    assert data[INTENT]["name"] == "crisis"
    data = parsed("干活累死了 明天再说", model_intent="crisis", confidence=0.6)
    assert data[INTENT]["name"] != "crisis"
