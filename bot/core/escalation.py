"""Why a conversation was handed to a person, how urgent that is, and what
agents and supervisors read for it. The bot opens escalations with these
codes (bot/actions/handoff.py); the console's queue, the workbench and the
KPI reports show the same labels. Plain Python.
"""
from __future__ import annotations

CRISIS = "crisis"
DISPUTE_DEBT = "dispute_debt"
COMPLAINT = "complaint"
VERIFICATION_LOCKED = "verification_locked"
CUSTOMER_REQUEST = "customer_request"
REPEATED_REFUSAL = "repeated_refusal"
HARDSHIP_PLAN = "hardship_plan"
ABUSE = "abuse"
FALLBACK = "fallback"

# 0 is the highest priority: a person at risk comes before everything.
PRIORITY = {
    CRISIS: 0,
    DISPUTE_DEBT: 1,
    COMPLAINT: 1,
    VERIFICATION_LOCKED: 1,
    CUSTOMER_REQUEST: 2,
    REPEATED_REFUSAL: 2,
    HARDSHIP_PLAN: 2,
    ABUSE: 3,
    FALLBACK: 3,
}

REASON_LABELS = {
    CRISIS: "危机（自伤风险）",
    DISPUTE_DEBT: "债务异议",
    COMPLAINT: "投诉",
    VERIFICATION_LOCKED: "身份验证锁定",
    CUSTOMER_REQUEST: "客户要求人工",
    REPEATED_REFUSAL: "多次拒绝还款",
    HARDSHIP_PLAN: "困难个性化方案待审批",
    ABUSE: "辱骂",
    FALLBACK: "连续无法理解",
}

def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)
