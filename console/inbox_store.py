"""The agent inbox (issue 14): queue views (Mine / Unassigned / All), the
newest cardholder message on each item (for the new-message cue), and an
agent's confirmation of identity. The queries (newest messages, colleagues,
the transfer with its audit row) are the console's read model,
console/store.py; this module only arranges what they return.
"""
from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy.orm import Session

from console import store
from console.store import ConsoleError, UserView

VIEWS = ("all", "mine", "unassigned")
VIEW_LABELS = {"mine": "我的", "unassigned": "未分配", "all": "全部"}
CONFIRM_IDENTITY = store.CONFIRM_IDENTITY  # the audit action bot/reports/kpi.py counts


def parse_view(value: Any) -> str:
    return value if value in VIEWS else "all"


def in_view(item: Dict[str, Any], view: str, me: UserView) -> bool:
    claim = item.get("claim")
    if view == "mine":
        return bool(claim and claim.get("user_id") == me.id)
    if view == "unassigned":
        return claim is None
    return True


def with_views(items: List[Dict[str, Any]], view: str, me: UserView) -> Dict[str, Any]:
    """The items of one view, and how many each view holds (for the tabs)."""
    return {
        "view": view,
        "items": [i for i in items if in_view(i, view, me)],
        "counts": {v: sum(1 for i in items if in_view(i, v, me)) for v in VIEWS},
    }


def add_last_messages(s: Session, items: List[Dict[str, Any]]) -> None:
    found = store.last_cardholder_messages(s, [i["conversation_id"] for i in items])
    for item in items:
        last = found.get(item["conversation_id"]) or {}
        item["last_cardholder_message_id"] = last.get("id")
        item["last_cardholder_message_at"] = last.get("at")


def confirm_identity(s: Session, conversation_id: str, me: UserView, remote_addr=None) -> Dict[str, Any]:
    """The agent holding the conversation confirms the cardholder is who the
    account says (by the bank's own procedure, e.g. a call-back): an audit
    row ``confirm_identity`` — a right-party contact in the reports
    (bot/reports/kpi.py)."""
    store.require_claim(s, conversation_id, me)
    account_id = store.account_of_conversation(s, conversation_id)
    if not account_id:
        raise ConsoleError("该会话未关联账户，无法确认身份。", 409)
    existing = store.identity_confirmation(s, conversation_id, account_id)
    if existing is None:
        store.audit(s, me, CONFIRM_IDENTITY, conversation_id=conversation_id, account_id=account_id,
                    remote_addr=remote_addr)
        existing = store.identity_confirmation(s, conversation_id, account_id)
    return {"account_id": account_id, "confirmed": existing}
