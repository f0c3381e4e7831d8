"""A specialist's decision on a personalised (hardship) plan the cardholder
submitted: approve, or reject with a reason.

``decide_hardship_plan`` is one transaction: the plan's status and the
decision in its details, the hand-over that waited for the decision
closed, and the entry point's own record (``also``: the console's audit log
and claim). It returns the message for the cardholder (bot/core/booking.py,
bot/core/replies.py) and whether nothing else keeps the conversation with a
person; ``tell_cardholder`` then sends the message on the cardholder's own
channel and hands the conversation back to the assistant through a
``Conversations`` port (the console's: Rasa's HTTP API, as agent replies go).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional, Protocol

from sqlalchemy.orm import Session

from bot import clock
from bot.core import booking
from bot.core.escalation import HARDSHIP_PLAN
from bot.core.masking import masked_name
from bot.core.money import to_money
from bot.db import arrangements
from bot.db.session import session_scope
from bot.services import UseCaseError

logger = logging.getLogger(__name__)

APPROVE = booking.APPROVE
REJECT = booking.REJECT


@dataclass(frozen=True)
class HardshipDecision:
    arrangement_id: int
    account_id: str
    conversation_id: Optional[str]
    decision: str  # approve / reject
    status: str  # the plan's status now: booked / cancelled
    reason: str
    decided_by: str
    months: int
    monthly_payment: Decimal
    total_repayment: Decimal
    # What the cardholder is told (Simplified Chinese).
    message: str
    # Hand-overs closed by the decision, and those still open on the conversation.
    closed_escalations: List[int] = field(default_factory=list)
    other_open_reasons: List[str] = field(default_factory=list)

    @property
    def hand_back(self) -> bool:
        """Nothing else keeps the conversation with a person."""
        return bool(self.conversation_id) and not self.other_open_reasons

    def as_dict(self) -> Dict[str, Any]:
        return {
            "id": self.arrangement_id,
            "account_id": self.account_id,
            "conversation_id": self.conversation_id,
            "decision": self.decision,
            "status": self.status,
            "reason": self.reason,
            "months": self.months,
            "monthly_payment": f"{self.monthly_payment:.2f}",
            "total_repayment": f"{self.total_repayment:.2f}",
            "message": self.message,
            "closed_escalations": list(self.closed_escalations),
            "handed_back": self.hand_back,
        }


def _figures(plan: arrangements.ArrangementView) -> booking.PlanFigures:
    months = plan.months or 1
    monthly = to_money(plan.monthly_payment or 0)
    total = to_money(plan.amount or 0) + to_money(plan.total_fee or 0)
    return booking.PlanFigures(months=months, monthly_payment=monthly, total_repayment=total)


def decide_hardship_plan(
    arrangement_id: int,
    decision: str,
    *,
    decided_by: str,
    reason: str = "",
    also: Optional[Any] = None,
    url: Optional[str] = None,
) -> HardshipDecision:
    """Approve or reject a pending personalised plan (one transaction).

    Refusals (``UseCaseError``): no such plan (404), not a plan waiting for
    approval (409), a rejection without a reason (400).
    ``also(session, HardshipDecision)`` runs in the same transaction.
    """
    if decision not in (APPROVE, REJECT):
        raise UseCaseError("未知的审批结果。", 400)
    reason = (reason or "").strip()[: booking.MAX_REASON_CHARS]
    if decision == REJECT and not reason:
        raise UseCaseError("驳回时请填写原因，该原因会告知客户。", 400)
    if not decided_by:
        raise UseCaseError("缺少审批人。", 400)
    with session_scope(url) as s:
        plan = arrangements.get_arrangement(s, arrangement_id, for_update=True)
        if plan is None:
            raise UseCaseError("找不到该还款安排。", 404)
        if plan.kind != booking.HARDSHIP or plan.status != booking.PENDING_APPROVAL:
            raise UseCaseError("该还款安排不在待审批状态。", 409)
        status = booking.status_after(decision)
        details = booking.decision_details(decision, decided_by, reason, clock.now().isoformat())
        if not arrangements.set_decision(
            s, arrangement_id, expected_status=booking.PENDING_APPROVAL, status=status, details=details
        ):
            raise UseCaseError("该还款安排不在待审批状态。", 409)
        closed: List[int] = []
        others: List[str] = []
        if plan.conversation_id:
            closed = arrangements.resolve_escalations(s, plan.conversation_id, HARDSHIP_PLAN)
            others = arrangements.unresolved_reasons(s, plan.conversation_id)
        figures = _figures(plan)
        result = HardshipDecision(
            arrangement_id=plan.id,
            account_id=plan.account_id,
            conversation_id=plan.conversation_id,
            decision=decision,
            status=status,
            reason=reason,
            decided_by=decided_by,
            months=figures.months,
            monthly_payment=figures.monthly_payment,
            total_repayment=figures.total_repayment,
            # The plan's reference number, as the cardholder was told it on submission.
            message=booking.decision_message(decision, figures, reason, key=plan.idempotency_key),
            closed_escalations=closed,
            other_open_reasons=others,
        )
        if also is not None:
            also(s, result)
    return result


# --------------------------------------------------------------------------
# Telling the cardholder
# --------------------------------------------------------------------------


class Conversations(Protocol):
    """How a use case reaches a cardholder's conversation (the console
    implements it with Rasa's HTTP API; tests with a fake)."""

    async def tell(self, conversation_id: str, text: str) -> Optional[str]:
        """Send ``text`` on the cardholder's channel; None, or why it was not sent."""

    async def hand_back(self, conversation_id: str) -> Optional[str]:
        """Resume the assistant if a person still has the conversation; None or a warning."""


@dataclass(frozen=True)
class Told:
    delivered: bool
    handed_back: bool
    warnings: List[str] = field(default_factory=list)


async def tell_cardholder(result: HardshipDecision, conversations: Conversations) -> Told:
    """Send the decision on the cardholder's channel, then hand the
    conversation back to the assistant when nothing else keeps it with a
    person. Never raises for a delivery problem: the decision is recorded
    whatever happens here; the warnings say what did not work."""
    if not result.conversation_id:
        return Told(False, False, ["该方案没有关联会话，请通过其他方式通知客户。"])
    warnings: List[str] = []
    problem = await conversations.tell(result.conversation_id, result.message)
    if problem:
        warnings.append(problem)
    handed_back = False
    if result.hand_back:
        warning = await conversations.hand_back(result.conversation_id)
        if warning:
            warnings.append(warning)
        handed_back = True
    return Told(not problem, handed_back, warnings)


# --------------------------------------------------------------------------
# The supervisors' list
# --------------------------------------------------------------------------


def pending_plans(*, url: Optional[str] = None, limit: int = 200) -> List[Dict[str, Any]]:
    """Personalised plans waiting for a decision, oldest first, with the
    cardholder's stated budget and the plan's figures (names masked)."""
    with session_scope(url, read_only=True) as s:
        rows = arrangements.pending_hardship_plans(s, limit)
    items = []
    for row in rows:
        plan = row.arrangement
        figures = _figures(plan)
        details = plan.details
        items.append({
            "id": plan.id,
            "account_id": plan.account_id,
            "conversation_id": plan.conversation_id,
            "cardholder": masked_name(row.cardholder_name) if row.cardholder_name else "",
            "balance": f"{to_money(row.balance):.2f}",
            "monthly_budget": details.get("monthly_budget"),
            "principal": f"{to_money(plan.amount or 0):.2f}",
            "months": figures.months,
            "monthly_payment": f"{figures.monthly_payment:.2f}",
            "last_payment": details.get("last_payment"),
            "total_fee": f"{to_money(plan.total_fee or 0):.2f}",
            "total_repayment": f"{figures.total_repayment:.2f}",
            "within_policy": details.get("within_policy"),
            "confirmed_by": details.get("confirmed_by"),
            "created_at": plan.created_at.isoformat() if plan.created_at else None,
        })
    return items
