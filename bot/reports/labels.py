"""Chinese names of the codes a KPI report carries (channels, arrangement
kinds, escalation reasons, blocked-send reasons), for everything that shows a
report to a person: the supervisor page, the CSV, ``collectbot report``.

Plain Python, no web or database imports. Channel, escalation and
blocked-send labels are the shared ones of bot/core. A code without a name is shown as
it is, so a new code is visible rather than hidden.
"""
from __future__ import annotations

from typing import Dict, Optional

from bot.core.campaign import BLOCK_REASON_LABELS
from bot.core.channels import CHANNEL_LABELS
from bot.core.escalation import REASON_LABELS

BLOCKED_REASONS = BLOCK_REASON_LABELS
ARRANGEMENT_KINDS = {
    "promise_to_pay": "承诺还款",
    "installment": "分期",
    "deferral": "延期还款",
    "fee_waiver": "费用减免",
    "hardship_plan": "困难还款计划",
}
ESCALATION_REASONS = REASON_LABELS
CHANNELS = {**CHANNEL_LABELS, "-": "（无渠道）", "unknown": "未知", "*": "全部"}
STAGES = {"*": "全部", "-": "（无账户）"}


def label(labels: Dict[str, str], code: Optional[str]) -> str:
    return labels.get(code or "", code or "—")


def counts(labels: Dict[str, str], by_code: Dict[str, int]) -> str:
    """{"quiet_hours": 2} -> "免打扰时段 2"; "—" when empty."""
    return "，".join(f"{label(labels, k)} {v}" for k, v in by_code.items()) or "—"
