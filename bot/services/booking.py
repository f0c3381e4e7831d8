"""Booking what a cardholder agreed to, one transaction per booking.

Each use case reads the account, checks the terms against the policy
(bot/core/policy.py), and writes the arrangement and the assessment it
implies together (bot/core/booking.py says which fields and which key),
and rescores the account (bot/db/assessments.rescore); a failure anywhere
leaves none of it. The same booking twice is "already
booked" (the idempotency key), never a policy refusal: after a first
deferral a second one would be refused, but the cardholder only repeated
their yes.

``also`` lets an entry point add its own record to the same transaction
(the console's audit log); it runs only when the arrangement was written.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Dict, Optional, Sequence

from sqlalchemy.orm import Session

from bot.core import booking, policy
from bot.db import arrangements, assessments, repository
from bot.db.session import session_scope
from bot.observability import metrics
from bot.services import escalation

logger = logging.getLogger(__name__)

# Outcomes
BOOKED = "booked"  # written now (``created``), or by a concurrent twin
ALREADY = "already"  # the same terms were booked before: nothing written
REFUSED = "refused"  # the policy says no: ``reason`` and ``alternative``
NO_ACCOUNT = "no_account"
OFFER_CHANGED = "offer_changed"  # the confirmed figures no longer hold


@dataclass(frozen=True)
class BookingResult:
    outcome: str
    kind: str
    account_id: str
    conversation_id: str
    arrangement_id: Optional[int] = None
    created: bool = False
    idempotency_key: str = ""
    status: str = ""
    # Refusal, worded for the cardholder (bot/core/policy.py).
    reason: str = ""
    alternative: str = ""
    # What the cardholder is told (booked now, or booked before).
    reply: str = ""
    summary: Dict[str, Any] = field(default_factory=dict)
    # The account as the policy saw it (an agent's refusal is worded from it).
    facts: Optional[policy.AccountFacts] = None
    plan: Optional[booking.BookingPlan] = None
    escalation: Optional[escalation.EscalationResult] = None

    @property
    def ok(self) -> bool:
        return self.outcome in (BOOKED, ALREADY)


Also = Optional[Callable[[Session, BookingResult], None]]


class _Refused(Exception):
    def __init__(self, reason: str, alternative: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.alternative = alternative


def facts_of(view: repository.AccountView) -> policy.AccountFacts:
    """The account as the policy reads it."""
    return policy.AccountFacts(
        balance=view.balance,
        minimum_due=view.minimum_due,
        due_date=view.due_date,
        days_past_due=view.days_past_due,
        open_dispute=view.open_dispute,
        broken_promises=view.broken_promises,
        active_arrangement_kinds=booking.policy_kinds(view.active_arrangement_kinds),
    )


def _refusal(decision) -> Optional[_Refused]:
    if decision.ok:
        return None
    return _Refused(decision.reason, getattr(decision, "alternative", "") or "")


def _quote_or_refuse(quote, check, facts: policy.AccountFacts, months: int, config):
    """The plan ``quote`` prices, or the refusal ``check`` gives when the
    balance cannot be split into ``months`` (installment and hardship alike)."""
    try:
        return quote(facts.balance, months, config)
    except ValueError:
        raise _refusal(check(facts, months, config)) or _Refused(
            f"应还金额无法分{months}期。"
        ) from None


def _book(
    kind: str,
    account_id: str,
    conversation_id: str,
    today: date,
    terms: Callable[[policy.AccountFacts], booking.BookingPlan],
    check: Callable[[policy.AccountFacts], Optional[_Refused]],
    *,
    handover: Optional[escalation.Handover] = None,
    also: Also = None,
    url: Optional[str] = None,
) -> BookingResult:
    """The one booking transaction: read, key, check, write arrangement +
    assessment (+ hand-over), ``also``; commit."""
    base = dict(kind=kind, account_id=account_id, conversation_id=conversation_id)
    with session_scope(url) as s:
        view = repository.get_account(s, account_id, today)
        if view is None:
            return BookingResult(NO_ACCOUNT, **base)
        facts = facts_of(view)
        try:
            plan = terms(facts)
        except _Refused as refused:
            return BookingResult(REFUSED, reason=refused.reason, alternative=refused.alternative, facts=facts, **base)
        existing = arrangements.arrangement_id_by_key(s, plan.idempotency_key)
        if existing is not None:
            return BookingResult(
                ALREADY, arrangement_id=existing, idempotency_key=plan.idempotency_key, status=plan.status,
                reply=plan.already, summary=plan.summary, facts=facts, plan=plan, **base,
            )
        refused = check(facts)
        if refused is not None:
            return BookingResult(
                REFUSED, reason=refused.reason, alternative=refused.alternative, idempotency_key=plan.idempotency_key,
                summary=plan.summary, facts=facts, plan=plan, **base,
            )
        arrangement_id, created = repository.book_arrangement(
            s, account_id=account_id, conversation_id=conversation_id, **plan.arrangement_fields()
        )
        if plan.assessment is not None:
            repository.record_assessment(
                s, account_id=account_id, conversation_id=conversation_id, **plan.assessment.fields()
            )
        opened = escalation.open_in(s, handover) if handover is not None else None
        # The assessment's scores move with the booking, in its transaction.
        assessments.rescore(s, account_id, assessments.TRIGGER_BOOKING + plan.kind, today)
        result = BookingResult(
            BOOKED, arrangement_id=arrangement_id, created=created, idempotency_key=plan.idempotency_key,
            status=plan.status, reply=plan.reply if created else plan.already, summary=plan.summary,
            facts=facts, plan=plan, escalation=opened, **base,
        )
        if also is not None:
            also(s, result)
    # Committed: count it (Prometheus).
    if created:
        try:
            metrics.arrangement_booked(plan.kind, plan.status)
        except Exception:  # pragma: no cover - defensive
            logger.exception("could not count the booking")
    if opened is not None and handover is not None:
        escalation.counted(opened, handover.channel)
    return result


# --------------------------------------------------------------------------
# The use cases
# --------------------------------------------------------------------------


def book_promise(
    *,
    account_id: str,
    conversation_id: str,
    amount: Decimal,
    pay_date: date,
    today: date,
    config: policy.PolicyConfig,
    booked_by: str,
    payment_methods: Sequence[str] = (),
    also: Also = None,
    url: Optional[str] = None,
) -> BookingResult:
    """A promise to pay ``amount`` by ``pay_date`` (a partial one is flagged)."""
    return _book(
        booking.PROMISE, account_id, conversation_id, today,
        lambda facts: booking.promise(conversation_id, amount, pay_date, facts, booked_by, payment_methods),
        lambda facts: _refusal(policy.check_promise(facts, amount, pay_date, today, config)),
        also=also, url=url,
    )


def book_installment(
    *,
    account_id: str,
    conversation_id: str,
    months: int,
    today: date,
    config: policy.PolicyConfig,
    booked_by: str,
    also: Also = None,
    url: Optional[str] = None,
) -> BookingResult:
    """A standard instalment plan of ``months`` on the whole balance."""

    def terms(facts: policy.AccountFacts) -> booking.BookingPlan:
        q = _quote_or_refuse(policy.installment_quote, policy.check_installment, facts, months, config)
        return booking.installment(conversation_id, q, today, booked_by, config.payment_methods)

    return _book(
        booking.INSTALLMENT, account_id, conversation_id, today, terms,
        lambda facts: _refusal(policy.check_installment(facts, months, config)),
        also=also, url=url,
    )


def book_deferral(
    *,
    account_id: str,
    conversation_id: str,
    days: int,
    today: date,
    config: policy.PolicyConfig,
    booked_by: str,
    also: Also = None,
    url: Optional[str] = None,
) -> BookingResult:
    """The due date moved ``days`` from today."""
    return _book(
        booking.DEFERRAL, account_id, conversation_id, today,
        lambda facts: booking.deferral(conversation_id, days, today, booked_by, config.payment_methods),
        lambda facts: _refusal(policy.check_deferral(facts, days, today, config)),
        also=also, url=url,
    )


def book_hardship_plan(
    *,
    account_id: str,
    conversation_id: str,
    months: int,
    today: date,
    config: policy.PolicyConfig,
    approved_by: str,
    booked_by: str = booking.BY_AGENT,
    also: Also = None,
    url: Optional[str] = None,
) -> BookingResult:
    """A personalised plan a supervisor books (and so approves) at once,
    priced at the policy's hardship rate (``policy.hardship_quote``)."""

    def terms(facts: policy.AccountFacts) -> booking.BookingPlan:
        q = _quote_or_refuse(policy.hardship_quote, policy.check_hardship_plan, facts, months, config)
        return booking.hardship(conversation_id, q, config, booked_by, approved_by=approved_by)

    return _book(
        booking.HARDSHIP, account_id, conversation_id, today, terms,
        lambda facts: _refusal(policy.check_hardship_plan(facts, months, config)),
        also=also, url=url,
    )


def submit_hardship_plan(
    *,
    account_id: str,
    conversation_id: str,
    confirmed: Dict[str, Any],
    today: date,
    config: policy.PolicyConfig,
    handover: escalation.Handover,
    url: Optional[str] = None,
) -> BookingResult:
    """The cardholder's yes to a personalised plan's exact figures
    (``confirmed``: ``booking.offer_record``). Submitted for a specialist's
    approval, with the assessment and the hand-over to the specialist, in
    one transaction; only if the account still gives exactly those figures
    (a payment or a booking since changes them): else ``OFFER_CHANGED``."""
    budget = Decimal(str(confirmed.get("budget")))

    def offer(facts: policy.AccountFacts) -> Optional[policy.InstallmentQuote]:
        try:
            q = policy.plan_for_budget(facts, budget, config).offer
        except ValueError:
            return None
        return q if q is not None and booking.offer_record(q, budget) == confirmed else None

    changed = _Refused("offer_changed")

    def terms(facts: policy.AccountFacts) -> booking.BookingPlan:
        q = offer(facts)
        if q is None:
            raise changed
        return booking.hardship(conversation_id, q, config, booking.BY_BOT, budget=budget)

    result = _book(
        booking.HARDSHIP, account_id, conversation_id, today, terms,
        lambda facts: None if offer(facts) is not None else changed,
        handover=handover, url=url,
    )
    if result.outcome == REFUSED and result.reason == "offer_changed":
        return BookingResult(OFFER_CHANGED, kind=result.kind, account_id=account_id,
                             conversation_id=conversation_id, facts=result.facts)
    return result


def request_fee_waiver(
    *,
    account_id: str,
    conversation_id: str,
    text: str,
    today: date,
    url: Optional[str] = None,
) -> BookingResult:
    """Fee relief is never granted by the bot: recorded for a person to review."""
    return _book(
        booking.FEE_WAIVER, account_id, conversation_id, today,
        lambda facts: booking.fee_waiver(conversation_id, today, text, facts.minimum_due),
        lambda facts: None,
        url=url,
    )
