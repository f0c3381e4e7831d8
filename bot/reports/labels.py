"""Chinese names of the codes a KPI report carries (channels, arrangement
kinds, escalation reasons, blocked-send reasons), for everything that shows a
report to a person: the supervisor page, the CSV, ``collectbot report``.

Plain Python, no web or database imports. A code without a name is shown as
it is, so a new code is visible rather than hidden.
"""
from __future__ import annotations

from typing import Dict, Optional

BLOCKED_REASONS = {
    "quiet_hours": "免打扰时段",
    "daily_cap": "超过每日上限",
    "weekly_cap": "超过每周上限",
    "opted_out": "已退订",
    "open_dispute": "未结争议",
    "third_party_number": "第三方/错号",
    "forbidden_wording": "禁用措辞",
    "paid": "已结清",
    "superseded": "新账单周期",
    "send_failed": "发送失败",
}
ARRANGEMENT_KINDS = {
    "promise_to_pay": "承诺还款",
    "installment": "分期",
    "deferral": "延期还款",
    "fee_waiver": "费用减免",
    "hardship_plan": "困难还款计划",
}
ESCALATION_REASONS = {
    "crisis": "危机",
    "dispute_debt": "债务异议",
    "complaint": "投诉",
    "verification_locked": "验证锁定",
    "customer_request": "要求人工",
    "repeated_refusal": "多次拒绝",
    "hardship_plan": "困难方案审批",
    "abuse": "辱骂",
    "fallback": "无法理解",
}
CHANNELS = {
    "twilio_sms": "短信", "webchat": "网页聊天", "socketio": "网页聊天", "rest": "接口", "phone": "电话",
    "-": "（无渠道）", "unknown": "未知", "*": "全部",
}
STAGES = {"*": "全部", "-": "（无账户）"}


def label(labels: Dict[str, str], code: Optional[str]) -> str:
    return labels.get(code or "", code or "—")


def counts(labels: Dict[str, str], by_code: Dict[str, int]) -> str:
    """{"quiet_hours": 2} -> "免打扰时段 2"; "—" when empty."""
    return "，".join(f"{label(labels, k)} {v}" for k, v in by_code.items()) or "—"
