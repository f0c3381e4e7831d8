"""The safety risk detector (bot.nlu.risk_detector) in a trained pipeline: a
crisis paraphrase the classifier hears as money and the safety net does not
know becomes a crisis the bot checks in on; ordinary text is left alone."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import MODEL_ONLY, verdict
from bot.nlu.keyword_override import RISK_MODEL, KeywordIntentOverride
from bot.nlu.risk_detector import FLAGGED, RISK_KEY, BinaryRisk
from tests.unit.pipeline_support import DICTIONARY, parse, trained_agent


# Said about money from start to end, with one line of giving up in it.
PARAPHRASE = "欠了好多钱 工资也没发 这辈子就这样吧 到此为止"
# The same in traditional characters: the detector reads the normalised text
# at run time as in training.
PARAPHRASE_TRADITIONAL = "欠了好多錢 工資也沒發 這輩子就這樣吧 到此為止"
BENIGN = ("工资也没发 欠了好多钱 能不能少还点", "好的", "我想分期")

NLU = """
version: "3.1"
nlu:
- intent: crisis
  examples: |
    - 这辈子就这样吧
    - 到此为止吧 我撑不住了
    - 一切就到此为止了
    - 这辈子到这就够了
    - 我不想活了
    - 活着没意思
    - 我想结束这一切
    - 人生到此为止
- intent: inform_hardship
  examples: |
    - 欠了好多钱 还不上
    - 工资没发 还不了
    - 工资也没发 欠了好多钱
    - 欠了好多钱 工资也没发 真的没钱
    - 这个月工资没发 钱还不上
    - 欠的钱太多了 工资又没发
    - 公司倒闭了 工资没发 欠了好多钱
    - 失业了 欠了好多钱 没钱还
    - 家里欠了好多钱 工资还没发
    - 工资发不出来 欠款还不上
- intent: affirm
  examples: |
    - 好的
    - 嗯 好的呀
    - 行吧 就这样
    - 可以可以
    - 没问题的
- intent: request_installment
  examples: |
    - 我想分期
    - 分期行不行
    - 想分几期还
    - 能不能分期还款
    - 帮我把账单分期
    - 我想分期还
    - 我想问问分期
"""


def _pipeline(with_detector: bool) -> list:
    detector = [{"name": "bot.nlu.risk_detector.SafetyRiskDetector",
                 "thresholds": {"crisis": 0.5, "stop_contact": 0.5},
                 # a tiny set: as much weight on its crisis examples as
                 # on all the others
                 "positive_share": 1.0}] if with_detector else []
    return [
        {"name": "bot.nlu.normalizer.TextNormalizer"},
        {"name": "JiebaTokenizer", "dictionary_path": DICTIONARY},
        {"name": "CountVectorsFeaturizer"},
        {"name": "LogisticRegressionClassifier", "max_iter": 1000},
        *detector,
        {"name": "bot.nlu.keyword_override.KeywordIntentOverride"},
        {"name": "bot.nlu.normalizer.OriginalTextRestorer"},
    ]


def _trained(folder: Path, with_detector: bool):
    return trained_agent(folder, _pipeline(with_detector), NLU, "test-risk")


@pytest.fixture(scope="module")
def agents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("risk")
    # Loaded from the archive: the detector's weights went through persist/load.
    return _trained(folder / "plain", False), _trained(folder / "detector", True)


_parse = parse


def test_a_paraphrase_the_classifier_and_the_net_miss_is_a_crisis_to_check_in_on(agents):
    plain, with_detector = agents
    assert verdict(PARAPHRASE) is None  # the safety net does not know it
    assert _parse(plain, PARAPHRASE)["intent"]["name"] == "inform_hardship"  # the classifier hears money

    parsed = _parse(with_detector, PARAPHRASE)
    assert parsed["intent"]["name"] == "crisis"
    # Checked in on, not escalated: the tier of a crisis only a model saw.
    assert parsed["safety"] == {"intent": "crisis", "tier": MODEL_ONLY, "rules": [RISK_MODEL],
                                "model_intent": "inform_hardship"}
    assert "crisis" in parsed[RISK_KEY][FLAGGED]
    assert parsed["text"] == PARAPHRASE


def test_the_detector_reads_the_normalised_text(agents):
    _, with_detector = agents
    assert verdict(PARAPHRASE_TRADITIONAL) is None
    parsed = _parse(with_detector, PARAPHRASE_TRADITIONAL)
    assert parsed[RISK_KEY] == _parse(with_detector, PARAPHRASE)[RISK_KEY]
    assert parsed["intent"]["name"] == "crisis" and parsed["text"] == PARAPHRASE_TRADITIONAL


def test_ordinary_messages_are_left_to_the_classifier(agents):
    plain, with_detector = agents
    for text in BENIGN:
        parsed = _parse(with_detector, text)
        assert parsed["intent"]["name"] == _parse(plain, text)["intent"]["name"] != "crisis", text
        assert "safety" not in parsed and parsed[RISK_KEY][FLAGGED] == []


def _flagged_crisis(text: str, model_intent: str, flagged: str = "crisis", confidence: float = 0.6,
                    risk: float = 0.9) -> str:
    """The intent after the override, for a classifier's guess and a flag."""
    message = Message(data={TEXT: text})
    message.set("intent", {"name": model_intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": model_intent, "confidence": confidence}], add_to_output=True)
    message.set(RISK_KEY, {flagged: risk, FLAGGED: [flagged]}, add_to_output=True)
    KeywordIntentOverride().process([message])
    return message.get("intent")["name"]


def test_a_flag_explained_away_by_a_figure_of_speech_changes_nothing():
    assert _flagged_crisis("笑死我了 工资也没发", "inform_hardship") == "inform_hardship"


def test_a_flag_alone_does_not_outweigh_a_sure_classifier_unless_the_detector_is_all_but_sure():
    # Goodbye at 0.98 with the detector at 0.83: picking up a child from school.
    assert _flagged_crisis("我要走了 去接小朋友放學 bye", "goodbye", confidence=0.98, risk=0.83) == "goodbye"
    assert _flagged_crisis("我女儿已经在网上帮我付过了", "already_paid", confidence=0.89, risk=0.93) == "already_paid"
    # The detector all but sure still brings the check-in...
    assert _flagged_crisis("我女儿已经在网上帮我付过了", "already_paid", confidence=0.89, risk=0.96) == "crisis"
    # ... and so does a flag beside an unsure classifier (the nearest true
    # crisis of the development sets: refuse_to_pay at 0.74).
    assert _flagged_crisis("反正我也不打算看到下个月了，你们爱怎么催就怎么催吧", "refuse_to_pay",
                           confidence=0.74, risk=0.9) == "crisis"


def test_a_crisis_flag_never_overrides_the_classifiers_opt_out():
    assert verdict("这些事我都不想再管了") is None
    assert _flagged_crisis("这些事我都不想再管了", "stop_contact") == "stop_contact"
    assert _flagged_crisis("这些事我都不想再管了", "refuse_to_pay") == "crisis"


def test_a_flagged_opt_out_is_a_possible_one_the_bot_asks_about():
    message = Message(data={TEXT: "你们每天都发 烦不烦"})
    message.set("intent", {"name": "complain", "confidence": 0.6}, add_to_output=True)
    message.set("intent_ranking", [{"name": "complain", "confidence": 0.6}], add_to_output=True)
    message.set(RISK_KEY, {"stop_contact": 0.9, FLAGGED: ["stop_contact"]}, add_to_output=True)
    KeywordIntentOverride().process([message])
    assert message.get("intent")["name"] == "stop_contact"
    # Tier "possible": action_opt_out asks before it records anything.
    assert message.get("safety") == {"intent": "stop_contact", "tier": "possible", "rules": [RISK_MODEL],
                                     "model_intent": "complain"}


def test_a_flagged_question_about_opting_out_is_no_opt_out():
    assert _flagged_crisis("回T是什么意思", "out_of_scope", flagged="stop_contact") == "out_of_scope"


def test_the_weights_round_trip_through_plain_arrays(tmp_path):
    texts = ["我不想活了", "活着没意思", "好的", "我想分期", "工资没发"]
    intents = ["crisis", "crisis", "affirm", "request_installment", "inform_hardship"]
    model = BinaryRisk().fit(texts, intents, ["crisis"])
    import numpy as np

    np.savez_compressed(tmp_path / "w.npz", **model.arrays())
    with np.load(tmp_path / "w.npz", allow_pickle=False) as arrays:
        loaded = BinaryRisk.from_arrays(arrays)
    assert loaded.probabilities(texts) == model.probabilities(texts)
    assert loaded.probabilities(["不想活了"])[0]["crisis"] > loaded.probabilities(["我想分期"])[0]["crisis"]
