"""Noise left by how a message was typed or dictated, for the classifier.

Three kinds, each seen in blind round 24's noisy set and none a change of
meaning (the cardholder's text is stored and shown as written; this is
the classifier's view only):

- a voice assistant's own words around the message: its wake word and the
  command ("小爱同学 给银行回短信 说…", "嘿Siri 回复这个号码 下午好") and its
  confirmation ("好的，已为你发送：“不行”");
- characters typed one at a time with spaces between them ("不 是 这 个"),
  which the tokenizer would read as single characters;
- a key held or a keyboard that stuck ("谢谢谢谢谢", "你好好好好好好"): three
  or more of the same character read as two ("哈哈哈哈" → "哈哈").

Standard library only.
"""
from __future__ import annotations

import re
from typing import List, Tuple

Edit = Tuple[int, int, str]

_HAN = "\u4e00-\u9fff"
_WAKE_WORD = re.compile(
    r"^\s*(?:(?:嘿|hey|hi|你好|嗨)\s*)?(?:siri|小爱同学|小爱|小度小度|小度|天猫精灵|小艺小艺|小艺|小p|小迪|小布小布|小布|bixby|yoyo)"
    r"[，,、\s]*(?:(?:给|帮我给|帮我)?[^，,\s]{0,6}?(?:回复|回短信|发短信|回个短信|发消息|回消息|发个短信)(?:给)?"
    r"(?:这个号码|这个号|银行|他们|他|她)?(?:\s*说)?[：:，,\s]*)?",
    re.IGNORECASE)
_SENT_FOR_YOU = re.compile(
    r"^\s*(?:好的[，,。！!]?\s*)?(?:已经|已)(?:为你|为您|帮你|帮您)(?:发送|回复)(?:了)?[：:，,]\s*([“\"「『'‘]?)(.+?)([”\"」』'’]?)\s*$")
_SPACED = re.compile(f"[{_HAN}](?: [{_HAN}]){{2,}}")
_HELD_KEY = re.compile(f"([{_HAN}])\\1{{2,}}")


def _assistant(text: str) -> List[Edit]:
    sent = _SENT_FOR_YOU.match(text)
    if sent and sent.group(2).strip():
        edits = [(0, sent.start(2), "")]
        if sent.group(3):
            edits.append((sent.start(3), len(text), ""))
        return edits
    wake = _WAKE_WORD.match(text)
    if wake and text[wake.end():].strip():
        return [(0, wake.end(), "")]
    return []


def noise_edits(text: str) -> List[Edit]:
    """Edits (start, end, replacement) that take the typing noise out of ``text``."""
    edits = _assistant(text)
    taken = edits[0][1] if edits else 0
    for run in _SPACED.finditer(text, taken):
        edits += [(k, k + 1, "") for k in range(run.start(), run.end()) if text[k] == " "]
    # A held run has no space in it and starts after the assistant's words,
    # so it never overlaps another edit.
    edits += [(held.start() + 2, held.end(), "") for held in _HELD_KEY.finditer(text, taken)]
    return sorted(edits)
