"""What an agent reads instead of internal codes: channel names, button
clicks, cardholder names in page titles.

A button in the web chat sends its payload ("/affirm", "/promise_to_pay",
'/inform_income{"amount": 3000}') as the message text; the cardholder saw
the button's title. Every place the console shows cardholder text puts the
title back: the transcript, the queue summary, the contact log view (and
so the live stream, which carries the same data).

Plain Python, no web or database imports.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence

# The channel map (queue, conversation page, workbench, refusal messages)
# is the bot's own, shared with replies and reports.
from bot.core.channels import CHANNEL_LABELS, channel_label  # noqa: F401
from bot.core.masking import masked_name  # noqa: F401 (console/store.py: 张三丰 → 张*丰 on the tabs)

# When the button a payload came from cannot be found (an old conversation,
# the queue summary, which has no buttons): what the click meant.
INTENT_LABELS = {
    "greet": "问候",
    "goodbye": "再见",
    "affirm": "是（确认）",
    "deny": "不是（否定）",
    "thank": "谢谢",
    "wrong_person": "不是本人",
    "inform_identity": "提供身份信息",
    "ask_balance": "查询欠款",
    "promise_to_pay": "我要还款",
    "already_paid": "我已经还款",
    "request_installment": "申请分期",
    "request_deferral": "申请延期",
    "request_fee_waiver": "申请减免费用",
    "inform_hardship": "我有困难",
    "inform_income": "告知收入",
    "refuse_to_pay": "拒绝还款",
    "dispute_debt": "对欠款有异议",
    "complain": "投诉",
    "request_human": "转人工",
    "ask_consequences": "询问逾期后果",
    "ask_payment_method": "询问还款方式",
    "stop_contact": "要求停止联系",
    "ask_is_bot": "询问是否机器人",
    "insult": "辱骂",
    "crisis": "危机求助",
    "out_of_scope": "其他问题",
}
UNKNOWN_BUTTON = "（点击了按钮）"

# Rasa's shortcut syntax: "/intent" optionally followed by a JSON object of entities.
_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_\-]*)(\{.*\})?$", re.DOTALL)


def payload_intent(text: Optional[str]) -> Optional[str]:
    """The intent of a button payload, or None for text the cardholder typed."""
    match = _PAYLOAD.match((text or "").strip())
    return match.group(1) if match else None


def button_text(text: str, buttons: Sequence[Dict[str, Any]] = ()) -> Optional[str]:
    """What the cardholder saw on the button that sent ``text``; None when
    ``text`` is not a payload (typed text stays as typed)."""
    intent = payload_intent(text)
    if intent is None:
        return None
    payload = text.strip()
    for b in buttons or ():
        if isinstance(b, dict) and str(b.get("payload") or "").strip() == payload and b.get("title"):
            return str(b["title"])
    for b in buttons or ():  # same intent, other entities
        if isinstance(b, dict) and payload_intent(str(b.get("payload") or "")) == intent and b.get("title"):
            return str(b["title"])
    return INTENT_LABELS.get(intent, UNKNOWN_BUTTON)


def readable_summary(summary: Optional[str]) -> str:
    """A hand-over summary with quoted payloads replaced by what they meant.

    The bot writes "<reason>：<message> / <message> / <message>"
    (bot/actions/handoff.conversation_summary); it has no buttons to look
    at, so a click reads as the intent's label."""
    reason, sep, quoted = (summary or "").partition("：")
    if not sep:
        return button_text(reason) or reason
    parts = [button_text(p) or p for p in quoted.split(" / ")]
    return reason + sep + " / ".join(parts)


def buttons_by_payload(events: Iterable[Dict[str, Any]]) -> Dict[str, List[str]]:
    """Every button the bot showed in a tracker: payload → titles."""
    found: Dict[str, List[str]] = {}
    for event in events or ():
        if event.get("event") != "bot":
            continue
        for b in ((event.get("data") or {}).get("buttons")) or []:
            if isinstance(b, dict) and b.get("payload") and b.get("title"):
                titles = found.setdefault(str(b["payload"]).strip(), [])
                if str(b["title"]) not in titles:
                    titles.append(str(b["title"]))
    return found


def readable_contact_log(rows: List[Dict[str, Any]], known: Dict[str, List[str]]) -> List[Dict[str, Any]]:
    """Contact-log rows with button payloads shown as the button titles.

    A bot row stores its buttons' titles after its text ("…\\n申请分期 | 申请延期")
    but not their payloads; ``known`` (from the tracker) pairs payloads and
    titles, and the title the cardholder actually saw is the one offered in
    the bot message just before."""
    out: List[Dict[str, Any]] = []
    offered: List[str] = []
    for row in rows:
        text = row.get("text") or ""
        if row.get("direction") == "out":
            _, newline, tail = text.rpartition("\n")
            offered = [t.strip() for t in tail.split(" | ")] if newline else []
            out.append(row)
            continue
        if payload_intent(text) is None:
            out.append(row)
            continue
        candidates = known.get(text.strip(), [])
        title = next((t for t in candidates if t in offered), None)
        out.append({**row, "text": title or button_text(text), "button": True})
    return out
