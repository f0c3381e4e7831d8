"""Mojibake whose lost bytes are guessed back: UTF-8 read as GBK or as
Windows-1252 by a gateway that put U+FFFD where its codec had no character.

"閫�璁�" is 退订 read as GBK: the bytes E9 80 | 80 | E8 AE | A2, where 80 and
A2 are no GBK character and became "�" (blind round 22); "ä¸�å¯¹" is 不对 read
as Windows-1252, whose five undefined bytes became "�". ftfy (textnorm's
other mojibake step) cannot undo either, because the "�" bytes are gone.
Each "�" here stands for one lost byte, so the text's bytes are known but
for a few, and UTF-8 is strict enough that only some fillings decode: the
candidate characters of each lost byte are then told apart by jieba's word
frequencies (a maintained Chinese dictionary), as a reader would guess 退订
from 送订, 适订 and 逃订.

A run of GBK mojibake without any "�" ("鍦ㄥ悧" for 在吗) is undone too when
its GBK bytes are valid UTF-8 throughout: ordinary Chinese text practically
never is (its GBK bytes seldom fall into UTF-8's lead and continuation
pattern three bytes at a time).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPLACEMENT = "\ufffd"
# The bytes Windows-1252 leaves undefined (what a "�" there was).
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
# A lost byte of a GBK reading: any byte no GBK character starts with or
# ends in, i.e. any high byte; as a lead, the leads of common CJK (E4-E9).
_ANY_HIGH = tuple(range(0x80, 0x100))
_CJK_LEADS = tuple(range(0xE4, 0xEA))
# Runs of what a wrong reading leaves: GBK's double-byte characters and "�"
# (_gbk_runs); Windows-1252's high half and "�".
_CP1252_RUN = re.compile("[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                         "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\ufffd]{3,90}")
_CJK = re.compile("[\u4e00-\u9fff]")
_LATIN1_LETTER = re.compile("[\u00c0-\u00ff]")
_DECODED_OK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u0020-\u007e]+")
# Past this many candidate fillings of one character the guess is given up.
_MAX_CANDIDATES = 4096

Edit = Tuple[int, int, str]
_DATA = Path(__file__).resolve().parents[1] / "data"


def lost_byte_edits(text: str) -> List[Edit]:
    """Edits (start, end, repaired) for every run of such mojibake in ``text``."""
    if not text:
        return []
    edits: List[Edit] = []
    if REPLACEMENT in text:
        # Windows-1252 first: its runs hold Latin letters, which GBK's do not.
        for match in _CP1252_RUN.finditer(text):
            if REPLACEMENT in match.group(0) and _LATIN1_LETTER.search(match.group(0)):
                repaired = _repair(match.group(0), "cp1252", _CP1252_UNDEFINED, ())
                if repaired:
                    edits.append((match.start(), match.end(), repaired))
    if REPLACEMENT in text or _maybe_gbk(text):
        for start, end in _gbk_runs(text):
            if (_CJK.search(text[start:end]) and not any(a < end and start < b for a, b, _ in edits)):
                repaired = _repair(text[start:end], "gbk", _ANY_HIGH, _CJK_LEADS)
                if repaired:
                    edits.append((start, end, repaired))
    return sorted(edits)


def _gbk_runs(text: str) -> List[Tuple[int, int]]:
    """(start, end) of every run of 2 to 60 characters GBK writes in two bytes, or "�"."""
    runs, start = [], None
    for i, ch in enumerate(text + "\0"):
        if ch == REPLACEMENT or _gbk_double(ch):
            start = i if start is None else start
            continue
        if start is not None and 2 <= i - start <= 60:
            runs.append((start, i))
        start = None
    return runs


@lru_cache(maxsize=8192)
def _gbk_double(ch: str) -> bool:
    if ord(ch) < 0x80:
        return False
    try:
        return len(ch.encode("gbk")) == 2
    except UnicodeEncodeError:
        return False


def _maybe_gbk(text: str) -> bool:
    # Cheap test before the runs are tried: some character of GBK's
    # "mojibake alphabet" (the readings of UTF-8 lead bytes E4-E9 followed
    # by a continuation byte: 鍦, 鎴, 浣, 涓, 閫 ...) is present.
    return any(0x6d00 <= ord(ch) <= 0x95ff and _gbk_lead_reading(ch) for ch in text)


@lru_cache(maxsize=4096)
def _gbk_lead_reading(ch: str) -> bool:
    try:
        raw = ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return len(raw) == 2 and 0xE4 <= raw[0] <= 0xE9 and 0x80 <= raw[1] <= 0xBF


def _repair(run: str, codec: str, lost: Sequence[int], lost_leads: Sequence[int]) -> Optional[str]:
    data = _bytes_of(run, codec)
    if data is None:
        return None
    slots = _utf8_slots(data, lost, lost_leads)
    if not slots:
        return None
    if REPLACEMENT not in run and any(len(s) > 1 for s in slots):
        return None
    best = _most_likely(slots)
    if not best or not _DECODED_OK.fullmatch(best):
        return None
    # A guess must give Chinese back; without a lost byte (a plain
    # mis-decoding) one character could be chance, so two are asked for.
    needed = 1 if REPLACEMENT in run else 2
    return best if len(_CJK.findall(best)) >= needed else None


def _bytes_of(run: str, codec: str) -> Optional[List[Optional[int]]]:
    """The bytes the wrong codec read; None for a lost one."""
    out: List[Optional[int]] = []
    for ch in run:
        if ch == REPLACEMENT:
            out.append(None)
            continue
        try:
            out.extend(ch.encode(codec))
        except UnicodeEncodeError:
            return None
    return out


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _utf8_slots(data: List[Optional[int]], lost: Sequence[int], lost_leads: Sequence[int]) -> Optional[List[List[str]]]:
    """The characters, each a list of what it can be, that ``data`` decodes
    to as UTF-8 with its lost bytes filled; None when it cannot."""
    continuation = [b for b in lost if 0x80 <= b <= 0xBF]
    slots: List[List[str]] = []
    i = 0
    while i < len(data):
        leads = [data[i]] if data[i] is not None else list(lost_leads)
        if not leads:
            return None
        length = _utf8_length(leads[0])
        if length == 0 or any(_utf8_length(lead) != length for lead in leads) or i + length > len(data):
            return None
        fillings: List[List[int]] = [[lead] for lead in leads]
        for k in range(1, length):
            byte = data[i + k]
            if byte is not None and not 0x80 <= byte <= 0xBF:
                return None
            options = [byte] if byte is not None else continuation
            fillings = [f + [b] for f in fillings for b in options]
            if len(fillings) > _MAX_CANDIDATES:
                return None
        candidates = []
        for filling in fillings:
            try:
                candidates.append(bytes(filling).decode("utf-8"))
            except UnicodeDecodeError:
                continue
        if not candidates:
            return None
        slots.append(candidates)
        i += length
    return slots


@lru_cache(maxsize=1)
def _frequencies() -> Tuple[Dict[str, int], float]:
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt.FREQ, math.log(jieba.dt.total)


@lru_cache(maxsize=1)
def _domain_pairs() -> Counter:
    """Adjacent characters of our own training messages: what cardholders
    write to a bank (退订 over 退让, 别再 over 到再), which jieba's general
    dictionary does not weigh."""
    counts: Counter = Counter()
    for path in sorted(_DATA.glob("nlu/**/*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = line[2:]
                counts.update(text[k:k + 2] for k in range(len(text) - 1))
    return counts


def _most_likely(slots: List[List[str]]) -> str:
    """The filling of most likely words: every character by its own
    frequency, every adjacent pair that is a word by the word's (Viterbi)."""
    freq, log_total = _frequencies()

    def own(ch: str) -> float:
        return 0.5 * (math.log(freq.get(ch, 0) + 1) - log_total)

    domain = _domain_pairs()

    def pair(a: str, b: str) -> float:
        return 0.5 * math.log(freq.get(a + b, 0) + 1) + 3 * math.log(domain.get(a + b, 0) + 1)

    scores = {c: own(c) for c in slots[0]}
    back: List[Dict[str, str]] = []
    for slot in slots[1:]:
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:64]
        new_scores: Dict[str, float] = {}
        pointers: Dict[str, str] = {}
        for c in slot:
            prev, score = max(((p, s + pair(p, c)) for p, s in ranked), key=lambda ps: ps[1])
            new_scores[c] = score + own(c)
            pointers[c] = prev
        back.append(pointers)
        scores = new_scores
    last = max(scores, key=scores.get)
    out = [last]
    for pointers in reversed(back):
        out.append(pointers[out[-1]])
    return "".join(reversed(out))
