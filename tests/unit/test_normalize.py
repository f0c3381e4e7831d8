"""Table-driven tests for bot.core.normalize (plain Python, no Rasa)."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bot.core.normalize import (
    SHANGHAI,
    AmountRef,
    Span,
    chinese_to_number,
    find_entities,
    is_approximate_amount,
    parse_amount,
    parse_date,
    parse_duration_days,
    parse_months,
)

# Wednesday 2026-11-25 10:00 in Shanghai.  Monday of that week: 2026-11-23.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
# Thursday 2026-12-31 12:00 in Shanghai (year rollover).  Monday: 2026-12-28.
NEW_YEARS_EVE = datetime(2026, 12, 31, 12, 0, tzinfo=SHANGHAI)
# 17:30 UTC on 2026-11-25 is already 01:30 on Thursday 2026-11-26 in Shanghai.
LATE_UTC = datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)
# 16:30 UTC on 2026-12-31 is 00:30 on 2027-01-01 in Shanghai.
LATE_UTC_NYE = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)


# --------------------------------------------------------------------------
# chinese_to_number
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("三千五", "3500"),
        ("一万二", "12000"),
        ("两百零五", "205"),
        ("十", "10"),
        ("二十四", "24"),
        ("3千5", "3500"),
        ("1.5万", "15000"),
        ("十五", "15"),
        ("一百二", "120"),
        ("一千二", "1200"),
        ("两万五", "25000"),
        ("一千零五十", "1050"),
        ("两千两百五十", "2250"),
        ("一万零五百", "10500"),
        ("三万五千五", "35500"),
        ("2万5千", "25000"),
        ("十万", "100000"),
        ("一百万", "1000000"),
        ("3500", "3500"),
        ("3,500", "3500"),
        ("２０００", "2000"),  # full-width digits
        ("二零二六", "2026"),
        ("三四千", "3000"),  # range: lower bound
        ("1k", "1000"),
        ("2w", "20000"),
    ],
)
def test_chinese_to_number(text, expected):
    assert chinese_to_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "几千", "千", "五百三千", "abc", "三四", "万一"])
def test_chinese_to_number_rejects(text):
    assert chinese_to_number(text) is None


# --------------------------------------------------------------------------
# parse_amount / is_approximate_amount
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("3500元", Decimal("3500.00")),
        ("三千五", Decimal("3500.00")),
        ("1k", Decimal("1000.00")),
        ("1.5k", Decimal("1500.00")),
        ("两千多", Decimal("2000.00")),
        ("5000块钱", Decimal("5000.00")),
        ("2w", Decimal("20000.00")),
        ("2W", Decimal("20000.00")),
        ("1.5万", Decimal("15000.00")),
        ("五百块", Decimal("500.00")),
        ("3千5", Decimal("3500.00")),
        ("3000左右", Decimal("3000.00")),
        ("一万二", Decimal("12000.00")),
        ("两万五", Decimal("25000.00")),
        ("一千二", Decimal("1200.00")),
        ("两百零五", Decimal("205.00")),
        ("十块", Decimal("10.00")),
        ("3,500元", Decimal("3500.00")),
        ("99.9元", Decimal("99.90")),
        ("五块五", Decimal("5.50")),
        ("三千来块", Decimal("3000.00")),
        ("三四千", Decimal("3000.00")),
        ("5k左右", Decimal("5000.00")),
        ("大概五百", Decimal("500.00")),
        ("我下周五先还三千五", Decimal("3500.00")),  # tolerates surrounding text
        ("最低还款额", AmountRef.MINIMUM_DUE),
        ("最低还款", AmountRef.MINIMUM_DUE),
        ("最低的", AmountRef.MINIMUM_DUE),
        ("先还最低的吧", AmountRef.MINIMUM_DUE),
        ("全部", AmountRef.BALANCE),
        ("全额", AmountRef.BALANCE),
        ("全款", AmountRef.BALANCE),
        ("还清", AmountRef.BALANCE),
    ],
)
def test_parse_amount(text, expected):
    result = parse_amount(text)
    assert result == expected
    if isinstance(expected, Decimal):
        assert isinstance(result, Decimal)
        assert result.as_tuple().exponent == -2  # quantized to 0.01


@pytest.mark.parametrize("text", ["", "-500", "负500", "0元", "零", "几千", "多少钱", "hello", "过几天"])
def test_parse_amount_rejects(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("两千多", True),
        ("3000左右", True),
        ("大概五百", True),
        ("三四千", True),
        ("差不多两千", True),
        ("三千来块", True),
        ("一千出头", True),
        ("三千五", False),
        ("3500元", False),
        ("2w", False),
        ("最低还款", False),
        ("还多少", False),
    ],
)
def test_is_approximate_amount(text, expected):
    assert is_approximate_amount(text) is expected


# --------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("今天", date(2026, 11, 25)),
        ("明天", date(2026, 11, 26)),
        ("后天", date(2026, 11, 27)),
        ("大后天", date(2026, 11, 28)),
        ("昨天", date(2026, 11, 24)),
        ("前天", date(2026, 11, 23)),
        # weekdays of the current week; passed ones roll to next week
        ("周五", date(2026, 11, 27)),
        ("星期五", date(2026, 11, 27)),
        ("礼拜五", date(2026, 11, 27)),
        ("周三", date(2026, 11, 25)),  # today
        ("周一", date(2026, 11, 30)),  # already passed → next Monday
        ("这周六", date(2026, 11, 28)),
        ("本周六", date(2026, 11, 28)),
        ("周日", date(2026, 11, 29)),
        ("周天", date(2026, 11, 29)),
        ("星期天", date(2026, 11, 29)),
        ("礼拜天", date(2026, 11, 29)),
        ("下周五", date(2026, 12, 4)),
        ("下星期五", date(2026, 12, 4)),
        ("下礼拜五", date(2026, 12, 4)),
        ("下个星期一", date(2026, 11, 30)),
        ("下周日", date(2026, 12, 6)),
        ("上周三", date(2026, 11, 18)),
        # day of month
        ("15号", date(2026, 12, 15)),  # 15 < 25 → next month
        ("15日", date(2026, 12, 15)),
        ("十五号", date(2026, 12, 15)),
        ("25号", date(2026, 11, 25)),
        ("28号", date(2026, 11, 28)),
        ("31号", date(2026, 11, 30)),  # clamped to November's last day
        # month + day
        ("12月20号", date(2026, 12, 20)),
        ("12月20日", date(2026, 12, 20)),
        ("十二月二十号", date(2026, 12, 20)),
        ("11月20号", date(2027, 11, 20)),  # already past → next year
        ("11月25日", date(2026, 11, 25)),
        ("2月30号", date(2027, 2, 28)),  # clamped
        # month parts
        ("月底", date(2026, 11, 30)),
        ("这个月底", date(2026, 11, 30)),
        ("月中", date(2026, 12, 15)),  # the 15th has passed
        ("下个月初", date(2026, 12, 1)),
        ("下月初", date(2026, 12, 1)),
        ("下个月10号", date(2026, 12, 10)),
        ("下月10号", date(2026, 12, 10)),
        ("下个月底", date(2026, 12, 31)),
        ("上个月10号", date(2026, 10, 10)),
        ("年底", date(2026, 12, 31)),
        # offsets
        ("三天后", date(2026, 11, 28)),
        ("3天后", date(2026, 11, 28)),
        ("两周后", date(2026, 12, 9)),
        ("十天以后", date(2026, 12, 5)),
        # numeric formats
        ("2026-12-15", date(2026, 12, 15)),
        ("2026/12/15", date(2026, 12, 15)),
        ("2026年12月15日", date(2026, 12, 15)),
        ("12/15", date(2026, 12, 15)),
        ("1/5", date(2027, 1, 5)),
        # surrounding text is tolerated
        ("我下周五还", date(2026, 12, 4)),
        ("最晚月底前还清", date(2026, 11, 30)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("今天", date(2027, 1, 1)),
        ("明天", date(2027, 1, 2)),
        ("月底", date(2027, 1, 31)),
        ("15号", date(2027, 1, 15)),
    ],
)
def test_parse_date_converts_utc_to_shanghai_at_new_year(text, expected):
    assert parse_date(text, LATE_UTC_NYE) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("今天", date(2026, 11, 26)),  # Shanghai is already on Thursday
        ("明天", date(2026, 11, 27)),
        ("周三", date(2026, 12, 2)),  # Wednesday has passed in Shanghai
        ("26号", date(2026, 11, 26)),
    ],
)
def test_parse_date_converts_utc_to_shanghai(text, expected):
    assert parse_date(text, LATE_UTC) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("明天", date(2027, 1, 1)),
        ("后天", date(2027, 1, 2)),
        ("三天后", date(2027, 1, 3)),
        ("15号", date(2027, 1, 15)),
        ("31号", date(2026, 12, 31)),
        ("月底", date(2026, 12, 31)),
        ("月中", date(2027, 1, 15)),
        ("下个月初", date(2027, 1, 1)),
        ("下个月10号", date(2027, 1, 10)),
        ("12月20号", date(2027, 12, 20)),
        ("1月5号", date(2027, 1, 5)),
        ("下周一", date(2027, 1, 4)),
        ("周二", date(2027, 1, 5)),
        ("周五", date(2027, 1, 1)),
        ("12/15", date(2027, 12, 15)),
    ],
)
def test_parse_date_year_rollover(text, expected):
    assert parse_date(text, NEW_YEARS_EVE) == expected


def test_parse_date_naive_now_means_shanghai():
    assert parse_date("明天", datetime(2026, 11, 25, 23, 59)) == date(2026, 11, 26)


@pytest.mark.parametrize("text", ["", "过几天", "以后", "13月5号", "32号", "2026-02-30", "改天", "发工资那天"])
def test_parse_date_rejects(text):
    assert parse_date(text, NOW) is None


# A vague date commits to no day before the end of what it names: a promise
# is "by {date}", so 下个月 is by the last day of next month and 周末 by
# Sunday. (NOW is Wednesday 2026-11-25; that week's Sunday is 11-29.)
@pytest.mark.parametrize(
    "text, expected",
    [
        ("下个月还", date(2026, 12, 31)),
        ("下月再说", date(2026, 12, 31)),
        ("下下个月", date(2027, 1, 31)),
        ("下個月先還一部分", date(2026, 12, 31)),
        ("周末还", date(2026, 11, 29)),
        ("这周末", date(2026, 11, 29)),
        ("下周末", date(2026, 12, 6)),
        ("下周", date(2026, 12, 6)),
        ("下周一定还", date(2026, 12, 6)),
        ("下个礼拜", date(2026, 12, 6)),
        ("下個禮拜還", date(2026, 12, 6)),
        ("这个星期内", date(2026, 11, 29)),
        ("今个礼拜", date(2026, 11, 29)),
        ("月底", date(2026, 11, 30)),
        # the payday itself is unknown; a day said with it is what counts
        ("发工资那天 就是10号", date(2026, 12, 10)),
    ],
)
def test_parse_date_vague(text, expected):
    assert parse_date(text, NOW) == expected


def test_parse_date_vague_at_new_year():
    assert parse_date("下个月", NEW_YEARS_EVE) == date(2027, 1, 31)
    assert parse_date("周末", NEW_YEARS_EVE) == date(2027, 1, 3)


# Extracted as the date entity, so the promise and deferral forms hear the
# answer to "when?" (the payday phrase then gets "which day?").
@pytest.mark.parametrize(
    "text, span",
    [
        ("下个月还", "下个月"),
        ("周末还你们", "周末"),
        ("下個禮拜還", "下個禮拜"),
        ("月底一定还", "月底"),
        ("发工资那天还", "发工资那天"),
        ("發工資那天還", "發工資那天"),
        ("出糧嗰日還", "出糧嗰日"),
        ("工资到账以后马上还", "工资到账以后"),
        ("发薪日还两千", "发薪日"),
        ("下周一定还", "下周"),
    ],
)
def test_vague_dates_are_date_entities(text, span):
    dates = [text[s.start:s.end] for s in find_entities(text) if s.entity == "date"]
    assert dates == [span]


@pytest.mark.parametrize(
    "text",
    ["周末你们上班吗", "我没发工资", "两个星期", "一个礼拜", "每周一", "下个月份的账单", "这个月还不上", "上个月已经还了"],
)
def test_no_vague_date_where_none_is_meant(text):
    assert [s for s in find_entities(text) if s.entity == "date"] == []


# --------------------------------------------------------------------------
# parse_duration_days / parse_months
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("一个月", 30),
        ("两个月", 60),
        ("三个月", 90),
        ("两周", 14),
        ("一周", 7),
        ("30天", 30),
        ("十天", 10),
        ("二十天", 20),
        ("半个月", 15),
        ("一个礼拜", 7),
        ("两个星期", 14),
        ("一星期", 7),
        ("俩月", 60),
        ("一个半月", 45),
        ("宽限我一个月吧", 30),
    ],
)
def test_parse_duration_days(text, expected):
    assert parse_duration_days(text) == expected


@pytest.mark.parametrize("text", ["", "过几天", "以后", "十二月", "几个月", "0天"])
def test_parse_duration_days_rejects(text):
    assert parse_duration_days(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12期", 12),
        ("六期", 6),
        ("24期", 24),
        ("十二期", 12),
        ("六个月", 6),
        ("24个月", 24),
        ("二十四个月", 24),
        ("分六个月", 6),
        ("分12期", 12),
    ],
)
def test_parse_months(text, expected):
    assert parse_months(text) == expected


@pytest.mark.parametrize("text", ["", "几期", "0期", "分期"])
def test_parse_months_rejects(text):
    assert parse_months(text) is None


# --------------------------------------------------------------------------
# find_entities on whole sentences
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("我下周五先还三千五", [("date", "下周五"), ("amount", "三千五")]),
        ("能不能分六个月还", [("months", "六个月")]),
        ("宽限我一个月吧", [("duration", "一个月")]),
        ("身份证后四位是201X", [("id_last4", "201X")]),
        ("最低还款额明天还", [("amount", "最低还款额"), ("date", "明天")]),
        ("2w分12期每月多少", [("amount", "2w"), ("months", "12期")]),
        # "一个月" as a rate (per month) is not a duration
        ("我一个月只能还1k", [("amount", "1k")]),
        ("我一个月就挣三千", [("amount", "三千")]),
        ("明天先还最低还款", [("date", "明天"), ("amount", "最低还款")]),
        ("月底前全部还清", [("date", "月底"), ("amount", "全部")]),
        ("12月20号还5000块钱", [("date", "12月20号"), ("amount", "5000块钱")]),
        ("下个月10号还两千多", [("date", "下个月10号"), ("amount", "两千多")]),
        ("三天后还1k可以吧", [("date", "三天后"), ("amount", "1k")]),
        ("15号还3千5", [("date", "15号"), ("amount", "3千5")]),
        ("2026-12-15之前还清", [("date", "2026-12-15")]),
        ("大后天还2k左右吧", [("date", "大后天"), ("amount", "2k左右")]),
        ("我今天下班就把1.5万转进去", [("date", "今天"), ("amount", "1.5万")]),
        ("我先还3000元 剩下的25号补上", [("amount", "3000元"), ("date", "25号")]),
        ("能不能分成24个月", [("months", "24个月")]),
        ("分期 12个月行不行", [("months", "12个月")]),
        ("我想分十二期", [("months", "十二期")]),
        ("再给我两个星期时间", [("duration", "两个星期")]),
        ("缓半个月再还", [("duration", "半个月")]),
        ("推迟30天行不", [("duration", "30天")]),
        ("两周后还五百块", [("date", "两周后"), ("amount", "五百块")]),
        ("两千两个月还清", [("amount", "两千"), ("duration", "两个月")]),
        ("一万二分12期", [("amount", "一万二"), ("months", "12期")]),
        ("我欠了三万多", [("amount", "三万多")]),
        ("收入就三千来块", [("amount", "三千来块")]),
        ("大概3000左右吧", [("amount", "3000左右")]),
        ("下午3点半还500", [("amount", "500")]),
        ("尾号是8871", [("id_last4", "8871")]),
        ("卡号后四位是6622", [("id_last4", "6622")]),
        ("嗯 0618", [("id_last4", "0618")]),
        ("1234", [("id_last4", "1234")]),
        ("后四位嘛 4482", [("id_last4", "4482")]),
        ("我能还的是3000", [("amount", "3000")]),
        ("身份证后四位201x 我明天还两千", [("id_last4", "201x"), ("date", "明天"), ("amount", "两千")]),
        ("我上周三就把全部欠款还掉了", [("date", "上周三"), ("amount", "全部")]),
        ("这周日给你们还1万", [("date", "这周日"), ("amount", "1万")]),
        ("12/15还3000", [("date", "12/15"), ("amount", "3000")]),
        ("俺能不能缓俩月再还", [("duration", "俩月")]),
        ("等我发了工资 再宽限一个月", [("duration", "一个月")]),
        ("一个月内还清可以吗", [("duration", "一个月")]),
        ("我昨天还了四千五", [("date", "昨天"), ("amount", "四千五")]),
        ("信用卡尾号4639 下周三能还2000", [("id_last4", "4639"), ("date", "下周三"), ("amount", "2000")]),
        ("验证一下 6219", [("id_last4", "6219")]),
        ("账单3,000.50元", [("amount", "3,000.50元")]),
        # negatives
        ("过几天再说", []),
        ("3点打给我", []),
        ("我的电话是13800138000", []),
        ("13800138000", []),
        ("以后再说吧", []),
        ("我这两天就还", []),
        ("我答应你 下周一定还", [("date", "下周")]),  # not Monday: next week
        ("最低还款额是多少", []),
        ("全部欠款能一起分期不", []),
        ("打12378投诉", []),
        ("88啦", []),
        ("一天打十几个电话 我要投诉你", []),
        ("我有2张卡", []),
        ("第3期账单", []),
        ("今天天气怎么样", []),
        ("十分感谢", []),
        ("万一还不上怎么办", []),
    ],
)
def test_find_entities(text, expected):
    spans = find_entities(text)
    assert [(s.entity, s.value) for s in spans] == expected
    for s in spans:
        assert isinstance(s, Span)
        assert text[s.start:s.end] == s.value
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start


def test_find_entities_offsets():
    text = "我下周五先还三千五"
    assert find_entities(text) == [
        Span("date", 1, 4, "下周五"),
        Span("amount", 6, 9, "三千五"),
    ]


def test_find_entities_fullwidth_digits_keep_offsets():
    text = "明天还３０００元"
    assert [(s.entity, s.value) for s in find_entities(text)] == [
        ("date", "明天"),
        ("amount", "３０００元"),
    ]
    assert parse_amount("３０００元") == Decimal("3000.00")


@pytest.mark.parametrize(
    "text",
    [
        "我下周五先还三千五",
        "2w分12期每月多少",
        "下个月10号还两千多",
        "宽限我一个月吧",
        "身份证后四位是201X",
    ],
)
def test_every_found_span_normalises(text):
    """Whatever find_entities returns, the matching parse_* can read."""
    for s in find_entities(text):
        if s.entity == "amount":
            assert parse_amount(s.value) is not None
        elif s.entity == "date":
            assert parse_date(s.value, NOW) is not None
        elif s.entity == "duration":
            assert parse_duration_days(s.value) is not None
        elif s.entity == "months":
            assert parse_months(s.value) is not None


# --------------------------------------------------------------------------
# parse_* on the round-4 forms (issue 18): the values the actions book
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("$500", Decimal("500.00")),  # the number as written: no exchange rate
        ("RMB 3,000", Decimal("3000.00")),
        ("3000 yuan", Decimal("3000.00")),
        ("500kuai", Decimal("500.00")),
        ("三千幾", Decimal("3000.00")),
        ("二十多万", Decimal("200000.00")),
        ("萬二", Decimal("12000.00")),
        ("千五", Decimal("1500.00")),
    ],
)
def test_parse_amount_round4_forms(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("十来天", 10), ("个把月", 30), ("一个多月", 30), ("半年", 182), ("three days", 3),
     ("2 more weeks", 14), ("a fortnight", 14), ("half a month", 15)],
)
def test_parse_duration_days_round4_forms(text, expected):
    assert parse_duration_days(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("12 months", 12), ("six months", 6), ("3 years", 36), ("12 installments", 12), ("6", 6), ("一年", 12)],
)
def test_parse_months_round4_forms(text, expected):
    assert parse_months(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("tonight", date(2026, 11, 25)), ("tmrw", date(2026, 11, 26)), ("今晚", date(2026, 11, 25)),
     ("明早", date(2026, 11, 26)), ("昨儿个", date(2026, 11, 24)), ("15th", date(2026, 12, 15)),
     ("sat", date(2026, 11, 28)), ("Dec 10", date(2026, 12, 10)), ("正月十五", None)],
)
def test_parse_date_round4_forms(text, expected):
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("123x", "123X"), ("１２３ｘ", "123X"), ("一九八三", "1983"), ("幺三五二", "1352"), ("12345", None), ("abc", None)],
)
def test_parse_id_last4(text, expected):
    from bot.core.normalize import parse_id_last4

    assert parse_id_last4(text) == expected
