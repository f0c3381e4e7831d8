"""Text cleaning at the door: what may be stored, published or logged.

A message can carry code points that are valid in a Python ``str`` but not
in UTF-8, PostgreSQL or JSON consumers: lone UTF-16 surrogates (``"\\ud800"``
from a JSON ``\\ud800`` escape), NUL (PostgreSQL text refuses it), other C0/C1
control characters, and the Unicode non-characters (U+FDD0–U+FDEF,
U+xxFFFE/U+xxFFFF). One such character once stopped the contact-log writer
for everyone (issue 16). Every entry point passes client text through
``clean_text`` before anything is stored, and every reader of stored text
can use it to survive what was stored before this existed.

The repair is lossless for ordinary text (Chinese, emoji, markup: a valid
astral character written as a surrogate *pair* is joined back into one
code point) and replaces each bad code point with U+FFFD, so what a person
wrote stays readable and nothing silently disappears. Tab, newline and
carriage return are kept; other control characters are removed.
"""
from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"

_KEPT_CONTROLS = "\t\n\r"
# C0 controls except tab/newline/CR, DEL and C1 controls: dropped.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates and non-characters: replaced by U+FFFD.
_BAD_RE = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
_PAIR_RE = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_pair(m: "re.Match[str]") -> str:
    high, low = (ord(c) for c in m.group(0))
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def is_clean(text: str) -> bool:
    """True when ``text`` needs no repair."""
    return not (_BAD_RE.search(text) or _CONTROL_RE.search(text))


def clean_text(text: str) -> str:
    """``text`` safe to store and encode as UTF-8 (see the module doc)."""
    if is_clean(text):
        return text
    text = _PAIR_RE.sub(_join_pair, text)
    text = _CONTROL_RE.sub("", text)
    return _BAD_RE.sub(REPLACEMENT, text)


def clean_value(value: Any) -> Any:
    """``clean_text`` applied to every string in a JSON-like value (keys too)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_value(v) for v in value]
    return value
