"""Canned replies for the agent console (console/canned_replies.yml).

Loaded once and checked: each reply is clean text, polite and complete as
it stands, so nothing at its end could be misread by a cardholder — no
placeholder left to fill in (``{name}``, ``XX``, ``……``), no opt-out line
of its own (the server appends "回T退订" to agent SMS, never doubled) and
a full stop, exclamation or question mark at the end. A list that breaks
a rule stops the console at start-up instead of reaching a cardholder.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

from bot.core.sms import OPT_OUT_ENDINGS
from bot.core.text import clean_text
from bot.core.compliance import find_forbidden
from bot.settings import console_canned_replies_file

DEFAULT_PATH = Path(__file__).resolve().parent / "canned_replies.yml"
MAX_CHARS = 200
ENDINGS = ("。", "！", "？")
PLACEHOLDER = re.compile(r"[{}<>\[\]【】]|XX|xx|＊|\*|…|\.\.\.|___")


class CannedReplyError(ValueError):
    pass


def problems(text: str) -> List[str]:
    """Why a canned reply may not be sent as it stands (empty: it may)."""
    found = []
    if not text or clean_text(text) != text or text != text.strip():
        found.append("内容为空或含有不可见字符")
    if len(text) > MAX_CHARS:
        found.append(f"超过{MAX_CHARS}个字")
    if PLACEHOLDER.search(text or ""):
        found.append("含有待填写的占位符")
    if any(e in (text or "") for e in OPT_OUT_ENDINGS) or "退订" in (text or ""):
        found.append("不应自带退订提示（短信由系统自动添加）")
    if not (text or "").endswith(ENDINGS):
        found.append("应以“。”“！”或“？”结尾")
    terms = list(find_forbidden(text or ""))
    if terms:
        found.append("含有禁止使用的措辞：" + "、".join(terms))
    return found


def load(path: Path = DEFAULT_PATH) -> List[Dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise CannedReplyError(f"{path}: 应为列表")
    replies, keys = [], set()
    for n, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            raise CannedReplyError(f"{path} 第{n}条：应为 key/title/text")
        key, title, text = (str(entry.get(k) or "").strip() for k in ("key", "title", "text"))
        if not key or not title or key in keys:
            raise CannedReplyError(f"{path} 第{n}条：key 与 title 必填且 key 不可重复")
        found = problems(text)
        if found:
            raise CannedReplyError(f"{path} 第{n}条（{key}）：" + "；".join(found))
        keys.add(key)
        replies.append({"key": key, "title": title, "text": text})
    return replies


@lru_cache(maxsize=4)
def _cached(path: str) -> tuple:
    return tuple(load(Path(path)))


def replies() -> List[Dict[str, str]]:
    """The configured list (CONSOLE_CANNED_REPLIES may point at another file)."""
    return list(_cached(console_canned_replies_file() or str(DEFAULT_PATH)))
