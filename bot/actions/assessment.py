"""Learning the cardholder's situation: hardship, what they can afford,
and refusal. Each answer is stored as an assessment of willingness and
ability, and leads to the plan the account can actually get."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.actions.arrangements import facts_of
from bot.actions.base import CollectionAction, current_account, db, say, settings
from bot.actions.handoff import escalate
from bot.core import policy, replies
from bot.core.money import fmt_yuan
from bot.core.normalize import AmountRef, parse_amount
from bot.db import repository


def latest_amount(tracker: Tracker):
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "amount":
            value = parse_amount(str(entity.get("value")))
            if value is not None and not isinstance(value, AmountRef):
                return value
    return None


def count_intent(tracker: Tracker, intent: str) -> int:
    """How often the cardholder expressed `intent` in this session."""
    count = 0
    for event in tracker.events:
        if event.get("event") == "session_started":
            count = 0
        elif event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent:
            count += 1
    return count


class ActionHandleHardship(CollectionAction):
    def name(self) -> Text:
        return "action_handle_hardship"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        cfg = settings().policy
        await db(
            repository.record_assessment,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            ability="none",
            hardship_reason=(tracker.latest_message.get("text") or "")[:500],
        )
        offers = policy.offers_summary(facts_of(account), cfg)
        say(
            dispatcher,
            replies.HARDSHIP.format(
                offers="\n".join(f"· {o}" for o in offers), max_months=cfg.hardship_max_months
            ),
        )
        return []


class ActionHandleIncome(CollectionAction):
    """What the cardholder can afford each month picks the plan: the shortest
    standard installment that fits, else a hardship plan for approval."""

    def name(self) -> Text:
        return "action_handle_income"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        affordable = latest_amount(tracker)
        if affordable is None:
            say(dispatcher, replies.INCOME_ASK)
            return [SlotSet("suggested_plan", "none")]
        account = await current_account(tracker)
        cfg = settings().policy
        quote = policy.suggest_for_affordable(facts_of(account), affordable, cfg)
        await db(
            repository.record_assessment,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            ability="partial",
            monthly_affordable=affordable,
        )
        if not quote.needs_approval:
            say(
                dispatcher,
                replies.INCOME_INSTALLMENT.format(
                    affordable=fmt_yuan(affordable), months=quote.months, monthly=fmt_yuan(quote.monthly_payment)
                ),
            )
            return [SlotSet("suggested_plan", "installment"), SlotSet("installment_months", str(quote.months))]
        await db(
            repository.book_arrangement,
            account_id=account.account_id,
            kind="hardship_plan",
            status="pending_approval",
            idempotency_key=f"{tracker.sender_id}:hardship_plan:{quote.months}:{quote.principal}",
            conversation_id=tracker.sender_id,
            amount=quote.principal,
            months=quote.months,
            monthly_payment=quote.monthly_payment,
            total_fee=quote.total_fee,
            details={"monthly_affordable": str(affordable)},
        )
        say(
            dispatcher,
            replies.INCOME_HARDSHIP.format(
                affordable=fmt_yuan(affordable), months=quote.months, monthly=fmt_yuan(quote.monthly_payment)
            ),
        )
        return [SlotSet("suggested_plan", "hardship")] + await escalate(tracker, "hardship_plan", account.account_id)


class ActionHandleRefusal(CollectionAction):
    """A first refusal gets calm facts and options; a second goes to a person."""

    def name(self) -> Text:
        return "action_handle_refusal"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        await db(
            repository.record_assessment,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            willingness="unwilling",
        )
        if count_intent(tracker, "refuse_to_pay") >= 2:
            say(dispatcher, replies.ESCALATION["repeated_refusal"])
            return await escalate(tracker, "repeated_refusal", account.account_id)
        say(dispatcher, replies.REFUSAL_FIRST)
        return []
