"""The segment's treatment in the campaign run (issue 13), additive to the
stage plan: when the account's current assessment puts it in a segment
whose treatment includes an agent call (bot/assessment/treatments.yml,
e.g. able-but-unwilling), the run also opens the person's call task for
this cycle - the same task stage 3 would open later, with the segment, its
treatment and the reasons in its description. Nothing else changes: the
stage plan's SMS still passes the compliance guard, and the hook runs only
for a step the guard allowed.

Plain database work with the caller's session; ``treatment_task`` reads
the stored assessment (bot/db/assessments.py) and never recomputes it.

``rescore_band_crossings`` runs once per campaign run, before the steps: an
account whose days past due entered another delinquency stage since its
newest assessment is rescored (the keep model weighs days past due), and
the row is written even when the scores stay, so the history shows the new
stage. Without it the recompute CLI was the only catch-up.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy.orm import Session

from bot.assessment import treatments
from bot.core.assessment import SEGMENT_LABELS
from bot.db import assessments
from bot.db.models import Account
from bot.db.tasks import open_agent_task

MAX_REASONS = 4


def rescore_band_crossings(s: Session, today: date) -> int:
    """Rescore the accounts whose delinquency stage changed since their
    newest assessment; returns how many."""
    crossed = assessments.band_crossings(s, today)
    for account_id, stage in crossed:
        assessments.rescore(s, account_id, assessments.TRIGGER_DPD_BAND + stage, today, force=True)
    return len(crossed)


def treatment_task(s: Session, account_id: str, cycle: str, stage: Optional[str], today: date) -> bool:
    """Open the segment's agent call for this cycle; False when the
    treatment has none, no assessment is stored, or the task already
    exists."""
    current = assessments.latest(s, account_id)
    if current is None:
        return False
    treatment = treatments.load()[current.segment]
    if not treatment.agent_call:
        return False
    reasons = "；".join(r["text"] for r in current.reasons[:MAX_REASONS])
    description = (
        f"按分群处置：{SEGMENT_LABELS[current.segment]}（{treatment.summary()}）。"
        f"评估理由：{reasons or '无'}。请在工作时间致电持卡人，只陈述事实，不施压。"
    )
    # The same key as stage 3's call task: one call per cycle, whoever opens it.
    if not open_agent_task(s, account_id, "campaign_call", description, f"campaign_call:{account_id}:{cycle}"):
        return False
    account = s.get(Account, account_id)
    if account is not None:
        account.follow_up = True
    return True
