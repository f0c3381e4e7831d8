"""Views of a message the rules read (compact raw and normalised text, the
spaced and English views), the rule-table builder and the matcher."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Pattern, Tuple

from bot.core import textnorm

# The net reads each message in several views, and the SMS channel and the
# NLU pipeline both ask about the same text: normalise each text once.
normalize = lru_cache(maxsize=1024)(textnorm.normalize)

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
# ASCII words are kept out of textnorm's pinyin expansion for the opt-out
# view: "td是什么意思" is a question about the word, not an opt-out.
_ASCII_WORD = re.compile(r"[A-Za-z0-9'’+$]+")


def compact_text(text: str) -> str:
    """The text lower-cased without spaces or punctuation: the view every Chinese rule reads."""
    return _PUNCT_OR_SPACE.sub("", text or "").lower()


def _normalized_keeping_ascii(text: str) -> str:
    """textnorm's normalisation of everything but ASCII words."""
    out: List[str] = []
    pos = 0
    for match in _ASCII_WORD.finditer(text):
        if match.start() > pos:
            out.append(normalize(text[pos:match.start()]))
        out.append(match.group(0))
        pos = match.end()
    if pos < len(text):
        out.append(normalize(text[pos:]))
    return "".join(out)


# A screen reader's voice input leaves punctuation and its own words as
# words ("谢谢你们 句号 这是最后一条了 句号 已发送"): once one stands
# alone, every one is dropped, so that a rule reads the sentence between.
_SPOKEN_MARK = r"(句号|逗号|问号|感叹号|叹号|冒号|省略号|换行|双击发送|双击|已发送|发送按钮|按钮)"
_SPOKEN_ALONE = re.compile(r"(?:^|\s)" + _SPOKEN_MARK + r"(?=\s|$)")
_SPOKEN_ANY = re.compile(_SPOKEN_MARK)


def _screen_reader_read(text: str) -> str:
    """The text without a screen reader's spoken punctuation, or the text itself."""
    return _SPOKEN_ANY.sub(" ", text) if _SPOKEN_ALONE.search(text) else text


def _once(compact: str) -> str:
    """A message pasted twice in one go ("回T回T") read once."""
    half = len(compact) // 2
    return compact[:half] if half and len(compact) % 2 == 0 and compact[:half] == compact[half:] else compact


@lru_cache(maxsize=512)
def _views(text: str, expand_pinyin: bool = True) -> Tuple[str, ...]:
    """Compact forms of the raw and the normalised text (deduplicated).

    The opt-out net does not read textnorm's pinyin expansion (td → 退订
    anywhere in a sentence): only its own whole-message conventions.
    """
    # An escaped message ("%E9%80%80%E8%AE%A2") is read as what it encodes,
    # and pinyin typed with tone digits ("tui4 ding4") as without them.
    text = _screen_reader_read(textnorm.unescaped(text or ""))
    toneless = textnorm.toneless_pinyin(text)
    forms = [text, toneless, _normalized_keeping_ascii(toneless)]
    if expand_pinyin:
        forms.append(normalize(text))
    seen: List[str] = []
    for form in forms:
        compact = compact_text(form)
        for view in (compact, _once(compact)):
            if view not in seen:
                seen.append(view)
    return tuple(seen)


@lru_cache(maxsize=512)
def _spaced(text: str) -> str:
    """The normalised text with punctuation as single spaces, for rules that
    need to see where a sentence starts (照顾好我妈 as a farewell, not 为了照顾好我妈)."""
    return " " + _PUNCT_OR_SPACE.sub(" ", normalize(text or "")).strip().lower() + " "


# Leetspeak ("1 4m g01ng 2 jump fr0m th3 r00f", "5T0P T3XT1NG M3": safety
# round 16): digits inside words read as the letters they stand for, once two
# or more words mix them (k2, 3q, iphone15 alone stay).
_LEET_WORD = re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]+")
_LEET_DIGITS = str.maketrans("013456789", "oieasgtbg")
_LEET_ALONE = {"1": "i", "2": "to", "4": "for", "u": "you"}


def _de_leet(words: str) -> str:
    tokens = words.split()
    if sum(1 for t in tokens if _LEET_WORD.fullmatch(t)) < 2:
        return words
    return " ".join(_LEET_ALONE.get(t, t.translate(_LEET_DIGITS) if _LEET_WORD.fullmatch(t) else t) for t in tokens)


@lru_cache(maxsize=512)
def _english(text: str) -> str:
    """Lower-case words separated by single spaces, apostrophes kept."""
    text = normalize(text or "").lower().replace("’", "'")
    return " " + _de_leet(re.sub(r"[^a-z0-9']+", " ", text).strip()) + " "


def _rules(pairs: Iterable[Tuple[str, str]]) -> Tuple[Tuple[str, Pattern[str]], ...]:
    return tuple((name, re.compile(pattern)) for name, pattern in pairs)


def _matching(rules: Tuple[Tuple[str, Pattern[str]], ...], views: Iterable[str]) -> List[str]:
    views = tuple(views)
    return [name for name, pattern in rules if any(pattern.search(v) for v in views)]
