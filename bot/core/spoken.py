"""Figures as a person says them in Mandarin, and the bot's replies as speech.

The voice channel (channels/voice.py) speaks the same replies the chat
shows, but a text-to-speech engine reading "18,650.40元" or "2026年12月11日"
aloud gets them wrong or sounds like a machine. This module turns the reply
facts into what a person would say on the phone. Plain Python.

Rules chosen (and tested in tests/unit/test_spoken.py):

- **Integers** in the standard reading with 零 for gaps (10005 → 一万零五,
  1010 → 一千零一十, 100000005 → 一亿零五) and a bare leading 十 only at the
  very start of the number (15 → 十五, 150000 → 十五万, but 110 → 一百一十).
- **二 or 两**: 两 is what people say for a 2 that *counts* something:
  the first digit of a four-digit section in the 千 or 百 place (2000 →
  两千, 200 → 两百, 22000 → 两万两千, 1200 → 一千二百: not first in its
  section), a section that is just 2 before 万/亿 (两万, 两亿), and a lone
  2 before a measure word (两元, 两角, 两分, 两期, 两天, 两个月). Everywhere else
  二: 十 place (二十), units place (十二, 一百零二), dates (二月二日), numbers
  read digit by digit.
- **Amounts**: 元, 角, 分 (the spoken units on a bank's phone line), 零
  before 分 when 角 is zero: 18650.40 → 一万八千六百五十元四角, 12.05 →
  十二元零五分, 0.05 → 五分, 0 → 零元.
- **Dates**: the year digit by digit, month and day as numbers, with 日:
  2026年12月11日 → 二零二六年十二月十一日 (as a clerk reads a date).
- **Times of day** as on a clock: 09:00 → 九点, 02:00 → 两点, 21:30 → 二十一点半, 08:05 →
  八点零五分; a range 09:00-21:00 → 九点到二十一点.
- **Phone numbers** (hotlines, 11-digit mobiles, 110/120): digit by digit
  with 幺 for 1, as Chinese phone numbers are always read; card tails
  (尾号8888) digit by digit with 一.
- **ID digits are never spoken**: anything that looks like an ID number or
  its last four digits is removed from speech (keyed on the keypad, never
  read back).

`voice_reply` renders one outgoing message (text, buttons, custom JSON)
into a `VoiceReply`: the speech, and the keypad menu "按1 … 按2 …" whose
digits pick the buttons' payloads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

# What the voice channel says itself (channels/voice.py); figures in them
# are spoken through voice_reply like any reply.
VOICE_REPROMPT = "抱歉，我没有听清。请直接说出您的需要，或者用电话按键选择。"
VOICE_SILENT_GOODBYE = "很抱歉一直没有听到您的声音，我们稍后再与您联系。如需帮助，请拨打官方客服热线{hotline}。再见。"
# To an answering machine: no name, no debt, nothing a family member should not hear.
VOICE_MACHINE_MESSAGE = "您好，这里是{bank}客服中心，有事项需要与您联系，请您方便时回电{hotline}。谢谢，再见。"
VOICE_HOLD = "请稍等，正在为您查询。"
VOICE_SYSTEM_BUSY = "抱歉，系统暂时繁忙，请您再说一次。"
VOICE_TRANSFER = "正在为您转接人工专员，请不要挂机。"
VOICE_CRISIS_TRANSFER = "现在就为您转接值班专员，请不要挂机。"
VOICE_TRANSFER_FAILED = "抱歉，专员暂时没能接听。请拨打{hotline}，我们会尽快联系您。再见。"
# Out of staffed hours: when to call back, said in so many words ({hours}: "09:00到21:00").
VOICE_CALL_BACK = "您也可以在人工服务时间，每天{hours}，拨打{hotline}。感谢您的接听，再见。"
# Out of staffed hours the call is not put through: the chat's "transferring
# you" would promise what does not happen on the phone.
_OUT_OF_HOURS_WORDING: Tuple[Tuple[str, str], ...] = (
    ("正在为您转接人工专员，专员接入后会继续为您服务", "已为您登记人工服务"),
    ("正在为您转接人工专员", "已为您登记人工服务"),
)
VOICE_OPTED_OUT = "好的，我们将不再给您打电话或发短信。再见。"
VOICE_GOODBYE = "感谢您的接听，再见。"
VOICE_RECORDING_NOTICE = "为保障服务质量，本次通话将被录音。"

DIGITS = "零一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"
_SECTION_UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_BIG_UNITS = ((10 ** 8, "亿"), (10 ** 4, "万"))

Number = Union[int, str, Decimal]


def _section(n: int, lead_liang: bool) -> str:
    """0 < n < 10000 without leading/trailing 零 (gaps inside get one 零)."""
    out: List[str] = []
    started = False
    gap = False
    for value, unit in _SECTION_UNITS:
        d = n // value % 10
        if d == 0:
            if started:
                gap = True
            continue
        if gap:
            out.append("零")
            gap = False
        if d == 2 and not started and lead_liang and unit in ("千", "百"):
            out.append("两")
        else:
            out.append(DIGITS[d])
        out.append(unit)
        started = True
    return "".join(out)


def spoken_integer(n: int, measure: bool = False) -> str:
    """``n`` as a Mandarin number; ``measure``: a measure word follows
    (a lone 2 becomes 两)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"an int is needed, not {type(n).__name__}")
    if n < 0:
        return "负" + spoken_integer(-n, measure)
    if n == 0:
        return "零"
    if n == 2:
        return "两" if measure else "二"
    if n >= 10 ** 16:
        raise ValueError(f"number too large to speak: {n}")
    out: List[str] = []
    rest = n
    spoken_before = False
    zero_pending = False
    for value, unit in _BIG_UNITS + ((1, ""),):
        section = rest // value
        rest = rest % value
        if section == 0:
            if spoken_before:
                zero_pending = True
            continue
        if value > 1 and section >= 10000:
            # 亿亿 range: the part above 亿 read as a number of its own.
            out.append(spoken_integer(section) + unit)
            spoken_before = True
            continue
        if spoken_before and (zero_pending or section < 1000):
            out.append("零")
        zero_pending = False
        if section == 2 and unit:
            out.append("两")
        else:
            out.append(_section(section, lead_liang=True))
        out.append(unit)
        spoken_before = True
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]
    return text


def spoken_digits(digits: str, phone: bool = False) -> str:
    """Digit by digit (phone numbers with 幺 for 1); other characters dropped,
    a dash or space becomes a short pause (，)."""
    table = PHONE_DIGITS if phone else DIGITS
    out: List[str] = []
    for ch in digits:
        if ch.isdigit() and ch.isascii():
            out.append(table[int(ch)])
        elif ch in "- " and out and out[-1] != "，":
            out.append("，")
    return "".join(out).strip("，")


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("amounts must be Decimal, int or str, never float")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.endswith("元"):
            text = text[:-1]
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    else:
        raise TypeError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount


def spoken_amount(value: Number) -> str:
    """An amount in yuan as said on the phone: 18650.40 → 一万八千六百五十元四角."""
    amount = _to_decimal(value).quantize(Decimal("0.01"))
    sign = ""
    if amount < 0:
        sign, amount = "负", -amount
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    parts: List[str] = []
    if yuan:
        parts.append(spoken_integer(yuan, measure=True) + "元")
    # 两 only for a 2 standing alone before its unit (两角, 两分); inside a
    # compound amount 二 (六角二分, 十元零二分).
    if jiao:
        parts.append(spoken_integer(jiao, measure=not yuan) + "角")
    if fen:
        if yuan and not jiao:
            parts.append("零")
        parts.append(spoken_integer(fen, measure=not (yuan or jiao)) + "分")
    if not parts:
        return "零元"
    return sign + "".join(parts)


def spoken_decimal(value: Number) -> str:
    """A plain decimal number: 0.75 → 零点七五, 1.50 → 一点五, 3 → 三."""
    d = _to_decimal(value)
    sign = ""
    if d < 0:
        sign, d = "负", -d
    text = format(d, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    spoken = spoken_integer(int(whole))
    if frac:
        spoken += "点" + spoken_digits(frac)
    return sign + spoken


def spoken_percent(value: Number) -> str:
    """0.75 (percent) → 百分之零点七五."""
    return "百分之" + spoken_decimal(value)


def spoken_date(value: Union[date, str], day_word: str = "日") -> str:
    """2026年12月11日 (a date, ISO text or Chinese text) → 二零二六年十二月十一日."""
    if isinstance(value, date):
        year, month, day = value.year, value.month, value.day
    else:
        text = str(value).strip()
        m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})[日号]?", text)
        if not m:
            raise ValueError(f"not a date: {value!r}")
        year, month, day = (int(g) for g in m.groups())
        date(year, month, day)  # raises for 2月30日
    return f"{spoken_digits(str(year))}年{spoken_integer(month)}月{spoken_integer(day)}{day_word}"


# --------------------------------------------------------------------------
# Menus: "按1 … 按2 …"
# --------------------------------------------------------------------------


def menu_prompt(titles: Sequence[str]) -> str:
    """按1，我要还款；按2，申请分期。 (titles spoken as figures are)."""
    items = [f"按{i}，{speak_figures(t).strip('。，；')}" for i, t in enumerate(titles, start=1)]
    return "；".join(items) + "。" if items else ""


def plan_choices(plans: Iterable[Tuple[int, Number, Number]]) -> str:
    """Installment plans (months, monthly payment, total fee) as keypad choices:
    按1，分三期，每期……，总手续费……；按2，……"""
    items = []
    for i, (months, monthly, fee) in enumerate(plans, start=1):
        items.append(
            f"按{i}，分{spoken_integer(int(months), measure=True)}期，每期{spoken_amount(monthly)}，"
            f"总手续费{spoken_amount(fee)}"
        )
    return "；".join(items) + "。" if items else ""


# --------------------------------------------------------------------------
# Replies as speech
# --------------------------------------------------------------------------

# Chat wording that means something else on a call (applied in order).
_VOICE_WORDING: Tuple[Tuple[str, str], ...] = (
    ("（末位是X请回复X）", "，末位是X请按星号键"),
    ("请回复您身份证号码的后四位", "请用电话按键输入您身份证号码的后四位"),
    ("重新回复身份证号码后四位", "重新用电话按键输入身份证号码后四位"),
    ("再回复身份证号码后四位", "再用电话按键输入身份证号码后四位"),
    ("请回复11位手机号", "请说出11位手机号"),
    ("请留意这里的消息", "请保持电话畅通"),
    ("会在这里继续为您服务", "会继续为您服务"),
    ("回复本短信", "回电"),
    ("请直接回复", "请直接说出"),
    ("回复您", "联系您"),  # the agent answers the cardholder: on a call, a call back
    ("回复", "说"),
    ("在线", "电话"),
)

# An ID number (15/18 characters) or the last four digits after an ID word.
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{6}(?:19|20)?[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx]?(?![0-9])")
_ID_TAIL = re.compile(r"((?:身份证|证件)[^，。；0-9]{0,12}?后?[四4]位(?:是|为|：|:)?\s*)[0-9]{3}[0-9Xx]")
_AMOUNT = re.compile(r"(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*元")
_FULL_DATE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})([日号])")
_MONTH_DAY = re.compile(r"([0-9]{1,2})月([0-9]{1,2})([日号])")
_TIME_OF_DAY = r"(?<![0-9])([01]?[0-9]|2[0-4]):([0-5][0-9])(?![0-9])"
_TIME_RANGE = re.compile(_TIME_OF_DAY + r"\s*[-－~～至到]\s*" + _TIME_OF_DAY)
_TIME = re.compile(_TIME_OF_DAY)
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)%")
_PHONE = re.compile(
    r"(?<![0-9])(?:[0-9]{3,4}-[0-9]{3,4}-[0-9]{3,4}|1[3-9][0-9]{9}|[0-9]{5}|11[0-9]|12[0-9])(?![0-9.,])"
)
_CARD_TAIL = re.compile(r"尾号([0-9]{4})")
_COUNT = re.compile(r"([0-9]+)(?=\s*(?:期|天|个月|个工作日|个|次|分钟|小时|周|位|年|月))")
_LIST_MARKER = re.compile(r"(?m)^\s*[0-9]{1,2}[.、)）]\s*")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_INTEGER = re.compile(r"[0-9][0-9,]*")


def spoken_time(hour: str, minute: str) -> str:
    """A time of day as on a clock: 九点, 二十一点半, 八点零五分."""
    h, m = int(hour), int(minute)
    said = ("两" if h == 2 else spoken_integer(h)) + "点"  # 两点, as people say it
    if m == 30:
        return said + "半"
    if m:
        said += ("零" if m < 10 else "") + spoken_integer(m) + "分"
    return said


def strip_id_digits(text: str) -> str:
    """The text without ID numbers or ID tails: what is keyed is never spoken."""
    text = _ID_NUMBER.sub("", text)
    return _ID_TAIL.sub(lambda m: m.group(1).rstrip("是为：: "), text)


def speak_figures(text: str) -> str:
    """Every figure in ``text`` as spoken Mandarin (amounts, dates, percents,
    phone numbers, card tails, counts, any other number)."""
    text = strip_id_digits(text)
    text = _AMOUNT.sub(lambda m: spoken_amount(m.group(1)), text)
    text = _FULL_DATE.sub(
        lambda m: spoken_date(f"{m.group(1)}年{m.group(2)}月{m.group(3)}日", m.group(4)), text
    )
    text = _MONTH_DAY.sub(
        lambda m: f"{spoken_integer(int(m.group(1)))}月{spoken_integer(int(m.group(2)))}{m.group(3)}", text
    )
    text = _TIME_RANGE.sub(lambda m: spoken_time(m.group(1), m.group(2)) + "到" + spoken_time(m.group(3), m.group(4)),
                           text)
    text = _TIME.sub(lambda m: spoken_time(m.group(1), m.group(2)), text)
    text = _PERCENT.sub(lambda m: spoken_percent(m.group(1)), text)
    text = _CARD_TAIL.sub(lambda m: "尾号" + spoken_digits(m.group(1)), text)
    text = _PHONE.sub(lambda m: spoken_digits(m.group(0), phone=True), text)
    text = _COUNT.sub(lambda m: spoken_integer(int(m.group(1)), measure=True), text)
    text = _DECIMAL.sub(lambda m: spoken_decimal(m.group(0)), text)
    text = _INTEGER.sub(lambda m: spoken_integer(int(m.group(0).replace(",", ""))), text)
    return text


def _sentences(text: str) -> str:
    """Line breaks and brackets as pauses; no markup read aloud."""
    lines = [ln.strip(" \t-•*·") for ln in text.replace("\r", "").split("\n")]
    out = []
    for line in lines:
        if not line:
            continue
        if line[-1] not in "。！？；，：":
            line += "。"
        out.append(line)
    joined = "".join(out)
    joined = re.sub(r"[（(]", "，", joined)
    joined = re.sub(r"[）)]", "，", joined)
    joined = re.sub(r"[\[\]{}<>#_`|~^]", "", joined)
    joined = re.sub(r"，+([。！？；，：])", r"\1", joined)
    joined = re.sub(r"([。！？；])，", r"\1", joined)
    joined = re.sub(r"，{2,}", "，", joined)
    return joined.strip("，")


_MASKED_NAME = re.compile(r"(?<=[\u4e00-\u9fff])\*+(?=[\u4e00-\u9fff])")


def voice_wording(text: str) -> str:
    """Chat instructions ("回复“是”") as call instructions ("说“是”"); a
    masked name (李*华) spoken as 李某华, never "李星号华"."""
    for chat, call in _VOICE_WORDING:
        text = text.replace(chat, call)
    return _MASKED_NAME.sub("某", text)


@dataclass
class VoiceReply:
    speech: str
    #: Keypad menu: digit N picks menu[N-1] = (title, payload).
    menu: List[Tuple[str, Optional[str]]] = field(default_factory=list)


def voice_reply(
    text: Optional[str] = None,
    buttons: Optional[Sequence[Mapping[str, Any]]] = None,
    custom: Optional[Mapping[str, Any]] = None,
) -> VoiceReply:
    """One outgoing bot message as speech.

    ``custom`` (a ``json_message``) may carry ``voice`` (speech written for
    calls, used instead of the text), ``text`` and ``buttons``; any other
    key is data, not speech, and is not read out.
    """
    custom = dict(custom or {})
    body = custom.get("voice") or text or custom.get("text") or ""
    if not buttons and isinstance(custom.get("buttons"), list):
        buttons = custom["buttons"]
    menu: List[Tuple[str, Optional[str]]] = []
    for b in buttons or []:
        title = str(b.get("title") or "").strip() if isinstance(b, Mapping) else ""
        if title:
            menu.append((title, b.get("payload")))
    body = _LIST_MARKER.sub("", str(body))
    speech = _sentences(speak_figures(voice_wording(body)))
    if menu:
        prompt = menu_prompt([t for t, _ in menu])
        speech = (speech + ("" if speech.endswith(("。", "？", "！")) or not speech else "。") + prompt).strip()
    return VoiceReply(speech=speech, menu=menu)


def out_of_hours(speech: str) -> str:
    """Speech for a hand-over nobody can take now: no "transferring you"."""
    for chat, call in _OUT_OF_HOURS_WORDING:
        speech = speech.replace(chat, call)
    return speech


def join_speech(parts: Iterable[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1] not in "。！？；":
            out += "。"
        out += part
    return out
