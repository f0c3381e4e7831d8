"""The campaign runner's queries (bot/campaign/runner.py): the facts the
compliance guard needs for a whole portfolio, the ``campaign_sends`` rows
(one per account, step and cycle), the refusal log ``outbound_blocks``, the
stage-3 call task, and the supervisors' final-notice approvals.

Plain functions over the caller's session, plain values in and out: the
runner decides (bot/core/campaign.py, bot/core/guard.py), this module only
reads and writes rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core import guard
from bot.core.agent_tasks import CAMPAIGN_CALL
from bot.core.escalation import DISPUTE_DEBT
from bot.db.tasks import open_agent_task
from bot.db.models import (
    ACTIVE_ARRANGEMENT_STATUSES,
    UNRESOLVED_ESCALATION_STATUSES,
    Account,
    Arrangement,
    CampaignSend,
    Cardholder,
    ContactLog,
    Escalation,
    FinalNoticeApproval,
    OptOut,
    OutboundBlock,
    PhoneMark,
)
from bot.db.sms import NOT_DELIVERED


# --------------------------------------------------------------------------
# The portfolio's facts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    account_id: str
    phone: str
    phone_verified: bool
    name: str
    card_last4: str
    balance: Decimal
    minimum_due: Decimal
    due_date: date


@dataclass(frozen=True)
class SendRow:
    """A ``campaign_sends`` row as the run reads it (detached: the run sends
    long after the reading unit of work has closed)."""

    id: int
    account_id: str
    stage: str
    cycle: str
    status: str
    channel: str
    body: Optional[str]
    reason: Optional[str]
    retry_at: Optional[datetime]


@dataclass(frozen=True)
class Contact:
    """A delivered message either way (refused, suppressed and failed
    outbound ones left out: they did not reach anyone)."""

    conversation_id: str
    account_id: Optional[str]
    direction: str
    created_at: datetime


@dataclass(frozen=True)
class PortfolioFacts:
    accounts: List[AccountRow]  # by account id
    with_active_arrangement: Set[str]  # account ids
    sends: List[SendRow]
    final_approvals: Set[Tuple[str, str]]  # (account id, cycle)
    opted_out: Dict[str, FrozenSet[str]]  # phone -> channels
    disputes: Set[str]  # account ids with an unresolved dispute
    marked_phones: Set[str]  # third party / wrong number
    contacts: List[Contact]  # since the ``since`` asked for


def _send_row(r: CampaignSend) -> SendRow:
    return SendRow(r.id, r.account_id, r.stage, r.cycle, r.status, r.channel, r.body, r.reason, r.retry_at)


def portfolio_facts(s: Session, contacts_since: datetime) -> PortfolioFacts:
    """Everything one run decides on, in one read."""
    accounts = [
        AccountRow(a.account_id, h.phone, bool(h.phone_verified), h.name, a.card_last4, a.balance, a.minimum_due,
                   a.due_date)
        for a, h in s.execute(
            select(Account, Cardholder).join(Cardholder, Account.cardholder_id == Cardholder.id)
            .order_by(Account.account_id)
        ).all()
    ]
    active = set(
        s.execute(
            select(Arrangement.account_id).where(Arrangement.status.in_(ACTIVE_ARRANGEMENT_STATUSES)).distinct()
        ).scalars()
    )
    sends = [_send_row(r) for r in s.execute(select(CampaignSend)).scalars()]
    approvals = final_notice_approvals(s)
    opted: Dict[str, set] = defaultdict(set)
    for phone, channel in s.execute(select(OptOut.phone, OptOut.channel).where(OptOut.revoked_at.is_(None))):
        opted[phone].add(channel)
    disputes = set(
        s.execute(
            select(Escalation.account_id).where(
                Escalation.reason == DISPUTE_DEBT, Escalation.status.in_(UNRESOLVED_ESCALATION_STATUSES)
            )
        ).scalars()
    )
    marked = set(s.execute(select(PhoneMark.phone).where(PhoneMark.revoked_at.is_(None))).scalars())
    contacts = [
        Contact(conversation_id, account_id, direction, created_at)
        for conversation_id, account_id, direction, status, created_at in s.execute(
            select(
                ContactLog.conversation_id, ContactLog.account_id, ContactLog.direction, ContactLog.status,
                ContactLog.created_at,
            ).where(ContactLog.created_at >= contacts_since)
        )
        if not (direction == "out" and status in NOT_DELIVERED)
    ]
    return PortfolioFacts(accounts, active, sends, approvals, {k: frozenset(v) for k, v in opted.items()},
                          disputes, marked, contacts)


# --------------------------------------------------------------------------
# Sends
# --------------------------------------------------------------------------


def upsert_send(s: Session, account_id: str, stage: str, cycle: str, to_number: str, **values: Any) -> int:
    """The row of (account, step, cycle), created or updated with ``values``; its id."""
    row = s.execute(
        select(CampaignSend).where(
            CampaignSend.account_id == account_id, CampaignSend.stage == stage, CampaignSend.cycle == cycle
        )
    ).scalar_one_or_none()
    if row is None:
        row = CampaignSend(account_id=account_id, stage=stage, cycle=cycle, to_number=to_number, **values)
        s.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    s.flush()
    return row.id


def update_send(s: Session, send_id: int, **values: Any) -> None:
    s.execute(update(CampaignSend).where(CampaignSend.id == send_id).values(**values))


def record_sent(s: Session, send_id: int, *, at: datetime, rasa_status: Optional[str], rasa_detail: Optional[str],
                message_id: Optional[str], intent: str, account_id: str) -> None:
    """The step went out; its contact-log row (by the gateway's message id)
    is tied to the account and labelled with the step."""
    update_send(s, send_id, status="sent", sent_at=at, reason=None, retry_at=None, rasa_status=rasa_status,
                rasa_detail=rasa_detail)
    if message_id:
        s.execute(
            update(ContactLog).where(ContactLog.message_id == message_id).values(intent=intent, account_id=account_id)
        )


def log_block(
    s: Session, *, account_id: Optional[str], phone: Optional[str], channel: str, source: str,
    decision: guard.GuardDecision, stage: Optional[str] = None, text: Optional[str] = None,
) -> int:
    """Record one refused outbound message (any path: campaign, agent, bot)."""
    row = OutboundBlock(
        account_id=account_id, phone=phone, channel=channel, source=source, stage=stage,
        reason=decision.reason, detail=decision.detail or None,
        action="queued" if decision.retry_at else "dropped", retry_at=decision.retry_at, text=text,
    )
    s.add(row)
    s.flush()
    return row.id


def open_call_task(s: Session, account_id: str, cycle: str, stage: Optional[str], description: str) -> None:
    """Stage 3's call by a person, once per account and cycle (the segment's
    treatment opens it with the same key: bot/assessment/campaign_hook.py);
    the account is flagged for follow-up either way."""
    open_agent_task(s, account_id, CAMPAIGN_CALL, description, f"{CAMPAIGN_CALL}:{account_id}:{cycle}",
                               stage=stage)
    s.get(Account, account_id).follow_up = True


# --------------------------------------------------------------------------
# Final-notice approvals
# --------------------------------------------------------------------------


def account_due_date(s: Session, account_id: str) -> Optional[date]:
    account = s.get(Account, account_id)
    return None if account is None else account.due_date


def final_notice_approvals(s: Session) -> Set[Tuple[str, str]]:
    """(account id, cycle) of every approval."""
    return {(a.account_id, a.cycle) for a in s.execute(select(FinalNoticeApproval)).scalars()}


def final_notice_approval_id(s: Session, account_id: str, cycle: str) -> Optional[int]:
    return s.execute(
        select(FinalNoticeApproval.id).where(
            FinalNoticeApproval.account_id == account_id, FinalNoticeApproval.cycle == cycle
        )
    ).scalar_one_or_none()


def add_final_notice_approval(s: Session, account_id: str, cycle: str, approved_by: str,
                              note: Optional[str] = None) -> int:
    row = FinalNoticeApproval(account_id=account_id, cycle=cycle, approved_by=approved_by, note=note)
    s.add(row)
    s.flush()
    return row.id


def awaiting_approval(s: Session, stage: str) -> List[Tuple[str, str, datetime]]:
    """(account id, cycle, since) of the ``stage`` sends held for a
    supervisor's approval and not approved yet, oldest first."""
    rows = s.execute(
        select(CampaignSend).where(CampaignSend.stage == stage, CampaignSend.status == "awaiting_approval")
        .order_by(CampaignSend.created_at)
    ).scalars()
    approved = final_notice_approvals(s)
    return [(r.account_id, r.cycle, r.created_at) for r in rows if (r.account_id, r.cycle) not in approved]
