"""Vague dates through the NLU pipeline's own components (issue 18).

下个月, 周末, 下個禮拜, 月底 and 发工资那天 answer the bot's "when will you
pay?"; the promise and deferral forms fill their slot from the ``date``
entity, so the entity must come out of the pipeline (normaliser, rule
extractor, restorer) with offsets on what the cardholder wrote, and its value
must parse to the day the promise is "by" (bot.core.normalize.parse_date).
"""
from datetime import date, datetime

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.normalize import SHANGHAI, parse_date
from bot.nlu.normalizer import OriginalTextRestorer, TextNormalizer
from bot.nlu.rule_entities import RuleEntityExtractor

# Thursday 2026-12-03 in Shanghai: that week's Sunday is 12-06.
NOW = datetime(2026, 12, 3, 23, 0, tzinfo=SHANGHAI)


def _dates(text):
    message = Message(data={TEXT: text})
    TextNormalizer().process([message])
    RuleEntityExtractor().process([message])
    OriginalTextRestorer().process([message])
    assert message.get(TEXT) == text
    return [(text[e["start"]:e["end"]], e["value"]) for e in message.get("entities") if e["entity"] == "date"]


@pytest.mark.parametrize(
    "text, span, by",
    [
        ("下个月还", "下个月", date(2027, 1, 31)),
        ("周末还你们", "周末", date(2026, 12, 6)),
        ("下個禮拜還３千", "下個禮拜", date(2026, 12, 13)),
        ("月底一定还", "月底", date(2026, 12, 31)),
        ("ok 下礼拜还", "下礼拜", date(2026, 12, 13)),
    ],
)
def test_vague_dates_reach_the_forms_with_the_day_they_promise(text, span, by):
    found = _dates(text)
    assert [s for s, _ in found] == [span]
    assert parse_date(found[0][1], NOW) == by


def test_payday_is_a_date_the_bot_asks_the_day_of():
    found = _dates("发工资那天还")
    assert [s for s, _ in found] == ["发工资那天"]
    assert parse_date(found[0][1], NOW) is None
