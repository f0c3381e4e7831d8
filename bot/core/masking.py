"""Masking personal data in conversation text (plain Python, no web imports).

Trainers review real conversations; they must not see who the cardholder is.
``mask_text`` hides

- phone numbers (mainland mobiles with or without +86, landlines with an
  area code) and any other run of 7 or more digits (ID card numbers, card
  numbers, account numbers; spaces and dashes inside the run count);
- ID card numbers ending in X;
- the short digit groups people give when asked (身份证后四位 1234, 卡号尾号 6688):
  digits (and X) right after such a cue;
- names: the cardholder's names when known (``names``: full name, and the
  given name alone) and what follows 我叫 / 我的名字是 / 姓名 …;
- entity spans the caller marks as personal (``id_last4``).

Amounts (三千五, 2000元, 1.5万) stay: they are what the trainer labels.

Masking keeps the length of the text (every hidden character becomes
``*``), so entity offsets computed on the original text stay valid on the
masked one and a trainer's span on the masked text is a span of the
original.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

MASK = "*"

# Entities whose value is personal data (domain.yml: id_last4).
PERSONAL_ENTITIES = frozenset({"id_last4"})

_DIGIT_RUN = re.compile(r"(?<![0-9])\+?[0-9](?:[0-9 \-]{5,}[0-9])[0-9Xx]?(?![0-9])")
_ID_WITH_X = re.compile(r"(?<![0-9A-Za-z])[0-9]{14,17}[Xx](?![0-9A-Za-z])")
# A cue, a few connecting characters (是, ：, 为, spaces), then 3-6 digits
# (the last may be X): "身份证后四位是3521", "尾号6688", "后4位 660X".
_CUE = re.compile(
    r"(?:身份证|证件号?|卡号|银行卡|信用卡|尾号|末尾|后[四4]位|末[四4]位|后几位|手机号?|电话号?码?|号码|验证码|账号)"
    r"[^0-9\n]{0,6}?"
    r"([0-9]{3,6}[Xx]?|[0-9]{2,5}[Xx])(?![0-9])"
)
_NAME_CUE = re.compile(
    r"(?:我叫|我的名字是|我的名字叫|名字叫|名字是|姓名是|姓名[:：]?|本人是)\s*([\u4e00-\u9fff·]{2,4})"
)
# Words that follow 本人是 / 我叫 but are not names.
_NOT_NAMES = ("本人", "机主", "持卡人", "他的", "她的", "你们", "客户")


def _spans_of(pattern: "re.Pattern[str]", text: str, group: int = 0) -> List[Tuple[int, int]]:
    return [m.span(group) for m in pattern.finditer(text)]


def personal_spans(
    text: str,
    names: Iterable[str] = (),
    entities: Optional[Sequence[Dict[str, Any]]] = None,
) -> List[Tuple[int, int]]:
    """Character spans of ``text`` that are personal data (may overlap)."""
    text = text or ""
    spans: List[Tuple[int, int]] = []
    for match in _DIGIT_RUN.finditer(text):
        digits = sum(c.isdigit() for c in match.group(0))
        if digits >= 7:
            spans.append(match.span())
    spans += _spans_of(_ID_WITH_X, text)
    spans += _spans_of(_CUE, text, 1)
    for match in _NAME_CUE.finditer(text):
        if not match.group(1).startswith(_NOT_NAMES):
            spans.append(match.span(1))
    for name in _name_variants(names):
        start = text.find(name)
        while start >= 0:
            spans.append((start, start + len(name)))
            start = text.find(name, start + len(name))
    for entity in entities or ():
        if entity.get("entity") in PERSONAL_ENTITIES:
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                spans.append((start, end))
    return spans


def _name_variants(names: Iterable[str]) -> List[str]:
    """The full names, and the given names of three-or-more character names
    (张三丰 → 三丰), longest first; single characters are never searched."""
    variants = set()
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            variants.add(name)
        if len(name) >= 3:
            variants.add(name[1:])
    return sorted(variants, key=len, reverse=True)


def mask_text(
    text: Optional[str],
    names: Iterable[str] = (),
    entities: Optional[Sequence[Dict[str, Any]]] = None,
) -> str:
    """``text`` with every personal character replaced by ``*`` (same length)."""
    text = text or ""
    chars = list(text)
    for start, end in personal_spans(text, names, entities):
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


def mask_entities(
    entities: Optional[Sequence[Dict[str, Any]]], masked_text: str
) -> List[Dict[str, Any]]:
    """Entities with their text and value taken from the masked text when
    the span was masked (an ID digit entity shows ``****``)."""
    out = []
    for entity in entities or ():
        item = {k: entity.get(k) for k in ("entity", "start", "end", "value", "extractor")}
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(masked_text):
            shown = masked_text[start:end]
            item["text"] = shown
            if MASK in shown or entity.get("entity") in PERSONAL_ENTITIES:
                item["value"] = MASK * max(len(str(entity.get("value") or shown)), 1)
        elif entity.get("entity") in PERSONAL_ENTITIES:
            item["value"] = MASK * 4
        out.append(item)
    return out


def mask_phone(phone: Optional[str]) -> str:
    """+8613900000001 → +86139****0001 (for conversation ids shown to trainers)."""
    phone = phone or ""
    if len(phone) <= 8:
        return phone[:2] + MASK * 4 if phone else ""
    return phone[:-8] + MASK * 4 + phone[-4:]


def masked_name(name: Optional[str]) -> str:
    """A name as the assistant and the console show it: 张三→张*, 张三丰→张*丰,
    欧阳娜娜→欧**娜, a one-character name fully masked."""
    name = (name or "").strip()
    if len(name) <= 1:
        return MASK if name else ""
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]
