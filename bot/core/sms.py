"""SMS text rules: segment counting, splitting long replies, the opt-out line, opt-in/opt-out keywords.

Plain Python (no Rasa, web or database imports), used by the Twilio SMS
channel (channels/twilio_sms.py).

Segments. A message that fits the GSM-7 alphabet is sent 7 bits per
character: 160 characters in one SMS, 153 per segment when it has to be
concatenated (the user data header takes the rest). One character outside
GSM-7 - any Chinese character - makes the whole message UCS-2: 70 UTF-16
code units in one SMS, 67 per concatenated segment. A GSM-7 extension
character (``€ [ ] { } ^ ~ | \\``) takes two septets, a character outside the
Basic Multilingual Plane (most emoji) two UTF-16 units, and neither may be
cut across two segments.

Splitting. Each SMS we send is kept within ``max_segments`` segments; a
longer reply becomes several SMS, cut at sentence ends (。！？；and line
breaks), else at a comma, else at a space, else at any character - but
never inside an amount such as ``12,000.00元``, a date or a phone number.
A text that ends with the opt-out line (below) keeps it on every SMS it is
split into, and the segment count of each includes it.

The opt-out line. Every SMS the bank starts or an agent writes ends with
how to stop them, ``回T退订`` (the Chinese convention); the keyword it names,
"T" alone, is an opt-out for ``is_opt_out`` below, as are 回T, T退订 and
回T退订 themselves. The guard (bot/core/guard.py) refuses an SMS without it.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List, Sequence, Tuple

from bot.core import replies
from bot.core.safety import is_crisis, is_stop_request

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 basic character set (the escape character itself excluded).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs an escape plus the character (two septets).
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# (single-message capacity, per-segment capacity when concatenated)
_CAPACITY = {GSM7: (160, 153), UCS2: (70, 67)}


def encoding(text: str) -> str:
    """``"GSM-7"`` if every character is in the GSM-7 alphabet, else ``"UCS-2"``."""
    for ch in text or "":
        if ch not in _GSM7_BASIC and ch not in _GSM7_EXTENDED:
            return UCS2
    return GSM7


def _units(text: str, enc: str) -> List[int]:
    """Cost of each character: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if enc == GSM7:
        return [2 if ch in _GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segment_count(text: str) -> int:
    """How many SMS segments ``text`` is billed and sent as (0 for empty text)."""
    if not text:
        return 0
    enc = encoding(text)
    single, per_segment = _CAPACITY[enc]
    units = _units(text, enc)
    if sum(units) <= single:
        return 1
    # Greedy packing: a two-unit character never straddles two segments.
    segments, used = 1, 0
    for cost in units:
        if used + cost > per_segment:
            segments += 1
            used = 0
        used += cost
    return segments


def fits(text: str, max_segments: int, tail: str = "") -> bool:
    """Whether ``text`` (with ``tail`` added, room kept for it) fits."""
    return segment_count(text + tail) <= max_segments


# --------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------

_SENTENCE_END = frozenset("。！？；!?;\n")
# Closing quotes/brackets stay with the sentence they close.
_CLOSERS = frozenset("”’」』）)]】\"'")
_COMMAS = frozenset("，,、：:")
_SPACES = frozenset(" \t\u3000")

# Spans a cut must never fall inside: dates, amounts with their unit,
# numbers with thousands separators, decimals, times and phone numbers.
_PROTECTED = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}[日号]"
    r"|\d{1,2}月\d{1,2}[日号]"
    r"|[¥￥$]?\d(?:[\d,.:/\-]*\d)?(?:\s?(?:元|块|%|％|期|天|个月|月|日|号|年|次|分|秒|小时|点))?"
)


def _protected_spans(text: str) -> List[Tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(text)]


def _inside(pos: int, spans: Sequence[Tuple[int, int]]) -> bool:
    return any(start < pos < end for start, end in spans)


def _cut_after(text: str, chars: Iterable[str]) -> List[str]:
    """Split ``text`` after every character in ``chars`` that is not inside a
    protected span (closing quotes are kept with the piece they close)."""
    chars = frozenset(chars)
    spans = _protected_spans(text)
    pieces: List[str] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        if text[i] in chars and not _inside(i + 1, spans):
            j = i + 1
            while j < n and (text[j] in chars or text[j] in _CLOSERS):
                j += 1
            pieces.append(text[start:j])
            start = i = j
            continue
        i += 1
    if start < n:
        pieces.append(text[start:])
    return pieces


def _hard_split(text: str, max_segments: int, tail: str = "") -> List[str]:
    """Longest prefixes that fit, cut at a character boundary outside numbers."""
    spans = _protected_spans(text)
    pieces: List[str] = []
    rest_start = 0
    while rest_start < len(text):
        rest = text[rest_start:]
        if fits(rest, max_segments, tail):
            pieces.append(rest)
            break
        # The longest prefix that fits (segment_count is monotonic in length).
        lo, hi = 1, len(rest)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(rest[:mid], max_segments, tail):
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        # Move the cut back out of a number; if a single protected span is
        # longer than a whole SMS (absurd), cut it anyway rather than loop.
        while cut > 1 and _inside(rest_start + cut, spans):
            cut -= 1
        if _inside(rest_start + cut, spans):
            cut = lo
        pieces.append(rest[:cut])
        rest_start += cut
    return pieces


_LEVELS = (_SENTENCE_END, _COMMAS, _SPACES)


def _atoms(text: str, max_segments: int, level: int = 0, tail: str = "") -> List[str]:
    """Pieces of ``text`` that each fit, cut at the coarsest boundary possible."""
    if fits(text, max_segments, tail):
        return [text]
    if level >= len(_LEVELS):
        return _hard_split(text, max_segments, tail)
    out: List[str] = []
    for piece in _cut_after(text, _LEVELS[level]):
        out.extend(_atoms(piece, max_segments, level + 1, tail))
    return out


def split_message(text: str, max_segments: int = 3) -> List[str]:
    """Split ``text`` into SMS bodies of at most ``max_segments`` segments each.

    Pieces are packed greedily in order, so a reply is sent in as few SMS as
    possible; whitespace at the cut points is dropped. Joining the result
    gives back the text minus that whitespace - except that a text ending
    with the opt-out line has it at the end of every part (each part is an
    SMS of its own, and each must say how to stop them).
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    text = (text or "").strip()
    if not text:
        return []
    if fits(text, max_segments):
        return [text]
    ending = opt_out_ending(text)
    if ending:
        body = text[: -len(ending)].rstrip()
        if body:
            # Room for the worst case: a separator and the line.
            parts = _split(body, max_segments, tail="。" + ending)
            return [_append_line(part, ending) for part in parts]
    return _split(text, max_segments)


def _split(text: str, max_segments: int, tail: str = "") -> List[str]:
    messages: List[str] = []
    current = ""
    for atom in _atoms(text, max_segments, tail=tail):
        candidate = current + atom
        if fits(candidate.strip(), max_segments, tail):
            current = candidate
            continue
        if current.strip():
            messages.append(current.strip())
        current = atom
    if current.strip():
        messages.append(current.strip())
    return messages


def with_buttons(text: str, titles: Sequence[str]) -> str:
    """Buttons as a numbered list under the text (SMS has no buttons)."""
    titles = [str(t).strip() for t in titles if str(t or "").strip()]
    if not titles:
        return text or ""
    lines = [f"{i}. {title}" for i, title in enumerate(titles, 1)]
    head = (text or "").rstrip()
    return (head + "\n" if head else "") + BUTTONS_HINT + "\n" + "\n".join(lines)


BUTTONS_HINT = "回复序号即可选择："
_CHOICE = re.compile(r"^\s*([1-9])\s*[.。、]?\s*$")


def choice_number(text: str) -> int | None:
    """The menu number a reply picks ("2", "2.", " 2 ", full-width "２"), or None."""
    # Chinese phone keyboards often type full-width digits.
    match = _CHOICE.match(unicodedata.normalize("NFKC", text or ""))
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------
# The opt-out line
# --------------------------------------------------------------------------

#: What the bank's SMS end with. Its keyword "T" is honoured by is_opt_out.
OPT_OUT_LINE = "回T退订"
#: Endings that count as the line: ours and the other common order (both
#: are opt-outs when a cardholder sends them back, as is their "T").
OPT_OUT_ENDINGS = (OPT_OUT_LINE, "退订回T")
# After these the line follows directly; otherwise a full stop goes first.
_NO_SEPARATOR = _SENTENCE_END | _CLOSERS | _COMMAS


def opt_out_ending(text: str) -> str:
    """The opt-out line ``text`` ends with (as written), or ``""``."""
    stripped = (text or "").rstrip()
    for ending in OPT_OUT_ENDINGS:
        tail = stripped[-len(ending):]
        if tail.upper() == ending.upper():
            return tail
    return ""


def has_opt_out_line(text: str) -> bool:
    return bool(opt_out_ending(text))


def _append_line(text: str, line: str) -> str:
    text = (text or "").rstrip()
    if not text:
        return line
    return text + ("" if text[-1] in _NO_SEPARATOR else "。") + line


def with_opt_out_line(text: str) -> str:
    """``text`` ending with the opt-out line: appended once, never doubled."""
    if has_opt_out_line(text):
        return (text or "").rstrip()
    return _append_line(text, OPT_OUT_LINE)


# --------------------------------------------------------------------------
# Opt-out and opt-in keywords
# --------------------------------------------------------------------------

# Opt-in counts only as the whole message: "恢复" inside a sentence ("恢复
# 额度要多久") is not a request to receive SMS again.
OPT_IN_WHOLE_MESSAGE = re.compile(
    r"^\s*(start|unstop|订阅|恢复|开通|恢复订阅|重新订阅)\s*[。.!！]*\s*$",
    re.IGNORECASE,
)

OPT_OUT_CONFIRMATION = replies.OPT_OUT.format(channel_name=replies.CHANNEL_NAMES["twilio_sms"])
OPT_IN_CONFIRMATION = "已为您恢复短信提醒。如需退订，回复“退订”或“TD”即可。"


def is_opt_out(text: str) -> bool:
    """STOP, TD, 退订, 取消 and the other opt-out wordings of bot.core.safety.

    Crisis wording wins, as in ``safety.keyword_intent``: "别再给我发了 我不想
    活了" must reach the crisis flow with its SMS reply (the hotline), not be
    silenced by an opt-out the channel recorded first.
    """
    return is_stop_request(text) and not is_crisis(text)


def is_opt_in(text: str) -> bool:
    """START/订阅/恢复/开通 (and close variants) as the whole message."""
    if is_opt_out(text):
        return False
    return bool(OPT_IN_WHOLE_MESSAGE.match(text or ""))
