"""The spaCy variant of the entity extractor (bot/nlu/spacy_entities.py).

It is not in config.yml (the rule extractor won the measurement), but it is
a Rasa component the comparison script runs: it must extract what a token
matcher can, and the tests pin where it cannot, which is why it lost.
"""
from rasa.shared.nlu.training_data.message import Message

from bot.core.normalize import find_entities as rule_entities
from bot.nlu.spacy_entities import SpacyEntityExtractor, find_entities


def _found(text):
    return [(label, text[a:b]) for a, b, label, _ in find_entities(text)]


def test_blank_zh_pipeline_segments_with_jieba_and_the_collection_dictionary():
    from bot.nlu.spacy_entities import pipeline

    nlp, _ = pipeline()
    assert nlp.lang == "zh"
    assert nlp.pipe_names == []  # blank: nothing pretrained
    # 最低还款额 is one token only through bot/nlu/dictionary
    assert "最低还款额" in [t.text for t in nlp("我先还最低还款额")]


def test_extracts_whole_token_entities():
    assert _found("下个月5号我把全部欠款结清") == [("date", "下个月5号"), ("amount", "全部")]
    assert _found("已经还了1500元") == [("amount", "1500元")]
    assert _found("可以分八期还不") == [("months", "八期")]
    assert _found("能再缓三天吗") == [("duration", "三天")]
    assert _found("尾号2167") == [("id_last4", "2167")]
    assert _found("大后天还2k左右吧") == [("date", "大后天"), ("amount", "2k左右")]


def test_installments_and_time_told_apart_by_what_comes_before():
    assert _found("剩下的分6个月还") == [("months", "6个月")]
    assert _found("给我延半个月") == [("duration", "半个月")]


def test_token_boundaries_lose_what_the_character_grammar_finds():
    # jieba makes 昨天下午 one token: the date inside it is lost to spaCy.
    text = "昨天下午就还上了"
    assert _found(text) == []
    assert [(s.entity, s.value) for s in rule_entities(text)] == [("date", "昨天")]


def test_rasa_component_adds_entities_with_its_name():
    message = Message(data={"text": "周四把四千打过来"})
    SpacyEntityExtractor().process([message])
    entities = message.get("entities")
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("date", "周四", "SpacyEntityExtractor"),
        ("amount", "四千", "SpacyEntityExtractor"),
    ]
