"""Pinyin typed with the phone's keyboard switched to Russian or Korean.

The keys a writer pressed for "bu yao zai fa duan xin le" give "иг нфщ яфш
аф вгфт чшт ду" on a Russian ЙЦУКЕН layout and Hangul jamo (composed into
syllables by the Korean IME: "ㅋ먀 ㅡㅁ" for "zai ma") on the Korean
two-set layout (blind round 23). Each layout is a fixed table from key to
letter, so the keys can be read back; a run is read back only when every
word of it then spells pinyin syllables, so that real Russian ("спасибо"
gives "cgfcb,j") and real Korean ("연락하지마") stay as written.

Standard library plus pypinyin's syllable list only.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, List, Optional, Tuple

Edit = Tuple[int, int, str]

_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RUSSIAN = "йцукенгшщзхъфывапролджэячсмитьбю."
_RUSSIAN_KEYS = dict(zip(_RUSSIAN, _QWERTY))

# The Korean two-set (Dubeolsik) layout, key by key; shifted keys give the
# tense consonants and two vowels, which stand for the same letter.
_JAMO_KEYS = {
    "ㅂ": "q", "ㅈ": "w", "ㄷ": "e", "ㄱ": "r", "ㅅ": "t", "ㅛ": "y", "ㅕ": "u", "ㅑ": "i", "ㅐ": "o", "ㅔ": "p",
    "ㅁ": "a", "ㄴ": "s", "ㅇ": "d", "ㄹ": "f", "ㅎ": "g", "ㅗ": "h", "ㅓ": "j", "ㅏ": "k", "ㅣ": "l",
    "ㅋ": "z", "ㅌ": "x", "ㅊ": "c", "ㅍ": "v", "ㅠ": "b", "ㅜ": "n", "ㅡ": "m",
    "ㅃ": "q", "ㅉ": "w", "ㄸ": "e", "ㄲ": "r", "ㅆ": "t", "ㅒ": "o", "ㅖ": "p",
}
# Compound jamo the IME builds from two keys.
_COMPOUND = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
    "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
           "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

_CYRILLIC_RUN = re.compile(r"[а-яёА-ЯЁ]+(?:[ ,.]+[а-яёА-ЯЁ]+)*")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+(?: +[\uac00-\ud7a3\u3131-\u318e]+)*")
# Two syllables at least: "ду" alone (le) is too little to call it pinyin.
_MIN_LETTERS = 4


@lru_cache(maxsize=1)
def _syllables() -> FrozenSet[str]:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            syllable = to_normal(reading).replace("ü", "v")
            if syllable.isascii() and syllable.isalpha():
                found.add(syllable)
    return frozenset(found)


def _spells_pinyin(word: str) -> bool:
    """Whether ``word`` splits into pinyin syllables (longest first, with
    backtracking), or is the opt-out keyword."""
    if word in ("td", "t"):
        return True
    syllables = _syllables()
    ends = [False] * (len(word) + 1)
    ends[0] = True
    for i in range(len(word)):
        if not ends[i]:
            continue
        for j in range(i + 1, min(len(word), i + 6) + 1):
            if word[i:j] in syllables:
                ends[j] = True
    return ends[len(word)]


def _russian_keys(run: str) -> Optional[str]:
    out = "".join(_RUSSIAN_KEYS.get(ch, ch) if ch != " " else " " for ch in run.lower())
    return out if all(ch.isascii() for ch in out) else None


def _hangul_keys(run: str) -> Optional[str]:
    keys: List[str] = []
    for ch in run:
        if ch == " ":
            keys.append(" ")
            continue
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            jamo = _INITIALS[code // 588] + _MEDIALS[(code % 588) // 28] + _FINALS[code % 28]
        else:
            jamo = ch
        for part in jamo:
            for single in _COMPOUND.get(part, part):
                key = _JAMO_KEYS.get(single)
                if key is None:
                    return None
                keys.append(key)
    return "".join(keys)


def _read_back(keys: Optional[str]) -> Optional[str]:
    if not keys:
        return None
    words = [w for w in re.split(r"[ ,.]+", keys) if w]
    if sum(len(w) for w in words) < _MIN_LETTERS:
        return None
    if all(_spells_pinyin(w) for w in words):
        return " ".join(words)
    # A space typed inside a syllable ("я фш" for "z ai"): the run as one word.
    joined = "".join(words)
    return joined if _spells_pinyin(joined) else None


def layout_edits(text: str) -> List[Edit]:
    """Runs of Cyrillic or Hangul that are pinyin typed on the wrong layout,
    each with the pinyin the keys spell."""
    edits: List[Edit] = []
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        for match in _CYRILLIC_RUN.finditer(text):
            pinyin = _read_back(_russian_keys(match.group(0)))
            if pinyin:
                edits.append((match.start(), match.end(), pinyin))
    if any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text):
        for match in _HANGUL_RUN.finditer(text):
            pinyin = _read_back(_hangul_keys(match.group(0)))
            if pinyin:
                edits.append((match.start(), match.end(), pinyin))
    return edits


def relaid(text: str) -> str:
    """``text`` with every such run replaced by its pinyin."""
    for start, end, pinyin in sorted(layout_edits(text), reverse=True):
        text = text[:start] + pinyin + text[end:]
    return text
