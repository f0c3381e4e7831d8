"""Pure parts of the workbench's labelling aids (issue 12): the training log
as a trainer reads it and the run's percent, what counts as "only masked",
the one channel vocabulary behind the channel filter, and the Chinese
descriptions of every intent and entity of domain.yml."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.core import channels
from console.training import labels, review, trainlog

REPO = Path(__file__).resolve().parents[2]


def test_readable_log_has_no_colour_codes_and_no_warnings():
    raw = (
        "\x1b[92mTraining NLU model...\x1b[0m\r\n"
        "/x/rasa/shared/utils/io.py:99: FutureWarning: The `x` argument is deprecated\n"
        "  More info at https://rasa.com\n"
        "  warnings.warn(\n"
        "\x1b[1;33mStarting to train component 'LogisticRegressionClassifier'.\x1b[0m\n"
    )
    out = trainlog.readable(raw)
    assert out.splitlines() == ["Training NLU model...", "Starting to train component 'LogisticRegressionClassifier'."]


def test_percent_follows_the_components_and_the_phases():
    log = "Finished training component 'A'.\nRestored component 'B' from cache.\nStarting to train component 'C'.\n"
    assert trainlog.components_done(log) == 2
    assert trainlog.percent("queued", "", None, 10) == 0
    assert trainlog.percent("training", "", "", 10) == trainlog.TRAINING_FROM
    assert trainlog.percent("training", "", log, 10) == 5 + 15  # 2 of 10 of the 75 points
    assert trainlog.percent("training", "", log * 10, 10) == trainlog.TRAINING_TO  # never past training's share
    assert trainlog.percent("evaluating", "评估中：当前模型", None, 0) == trainlog.EVALUATING_CURRENT
    assert trainlog.percent("evaluating", "评估中：候选模型", None, 0) == trainlog.EVALUATING_CANDIDATE
    assert trainlog.percent("succeeded", "", None, 0) == 100
    assert trainlog.components_total(REPO / "config.yml") >= 5


def test_only_masked_messages():
    assert review.only_masked("****")
    assert review.only_masked(" ** ** 。")
    assert not review.only_masked("身份证后四位是****")
    assert not review.only_masked("你好")
    assert not review.only_masked("")
    assert review.same_text_key(" 你好  呀 ") == review.same_text_key("你好 呀")


def test_each_channel_once_in_pickers_and_aliases_match():
    labels_ = list(channels.CHANNEL_CHOICES.values())
    assert len(labels_) == len(set(labels_))
    assert set(labels_) == set(channels.CHANNEL_LABELS.values())
    assert channels.same_channel("socketio", "webchat") and channels.same_channel("sms", "twilio_sms")
    assert not channels.same_channel("webchat", "twilio_sms")
    assert channels.canonical("socketio") == "webchat" and channels.canonical("rest") == "rest"


def test_every_intent_and_entity_of_the_domain_has_a_chinese_description():
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    intents = [next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]]
    entities = [next(iter(e)) if isinstance(e, dict) else e for e in domain["entities"]]
    described, entity_described = labels.intent_descriptions(), labels.entity_descriptions()
    for name in intents:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in described.get(name, "")), name
    for name in entities:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entity_described.get(name, "")), name


def test_a_hashed_conversation_id_is_masked_whole():
    from console.trainer_view import mask_conversation_id

    # A web chat session id is a hex hash: its first letters are the id, not a prefix.
    assert mask_conversation_id("deadbeef" + "0123456789abcdef" * 3 + "01234567") == "****"
    assert mask_conversation_id("7f3a0c1e9b2d4f6a8c0e1a3b5d7f9a1c") == "****"
    assert mask_conversation_id("webchat-7f3a") == "webchat-****"
    assert mask_conversation_id("rest:tester") == "rest:****"
    assert mask_conversation_id("+8613900000001") == "+86139****0001"
