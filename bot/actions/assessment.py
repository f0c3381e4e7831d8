"""Learning the cardholder's situation: hardship, what they can afford,
and refusal. Each answer is stored as an assessment of willingness and
ability, and leads to a plan within what the cardholder said they can pay,
submitted only once they confirm its exact figures."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from bot import clock
from bot.actions.arrangements import booking_key, booking_reply, facts_of  # noqa: F401
from bot.actions.base import CollectionAction, current_account, db, say, settings
from bot.actions.handoff import escalate, handed_over, handover_for
from bot.core import booking, plan_menu, policy, replies, stated_means
from bot.core.money import fmt_yuan, to_money
from bot.core.normalize import AmountRef, parse_amount
from bot.db import assessments
from bot.services import booking as bookings
from bot.services import in_thread


def stated_amounts(tracker: Tracker) -> List[stated_means.StatedAmount]:
    """The message's amounts, each as income, expenses or a budget by the
    words around it (bot/core/stated_means.py)."""
    text = tracker.latest_message.get("text") or ""
    amounts = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") != "amount":
            continue
        value = parse_amount(str(entity.get("value")))
        if value is None or isinstance(value, AmountRef):
            continue
        start, end = entity.get("start"), entity.get("end")
        fits = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        raw = text[start:end] if fits else str(entity.get("value"))
        amounts.append((value, raw, start if fits else None, end if fits else None))
    bare = None if amounts else stated_means.bare_amount(text)
    if bare is not None:
        # "1000" after the budget question: read as the ID's last four by the NLU.
        amounts.append(bare)
    return stated_means.classify(text, amounts)


def latest_amount(tracker: Tracker):
    """What the cardholder says they can pay each month in this message (an
    income or an expense is not that)."""
    return stated_means.latest_of(stated_amounts(tracker), stated_means.BUDGET)


def means_noted(stated: List[stated_means.StatedAmount]) -> str:
    """The income/expenses just said, read back, then the budget question."""
    parts = [
        replies.MEANS_PART.format(label=stated_means.KIND_LABELS[kind], amount=fmt_yuan(amount))
        for kind in (stated_means.INCOME, stated_means.EXPENSES)
        for amount in [stated_means.latest_of(stated, kind)] if amount is not None
    ]
    return replies.MEANS_NOTED.format(means="、".join(parts)) + replies.INCOME_ASK


async def record_means(tracker: Tracker, account_id: str, stated: List[stated_means.StatedAmount],
                       with_budget: bool = True) -> None:
    """Stated income, expenses (and budget) as evidence for the assessment."""
    await db(
        assessments.record_stated_means,
        account_id=account_id,
        conversation_id=tracker.sender_id,
        income=stated_means.latest_of(stated, stated_means.INCOME),
        expenses=stated_means.latest_of(stated, stated_means.EXPENSES),
        budget=stated_means.latest_of(stated, stated_means.BUDGET) if with_budget else None,
    )


def count_intent(tracker: Tracker, intent: str) -> int:
    """How often the cardholder expressed `intent` in this session."""
    count = 0
    for event in tracker.events:
        if event.get("event") == "session_started":
            count = 0
        elif event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent:
            count += 1
    return count


# What the cardholder said they can pay each month, kept for a later
# hardship message; and the exact plan put to them, until they answer it.
BUDGET_SLOT = "monthly_budget"
OFFER_SLOT = "hardship_offer"


def stated_budget(tracker: Tracker) -> Optional[Decimal]:
    """The budget in this message, else the one stated earlier in the session."""
    amount = latest_amount(tracker)
    if amount is not None:
        return amount
    earlier = tracker.get_slot(BUDGET_SLOT)
    return to_money(earlier) if earlier else None


def plan_text(q: policy.InstallmentQuote) -> str:
    last = (
        replies.INSTALLMENT_LAST.format(last_payment=fmt_yuan(q.last_payment))
        if q.last_payment != q.monthly_payment
        else ""
    )
    return replies.PLAN_FIGURES.format(
        principal=fmt_yuan(q.principal),
        months=q.months,
        monthly=fmt_yuan(q.monthly_payment),
        last=last,
        fee=fee_text(q),
        total=fmt_yuan(q.total_repayment),
    )


def fee_text(q: policy.InstallmentQuote) -> str:
    return replies.PLAN_FEE_FREE if q.total_fee == 0 else replies.PLAN_FEE.format(fee=fmt_yuan(q.total_fee))


def offer_record(q: policy.InstallmentQuote, budget: Decimal) -> Dict[str, Any]:
    """Every figure the cardholder is asked to confirm (the OFFER_SLOT, as JSON)."""
    return booking.offer_record(q, budget)


def offer_slot(record: Dict[str, Any], stage: str) -> SlotSet:
    """The offer's figures and where it stands: its card shown, or its confirmation."""
    return SlotSet(OFFER_SLOT, json.dumps({**record, plan_menu.OFFER_STAGE: stage}))


async def offer_for_budget(dispatcher, tracker: Tracker, account, budget: Decimal) -> List[EventType]:
    """Say what fits ``budget`` and offer a personalised plan as a card with
    its exact figures. Nothing is booked here: a standard plan goes on to the
    installment form (which confirms); a tap on the personalised card opens
    its confirmation step, and only the yes to that submits it
    (ActionAnswerHardshipOffer)."""
    plan = policy.plan_for_budget(facts_of(account), budget, settings().policy)
    events: List[EventType] = [SlotSet(BUDGET_SLOT, str(plan.budget)), SlotSet(OFFER_SLOT, None)]
    nothing = events + [SlotSet("suggested_plan", "none")]
    if plan.blocked:
        say(dispatcher, plan.blocked)
        return nothing
    if plan.pays_in_full:
        say(
            dispatcher,
            replies.BUDGET_PAYS_IN_FULL.format(budget=fmt_yuan(plan.budget), balance=fmt_yuan(plan.balance)),
            [("我要还款", "/promise_to_pay")],
        )
        return nothing
    if plan.fitting:
        q = plan.fitting[0]
        say(
            dispatcher,
            replies.INCOME_INSTALLMENT.format(
                affordable=fmt_yuan(plan.budget), months=q.months, monthly=fmt_yuan(q.monthly_payment)
            ),
        )
        return events + [SlotSet("suggested_plan", "installment"), SlotSet("installment_months", str(q.months))]
    if plan.hardship:
        text = replies.HARDSHIP_OFFER.format(budget=fmt_yuan(plan.budget))
    else:
        text = none_fits_text(plan)
    if plan.offer is None:
        say(dispatcher, text)
        return nothing
    # The figures are on the card (a numbered line over SMS), as for the standard plans.
    dispatcher.utter_message(text=text + replies.HARDSHIP_CARD_PICK, buttons=plan_menu.hardship_offer_menu(plan.offer))
    return events + [
        offer_slot(offer_record(plan.offer, plan.budget), plan_menu.STAGE_CARD),
        SlotSet("suggested_plan", "hardship"),
    ]


def none_fits_text(plan: policy.BudgetPlan) -> str:
    """Nothing within policy fits: say so plainly, then what can be done."""
    parts = []
    if plan.nearest is not None:
        parts.append(
            replies.BUDGET_NONE_FITS.format(
                budget=fmt_yuan(plan.budget),
                months=plan.nearest.months,
                monthly=fmt_yuan(plan.nearest.monthly_payment),
                fee=fee_text(plan.nearest),
            )
        )
    if plan.review is not None:
        parts.append(replies.BUDGET_REVIEW)
    else:
        parts.append(replies.BUDGET_NO_PLAN)
    if plan.partial_now > 0:
        parts.append(replies.BUDGET_PARTIAL_NOW.format(partial=fmt_yuan(plan.partial_now)))
    return "".join(parts)


class ActionHandleHardship(CollectionAction):
    """Hardship first asks what the cardholder can afford (or uses what they
    already said); no figure above that is put to them."""

    def name(self) -> Text:
        return "action_handle_hardship"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        budget = stated_budget(tracker)
        # "工资才两千 房租都交不起": the figures are evidence, not a budget.
        await record_means(tracker, account.account_id, stated_amounts(tracker), with_budget=False)
        await db(
            assessments.record_statement,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            kind="hardship",
            ability="none" if not budget else "partial",
            monthly_affordable=budget,
            hardship_reason=(tracker.latest_message.get("text") or "")[:500],
        )
        if budget is None:
            say(dispatcher, replies.HARDSHIP_ASK_BUDGET)
            return [SlotSet("suggested_plan", "none")]
        return await offer_for_budget(dispatcher, tracker, account, budget)


class ActionHandleIncome(CollectionAction):
    """What the cardholder can afford each month picks the plan
    (bot.core.policy.plan_for_budget); a new amount recomputes. A stated
    income or expense is recorded for the assessment and read back, and the
    question of the monthly budget asked again."""

    def name(self) -> Text:
        return "action_handle_income"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        stated = stated_amounts(tracker)
        budget = stated_means.latest_of(stated, stated_means.BUDGET)
        asked = [SlotSet("suggested_plan", "none"), SlotSet(OFFER_SLOT, None)]
        if not stated:
            say(dispatcher, replies.INCOME_ASK)
            return asked
        account = await current_account(tracker)
        await record_means(tracker, account.account_id, stated)
        if budget is None:
            # An income or an expense is not what they can pay: a salary put
            # to them as the monthly instalment would be far above it.
            say(dispatcher, means_noted(stated))
            return asked
        events = await offer_for_budget(dispatcher, tracker, account, budget)
        answered_otherwise = (tracker.latest_message.get("intent") or {}).get("name") != "inform_income"
        if answered_otherwise and SlotSet("suggested_plan", "installment") in events:
            # A bare figure after the budget question (bot/data/rules/forms.yml:
            # read as an ID or not understood): the rule that follows
            # inform_income with the installment form does not apply to it.
            events.append(FollowupAction("installment_form"))
        return events


class ActionAnswerHardshipOffer(CollectionAction):
    """The cardholder's answer to a personalised plan. A tap on its card (or
    a yes while the card is shown) opens the confirmation step with every
    figure; only the yes to that submits it (for a specialist to approve),
    and only if the account still gives exactly those figures. A tap on a
    plan that was not offered submits nothing."""

    def name(self) -> Text:
        return "action_answer_hardship_offer"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        reset = [SlotSet(OFFER_SLOT, None)]
        stored = tracker.get_slot(OFFER_SLOT)
        if (tracker.latest_message.get("intent") or {}).get("name") != "affirm" or not stored:
            say(dispatcher, replies.HARDSHIP_NOT_SUBMITTED)
            return reset
        confirmed = json.loads(stored)
        # An offer stored before the card had no stage: its figures were in the text.
        stage = confirmed.pop(plan_menu.OFFER_STAGE, plan_menu.STAGE_CONFIRM)
        named = plan_menu.named_term(tracker.latest_message.get("entities") or [])
        account = await current_account(tracker)
        if stage != plan_menu.STAGE_CONFIRM or named is not None:
            return self.confirmation_step(dispatcher, account, confirmed, named)
        # The plan, the assessment and the hand-over to the specialist in one
        # transaction (bot/services/booking.py), and only if the account
        # still gives exactly the figures the cardholder saw.
        result = await in_thread(
            bookings.submit_hardship_plan,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            confirmed=confirmed,
            today=clock.today(),
            config=settings().policy,
            handover=await handover_for(tracker, "hardship_plan", account.account_id),
        )
        if result.outcome == bookings.OFFER_CHANGED:
            say(dispatcher, replies.HARDSHIP_OFFER_CHANGED)
            return reset
        say(dispatcher, booking_reply(result))
        if result.outcome != bookings.BOOKED:
            # Nothing new submitted (the same plan earlier, or no account):
            # no new hand-over to wait for.
            return reset
        return reset + handed_over("hardship_plan")

    @staticmethod
    def confirmation_step(dispatcher, account, offered: Dict[str, Any], named: Optional[int]) -> List[EventType]:
        """The card was tapped (or a yes said to it): show every figure again
        from the account as it is now and ask for the yes that submits."""
        budget = Decimal(str(offered.get("budget")))
        q = policy.plan_for_budget(facts_of(account), budget, settings().policy).offer
        if q is None or offer_record(q, budget) != offered:
            say(dispatcher, replies.HARDSHIP_OFFER_CHANGED)
            return [SlotSet(OFFER_SLOT, None)]
        if named is not None and named != q.months:
            dispatcher.utter_message(text=replies.HARDSHIP_CARD_NOT_OFFERED, buttons=plan_menu.hardship_offer_menu(q))
            return [offer_slot(offered, plan_menu.STAGE_CARD)]
        dispatcher.utter_message(
            text=replies.HARDSHIP_CONFIRM.format(plan=plan_text(q)), buttons=plan_menu.hardship_confirm_menu()
        )
        return [offer_slot(offered, plan_menu.STAGE_CONFIRM)]


class ActionHandleRefusal(CollectionAction):
    """A first refusal gets calm facts and options; a second goes to a person."""

    def name(self) -> Text:
        return "action_handle_refusal"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        await db(
            assessments.record_statement,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            kind="refusal",
            willingness="unwilling",
        )
        if count_intent(tracker, "refuse_to_pay") >= 2:
            say(dispatcher, replies.ESCALATION["repeated_refusal"])
            return await escalate(tracker, "repeated_refusal", account.account_id)
        say(dispatcher, replies.REFUSAL_FIRST)
        return []
