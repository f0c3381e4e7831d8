"""Toneless pinyin with digits (issue 18): cardholders on a phone without a
Chinese IME write "wo 15 hao huan", "fen 12 qi", "yan qi 2 zhou".  They get
the entities and values of the Chinese they spell (15号 / 12期 / 两周), and
ordinary pinyin ("hao de", "qi ta", "yi qi", "88 bai bai") stays no entity.

Each case checks the span find_entities returns and the value the matching
parse_* function gives the actions (clock: Wednesday 2026-11-25).
"""
from datetime import date
from decimal import Decimal

import pytest

from tests.unit.entity_support import found


@pytest.mark.parametrize(
    "text, expected",
    [
        # N hao = N号: the next such day of the month
        ("wo 15 hao huan", [("date", "15 hao", date(2026, 12, 15))]),
        ("28hao huan", [("date", "28hao", date(2026, 11, 28))]),
        # like 我2号了: a digit right before hao names a day
        ("wo 2 hao le", [("date", "2 hao", date(2026, 12, 2))]),
        ("wo xia ge yue 20 hao huan 3000",
         [("date", "xia ge yue 20 hao", date(2026, 12, 20)), ("amount", "3000", Decimal("3000.00"))]),
        ("12 yue 20 hao", [("date", "12 yue 20 hao", date(2026, 12, 20))]),
        # 下个月 / 下周 alone: by the last day of that month / week, like the Chinese
        ("xia ge yue yi ding huan", [("date", "xia ge yue", date(2026, 12, 31))]),
        ("wo xia zhou huan", [("date", "xia zhou", date(2026, 12, 6))]),
        ("xia zhou yi ding huan", [("date", "xia zhou", date(2026, 12, 6))]),
        ("zhe zhou mo huan", [("date", "zhe zhou mo", date(2026, 11, 29))]),
        ("xia zhou wu huan", [("date", "xia zhou wu", date(2026, 12, 4))]),
        ("xing qi wu zhuan", [("date", "xing qi wu", date(2026, 11, 27))]),
        ("ming tian huan", [("date", "ming tian", date(2026, 11, 26))]),
        ("mingtian hai", [("date", "mingtian", date(2026, 11, 26))]),
        ("hou tian wo hk", [("date", "hou tian", date(2026, 11, 27))]),
        ("3 tian hou huan", [("date", "3 tian hou", date(2026, 11, 28))]),
    ],
)
def test_pinyin_dates(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("gei wo 2 ge yue", [("duration", "2 ge yue", 60)]),
        ("yan qi 2 zhou", [("duration", "2 zhou", 14)]),
        ("kuan xian 10 tian", [("duration", "10 tian", 10)]),
        ("zai gei 3 ge xing qi", [("duration", "3 ge xing qi", 21)]),
    ],
)
def test_pinyin_durations(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("fen 12 qi", [("months", "12 qi", 12)]),
        ("neng fen 24qi ma", [("months", "24qi", 24)]),
        # 分6个月: months in an installment context, a duration otherwise
        ("fen 6 ge yue", [("months", "6 ge yue", 6)]),
        ("fen qi 12 ge yue", [("months", "12 ge yue", 12)]),
    ],
)
def test_pinyin_installment_counts(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("huan 3 qian", [("amount", "3 qian", Decimal("3000.00"))]),
        ("xian huan 5 bai", [("amount", "5 bai", Decimal("500.00"))]),
        ("qian le 2 wan", [("amount", "2 wan", Decimal("20000.00"))]),
        ("1 wan 2 qian kuai", [("amount", "1 wan 2 qian kuai", Decimal("12000.00"))]),
        ("3000 kuai qian", [("amount", "3000 kuai qian", Decimal("3000.00"))]),
        ("3000 kuai", [("amount", "3000 kuai", Decimal("3000.00"))]),
        ("3000 yuan", [("amount", "3000 yuan", Decimal("3000.00"))]),
    ],
)
def test_pinyin_amounts(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hao de",
        "hao",
        "wo hen hao",
        "hao de wo zhi dao le",
        "32 hao",  # no such day
        "qi ta de ka",
        "wo you 2 qi ta de ka",  # 其他, not 2期
        "wo men yi qi qu",
        "di 3 qi",  # 第3期: an ordinal, like 第三期
        "di 2 tian",
        "2 ge yue le mei gong zi",  # time already gone, like 两个月了没工资
        "2 yue",  # February alone, like 2月
        "88 bai bai",
        "ming tian tian qi hao ma",  # small talk, like 明天天气好吗
        "xia yu le",
        "2 ge tian",
    ],
)
def test_ordinary_pinyin_has_no_entity(text):
    assert found(text) == []
