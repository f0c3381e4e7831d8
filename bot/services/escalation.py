"""Opening a hand-over to a person, and resolving a conversation's
hand-overs. One transaction each; the bot's actions, the console and
bot/services/booking.py (a submitted hardship plan) open them here."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy.orm import Session

from bot.core import booking
from bot.core.escalation import PRIORITY
from bot.db import arrangements, assessments, repository
from bot.db.session import session_scope
from bot.observability import metrics
from bot.services import paging

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handover:
    """What an escalation records: the conversation, the account behind it
    (if known), the channel, why, and a summary an agent can act on."""

    conversation_id: str
    account_id: Optional[str]
    channel: str
    reason: str
    summary: str


@dataclass(frozen=True)
class EscalationResult:
    escalation_id: int
    created: bool
    reason: str
    priority: int


def open_in(s: Session, handover: Handover) -> EscalationResult:
    """Open ``handover`` inside the caller's unit of work (one per
    conversation and reason while unresolved)."""
    priority = PRIORITY[handover.reason]
    escalation_id, created = repository.open_escalation(
        s,
        conversation_id=handover.conversation_id,
        account_id=handover.account_id,
        channel=handover.channel,
        reason=handover.reason,
        priority=priority,
        summary=handover.summary,
    )
    return EscalationResult(escalation_id, created, handover.reason, priority)


def counted(result: EscalationResult, channel: str) -> None:
    """Count a hand-over once its unit of work committed (Prometheus)."""
    if result.created:
        try:
            metrics.handoff_opened(result.reason, channel)
        except Exception:  # pragma: no cover - defensive
            logger.exception("could not count the hand-over")


def open_escalation(
    handover: Handover,
    *,
    assessment: Optional[booking.Assessment] = None,
    url: Optional[str] = None,
) -> EscalationResult:
    """Hand the conversation to a person; with ``assessment`` (a dispute:
    willingness "disputes") recorded, and the account rescored, in the same
    transaction."""
    with session_scope(url) as s:
        if assessment is not None and handover.account_id:
            repository.record_assessment(
                s, account_id=handover.account_id, conversation_id=handover.conversation_id, **assessment.fields()
            )
        result = open_in(s, handover)
        assessments.rescore(s, handover.account_id, assessments.TRIGGER_HANDOVER + handover.reason)
    counted(result, handover.channel)
    if result.created:
        # A crisis out of staffed hours pages the on-call supervisor now
        # (bot/services/paging.py), without holding the cardholder's reply
        # for longer than PAGE_WAIT_SECONDS if Twilio is slow.
        paging.page_crisis_promptly(result.escalation_id, handover.reason, url=url)
    return result


def resolve_in(s: Session, conversation_id: str, reason: Optional[str] = None) -> List[int]:
    """Close the conversation's unresolved hand-overs inside the caller's
    unit of work (the console's resolution and its audit row); the ids closed."""
    return arrangements.resolve_escalations(s, conversation_id, reason)


def resolve_escalations(conversation_id: str, reason: Optional[str] = None, *, url: Optional[str] = None) -> List[int]:
    """Close the conversation's unresolved hand-overs (of ``reason`` only,
    when given); the ids closed."""
    with session_scope(url) as s:
        return resolve_in(s, conversation_id, reason)
