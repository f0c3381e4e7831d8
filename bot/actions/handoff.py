"""Opening an escalation: one record per conversation and reason, with a
priority and a summary an agent can act on, and the `escalated` slot that
makes the bot stop pushing for payment.
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot import clock
from bot.actions.base import channel_of, db
from bot.db import repository

# 0 is the highest priority: a person at risk comes before everything.
PRIORITY = {
    "crisis": 0,
    "dispute_debt": 1,
    "complaint": 1,
    "verification_locked": 1,
    "customer_request": 2,
    "repeated_refusal": 2,
    "hardship_plan": 2,
    "abuse": 3,
    "fallback": 3,
}

REASON_LABELS = {
    "crisis": "危机（自伤风险）",
    "dispute_debt": "债务异议",
    "complaint": "投诉",
    "verification_locked": "身份验证锁定",
    "customer_request": "客户要求人工",
    "repeated_refusal": "多次拒绝还款",
    "hardship_plan": "困难个性化方案待审批",
    "abuse": "辱骂",
    "fallback": "连续无法理解",
}


def conversation_summary(tracker: Tracker, reason: str, limit: int = 3) -> str:
    """The reason plus the cardholder's last few messages, for the agent queue."""
    texts = [
        (e.get("text") or "").strip()
        for e in tracker.events
        if e.get("event") == "user" and (e.get("text") or "").strip()
    ][-limit:]
    quoted = " / ".join(t[:200] for t in texts)
    return f"{REASON_LABELS.get(reason, reason)}：{quoted}" if quoted else REASON_LABELS.get(reason, reason)


async def escalate(
    tracker: Tracker, reason: str, account_id: Optional[str] = None, summary: Optional[str] = None
) -> List[EventType]:
    account_id = account_id or tracker.get_slot("account_id")
    if account_id is None:
        # Escalations before verification (crisis, complaint …) still belong
        # on the account behind the phone, for the agent's eyes only.
        account = await db(repository.primary_account_for_phone, tracker.sender_id, clock.today())
        account_id = account.account_id if account else None
    await db(
        repository.open_escalation,
        conversation_id=tracker.sender_id,
        account_id=account_id,
        channel=channel_of(tracker),
        reason=reason,
        priority=PRIORITY[reason],
        summary=summary or conversation_summary(tracker, reason),
    )
    return [SlotSet("escalated", True)]
