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

from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot.core import clicks

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

# Which payloads count as a click of which button: bot/core/clicks.py, shared
# with the hand-over summary the bot writes.
payload_intent = clicks.payload_intent


def meaning(text: str) -> Optional[str]:
    """What a payload meant, for text whose buttons cannot be looked at (a
    summary written before the bot resolved clicks itself, a contact-log row
    from an earlier session): the intent's label, never a button's title."""
    intent = payload_intent(text)
    if intent is None:
        return None
    return INTENT_LABELS.get(intent, UNKNOWN_BUTTON)


def button_text(text: str, buttons: Sequence[Dict[str, Any]] = ()) -> Optional[str]:
    """What to show for ``text`` sent after the bot's message with
    ``buttons``: None when ``text`` is not a payload (typed text stays as
    typed); the title of the button that sent exactly this payload; for a
    payload no button of that message sent (forged, stale), the raw text
    marked 未匹配按钮."""
    return clicks.shown(text, buttons)


def readable_summary(summary: Optional[str]) -> str:
    """A hand-over summary with quoted payloads replaced by what they meant.

    The bot writes "<reason>：<message> / <message> / <message>"
    (bot/actions/handoff.conversation_summary) with each click already read
    against the buttons just shown (bot/core/clicks.py): a title, or the raw
    payload marked 未匹配按钮. A payload still in a summary comes from
    before that; with no buttons to look at, it reads as the intent's label."""
    reason, sep, quoted = (summary or "").partition("：")
    if not sep:
        return meaning(reason) or reason
    parts = [meaning(p) or p for p in quoted.split(" / ")]
    return reason + sep + " / ".join(parts)


def logged_bot_text(event: Dict[str, Any]) -> str:
    """A bot message as the contact log stores it: its text, then its
    buttons' titles (bot/rasa_server/contact_log.py)."""
    text = event.get("text") or ""
    buttons = clicks.message_buttons(event)
    if buttons:
        text += "\n" + " | ".join(str(b.get("title")) for b in buttons)
    return text.strip()


def bot_messages(events: Iterable[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    """The bot's messages in a tracker as the contact log stores them → the
    buttons each carried (payloads and titles)."""
    return {logged_bot_text(e): clicks.message_buttons(e) for e in events or () if e.get("event") == "bot"}


def readable_contact_log(rows: List[Dict[str, Any]], messages: Dict[str, List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    """Contact-log rows with button payloads shown as the button titles.

    A bot row stores its buttons' titles but not their payloads. When the
    bot row just before a click (in the same conversation) is one of the
    tracker's ``messages`` (from ``bot_messages``), the click is read against
    that message's buttons: a title, or the raw payload marked 未匹配按钮.
    A row whose bot message the tracker no longer holds (an earlier session,
    another conversation of the account) cannot be checked and reads as
    the intent's label."""
    out: List[Dict[str, Any]] = []
    last_bot: Dict[Any, str] = {}
    for row in rows:
        text = row.get("text") or ""
        conversation = row.get("conversation_id")
        if row.get("direction") == "out":
            last_bot[conversation] = text.strip()
            out.append(row)
            continue
        if payload_intent(text) is None:
            out.append(row)
            continue
        buttons = messages.get(last_bot.get(conversation, ""))
        shown = clicks.shown(text, buttons) if buttons is not None else meaning(text)
        out.append({**row, "text": shown, "button": True})
    return out
