"""The normaliser in the Rasa pipeline (bot.nlu.normalizer): the classifiers
read normalised text in training and at run time, and what is stored is what
the cardholder wrote."""
from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest
import yaml
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalizer import (
    TEXT_AS_WRITTEN,
    TEXT_SPANS,
    OriginalTextRestorer,
    TextNormalizer,
)

REPO = Path(__file__).resolve().parents[2]


def _components():
    return TextNormalizer(), OriginalTextRestorer()


def test_components_in_between_read_the_normalised_text():
    normalizer, _ = _components()
    message = Message(data={TEXT: "👌我想fq，５０００元"})
    normalizer.process([message])
    assert message.get(TEXT) == "好的我想分期，5000元"


def test_the_restorer_puts_back_the_text_and_maps_offsets_onto_it():
    normalizer, restorer = _components()
    written = "👌我想fq，５０００元"
    message = Message(data={TEXT: written})
    normalizer.process([message])
    seen = message.get(TEXT)
    start = seen.index("5000")
    # What an extractor and a tokenizer in between would have produced.
    message.set(ENTITIES, [{"entity": "amount", "start": start, "end": start + 4, "value": "5000"}],
                add_to_output=True)
    message.set(TOKENS_NAMES[TEXT], [Token("分期", seen.index("分期")), Token("5000", start)])
    restorer.process([message])

    parse = message.as_dict(only_output_properties=True)
    assert parse[TEXT] == written
    entity = parse[ENTITIES][0]
    assert written[entity["start"]:entity["end"]] == "５０００"
    assert entity["value"] == "5000"
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert [written[t.start:t.end] for t in tokens] == ["fq", "５０００"]
    # Nothing private leaks into what is stored.
    assert TEXT_AS_WRITTEN not in message.data and TEXT_SPANS not in message.data


def test_a_message_that_needs_no_normalising_is_left_as_it_is():
    normalizer, restorer = _components()
    message = Message(data={TEXT: "我下个月还"})
    normalizer.process([message])
    restorer.process([message])
    assert message.data == {TEXT: "我下个月还"}


def test_training_examples_are_normalised_with_their_entity_annotations():
    normalizer, _ = _components()
    written = "👍帮我辦分期，５０００元"
    start = written.index("５")
    example = Message(data={TEXT: written, "intent": "request_installment",
                            ENTITIES: [{"entity": "amount", "start": start, "end": start + 4, "value": "5000"}]})
    data = normalizer.process_training_data(TrainingData([example]))
    seen = data.training_examples[0]
    assert seen.get(TEXT) == "好的帮我办分期，5000元"
    entity = seen.get(ENTITIES)[0]
    assert seen.get(TEXT)[entity["start"]:entity["end"]] == "5000"


def test_the_config_runs_the_normaliser_first_and_the_restorer_last():
    config = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    assert names[0] == "bot.nlu.normalizer.TextNormalizer"
    assert names[-1] == "bot.nlu.normalizer.OriginalTextRestorer"


def test_the_cache_key_changes_with_the_normalisation_rules():
    # Rasa keys its training cache on the component's (default) config.
    from bot.core.textnorm import fingerprint

    # textnorm's fingerprint, and this component's own chat forms.
    rules = TextNormalizer.get_default_config()["rules"]
    assert rules.startswith(fingerprint() + "-") and len(rules) > len(fingerprint()) + 1


# --- a trained tiny assistant: what the processor stores ----------------------

DOMAIN = """
version: "3.1"
intents: [affirm, request_installment]
entities: [amount]
responses:
  utter_ok: [{text: "好的"}]
  utter_plan: [{text: "可以分期"}]
"""

NLU = """
version: "3.1"
nlu:
- intent: affirm
  examples: |
    - 好的
    - 好
    - 可以
    - 行
    - 没问题
    - 嗯嗯
    - 对
    - 是的
- intent: request_installment
  examples: |
    - 我想分期
    - 能分期吗
    - 帮我办分期
    - 可以分期还吗
    - 分期还[3000](amount)元
    - 我要分期
    - 分期怎么办理
    - 分12期可以吗
"""

RULES = """
version: "3.1"
rules:
- rule: ok
  steps: [{intent: affirm}, {action: utter_ok}]
- rule: plan
  steps: [{intent: request_installment}, {action: utter_plan}]
"""


def _config() -> str:
    return textwrap.dedent(
        f"""
        recipe: default.v1
        language: zh
        assistant_id: test-normaliser
        pipeline:
          - name: bot.nlu.normalizer.TextNormalizer
          - name: JiebaTokenizer
            dictionary_path: {REPO / "bot" / "nlu" / "dictionary"}
          - name: CountVectorsFeaturizer
            analyzer: char_wb
            min_ngram: 1
            max_ngram: 2
          - name: LogisticRegressionClassifier
            max_iter: 1000
          - name: bot.nlu.rule_entities.RuleEntityExtractor
          - name: bot.nlu.normalizer.OriginalTextRestorer
        policies:
          - name: RulePolicy
        """
    )


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    from rasa.core.agent import Agent
    from rasa.model_training import train

    folder = tmp_path_factory.mktemp("tiny")
    for name, text in {"domain.yml": DOMAIN, "config.yml": _config(),
                       "data/nlu.yml": NLU, "data/rules.yml": RULES}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    result = train(str(folder / "domain.yml"), str(folder / "config.yml"),
                   [str(folder / "data")], output=str(folder / "models"), force_training=True)
    assert result.code == 0 and result.model
    return Agent.load(result.model)


def _stored_user_event(agent, sender: str, text: str) -> dict:
    async def go():
        await agent.handle_text(text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        # What a tracker store writes: the tracker serialised with its events.
        from rasa.core.tracker_store import SerializedTrackerAsText

        events = json.loads(SerializedTrackerAsText.serialise_tracker(tracker))["events"]
        return [e for e in events if e["event"] == "user"][-1]

    return asyncio.run(go())


def test_emoji_agreement_is_understood_and_stored_as_sent(agent):
    event = _stored_user_event(agent, "c1", "👌👌")
    assert event["text"] == "👌👌"
    assert event["parse_data"]["text"] == "👌👌"
    assert event["parse_data"]["intent"]["name"] == "affirm"


def test_a_noisy_request_is_understood_and_its_entity_points_into_what_was_written(agent):
    written = "幫我辦fq，５０００元"
    event = _stored_user_event(agent, "c2", written)
    assert event["text"] == written
    assert event["parse_data"]["text"] == written
    assert event["parse_data"]["intent"]["name"] == "request_installment"
    (entity,) = [e for e in event["parse_data"]["entities"] if e["entity"] == "amount"]
    # The extractor read 5000元 in the normalised text; the offsets point
    # at the characters the cardholder typed.
    assert written[entity["start"]:entity["end"]] == "５０００元"
    assert TEXT_AS_WRITTEN not in event["parse_data"]


# --- chat forms read before textnorm, for the classifiers only ---------------

from bot.nlu.normalizer import normalize_for_classifiers  # noqa: E402


@pytest.mark.parametrize("written, seen", [
    # digits only are one __NUMBER__ feature, like the ID's last four digits
    ("88", "拜拜"), ("886", "拜拜"), ("88啦", "拜拜啦"), ("88 88", "拜拜"),
    ("xx", "谢谢"), ("XX!", "谢谢!"), ("nh~", "你好~"), ("sd", "是的"), ("bx", "不行"),
    ("bu huan", "不还"), ("yi huan le", "已还了"), ("ren gong", "人工"),
    ("你是jqr吗", "你是机器人吗"), ("转 ren  gong", "转 人工"), ("tx gz", "停息挂账"),
    ("tx挂账能办吗", "停息挂账能办吗"), ("🤖？", "机器人？"), ("💩💩", "垃圾垃圾"),
    # textnorm's own steps still run after the chat forms
    ("我要 fenqi，５０００元", "我要 分期，5000元"),
    # a bare number of periods answers a plan offer (not the ID's digits)
    ("6", "6期"), ("12", "12期"), ("24吧", "24期吧"), ("6️⃣", "6期"), ("1️⃣2️⃣", "12期"), ("３６", "36期"),
    # 748 (去死吧) sent alone is abuse, not three of the ID's digits
    ("748", "滚"), ("748!", "滚!"),
    # ... also drawn as keycaps, which only textnorm turns into digits (blind round 13)
    ("7️⃣4️⃣8️⃣", "滚"), ("8️⃣8️⃣", "拜拜"),
    # a time stamp in brackets the chat app or a paste put first is not the ID's digits
    ("【12-03 08:15】您好", "您好"), ("[19:02] 不系本人", "不是本人"), ("【2026-12-05 19:02】已还", "已还"),
    ("(08:15) 1234", "1234"), ("【12-03 08:15】748", "滚"),
    # the ID's last four with a letter typed for a digit
    ("2O19", "2019"), ("l234", "1234"), ("12lX", "121X"),
])
def test_chat_forms_become_words_the_training_data_uses(written, seen):
    assert normalize_for_classifiers(written).text == seen


@pytest.mark.parametrize("written", [
    "8888",        # four digits are an ID's last four, not a goodbye
    "7480",
    "还88块",       # digits inside a message stay digits (amounts)
    "88块",
    "张xx",         # xx as a name placeholder is not thanks
    "xx说的",
    "by",          # more often bye than 不用
    "tx",          # 提醒 / 腾讯 / 停息: ambiguous alone
    "yyds",
    "jqrx",        # only whole tokens
    "1", "2",      # yes / no, and menu numbers
    "7", "15",     # no plan has that many periods
    "12期", "还12", "6620",
    # unbracketed, a date and time may be the payment's; a bracketed time alone is the whole message
    "12-05 19:02 已还", "12月5日 19:02 转了3000", "【12:30】",
    "Oo", "lol", "10O", "I l",  # not four characters with two digits
])
def test_chat_forms_leave_other_text_alone(written):
    assert normalize_for_classifiers(written).text == written


def _amount_found_in_seen_text(written: str, seen: str, digits: str) -> str:
    """Normalise ``written`` as the pipeline does, check the classifiers see
    ``seen``, mark ``digits`` there as an amount and restore: what the entity
    covers in the text as written."""
    normalizer, restorer = _components()
    message = Message(data={TEXT: written})
    normalizer.process([message])
    assert message.get(TEXT) == seen
    start = seen.index(digits)
    message.set(ENTITIES, [{"entity": "amount", "start": start, "end": start + len(digits), "value": digits}],
                add_to_output=True)
    restorer.process([message])
    assert message.get(TEXT) == written
    entity = message.as_dict(only_output_properties=True)[ENTITIES][0]
    return written[entity["start"]:entity["end"]]


def test_chat_forms_map_entity_offsets_back_onto_what_was_written():
    written = "ren gong 帮我分期，５０００元"
    assert _amount_found_in_seen_text(written, "人工 帮我分期，5000元", "5000") == "５０００"
    # the replaced word maps onto the whole of what it replaced
    result = normalize_for_classifiers(written)
    assert result.original_span(0, 2) == (0, 8)


def test_an_entity_after_a_dropped_time_stamp_maps_back_onto_what_was_written():
    assert _amount_found_in_seen_text("【12-03 08:15】明天还3000", "明天还3000", "3000") == "3000"
