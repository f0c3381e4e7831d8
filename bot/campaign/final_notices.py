"""The campaign's final notices that wait for a supervisor (the
``final_notice`` step is held until approved; bot/core/campaign.py): list
them, approve one (``runner.approve_final_notice``, the function
``collectbot campaign approve`` and the reports page use) or reject one
with a reason.

Approved: the next ``collectbot campaign run`` sends it. Rejected: the held
step becomes ``dropped`` with the supervisor's reason, and the campaign
does not send a final notice for that cycle (a new due date starts a new
cycle, held again). The cardholder hears of neither: nothing was sent.
Each function is one unit of work on the caller's session.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List

from sqlalchemy.orm import Session

from bot.campaign.runner import ApprovalError, approve_final_notice, pending_final_approvals
from bot.core import campaign as rules
from bot.core.masking import masked_name
from bot.db import campaign as campaign_db
from bot.db import final_notices as notices_db
from bot.db import repository

MAX_REASON_CHARS = 500

__all__ = ["ApprovalError", "approve", "pending", "reject"]


def pending(s: Session, today: date) -> List[Dict[str, Any]]:
    """The held final notices, oldest first, with what a supervisor weighs."""
    out = []
    for item in pending_final_approvals(s):
        account = repository.get_account(s, item["account_id"], today)
        out.append({
            "account_id": item["account_id"],
            "cycle": item["cycle"],
            "since": item["since"].isoformat() if item["since"] else None,
            "cardholder": masked_name(account.name) if account else None,
            "balance": str(account.balance) if account else None,
            "minimum_due": str(account.minimum_due) if account else None,
            "due_date": account.due_date.isoformat() if account else None,
            "days_past_due": account.days_past_due if account else None,
            "stage": account.stage if account else None,
            "open_dispute": account.open_dispute if account else False,
        })
    return out


def approve(s: Session, account_id: str, approved_by: str, today: date, cfg: rules.CampaignConfig) -> Dict[str, Any]:
    approval_id, created = approve_final_notice(s, account_id, approved_by, today, cfg)
    return {"account_id": account_id, "approval_id": approval_id, "created": created}


def reject(s: Session, account_id: str, rejected_by: str, reason: str) -> Dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise ApprovalError("驳回时请填写原因。")
    if len(reason) > MAX_REASON_CHARS:
        raise ApprovalError(f"驳回原因最长{MAX_REASON_CHARS}个字符。")
    cycle = notices_db.held_cycle(s, account_id)
    if cycle is None:
        raise ApprovalError(f"账户 {account_id} 没有等待审批的正式通知。")
    if campaign_db.final_notice_approval_id(s, account_id, cycle) is not None:
        raise ApprovalError(f"账户 {account_id} 本期的正式通知已获批准，不能再驳回。")
    notices_db.reject_awaiting(s, account_id, cycle, rejected_by, reason)
    return {"account_id": account_id, "cycle": cycle, "reason": reason}
