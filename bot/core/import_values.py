"""Cell values as banks' exports and Excel write them.

Operators hand us what Excel on a Chinese Windows machine produced: full-width
digits (１２００), thousands separators (1,200.00 or １，２００), mobiles
without +86, dates as 2026/11/1. Each parser accepts those spellings and
nothing looser: a value it cannot read exactly is an error for the operator
to fix, never a guess (money and phone numbers end up in messages to
cardholders). Standard library only.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Optional

from bot.core.phone import E164, parse_phone
from bot.core.text import clean_text

FEN = Decimal("0.01")

_PLAIN_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
# Separators only in groups of three: "1,200.00" yes, "12,00" (a decimal
# comma, or a typo) no.
_GROUPED_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$")
_CURRENCY = re.compile(r"^[¥]|元$")
_PHONE_NOISE = re.compile(r"[\s\-()（）.]")
_MAINLAND_MOBILE = re.compile(r"^(?:86)?1[3-9]\d{9}$")
_DAY_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),  # Excel's default on zh-CN Windows
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # bank exports: 20261101
)


def cell(text: Optional[str]) -> str:
    """A cell as read: cleaned, full-width forms folded (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", clean_text(text or "")).strip()


def parse_amount(text: str, max_integer_digits: int) -> Decimal:
    """A non-negative amount to the fen; ValueError when not exactly one."""
    value = _CURRENCY.sub("", cell(text)).strip()
    m = _PLAIN_AMOUNT.match(value) or _GROUPED_AMOUNT.match(value)
    if not m:
        raise ValueError(value)
    integer = m.group(1).replace(",", "")
    if len(integer.lstrip("0")) > max_integer_digits:
        raise ValueError(value)
    return Decimal(f"{integer}.{m.group(2) or '0'}").quantize(FEN)


def parse_mobile(text: str) -> Optional[str]:
    """E.164 for a cell holding one phone number and nothing else, or None.

    11-digit mainland mobiles (with or without 86 / +86 / 0086) get +86 the
    way the chat does (``bot.core.phone.parse_phone``); other numbers must
    already be E.164.
    """
    compact = _PHONE_NOISE.sub("", cell(text))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        return compact if E164.match(compact) else None
    if _MAINLAND_MOBILE.match(compact):
        return parse_phone(compact)
    return None


def parse_day(text: str) -> date:
    """A calendar day written 2026-11-01, 2026/11/1, 2026年11月1日 or 20261101.

    Day-first or month-first forms (01/11/2026) are refused: which one the
    bank meant cannot be known. ValueError when not a real day.
    """
    value = cell(text)
    for form in _DAY_FORMS:
        m = form.match(value)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(value)
