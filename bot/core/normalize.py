"""Rule-based entity finding and normalisation for Chinese collection dialogue.

Plain Python (stdlib only).  Two jobs:

* :func:`find_entities` finds the spans of ``amount``, ``date``, ``duration``,
  ``months`` and ``id_last4`` in a user message.  The spans follow the
  annotation contract of the NLU training data exactly (which words belong
  to a span and which do not), so the same grammar serves both the Rasa
  extractor and the consistency checks on the data.
* ``parse_*`` turn one entity's text into a value: an amount in yuan, a
  calendar date relative to "now" in Asia/Shanghai, a number of days, a
  number of instalments.  They return ``None`` rather than guess.

Every pattern works on a copy of the text in which full-width digits and
Latin letters are folded to ASCII and traditional characters to simplified
ones (禮拜 → 礼拜, 兩萬 → 两万); the fold maps one character to one
character, so offsets stay valid for the original text.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Tuple, Union

from opencc import OpenCC

from bot.core.clock import SHANGHAI

__all__ = [
    "AmountRef",
    "Span",
    "SHANGHAI",
    "find_entities",
    "parse_amount",
    "is_approximate_amount",
    "parse_date",
    "parse_duration_days",
    "is_vague_duration",
    "parse_months",
    "parse_id_last4",
    "chinese_to_number",
]



class AmountRef(str, Enum):
    """Amounts that refer to the account instead of a number."""

    MINIMUM_DUE = "minimum_due"  # 最低还款 / 最低还款额 / 最低的
    BALANCE = "balance"  # 全部 / 全额 / 全款 / 还清


@dataclass(frozen=True)
class Span:
    entity: str  # "amount", "date", "duration", "months", "id_last4"
    start: int  # char offsets into the text: text[start:end] == value
    end: int
    value: str


# --------------------------------------------------------------------------
# Character folding and numerals
# --------------------------------------------------------------------------

_FULLWIDTH = "０１２３４５６７８９ＸｘｋＫｗＷ．，／－：％　"
_HALFWIDTH = "0123456789XxkKwW.,/-:% "
_FOLD = str.maketrans(_FULLWIDTH, _HALFWIDTH)


_T2S = OpenCC("t2s")


@lru_cache(maxsize=8192)
def _simplified(ch: str) -> str:
    # Character by character, so the fold stays one-to-one: OpenCC's phrase
    # tables may change a word's length, its character table does not here.
    out = _T2S.convert(ch)
    return out if len(out) == 1 else ch


def _fold(text: str) -> str:
    """Full-width to ASCII and traditional to simplified, length-preserving."""
    return "".join(
        _simplified(ch) if ch > "\u2e7f" else ch for ch in text.translate(_FOLD)
    )


_CN_DIGITS = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# Units inside a section (below 万).  k is "thousand" in chat Chinese.
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
                "k": 1000, "K": 1000}
# Section units.  w is "万" in chat Chinese.
_BIG_UNITS = {"万": 10000, "w": 10000, "W": 10000, "亿": 10 ** 8}

_NUM_TOKEN = re.compile(r"\d+(?:\.\d+)?|.", re.S)


def chinese_to_number(text: str) -> Optional[Decimal]:
    """Value of a Chinese, Arabic or mixed numeral, or ``None``.

    三千五→3500, 一万二→12000, 两百零五→205, 十→10, 二十四→24, 3千5→3500,
    1.5万→15000, 2w→20000, 1k→1000.  A bare digit right after a unit takes
    the next lower unit (一千二 = 1200), unless a 零 intervenes (一千零二 =
    1002).  A range of two consecutive digits before a unit (三四千) gives its
    lower bound.  Pure digit strings read positionally (二零二六 = 2026).
    """
    if text is None:
        return None
    s = _fold(text).strip()
    s = re.sub(r"\s+", "", s)
    # thousands separators between digits: 3,500 / 12,000.50
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)
    if not s:
        return None
    tokens = _NUM_TOKEN.findall(s)

    # Pure Chinese digits without units: positional (二零二六), single digit.
    if all(t in _CN_DIGITS for t in tokens):
        values = [_CN_DIGITS[t] for t in tokens]
        if len(values) == 2 and values[1] == values[0] + 1:
            return None  # 三四 without a unit is a range, not 34
        return Decimal("".join(str(v) for v in values))

    total = Decimal(0)
    section = Decimal(0)
    num: Optional[Decimal] = None
    num_single = False  # pending number is a single digit
    num_after_unit = False  # pending number directly follows a unit
    after_zero = False  # a 零 was seen since the last unit
    prev_was_unit = False
    last_unit: Optional[int] = None  # value of the last unit applied
    last_small = 10 ** 9  # small units must decrease within a section
    last_big = 10 ** 12
    seen_anything = False

    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok[0].isdigit():
            if num is not None:
                return None
            try:
                num = Decimal(tok)
            except InvalidOperation:
                return None
            num_single = len(tok) == 1
            num_after_unit = prev_was_unit
            prev_was_unit = False
            seen_anything = True
        elif tok in _CN_DIGITS:
            d = _CN_DIGITS[tok]
            if d == 0:
                if num is not None:
                    return None
                after_zero = True
                prev_was_unit = False
                continue
            if num is not None:
                # 三四千 / 一两万: consecutive digits before a unit = range.
                prev_tok = tokens[i - 1]
                if (
                    prev_tok in _CN_DIGITS
                    and num == _CN_DIGITS[prev_tok]
                    and d == num + 1
                    and nxt is not None
                    and (nxt in _SMALL_UNITS or nxt in _BIG_UNITS)
                ):
                    continue  # keep the lower bound
                return None
            num = Decimal(d)
            num_single = True
            num_after_unit = prev_was_unit
            prev_was_unit = False
            seen_anything = True
        elif tok in _SMALL_UNITS:
            u = _SMALL_UNITS[tok]
            if num is None:
                if u == 10:
                    num = Decimal(1)  # 十 / 十五 / 一百十
                else:
                    return None
            if u >= last_small:
                return None
            section += num * u
            num = None
            last_small = u
            last_unit = u
            after_zero = False
            prev_was_unit = True
            seen_anything = True
        elif tok in _BIG_UNITS:
            u = _BIG_UNITS[tok]
            if num is not None:
                section += num
                num = None
            if section == 0 or u >= last_big:
                return None
            total += section * u
            section = Decimal(0)
            last_small = 10 ** 9
            last_big = u
            last_unit = u
            after_zero = False
            prev_was_unit = True
        else:
            return None

    if not seen_anything:
        return None
    if num is not None:
        if (
            num_after_unit
            and not after_zero
            and num_single
            and last_unit is not None
            and last_unit >= 10
        ):
            num = num * last_unit / 10
        section += num
    return total + section


# --------------------------------------------------------------------------
# Shared regex fragments
# --------------------------------------------------------------------------

_CN_D = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_NUMCH = _CN_D + "十百千万亿拾佰仟"
# A "small" count: 3, 12, 三, 十二, 二十四, 一百.
_SMALL = r"(?:\d{1,3}|[一二两三四五六七八九十][零一二两三四五六七八九十百]{0,3})"
# A count must not continue a longer numeral (but may follow 千/万: 两千两个月).
_NB = r"(?<![0-9.零〇一二两三四五六七八九十百])"
_DAYNUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_MONNUM = r"(?:\d{1,2}|十[一二]|[一二三四五六七八九十])"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK_WORD = r"(?:周|星期|礼拜)"


def _spoken_range(count: str) -> bool:
    """三五 / 两三 / 一二 before a unit: "three to five", never 35 or 12
    (a count names a number with 十, not digit by digit)."""
    return bool(re.fullmatch(r"[一二两三四五六七八九]{2,}", count))


def _small_int(text: str) -> Optional[int]:
    value = chinese_to_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, _last_day(year, month)))


def _add_months(year: int, month: int, n: int) -> Tuple[int, int]:
    idx = year * 12 + (month - 1) + n
    return idx // 12, idx % 12 + 1


def _day_of_month_future(today: date, day: int) -> Optional[date]:
    if not 1 <= day <= 31:
        return None
    if day >= today.day:
        return _clamped(today.year, today.month, day)
    y, m = _add_months(today.year, today.month, 1)
    return _clamped(y, m, day)


def _month_day_future(today: date, month: int, day: int) -> Optional[date]:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    candidate = _clamped(today.year, month, day)
    if candidate < today:
        candidate = _clamped(today.year + 1, month, day)
    return candidate


def _exact_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_REL_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
             "昨天": -1, "昨日": -1, "前天": -2, "大前天": -3,
             # Cantonese: 听日 tomorrow, 后日 / 大后日, 琴日 / 寻日 yesterday, 前日
             "听日": 1, "后日": 2, "大后日": 3, "琴日": -1, "寻日": -1, "前日": -2,
             # 噚日 stays 噚 (or 㖊) after the fold
             "噚日": -1, "㖊日": -1,
             # a day named with its part: tonight, tomorrow morning, last night
             "今晚": 0, "今早": 0, "今夜": 0, "明早": 1, "明晚": 1, "昨晚": -1, "昨夜": -1,
             # northern 儿化: 明儿 / 今儿个 / 昨儿个
             "今儿": 0, "今儿个": 0, "明儿": 1, "明儿个": 1, "昨儿": -1, "昨儿个": -1}


def _h_relday(m: re.Match, today: date) -> Optional[date]:
    return today + timedelta(days=_REL_DAYS[m.group("w")])


def _h_weekday(m: re.Match, today: date) -> Optional[date]:
    wd = _WEEKDAY.get(m.group("d"))
    if wd is None:
        return None
    pre = m.group("pre") or ""
    monday = today - timedelta(days=today.weekday())
    if pre.startswith(("下下", "上上")):
        return monday + timedelta(days=(14 if pre[0] == "下" else -14) + wd)
    if pre.startswith(("下", "上")):
        return monday + timedelta(days=(7 if pre[0] == "下" else -7) + wd)
    target = monday + timedelta(days=wd)
    if target < today:
        target += timedelta(days=7)
    return target


def _h_iso(m: re.Match, today: date) -> Optional[date]:
    month = _small_int(m.group("m") or m.group("m2"))
    day = _small_int(m.group("d") or m.group("d2"))
    if month is None or day is None:
        return None
    return _exact_date(int(m.group("y")), month, day)


def _h_slash(m: re.Match, today: date) -> Optional[date]:
    return _month_day_future(today, int(m.group("m")), int(m.group("d")))


def _h_month_day(m: re.Match, today: date) -> Optional[date]:
    month = _small_int(m.group("m"))
    day = _small_int(m.group("d"))
    if month is None or day is None:
        return None
    return _month_day_future(today, month, day)


def _h_other_month(m: re.Match, today: date) -> Optional[date]:
    """下个月10号 / 下月初 / 下个月中 / 下个月底 / 上个月10号 / 上个月底."""
    y, mo = _add_months(today.year, today.month, 1 if m.group("dir") == "下" else -1)
    what = m.group("what")
    if what == "初":
        return date(y, mo, 1)
    if what == "中":
        return date(y, mo, 15)
    if what in ("底", "末", "尾"):
        return date(y, mo, _last_day(y, mo))
    day = _small_int(m.group("d"))
    if day is None or not 1 <= day <= 31:
        return None
    return _clamped(y, mo, day)


def _h_this_month(m: re.Match, today: date) -> Optional[date]:
    what = m.group("what")
    if what in ("底", "末", "尾"):
        return date(today.year, today.month, _last_day(today.year, today.month))
    if what == "中":
        return _day_of_month_future(today, 15)
    if what == "初":
        if today.day == 1:
            return today
        y, mo = _add_months(today.year, today.month, 1)
        return date(y, mo, 1)
    return None


def _h_year_end(m: re.Match, today: date) -> Optional[date]:
    return date(today.year, 12, 31)


def _h_day(m: re.Match, today: date) -> Optional[date]:
    day = _small_int(m.group("d"))
    if day is None:
        return None
    return _day_of_month_future(today, day)


def _h_next_month(m: re.Match, today: date) -> Optional[date]:
    """下个月 / 下下个月 alone: by the last day of that month.

    A promise is "by {date}" (replies.PROMISE_CONFIRM), and 下个月还 commits
    to no day before the month's end; the policy then says whether that is
    too far, and the confirmation shows the day, so it can be corrected.
    """
    y, mo = _add_months(today.year, today.month, 2 if m.group("pre").startswith("下下") else 1)
    return date(y, mo, _last_day(y, mo))


def _h_week(m: re.Match, today: date) -> Optional[date]:
    """下个礼拜 / 下周 / 这周 / 周末 / 下周末: by the Sunday that ends that week.

    A past week or month alone (上周 / 上个月) is no date: "paid last week"
    names no day the payment could be checked against.
    """
    pre = m.group("pre") or m.group("pre2") or ""
    sunday = today - timedelta(days=today.weekday()) + timedelta(days=6)
    if pre.startswith("下下"):
        return sunday + timedelta(days=14)
    if pre.startswith("下"):
        return sunday + timedelta(days=7)
    return sunday


def _h_payday(m: re.Match, today: date) -> Optional[date]:
    """发工资那天: a date the cardholder means but we cannot know.

    Extracted as a date so that the form hears an answer to "when?", and
    parsed as no date, so the bot asks for the day itself.
    """
    return None


def _h_after(m: re.Match, today: date) -> Optional[date]:
    """三天后 / 两周以后 / in two weeks."""
    count = m.group("n")
    if _spoken_range(count):
        return None  # 三五天后: some day, not 35 days from now
    n = _small_int(count) if re.match(r"[\d一二两三四五六七八九十]", count) else _en_count(count)
    if n is None or n <= 0:
        return None
    unit = m.group("u").lower()
    days = n if unit in ("天", "day", "days") else 7 * n
    return today + timedelta(days=days)


_LUNAR_RE = re.compile(
    r"(?:正月|腊月|冬月)(?:初[一二三四五六七八九十]|廿[一二三四五六七八九]|二?十[一二三四五六七八九]?|三十)?"
    r"|过完年|过了年|过年(?:前|后|以后|之前)?|春节(?:前|后|以后|之前)|(?<![0-9零一二两三四五六七八九十几多去今明])年前"
)
# A lunar date is a date only in a clause about paying or being paid.
_LUNAR_PAY_RE = re.compile(r"还|付|转|交|缴|结账|结钱|发钱|发工资|等到|到时")


def _h_lunar(m: re.Match, today: date) -> Optional[date]:
    """正月十五 / 腊月 / 过完年: a day of the lunar calendar, which this
    grammar does not convert. Extracted as a date, so the form hears an
    answer to "when?"; parsed as no date, so the bot asks for the day."""
    return None


# --------------------------------------------------------------------------
# English (and Chinglish) dates
# --------------------------------------------------------------------------

# Counts written as words: two weeks / six months / a month.
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30, "thirty-six": 36,
    "twenty-four": 24, "couple of": 2, "a couple of": 2,
}
_EN_COUNT = (r"(?:\d{1,3}|a\s+couple\s+of|couple\s+of|an?|one|two|three|four|five|six|seven|eight|nine"
             r"|ten|eleven|twelve|fifteen|eighteen|twenty(?:[- ]four)?|thirty(?:[- ]six)?)")
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
              "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_EN_MONTH_NAME = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                  r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_EN_RELDAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1, "tmw": 1, "2moro": 1,
               "yesterday": -1, "day after tomorrow": 2, "day before yesterday": -2}


def _en_count(word: str) -> Optional[int]:
    """3 / three / a / a couple of / twenty four → the number, else None."""
    word = re.sub(r"\s+", " ", word.strip().lower())
    if word.isdigit():
        return int(word)
    return _EN_NUMBERS.get(word) or _EN_NUMBERS.get(word.replace(" ", "-"))


_EN_RELDAY_RE = re.compile(
    r"\b(?:the\s+)?(?P<w>day\s+after\s+tomorrow|day\s+before\s+yesterday|today|tonight|tomorrow"
    r"|tmrw?|tmw|2moro|yesterday)\b", re.I)
# next Friday / this Sat / on Monday; a bare abbreviation (sat, sun, wed) only
# after next/this/last/on/by or as the whole answer.
_EN_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<pre>next|this|coming|last)\s+)?"
    r"(?P<d>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
    r"|(?:(?<=\bon\s)|(?<=\bby\s))(?P<d2>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?\b"
    r"|^(?P<d4>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?(?=\s*$|\s*[,.!?，。！？])"
    r"|\b(?P<pre3>next|this|last)\s+(?P<d3>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?\b", re.I)
_EN_WEEK_RE = re.compile(r"\b(?P<pre>next|this|coming)\s+week(?:end)?\b|\b(?:the\s+)?weekend\b", re.I)
_EN_MONTH_RE = re.compile(
    r"\b(?P<what>next\s+month|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|month[- ]end"
    r"|(?:the\s+)?end\s+of\s+next\s+month|(?:the\s+)?(?:beginning|start)\s+of\s+next\s+month"
    r"|(?:the\s+)?middle\s+of\s+(?:the\s+|this\s+)?month|mid[- ]month"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year|year[- ]end)\b", re.I)
# on the 15th / by the 3rd: the ordinal alone is the span (like 15号)
_EN_ORDINAL_RE = re.compile(
    r"(?:(?<=the\s)|^)(?P<d>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:time|times|place|one|floor|grade|payment|installment|call))",
    re.I)
_EN_MONTH_DAY_RE = re.compile(
    r"\b" + _EN_MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?![:.]\d)"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _EN_MONTH_NAME.replace("mon>", "mon2>") + r"(?![a-z])",
    re.I)
# in two weeks / in 3 days: a date, like 两周后
_EN_IN_RE = re.compile(r"\bin\s+(?P<n>" + _EN_COUNT + r")\s+(?P<u>days?|weeks?)\b", re.I)
_EN_PAYDAY_RE = re.compile(r"\b(?:payday|pay\s+day|when\s+i\s+get\s+paid|once\s+i\s+get\s+paid)\b", re.I)


def _h_en_relday(m: re.Match, today: date) -> Optional[date]:
    word = re.sub(r"\s+", " ", m.group("w").lower())
    return today + timedelta(days=_EN_RELDAYS.get(word, _EN_RELDAYS.get(word[:4], 0)))


def _h_en_weekday(m: re.Match, today: date) -> Optional[date]:
    """next Friday = 下周五 (the Friday of next week); this/on Friday = 周五."""
    day = (m.group("d") or m.group("d2") or m.group("d3") or m.group("d4")).lower()[:3]
    pre = (m.group("pre") or m.group("pre3") or "").lower()
    wd = _EN_WEEKDAYS[day]
    monday = today - timedelta(days=today.weekday())
    if pre == "next":
        return monday + timedelta(days=7 + wd)
    if pre == "last":
        return monday + timedelta(days=-7 + wd)
    target = monday + timedelta(days=wd)
    return target if target >= today else target + timedelta(days=7)


def _h_en_week(m: re.Match, today: date) -> Optional[date]:
    """next week / this weekend: by the Sunday that ends that week."""
    sunday = today - timedelta(days=today.weekday()) + timedelta(days=6)
    return sunday + timedelta(days=7) if (m.group("pre") or "").lower() == "next" else sunday


def _h_en_month(m: re.Match, today: date) -> Optional[date]:
    what = m.group("what").lower()
    if "year" in what:
        return date(today.year, 12, 31)
    if "next" in what:
        y, mo = _add_months(today.year, today.month, 1)
        return date(y, mo, 1) if re.search(r"beginning|start", what) else date(y, mo, _last_day(y, mo))
    if "mid" in what:
        return _day_of_month_future(today, 15)
    return date(today.year, today.month, _last_day(today.year, today.month))


def _h_en_month_day(m: re.Match, today: date) -> Optional[date]:
    month = _EN_MONTHS[(m.group("mon") or m.group("mon2")).lower()[:3]]
    return _month_day_future(today, month, int(m.group("d") or m.group("d2")))

_DATE_PATTERNS: List[Tuple[re.Pattern, Callable[[re.Match, date], Optional[date]]]] = [
    # 2026-12-15 / 2026/12/15 / 2026.12.15 / 2026年12月15日
    (re.compile(r"(?<!\d)(?P<y>\d{4})(?:(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d)"
                r"|年(?P<m2>" + _MONNUM + r")月(?P<d2>" + _DAYNUM + r")[日号]?)"),
     _h_iso),
    # 12/15 (month/day)
    (re.compile(r"(?<![\d/.\-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])"), _h_slash),
    # 下个月10号 / 下月初 / 下个月底 / 下个月中 / 上个月10号
    (re.compile(r"(?P<dir>[下上])个?月(?:(?P<d>" + _DAYNUM + r")[号日]|(?P<what>初|中|底|末|尾))"),
     _h_other_month),
    # 12月20号 / 十二月二十日
    (re.compile(r"(?<![0-9零一二两三四五六七八九十])(?P<m>" + _MONNUM + r")月(?P<d>"
                + _DAYNUM + r")[号日]"), _h_month_day),
    # 月底 / 这个月底 / 本月底 / 月中 / 月初; Cantonese 月尾 / 今个月尾 / 呢个月尾
    (re.compile(r"(?:这个?|本|今个|呢个)?月(?P<what>底|末|中|初|尾)(?![旬])"), _h_this_month),
    # 年底
    (re.compile(r"(?:今年)?年[底尾]"), _h_year_end),
    # 大后天 / 后天 / 明天 / 今天 / 昨天 / 前天
    (re.compile(r"(?P<w>大后天|后天|明天|今天|明日|今日|昨天|昨日|大前天|前天|听日|琴日|寻日|噚日|㖊日"
                r"|今晚|今早|今夜|明早|明晚|昨晚|昨夜|[今明昨]儿个?)(?!个?[子女们])"),
     _h_relday),
    # Cantonese 后日 / 大后日 / 前日, but not 以后日子 / 提前日期
    (re.compile(r"(?<![以之然最往今落提目])(?P<w>大后日|后日|前日)(?![子期常程])"), _h_relday),
    # 下周五 / 下个星期五 / 这周六 / 本周六 / 周五 / 礼拜天 / 上周三
    # (Cantonese 今个 / 呢个 = this)
    (re.compile(r"(?P<pre>[下上]{1,2}个?|这个?|本|今个|呢个)?" + _WEEK_WORD
                + r"(?P<d>[一二三四五六日天])"),
     _h_weekday),
    # 三天后 / 3天后 / 两周后 / 两个星期以后
    (re.compile(_NB + r"(?P<n>" + _SMALL + r")(?:个)?(?P<u>天|周|星期|礼拜)(?:以后|之后|后)"),
     _h_after),
    # 15号 / 15日 / 十五号
    (re.compile(r"(?<![0-9零一二两三四五六七八九十/.\-])(?P<d>" + _DAYNUM + r")[号日]"),
     _h_day),
    # 下个月 / 下月 / 下下个月 alone (下个月10号 and 下月底 are longer matches above)
    (re.compile(r"(?P<pre>下下?个?)月(?![份薪])"), _h_next_month),
    # 下个礼拜 / 下周 / 这个星期 / 本周 (a weekday after it is a longer match
    # above) and 周末 / 这周末 / 下周末 (Cantonese 今个 / 呢个 = this)
    (re.compile(r"(?P<pre>下下?个?|这个?|本|今个|呢个)" + _WEEK_WORD + r"(?![二三四五六日天几末]|一(?!定))"
                r"|(?P<pre2>下下?个?|这个?|本|今个|呢个)?(?:周末|礼拜六日|星期六日)"), _h_week),
    # 发工资那天 / 发薪日 / 出粮嗰日 / 工资到账以后
    (re.compile(r"(?:发工资|发薪水?|出粮|工资到账|工资下来|开工资|领工资)(?:那天|那日|[嗰𠮶]日|当天|的时候|之后|以后|后|[嗰𠮶]阵)"
                r"|发薪日|发工资日|出粮日|工资日"), _h_payday),
    # the lunar calendar: 正月十五 / 腊月 / 过完年 / 过年前 / 春节后
    (_LUNAR_RE, _h_lunar),
    # English: tomorrow / next Friday / on the 15th / Dec 10 / end of the month / in two weeks
    (_EN_RELDAY_RE, _h_en_relday),
    (_EN_WEEKDAY_RE, _h_en_weekday),
    (_EN_WEEK_RE, _h_en_week),
    (_EN_MONTH_RE, _h_en_month),
    (_EN_ORDINAL_RE, _h_day),
    (_EN_MONTH_DAY_RE, _h_en_month_day),
    (_EN_IN_RE, _h_after),
    (_EN_PAYDAY_RE, _h_payday),
]

# A date word that is small talk, not a payment date: 今天天气 / 明天会下雨吗 /
# 今天星期几 / 今天几号 / 周六上班吗.
_NOT_A_DATE_AFTER = re.compile(
    r"\s*(?:是|会|要|可能)?(?:天气|下雨|下雪|刮风|降温|星期几|礼拜几|周几|几号|多少号|落雨|落唔落雨)"
    r"|\s*(?:你们|银行)?(?:上班|营业|开门|办公)(?:不|吗|么|没|嘛|否)"
)


_EN_SMALL_TALK_RE = re.compile(r"\bweather\b|\brain(?:s|ing|y)?\b|\bsnow", re.I)


def _date_ok(text: str, m: re.Match, handler) -> bool:
    """Context checks that the regexes cannot express."""
    g = m.groupdict()
    if m.re.flags & re.I and _EN_SMALL_TALK_RE.search(text):
        return False  # what's the weather today
    if handler is _h_lunar:
        lo, hi = _clause_bounds(text, m.start(), m.end())
        if not _LUNAR_PAY_RE.search(text, lo, hi):
            return False  # 今年春节放几天假 / 年前生意好一点
    start = m.start()
    before = text[start - 1] if start > 0 else ""
    after = text[m.end():]
    if _NOT_A_DATE_AFTER.match(after):
        return False
    if handler is _h_weekday:
        if before == "每":
            return False
        # 一周一次: "周一" continuing a count is not a weekday
        if not g.get("pre") and before and (before.isdigit() or before in _CN_NUMCH):
            return False
        # 下周一定还: 一定 ("surely"), not Monday
        if g["d"] == "一" and after[:1] == "定":
            return False
    if handler is _h_day:
        if after[:1] == "码":  # 号码
            return False
        # the day of an invalid "13月5号" must not be read on its own
        if before == "月" and start >= 2 and (text[start - 2].isdigit() or text[start - 2] in _CN_NUMCH):
            return False
        day = _small_int(g["d"])
        if day is None or not 1 <= day <= 31:
            return False
        if g["d"] == "一" and m.group(0).endswith("日"):
            return False  # 一日打十几个电话: "one day", the 1st is 一号
        # 宽限三日 / 迟两日: Cantonese days of grace, not the 3rd
        if m.group(0).endswith("日") and not g["d"].isdigit() and _EXTENSION_BEFORE_RE.search(text[max(0, start - 2):start]):
            return False
    if handler is _h_slash:
        if not (1 <= int(g["m"]) <= 12 and 1 <= int(g["d"]) <= 31):
            return False
    if handler is _h_month_day:
        mo, d = _small_int(g["m"]), _small_int(g["d"])
        if mo is None or d is None or not (1 <= mo <= 12 and 1 <= d <= 31):
            return False
    return True


# --------------------------------------------------------------------------
# Durations and instalments
# --------------------------------------------------------------------------

# 一个月 / 两周 / 30天 / 半个月 / 一个礼拜 / 两个星期 / 一个半月; about a
# number: 十来天 / 十多天 / 一个多月 / 个把月 / 十天半个月 (its lower bound);
# Cantonese 日 for 天 (宽限三日); 半年.
_DURATION_RE = re.compile(
    r"(?P<fixed>十天半个?月|个把月|半个?月|半年)"
    r"|" + _NB + r"(?P<n>" + _SMALL + r"|俩|仨)(?P<about>来|多)?"
    r"(?:(?P<half>个半月)|(?P<u>个多月|个来月|个月|个星期|个礼拜|天|日|周|星期|礼拜|月))"
)
_FIXED_DURATION_DAYS = {"十天半月": 10, "十天半个月": 10, "个把月": 30, "半月": 15, "半个月": 15, "半年": 182}
# N期, not 第N期 / 这一期 / 上一期
_MONTHS_QI_RE = re.compile(_NB + r"(?P<n>" + _SMALL + r")期")
# 分六个月 / 分期12个月 / 分成 24 个月
_MONTHS_FEN_RE = re.compile(r"分(?:期|成)?成?个?\s*(?P<span>(?P<n>" + _SMALL + r")个月)")
# Installments counted in years: 分两年 = 24, 分一年半 = 18, 分半年 = 6.
_YEARS = r"(?:(?P<y>\d|[一两二三四五])年(?P<yhalf>半)?|(?P<yonly>半)年)"
_MONTHS_YEARS_RE = re.compile(r"分(?:期|成)?成?\s*(?P<span>" + _YEARS + r")(?![0-9一二两三四五六七八九十])")
# 两年还完 / 一年内还清: a plan in years without the word 分
_MONTHS_YEARS_DONE_RE = re.compile(r"(?<![0-9一二两三四五六七八九十])(?P<span>" + _YEARS + r")(?:内|之内)?还(?:完|清)")


# English: two weeks / one more week / a month / half a month / another week
_EN_DURATION_RE = re.compile(
    r"\b(?:half\s+an?\s+(?P<hu>month|year)"
    r"|(?P<n>" + _EN_COUNT + r"|another)(?:\s+(?:more|extra|additional|further))?\s+(?P<u>days?|weeks?|months?)"
    r"|(?P<fort>a\s+fortnight))\b",
    re.I,
)
# what makes "a month" a rate: 5000 a month / once a month / per month
_EN_RATE_BEFORE_RE = re.compile(r"(?:\d[kKwW]?|\bonce|\btwice|\btimes|\bper|\bevery|\beach|元|块)\s*$", re.I)
# Installments: 12 installments / six monthly payments; N months or N years
# only in a message about splitting (installment, split, spread, plan, over).
_EN_MONTHS_RE = re.compile(
    r"\b(?P<n>" + _EN_COUNT + r")\s+(?:monthly\s+)?(?P<u>install?ments?|payments?|months?|years?)\b", re.I)
_EN_SPLIT_INTO_RE = re.compile(r"\bsplit\s+(?:it\s+|this\s+|that\s+)?(?:in|into)\s+(?P<n>\d{1,2}|[a-z]+)\b(?!\s+(?:days?|weeks?|parts?))", re.I)
_EN_INSTALLMENT_CONTEXT_RE = re.compile(r"install?ment|split|spread|divide|\bplan\b|\bover\b|分期|\bfq\b", re.I)


def _en_duration_days(m: re.Match) -> Optional[int]:
    if m.group("fort"):
        return 14
    if m.group("hu"):
        return 15 if m.group("hu").lower() == "month" else 182
    n = 1 if m.group("n").lower() == "another" else _en_count(m.group("n"))
    if not n:
        return None
    unit = m.group("u").lower().rstrip("s")
    return n * {"day": 1, "week": 7, "month": 30}[unit]


def _en_months(m: re.Match) -> Optional[int]:
    n = _en_count(m.group("n"))
    if not n or (n == 1 and not m.group("u").lower().startswith("year")):
        return None  # an installment option / a month: no count of installments
    return 12 * n if m.group("u").lower().startswith("year") else n


def _duration_days_from_match(m: re.Match) -> Optional[int]:
    fixed = m.group("fixed")
    if fixed:
        return _FIXED_DURATION_DAYS[fixed]
    count = m.group("n")
    if _spoken_range(count):
        return None
    n = {"俩": 2, "仨": 3}.get(count) or _small_int(count)
    if n is None or n <= 0:
        return None
    if m.group("u") == "月" and count not in ("两", "俩", "仨"):
        return None  # 十二月 is December; only 两月/俩月 count months without 个
    if m.group("about") and m.group("u") not in ("天", "日"):
        return None  # 十来个月 is rare; 十多周 is no unit people use
    if m.group("u") == "日" and not re.fullmatch(r"[一二两三四五六七八九十]+|俩|仨", count):
        return None  # 15日 is a date; 三日 (Cantonese 天) a duration
    if m.group("half"):
        return n * 30 + 15
    unit = m.group("u")
    if unit in ("天", "日"):
        return n
    if unit in ("周", "星期", "礼拜", "个星期", "个礼拜"):
        return 7 * n
    if unit in ("个月", "月", "个多月", "个来月"):
        return 30 * n
    return None


# --------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------

_AMOUNT_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + _CN_D.replace("零", "").replace("〇", "")
    + r"十拾]|[千万](?=[二两三四五六七八九](?![十百千万])))"
    # 二十多万 / 十几万: "more than" inside the numeral, before its big unit
    r"(?:\d+(?:\.\d+)?|[" + _CN_NUMCH + r"]|[多几](?=[百千万亿]))*"
)
# The currency word: 块 / 元, formal 圆 (元整 on cheques), Cantonese 蚊 / 文.
_CUR = r"(?:块钱|块|元钱|元|圆|蚊钱|文钱|蚊(?!子)|文(?![件章字化明档学案具凭书本]))整?"
# k / w with a trailing digit: 2k5 = 2500, 1w2 = 12000 (like 一万二).
_SUF = r"[kKwW](?:\d(?![\d.]))?(?![A-Za-z])"
# Currency written the English way: $500 / RMB 3,000 / 3000 yuan / 500 kuai.
# The value is the number as written (no exchange rate is applied).
_EN_CUR_BEFORE = r"(?:US\$|HK\$|\$|RMB|rmb|Rmb|CNY|cny)\s?"
_EN_CUR_AFTER = r"\s?(?:yuan|kuai|rmb|RMB|Rmb|CNY|cny|dollars?|bucks)(?![A-Za-z])"
_AMOUNT_RE = re.compile(
    r"(?P<pre>" + _EN_CUR_BEFORE + r")?"
    r"(?P<num>" + _AMOUNT_NUM + r")"
    r"(?P<suf>" + _SUF + r")?"
    r"(?P<duo>多|几|来(?=块|元|蚊))?"
    r"(?P<cur>" + _CUR + r"|" + _EN_CUR_AFTER + r")?"
    r"(?P<lr>左右)?"
)
_AMOUNT_REF_RE = re.compile(r"最低还款额|最低还款|全部|全额|全款")

# After a bare number these words make it a count, not money.
_MEASURE_RE = re.compile(
    r"个|次|张|笔|点|岁|年|月|日|号|天|周|期|位|条|家(?![里人])|人|遍|倍|成|折|户|件|项|届|种|样|只|台|名"
    r"|%|小时|分钟|秒|星期|礼拜|下|些|楼|层|趟|回|通|遍|几|(?!rmb|RMB)[A-Za-z]"
)
_ID_WORDS = (
    r"(?:后|末|最后|后面)(?:四|4)(?:位|个数字|个数|个字|个号)?|尾号|尾数|尾巴"
    r"|身份证号?码?|证件号?码?|号码|卡号"
    # English and pinyin: last 4 / last four digits of my ID / ID ends in / hou si wei
    r"|last\s*(?:4|four)(?:\s*digits?)?(?:\s*of\s*(?:my\s*)?id(?:\s*card)?)?"
    r"|\bid(?:\s*(?:card|number|no\.?))?(?:\s*(?:ends?|ending)\s*(?:in|with))?"
    r"|\b(?:ends?|ending)\s*(?:in|with)|hou\s*si\s*wei|wei\s*hao"
)
# keyword right before the code: 后四位是 / 尾号 / 后4位： / 后四位嘛
_ID_KEYWORD_RE = re.compile(
    r"(?:" + _ID_WORDS + r")(?:的)?\s*(?:是|为|[:：]|嘛|啊|呢|is|are|=)?\s*(?:是|为)?\s*$",
    re.I,
)
# words anywhere in the message that make a bare 4-digit code an ID
_ID_CONTEXT_RE = re.compile(
    r"身份证|证件|后四|后4|末四|末4|最后四|最后4|后面四|尾号|尾数|尾巴|号码|卡号|验证|核对"
    r"|last\s*(?:4|four)|\bid\b|identity|verif",
    re.I,
)
# money words that make "…是3000" an amount rather than an ID
_MONEY_CONTEXT_RE = re.compile(
    r"还|付|转|打|欠|存|交|凑|借|金额|钱|额度|工资|收入|账单|多少"
    r"|\bpay|\bpaid|\bowe|transfer|salary|\bearn|income|\bbill|\$|rmb|yuan",
    re.I,
)
# what may surround a code that stands alone as the whole message
# (Cantonese 系 / 係 = 是; 啦 喇 咯 啰 and ok are chat particles)
_ID_FILLER_RE = re.compile(
    r"(?:嗯+|哦|噢|喔|呃|额|对的|对吧|对|好的|好|是的|是|系|吧|啊|呀|呢|哈|嘛|应该是|没错|就是|了|喏"
    r"|啦|喇|咯|啰|ok|OK|Ok|okay)*"
)
_NO_AMOUNT_BEFORE_RE = re.compile(
    r"(?:第|百分之|[-负减]|后四位|后4位|末四位|末4位|尾号|尾数|身份证号?码?|证件号?码?|号码|卡号|编号|工号"
    r"|last\s*(?:4|four)(?:\s*digits?)?|\bid|#)"
    r"\s*(?:是|为|[:：]|is)?\s*$",
    re.I,
)
_UNIT_CHARS = set("十百千万亿拾佰仟")
# A bare number under 120 that is an age: 七十多了 / 今年70多 / I'm 25.
_AGE_AFTER_RE = re.compile(r"(?:多|几)?(?:岁)?了(?:$|[\s，,。.!！?？;；])|\s*(?:years?\s*old|yo)\b", re.I)
_AGE_BEFORE_RE = re.compile(r"(?:今年|年纪|岁数|年龄|\bI'?m|\bI\s+am|\baged?)\s*$", re.I)
# Bare numbers that are chat slang (88 = bye, 886, 520, 666) or service
# hotlines (12378 banking regulator, 12363 PBoC, 95xxx bank lines).
_HOTLINE_RE = re.compile(r"123\d\d|95\d{3}|96\d{3}|400\d{7}|800\d{7}")
_SLANG_NUMBER_RE = re.compile(r"88|886|520|521|666|6666|233|2333|110|119|120|122|114")
_PAYING_BEFORE_RE = re.compile(r"还|付|转|交|缴|存|凑|欠")
# 最低还款是多少 asks for the amount; it does not name one.
_REF_QUESTION_AFTER_RE = re.compile(r"\s*(?:是|要|得|需要|应该|大概|一般)*(?:多少|几|什么|啥|怎么算)")
# 全部/全额/全款 name an amount only in a message about paying it.
_PAY_VERB_RE = re.compile(r"还|付|结清|转|打|交|缴|存|搞定|处理|补|清")
# a duration used as a rate: 我一个月挣三千 / 一个月能拿出1k / 一天打十几个电话
_RATE_AFTER_RE = re.compile(
    r"(?:就|也就|只|只能|能|才|都|顶多|最多|最少|至少|大概|差不多|也|基本|的|才|要)*"
    r"(?:挣|赚|收入|到手|拿|存|工资|几|打|发|还(?!清|完|上|掉|款)|[0-9一二两三四五六七八九十])"
)
_EXTENSION_BEFORE_RE = re.compile(r"宽限|缓|延|推|等|给|晚|迟|拖|过|还有|再|需要|要|用|申请")
_EXTENSION_AFTER_RE = re.compile(r"内|之内|以内|时间|后|以后|之后|就好|行|可以|好吗|吧")
_INCOME_RE = re.compile(r"收入|工资|挣|赚|退休金|到手|低保|月薪")
_CLAUSE_SPLIT_RE = re.compile(r"[\s，,。.!！?？;；~～]")


def _numeral(num: str) -> str:
    """The numeral chinese_to_number reads: 二十多万 → 二十万 (its lower
    bound), 万二 → 一万二 (colloquial: the leading 一 goes unsaid)."""
    num = re.sub(r"[多几](?=[百千万亿])", "", num)
    return "一" + num if num[:1] in ("千", "万") else num


def _parse_amount_match(m: re.Match) -> Optional[Decimal]:
    return chinese_to_number(_numeral(m.group("num")) + (m.group("suf") or ""))


# --------------------------------------------------------------------------
# Blocked regions: phone numbers, clock times
# --------------------------------------------------------------------------

_BLOCK_RES = [
    # mobile (with optional +86 and separators) / landline
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
    # long digit runs (card numbers, account numbers)
    re.compile(r"(?<![\d.])\d{7,}(?![\d.]|\s*(?:元|块|圆|蚊|万|w|W|k|K))"),
    # clock times: 3点 / 3点半 / 十点三十分 / 3:30
    re.compile(r"(?<![0-9零一二两三四五六七八九十])(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})"
               r"(?:[:：]\d{2}|点(?:钟|半|\d{1,2}分?|[零一二三四五六七八九十]{1,3}分?)?)"),
]


# --------------------------------------------------------------------------
# Toneless pinyin with digits
# --------------------------------------------------------------------------

# Cardholders on a phone without a Chinese IME spell the Chinese forms out:
# "15 hao" = 15号, "fen 12 qi" = 分12期, "2 ge yue" = 2个月, "3 qian" = 3千,
# "xia zhou wu" = 下周五.  Each pinyin form is transliterated back to the
# Chinese it spells and read by the Chinese grammar, so a form means exactly
# what its Chinese does.  Counts must be digits: spelled numerals (yi, er,
# san) are too often other words (yi qi = 一起 "together", not 一期).
_PINYIN_HANZI = {
    "hao": "号", "ge": "个", "yue": "月", "tian": "天", "zhou": "周", "xing qi": "星期",
    "li bai": "礼拜", "zhou mo": "周末", "qi": "期", "fen": "分", "cheng": "成",
    "xia": "下", "shang": "上", "zhe": "这", "ben": "本",
    "ming tian": "明天", "hou tian": "后天", "da hou tian": "大后天",
    "yi hou": "以后", "zhi hou": "之后", "hou": "后",
    "yi": "一", "er": "二", "san": "三", "si": "四", "wu": "五", "liu": "六", "ri": "日",
    "wan": "万", "qian": "千", "bai": "百", "kuai qian": "块钱", "kuai": "块", "yuan": "元",
}
_PINYIN_HANZI_BY_LETTERS = {k.replace(" ", ""): v for k, v in _PINYIN_HANZI.items()}
# Longest first, so that "xing qi" is 星期 and not 星 + 期, "kuai qian" 块钱.
_PINYIN_WORD_RE = re.compile(
    "|".join(k.replace(" ", r"\s*") for k in sorted(_PINYIN_HANZI, key=len, reverse=True)), re.I)


def _hanzi(span: str) -> str:
    """"xia ge yue 20 hao" → "下个月20号": syllables typed with or without
    spaces, to the characters the Chinese grammar reads."""
    chinese = _PINYIN_WORD_RE.sub(
        lambda w: _PINYIN_HANZI_BY_LETTERS[re.sub(r"\s+", "", w.group(0).lower())], span)
    return re.sub(r"\s+", "", chinese)


# A pinyin word starts and ends at a letter boundary; \b would not end one
# before a Chinese character (15 hao还).
_PY_START = r"(?<![A-Za-z])"
_PY_END = r"(?![A-Za-z])"
# A count: digits that do not continue a number or a word (iphone15 hao).
_PY_COUNT = r"\d{1,3}"
_PY_N = r"(?<![A-Za-z0-9.,])" + _PY_COUNT
_PY_WEEK = r"(?:zhou|xing\s*qi|li\s*bai)"
# this or next week (下周 / 下下个星期 / 这周 / 本周)
_PY_NEXT = r"(?:(?:xia\s*){1,2}(?:ge\s*)?|zhe\s*(?:ge\s*)?|ben\s*)"
_PY_DAY_UNIT = r"(?:ge\s*)?(?:tian|zhou|xing\s*qi|li\s*bai|yue)"
_PY_DATE_RE = re.compile(
    # 15 hao / xia ge yue 20 hao / 12 yue 20 hao: no digits, no date (hao de = OK)
    r"(?:" + _PY_START + r"(?:xia|shang)\s*(?:ge\s*)?yue\s*|" + _PY_N + r"\s*yue\s*|(?<![A-Za-z0-9.,]))"
    + _PY_COUNT + r"\s*hao" + _PY_END
    # 3 tian hou / 2 zhou yi hou
    + r"|" + _PY_N + r"\s*" + _PY_DAY_UNIT + r"\s*(?:yi\s*|zhi\s*)?hou" + _PY_END
    + r"|" + _PY_START + r"(?:(?:da\s*)?hou|ming)\s*tian" + _PY_END
    # xia zhou wu / xing qi wu; a bare "zhou wu" is too often other words.
    # xia zhou yi ding huan is 下周一定还: "surely", not Monday.
    + r"|" + _PY_START + r"(?:(?:" + _PY_NEXT + r"|shang\s*(?:ge\s*)?)" + _PY_WEEK + r"|xing\s*qi|li\s*bai)"
    r"\s*(?:yi(?!\s*ding)|er|san|si|wu|liu|ri|tian)" + _PY_END
    # xia zhou / zhe ge xing qi / zhou mo / xia ge yue / xia yue: by the end of
    # that week or month, like 下周 / 下个月 (a past week or month is no date)
    + r"|" + _PY_START + r"(?:(?:" + _PY_NEXT + r")?zhou\s*mo|" + _PY_NEXT + _PY_WEEK
    + r"|(?:xia\s*){1,2}(?:ge\s*)?yue)" + _PY_END,
    re.I,
)
_PY_DURATION_RE = re.compile(_PY_N + r"\s*" + _PY_DAY_UNIT + _PY_END, re.I)
# fen 12 qi, but not 2 qi ta (其他) / qi lai / qi shi / qi zhong
_PY_MONTHS_RE = re.compile(
    r"(?P<span>" + _PY_N + r"\s*qi)(?![A-Za-z]|\s*(?:ta|lai|shi|zhong|jian|che|guai|dai)(?![A-Za-z]))"
    r"|" + _PY_START + r"fen\s*(?:qi\s*|cheng\s*)*(?P<span2>" + _PY_N + r"\s*ge\s*yue)" + _PY_END,
    re.I,
)
# 3 qian / 5 bai / 2 wan / 1 wan 2 qian kuai / 3000 kuai qian; not 88 bai bai
# (bye bye), 2 wan shang (两晚上), bai tian (白天)
_PY_AMOUNT_RE = re.compile(
    r"(?<![A-Za-z0-9.,])\d+(?:\.\d+)?\s*(?:"
    r"(?:wan|qian|bai)(?:\s*\d{1,3}\s*(?:qian|bai))?(?:\s*(?:kuai\s*qian|kuai|yuan))?"
    r"(?![A-Za-z]|\s*(?:bai|tian|shang|fan|cheng|an)(?![A-Za-z]))"
    r"|kuai\s*qian" + _PY_END + r")",
    re.I,
)
# Context the Chinese grammar reads around the span: 第3期 / 这两期 is no
# count of instalments, 第二天 / 了三天 / 三个月了 / 三个月没 no time asked for,
# 明天天气 / 明天几号 small talk.
_PY_NOT_BEFORE = {
    "months": re.compile(r"(?<![A-Za-z])(?:di|zhe|shang|xia|ben|mei|na)\s*$", re.I),
    "duration": re.compile(r"(?<![A-Za-z])(?:di|le)\s*$", re.I),
}
_PY_NOT_AFTER = {
    "duration": re.compile(r"\s*(?:le(?!\s*(?:ma|ba|ne|me)(?![A-Za-z]))|mei)(?![A-Za-z])", re.I),
    "date": re.compile(r"\s*(?:tian\s*qi|xia\s*yu|xia\s*xue|ji\s*hao|(?:xing\s*qi|li\s*bai|zhou)\s*ji"
                       r"|shang\s*ban\s*ma)(?![A-Za-z])", re.I),
}


def _pinyin_date_value(hanzi: str) -> Optional[date]:
    return parse_date(hanzi, datetime.now(SHANGHAI))  # only whether it reads matters


# Entity -> (its pinyin form, what reads its Chinese). The parse_* functions
# are defined further down: looked up when called.
_PINYIN_FORMS: Dict[str, Tuple[re.Pattern, Callable[[str], object]]] = {
    "date": (_PY_DATE_RE, _pinyin_date_value),
    "months": (_PY_MONTHS_RE, lambda h: parse_months(h)),
    "duration": (_PY_DURATION_RE, lambda h: parse_duration_days(h)),
    "amount": (_PY_AMOUNT_RE, lambda h: parse_amount(h)),
}


def _pinyin_candidates(t: str, entity: str) -> List[Tuple[int, int, str]]:
    """Spans of ``entity`` in pinyin whose Chinese the grammar reads."""
    rx, value = _PINYIN_FORMS[entity]
    out = []
    for m in rx.finditer(t):
        group = next((g for g in ("span", "span2") if g in rx.groupindex and m.group(g)), 0)
        start, end = m.span(group)
        if entity in _PY_NOT_BEFORE and _PY_NOT_BEFORE[entity].search(t, 0, start):
            continue
        if entity in _PY_NOT_AFTER and _PY_NOT_AFTER[entity].match(t, end):
            continue
        if value(_hanzi(m.group(0))) is not None:
            out.append((start, end, entity))
    return out


def _from_pinyin(t: str) -> str:
    """The text with its pinyin entity forms in Chinese, for the parse_*
    functions: parse_date("xia zhou wu") reads 下周五."""
    for rx, _ in _PINYIN_FORMS.values():
        t = rx.sub(lambda m: _hanzi(m.group(0)), t)
    return t


# --------------------------------------------------------------------------
# find_entities
# --------------------------------------------------------------------------


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# Four characters standing alone: a comma or a full stop next to them is
# punctuation ("6608，你核对下"), unless a digit follows it (3,500 / 12.50).
_ID_GROUP_RE = re.compile(r"(?<![0-9A-Za-z])(?<!\d[.,])[0-9]{3}[0-9Xx](?![0-9A-Za-z]|[.,]\d)")
# After four digits, a unit that makes them money, a count or a date.
_NOT_ID_AFTER_RE = re.compile(r"\s*(?:元|块|圆|蚊|文|万|千|百|多|来|左右|期|天|号|日|月|个|点|%|周|年|w|W|k|K|/|-|:)")


# Four Chinese digits read out one by one (一九八三), never a sum.
_ID_CN_GROUP_RE = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万亿幺])[零〇一二三四五六七八九幺]{3}[零〇一二三四五六七八九幺Xx]"
    r"(?![零〇一二两三四五六七八九十百千万亿幺])"
)
_ID_DIGITS = str.maketrans("零〇一二三四五六七八九幺x", "001234567891X")
# What makes four digits in a short reply a sum, a count or a date after all.
_CODE_MONEY_RE = re.compile(
    _MONEY_CONTEXT_RE.pattern + r"|最低|元|块|蚊|month|[¥￥]"
    r"|天|号|周|礼拜|星期|月|年|岁|[十百千万]|消费|笔|账|刷|花|买|费|的",
    re.I,
)


def parse_id_last4(text: str) -> Optional[str]:
    """The four ID characters as stored (ASCII digits, upper-case X):
    １２３ｘ → 123X, 一九八三 → 1983; None unless it is four of them."""
    s = re.sub(r"\s+", "", _fold(text or "")).translate(_ID_DIGITS).upper()
    return s if re.fullmatch(r"[0-9]{3}[0-9X]", s) else None


def _looks_like_code(group: str, rest: str) -> bool:
    """Four digits no one names as a sum (6608, 0460; not 3000 or 2500) in a
    short message with no money word, date word or other number: the
    answer to the ID question even when it was asked a turn ago."""
    if group[0] != "0" and int(group[:3] + (group[3] if group[3].isdigit() else "0")) % 50 == 0:
        return False
    return len(rest) <= 16 and not re.search(r"\d", rest) and not _CODE_MONEY_RE.search(rest)


def id_digits_answer(text: str) -> Optional[str]:
    """The ID digits in an answer to "the last four characters of your ID?".

    Without a word naming the ID, four digits among other words ("5321
    这下可以了吧", "ID last 4: 4416") read as an amount to find_entities; once
    the question has been asked, the message's only group of four that is
    not money, a count or a date is the answer to it.
    """
    t = _fold(text or "")
    groups = list(_ID_GROUP_RE.finditer(t)) or list(_ID_CN_GROUP_RE.finditer(t))
    if len(groups) != 1 or _NOT_ID_AFTER_RE.match(t[groups[0].end():]):
        return None
    return parse_id_last4(groups[0].group(0))


def _clause_before(before: str) -> str:
    """What a number ends: the Chinese words right before it, across a
    space (还 3000, 身份证 1234), or the whole English clause (I pay 1500)."""
    clause = re.split(r"[，,。.!！?？;；]", before)[-1]
    if re.search(r"[A-Za-z]{2,}\s*$", clause):
        return clause
    words = clause.split()
    return words[-1] if words else ""


# A sum put forward: asked whether it will do ("1288 行不行", "1288 OK吗") or
# paid per month ("每月是1288"). Outside the ID question four such digits
# are money; while the ID is asked for, verification reads them itself
# (id_digits_answer in ValidateVerifyForm.extract_id_last4).
_OFFERED_SUM_RE = re.compile(
    r"行不行|行吗|行么|行不(?!了)|可以吗|可以么|可以不|可不可以|够不够|够吗|够么|ok吗|okay吗|好不好"
    r"|每个?月|月供|月还|每期|一个月|per\s*month|a\s*month|monthly|/\s*月",
    re.I,
)


def _id_last4_candidates(text: str) -> List[Tuple[int, int]]:
    out = []
    # Only a word naming the ID outweighs a sum put forward.
    offered = bool(_OFFERED_SUM_RE.search(text))
    for m in _ID_GROUP_RE.finditer(text):
        after = text[m.end():]
        if _NOT_ID_AFTER_RE.match(after):
            continue
        before = text[: m.start()]
        clause_before = _clause_before(before)
        rest = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", before + after)
        if (
            m.group(0)[-1] in "Xx"  # cannot be money
            or _ID_KEYWORD_RE.search(before)
            or (_ID_CONTEXT_RE.search(text) and not _MONEY_CONTEXT_RE.search(clause_before))
            or (not offered and re.search(r"[是系]\s*$", before) and not _MONEY_CONTEXT_RE.search(clause_before))
            or (not offered and _ID_FILLER_RE.fullmatch(rest))
            or (not offered and _looks_like_code(m.group(0), before + after))
        ):
            out.append((m.start(), m.end()))
    for m in _ID_CN_GROUP_RE.finditer(text):
        before, after = text[: m.start()], text[m.end():]
        rest = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", before + after)
        if _NOT_ID_AFTER_RE.match(after):
            continue
        if _ID_KEYWORD_RE.search(before) or _ID_FILLER_RE.fullmatch(rest):
            out.append((m.start(), m.end()))
    return out


def find_entities(text: str) -> List[Span]:
    """Rule-based entity spans, non-overlapping, sorted by start."""
    if not text:
        return []
    t = _fold(text)
    taken: List[Tuple[int, int, str]] = []  # (start, end, entity or "_block")

    def free(start: int, end: int) -> bool:
        return all(not _overlaps((start, end), (s, e)) for s, e, _ in taken)

    def add_group(cands: List[Tuple[int, int, str]]) -> None:
        # longest first, then leftmost
        for s, e, ent in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
            if e > s and free(s, e):
                taken.append((s, e, ent))

    # 1. id_last4 — before anything else may read the digits as money
    add_group([(s, e, "id_last4") for s, e in _id_last4_candidates(t)])

    # 2. dates (before blocks: 2026-12-15 is not a phone number)
    cands = []
    for rx, handler in _DATE_PATTERNS:
        for m in rx.finditer(t):
            if _date_ok(t, m, handler):
                cands.append((m.start(), m.end(), "date"))
    cands += _pinyin_candidates(t, "date")
    add_group(cands)

    # 3. blocked regions (phones, clock times)
    add_group([(m.start(), m.end(), "_block") for rx in _BLOCK_RES for m in rx.finditer(t)])

    # 4. months
    cands = []
    for rx in (_MONTHS_FEN_RE, _MONTHS_YEARS_RE, _MONTHS_YEARS_DONE_RE):
        for m in rx.finditer(t):
            cands.append((m.start("span"), m.end("span"), "months"))
    for m in _MONTHS_QI_RE.finditer(t):
        before = t[max(0, m.start() - 1): m.start()]
        if before in ("第", "这", "上", "下", "本", "每", "那", "哪"):
            continue
        if _small_int(m.group("n")) in (None, 0):
            continue
        cands.append((m.start(), m.end(), "months"))
    cands += _english_months_candidates(t)
    cands += _pinyin_candidates(t, "months")
    add_group(cands)

    # 5. durations
    cands = []
    for m in _DURATION_RE.finditer(t):
        if _duration_days_from_match(m) is None or _vague_duration(t, m) or _elapsed_duration(t, m):
            continue
        cands.append((m.start(), m.end(), "duration"))
    cands += _english_duration_candidates(t)
    cands += _pinyin_candidates(t, "duration")
    add_group(cands)

    # 6. amounts referring to the account
    cands = []
    for m in _AMOUNT_REF_RE.finditer(t):
        if m.group(0).startswith("最低"):
            if _REF_QUESTION_AFTER_RE.match(t, m.end()):
                continue
        else:
            rest = _CLAUSE_SPLIT_RE.sub("", t[: m.start()] + t[m.end():])
            if not _PAY_VERB_RE.search(rest) and len(rest) > 3:
                continue  # 全部欠款能一起分期不
        cands.append((m.start(), m.end(), "amount"))
    # 3 qian / 2 wan / 3000 kuai qian, before the digits alone read as 3 or 3000
    cands += _pinyin_candidates(t, "amount")
    add_group(cands)

    # 7. numeric amounts
    pos = 0
    while True:
        m = _AMOUNT_RE.search(t, pos)
        if m is None:
            break
        pos = m.end()
        span = _amount_span(t, m, taken)
        if span is not None:
            taken.append((span[0], span[1], "amount"))
            pos = max(pos, span[1])

    # 8. a count of one used as a rate ("per month") is not a duration
    amounts = [(s, e) for s, e, ent in taken if ent == "amount"]
    taken = [
        (s, e, ent) for s, e, ent in taken
        if not (ent == "duration" and _is_rate(t, s, e, amounts))
    ]

    spans = [Span(ent, s, e, text[s:e]) for s, e, ent in taken if not ent.startswith("_")]
    spans.sort(key=lambda sp: sp.start)
    return spans


def _english_months_candidates(t: str) -> List[Tuple[int, int, str]]:
    """12 installments / split into 6 anywhere; 12 months or 3 years only in
    a message about splitting (otherwise 3 months is a duration)."""
    out = []
    for m in _EN_MONTHS_RE.finditer(t):
        counts_installments = m.group("u").lower().startswith(("install", "instal", "payment"))
        if _en_months(m) and (counts_installments or _EN_INSTALLMENT_CONTEXT_RE.search(t)):
            out.append((m.start(), m.end(), "months"))
    for m in _EN_SPLIT_INTO_RE.finditer(t):
        if (_en_count(m.group("n")) or 0) > 1:
            out.append((m.start("n"), m.end("n"), "months"))
    return out


def _english_duration_candidates(t: str) -> List[Tuple[int, int, str]]:
    """two more weeks / a month, but not the rate in 5000 a month."""
    return [
        (m.start(), m.end(), "duration")
        for m in _EN_DURATION_RE.finditer(t)
        if _en_duration_days(m) and not _EN_RATE_BEFORE_RE.search(t[: m.start()])
    ]


def _clause_bounds(t: str, start: int, end: int) -> Tuple[int, int]:
    lo = start
    while lo > 0 and not _CLAUSE_SPLIT_RE.match(t[lo - 1]):
        lo -= 1
    hi = end
    while hi < len(t) and not _CLAUSE_SPLIT_RE.match(t[hi]):
        hi += 1
    return lo, hi


def _is_rate(t: str, start: int, end: int, amounts: List[Tuple[int, int]]) -> bool:
    """我一个月挣三千 / 退休金一个月2100 / 有一天没一天: not a duration."""
    if not re.match(r"[一1]", t[start:end]) or t[start:end].startswith("一个半"):
        return False
    lo, hi = _clause_bounds(t, start, end)
    before, after = t[lo:start], t[end:hi]
    if re.search(r"有一(天|周|个月)没一\1", t[lo:hi]):
        return True  # 有一天没一天
    if _EXTENSION_BEFORE_RE.search(before) or _EXTENSION_AFTER_RE.match(after):
        return False
    if _RATE_AFTER_RE.match(after):
        return True
    if any(lo <= s and e <= hi for s, e in amounts):
        return True
    if _INCOME_RE.search(t):
        return True
    if before == "" and after == "" and any(e <= start for s, e in amounts):
        return True  # 收入就三千来块 一个月
    return False


def _vague_duration(t: str, m: re.Match) -> bool:
    """这两天 / 过两天 / 这几天: "a couple of days", not a number of days."""
    if m.group(0).startswith("半"):
        return False
    before = t[max(0, m.start() - 1): m.start()]
    return before in ("这", "那", "过") and m.group("n") in ("两", "俩")


# 三个月了 / 三个月工资没发 / 三个月没还: time already gone, not time asked for
_ELAPSED_AFTER_RE = re.compile(r"\s*(?:了(?![吗吧呢么嘛])|(?:的)?(?:工资|工钱|人工)|没)")


def _elapsed_duration(t: str, m: re.Match) -> bool:
    """老板拖欠工资三个月了 / 搬了一天砖: how long something has lasted."""
    before = t[max(0, m.start() - 1): m.start()]
    if before == "第" or (before == "大" and m.group(0).startswith("半")):
        return True  # 第二天 is an ordinal; 大半年 "most of a year" is vague
    return before == "了" or bool(_ELAPSED_AFTER_RE.match(t, m.end()))


# After a space, the English words that make a bare number a count or a time.
_EN_MEASURE_RE = re.compile(
    r"(?:times?|x|years?|yrs?|yo|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?"
    r"|people|persons?|kids?|children|cards?|install?ments?|payments?|periods?|calls?|messages?|texts?"
    r"|sms|digits?|numbers?|pm|am|a\.m\.|p\.m\.|o'?clock|percent|%|th|st|nd|rd"
    # the same in toneless pinyin: 32 hao (号), 3 ge (个), 2 tian (天), 25 sui (岁), 10 dian (点)
    r"|hao|qi|ge|tian|zhou|yue|nian|ci|sui|dian|xing\s*qi|li\s*bai|xiao\s*shi|fen\s*zhong)\b",
    re.I,
)
_CLOCK_BEFORE_RE = re.compile(r"\b(?:at|around|till|until)\s*$", re.I)


def _counts_something(after: str) -> bool:
    """Whether what follows a bare number makes it a count (3次, 3 times, 3pm)."""
    stripped = after.lstrip()
    if stripped != after and stripped[:1].isascii() and stripped[:1].isalpha():
        return bool(_EN_MEASURE_RE.match(stripped))
    return bool(_MEASURE_RE.match(stripped))


def _amount_span(t: str, m: re.Match, taken) -> Optional[Tuple[int, int]]:
    start, end = m.start(), m.end()
    # Inside an already-taken span: skip.  Running into one: trim before it
    # (两千两个月 → 两千 + duration 两个月).
    for s, e, _ in taken:
        if s <= start < e:
            return None
    cut = min((s for s, e, _ in taken if start < s < end), default=None)
    if cut is not None:
        m = _AMOUNT_RE.match(t, start, cut)
        if m is None:
            return None
        end = m.end()
        if not (set(m.group("num")) & _UNIT_CHARS or m.group("suf") or m.group("cur")):
            return None

    before = t[:start]
    prev = before[-1:] if before else ""
    if prev and (prev.isdigit() or prev in "./:" or (prev.isascii() and prev.isalpha())):
        return None
    if _NO_AMOUNT_BEFORE_RE.search(before):
        return None
    if prev == "-" and start >= 2 and t[start - 2].isdigit():
        return None

    num = m.group("num")
    has_marker = bool(m.group("suf") or m.group("duo") or m.group("cur") or m.group("lr") or m.group("pre"))
    after = t[end:]
    if m.group("duo") and not (m.group("cur") or m.group("suf")) and _counts_something(after):
        return None  # 十多个电话 / 二十几岁: a count
    if prev == "几":
        return None  # 几十万: "some hundred thousand", no sum to book
    if not has_marker and _CLOCK_BEFORE_RE.search(before):
        value = _parse_amount_match(m)
        if value is not None and value <= 24:
            return None  # call me at 10: a time of day
    if not (m.group("cur") or m.group("suf")) and (_AGE_AFTER_RE.match(after) or _AGE_BEFORE_RE.search(before)):
        value = _parse_amount_match(m)
        if value is not None and value < 120:
            return None  # 我妈七十多了 / 我今年70多 / I'm 25: an age
    if not has_marker:
        if re.match(r"[-/:]\d", after):
            return None
        if _counts_something(after):
            # 三千一次性 → 三千 (the trailing digit counts the 次)
            short = re.match(r"(.*[百千万亿佰仟])[一二两三四五六七八九\d]$", num)
            if short is None:
                return None
            m = _AMOUNT_RE.match(t, start, start + len(short.group(1)))
            if m is None:
                return None
            end = m.end()
            num = m.group("num")
        elif num in ("十", "拾"):
            return None  # 十分 = "very", 收拾 = "tidy": a lone ten is no sum
    if num.isdigit() and len(num) >= 7 and not has_marker:
        return None
    if not has_marker:
        if _HOTLINE_RE.fullmatch(num):
            return None
        clause_before = _CLAUSE_SPLIT_RE.split(t[:start])[-1]
        if _SLANG_NUMBER_RE.fullmatch(num) and not _PAYING_BEFORE_RE.search(clause_before):
            return None
    value = _parse_amount_match(m)
    if value is None or value <= 0:
        return None
    if not has_marker and not (set(num) & _UNIT_CHARS):
        # A bare numeral: Chinese digits alone (一, 两) are not money; Arabic
        # needs at least two digits (选1 is a choice, not an amount).
        if not re.fullmatch(r"[\d.,]+", num) or value < 10:
            return None
    if m.group("cur") == "块" and num in ("一",) and re.match(r"[儿还去来走]", t[end:end + 1]):
        return None  # 一块儿 / 一块还 = "together"
    if num == "一" and m.group("cur") and re.match(r"\s*(?:都|也|不)", t[end:]):
        return None  # 一块钱都没有 / 一蚊都冇 / 一文不值: "not a cent"
    return start, end


# --------------------------------------------------------------------------
# parse_* functions
# --------------------------------------------------------------------------

_APPROX_PREFIX = (r"(?:大概|大约|大致|约莫|约|差不多|估计|可能|将近|接近|不到|至少|最多|顶多|最少|[¥￥]|人民币"
                  r"|US\$|HK\$|\$|RMB|rmb|Rmb|CNY|cny)*")
_PARSE_AMOUNT_RE = re.compile(
    r"^" + _APPROX_PREFIX + r"(?P<num>" + _AMOUNT_NUM + r")"
    r"(?P<suf>" + _SUF + r")?(?:多|几|来|余)?(?:" + _CUR + r"|人民币|rmb|RMB|Rmb|CNY|cny|yuan|kuai|dollars?|bucks)?"
    r"(?P<jiao>[一二三四五六七八九\d](?:毛|角)?)?"
    r"(?:左右|上下|出头|的样子|这样)?$"
)
_MIN_DUE_RE = re.compile(r"最低(?:还款)?(?:金?额|的|那个)?")
_BALANCE_RE = re.compile(r"全部|全额|全款|还清|结清|全都还")


def _quantize(value: Decimal) -> Optional[Decimal]:
    if value is None or value <= 0:
        return None
    return value.quantize(Decimal("0.01"))


def _parse_amount_exact(s: str) -> Optional[Decimal]:
    m = _PARSE_AMOUNT_RE.match(s)
    if m is None:
        return None
    value = chinese_to_number(_numeral(m.group("num")) + (m.group("suf") or ""))
    if value is None:
        return None
    jiao = m.group("jiao")
    if jiao:
        # 五块五 = 5.5 元; only valid right after 块/元
        if not re.search(r"(?:块|元|圆|蚊|文)[一二三四五六七八九\d]", s):
            return None
        d = chinese_to_number(jiao[0])
        if d is None:
            return None
        value += d / 10
    return _quantize(value)


def parse_amount(text: str) -> Union[Decimal, AmountRef, None]:
    """Amount in yuan (Decimal, 2 places), an :class:`AmountRef`, or None."""
    if not text:
        return None
    s = re.sub(r"\s+", "", _from_pinyin(_fold(text))).strip("。，,.!！?？~～")
    if not s:
        return None
    if s.startswith(("-", "负")):
        return None
    value = _parse_amount_exact(s)
    if value is not None:
        return value
    if _MIN_DUE_RE.fullmatch(s) or re.fullmatch(r"最低还款额?", s):
        return AmountRef.MINIMUM_DUE
    if _BALANCE_RE.fullmatch(s):
        return AmountRef.BALANCE
    for span in find_entities(s):
        if span.entity != "amount":
            continue
        if _AMOUNT_REF_RE.fullmatch(span.value):
            return AmountRef.MINIMUM_DUE if span.value.startswith("最低") else AmountRef.BALANCE
        value = _parse_amount_exact(span.value)
        if value is not None:
            return value
    if _MIN_DUE_RE.search(s):
        return AmountRef.MINIMUM_DUE
    if _BALANCE_RE.search(s):
        return AmountRef.BALANCE
    return None


_RANGE_RE = re.compile(r"(一两|两三|三四|四五|五六|六七|七八|八九)[十百千万]")


def is_approximate_amount(text: str) -> bool:
    """True for 两千多 / 3000左右 / 大概五百 / 三四千; False for exact amounts."""
    if not text:
        return False
    s = _fold(text)
    if _RANGE_RE.search(s):
        return True
    return bool(re.search(
        r"多(?!少)|左右|上下|大概|大约|大致|约|差不多|估计|将近|接近|不到|出头"
        r"|[十百千万kKwW]来(?:块|元)?|余|几[十百千万]|至少|最多|顶多|最少|以上|以内",
        s,
    ))


def _today(now: datetime) -> date:
    if now.tzinfo is None:
        now = now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI).date()


def parse_date(text: str, now: datetime) -> Optional[date]:
    """Calendar date for a date expression, relative to ``now`` in Shanghai."""
    if not text:
        return None
    t = _from_pinyin(_fold(text))
    today = _today(now)
    found = []
    for rx, handler in _DATE_PATTERNS:
        for m in rx.finditer(t):
            if _date_ok(t, m, handler):
                found.append((m, handler))
    if not found:
        return None
    # leftmost, then longest (下个月10号 over 10号; 大后天 over 后天)
    found.sort(key=lambda mh: (mh[0].start(), -(mh[0].end() - mh[0].start())))
    # 发工资那天，就是10号: a vague date first, a day the bot can book after.
    for m, handler in found:
        day = handler(m, today)
        if day is not None:
            return day
    return None


def parse_duration_days(text: str) -> Optional[int]:
    """Number of days: 天=1, 周/星期/礼拜=7, 个月=30, 半个月=15."""
    if not text:
        return None
    t = _from_pinyin(_fold(text))
    # 过两天 is "a couple of days", not two: never a number the cardholder
    # did not say (find_entities skips it for the same reason).
    m = next((m for m in _DURATION_RE.finditer(t) if not _vague_duration(t, m)), None)
    if m is None:
        m = _EN_DURATION_RE.search(t)
        return _en_duration_days(m) if m else None
    return _duration_days_from_match(m)


# Time asked for without saying how much (issue 18): 几天 / 过几天 / 十几天 /
# 几个月 / 两三天, 一阵子 / 过阵子, 一段时间, 宽限些日子 / 给点时间, 缓缓 / 缓一下,
# a few days / some time / a while. 几月 alone is "which month", 几号 "which
# day": not here.
_VAGUE_DURATION_RE = re.compile(
    r"几(?:天|日|周|个?星期|个?礼拜|个月)"
    # a range: 一两天 / 两三个星期 / 三五天
    r"|(?:一两|两三|三四|三五|四五|五六|六七|七八|八九)(?:天|日|周|个?星期|个?礼拜|个月)"
    r"|阵子|一阵(?=\s*(?:$|[吧啊呀吗嘛呢，,。.!！?？~～]))"
    r"|段(?:时间|日子|时日)"
    r"|[些点](?:日子|时间|时日|天)"
    r"|缓一?缓|缓一下|缓些|缓一段"
    r"|宽限(?:一下|下)"
    r"|\b(?:a\s+)?few\s+(?:more\s+)?(?:days?|weeks?|months?)\b"
    r"|\bsome\s+(?:more\s+|extra\s+)?(?:time|days|weeks)\b"
    r"|\ba\s+(?:little\s+)?while\b|\bawhile\b"
    r"|\b(?:more|extra)\s+time\b|\ba\s+bit\s+(?:more\s+time|longer)\b",
    re.I,
)


def is_vague_duration(text: str) -> bool:
    """Whether ``text`` asks for time without a length: 过几天 / 一段时间 /
    缓缓 / 这两天 / 三五天 / a few days. False when it also names a length or
    a day that can be read (宽限几天，到15号就行): that is the answer, and the
    forms read it; a day no one can count (过几天，发工资那天) leaves it vague.

    The deferral form asks how long instead of booking a number of days
    the cardholder did not say, or calling the answer unreadable.
    """
    if not text:
        return False
    now = datetime.now(SHANGHAI)  # only whether a day can be read matters here
    for span in find_entities(text):
        if span.entity == "duration" and parse_duration_days(span.value) is not None:
            return False
        if span.entity == "date" and parse_date(span.value, now) is not None:
            return False
    t = _fold(text)
    if _VAGUE_DURATION_RE.search(t):
        return True
    return any(_vague_duration(t, m) for m in _DURATION_RE.finditer(t))


def _months_in_years(t: str) -> Optional[int]:
    """两年 → 24, 一年半 → 18, 半年 → 6 (monthly installments)."""
    m = re.search(r"(?<![0-9.])" + _YEARS, t)
    if m is None:
        return None
    if m.group("yonly"):
        return 6
    years = _small_int(m.group("y"))
    if not years:
        return None
    return 12 * years + (6 if m.group("yhalf") else 0)


def parse_months(text: str) -> Optional[int]:
    """Number of instalments: 12期→12, 六期→6, 六个月→6, 两年→24, 一年半→18."""
    if not text:
        return None
    t = _from_pinyin(_fold(text))
    m = _MONTHS_QI_RE.search(t) or re.search(_NB + r"(?P<n>" + _SMALL + r")个月", t)
    english = _EN_MONTHS_RE.search(t)
    if m is None and english is not None:
        return _en_months(english)
    if m is None:
        from_years = _months_in_years(t)
        if from_years is not None:
            return from_years
        m = re.fullmatch(r"\s*(?P<n>" + _SMALL + r")\s*", t)
        if m is None:
            n = _en_count(t.strip())
            return n if n and n > 1 else None
    n = _small_int(m.group("n"))
    if n is None or n <= 0:
        return None
    return n
