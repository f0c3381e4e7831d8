"""Final notices held for a supervisor (campaign step ``final_notice``):
the one write a rejection needs. Approvals are rows of
``final_notice_approvals`` (bot/db/campaign.py)."""
from __future__ import annotations

import json
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.campaign import FINAL_NOTICE
from bot.db.models import CampaignSend

REJECTED = "rejected_by_supervisor"  # campaign_sends.reason of a final notice a supervisor refused


def reject_awaiting(s: Session, account_id: str, cycle: str, rejected_by: str, reason: str) -> bool:
    """The held final notice of this account and cycle becomes ``dropped``
    (the campaign never sends a dropped step of a cycle again); False when
    none was waiting."""
    result = s.execute(
        update(CampaignSend)
        .where(CampaignSend.account_id == account_id, CampaignSend.stage == FINAL_NOTICE,
               CampaignSend.cycle == cycle, CampaignSend.status == "awaiting_approval")
        .values(status="dropped", reason=REJECTED,
                detail=json.dumps({"rejected_by": rejected_by, "reason": reason}, ensure_ascii=False))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def held_cycle(s: Session, account_id: str) -> Optional[str]:
    """The cycle of the account's final notice waiting for approval, if any."""
    return s.execute(
        select(CampaignSend.cycle).where(CampaignSend.account_id == account_id, CampaignSend.stage == FINAL_NOTICE,
                                         CampaignSend.status == "awaiting_approval")
        .order_by(CampaignSend.created_at.desc()).limit(1)
    ).scalar()
