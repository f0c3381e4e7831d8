"""The NLU override: what the safety net forces, and how it reports it in
the parse data the tracker keeps (the trainers' workbench reads it)."""
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.keyword_override import POSSIBLE_CONFIDENCE, KeywordIntentOverride


def parsed(text, model_intent="inform_hardship", confidence=0.62):
    ranking = [{"name": model_intent, "confidence": confidence}, {"name": "crisis", "confidence": 0.2}]
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
