"""Phone numbers as cardholders type them: 138 0013 8000, +86-138…, 8613800138000."""
from __future__ import annotations

import re

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_NOISE = re.compile(r"[\s\-()（）.]")
_MAINLAND_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_INTERNATIONAL = re.compile(r"(?<!\d)\+([1-9]\d{7,14})(?!\d)")


def is_e164(value: str) -> bool:
    return bool(E164.match(value or ""))


def parse_phone(text: str) -> str | None:
    """The E.164 number in `text`, or None. Mainland mobiles get +86."""
    compact = _NOISE.sub("", text or "")
    mobile = _MAINLAND_MOBILE.search(compact)
    if mobile:
        return "+86" + mobile.group(1)
    international = _INTERNATIONAL.search(compact)
    if international:
        return "+" + international.group(1)
    return None
