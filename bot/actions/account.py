"""Telling a verified cardholder the facts of the account: what is owed,
how to pay, what overdue means, and whether a payment has arrived."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.actions.base import CollectionAction, current_account, db, say, settings
from bot.actions.segment import facts_in_order
from bot.core import replies
from bot.core.money import fmt_yuan
from bot.core.normalize import AmountRef, parse_amount
from bot.db import repository

# How long a payment takes to reach the account, and so when a claimed
# payment that we cannot see yet is checked again.
CLAIM_CHECK_DAYS = 3
# How far back a payment counts as "the one you just made".
RECENT_PAYMENT_DAYS = 45


def fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def facts_message(account: repository.AccountView, greeting: str = "") -> Tuple[str, list]:
    overdue = (
        replies.OVERDUE_DAYS.format(days=account.days_past_due)
        if account.days_past_due > 0
        else replies.NOT_OVERDUE
    )
    text = replies.FACTS.format(
        greeting=greeting,
        card_last4=account.card_last4,
        balance=fmt_yuan(account.balance),
        minimum_due=fmt_yuan(account.minimum_due),
        due_date=fmt_date(account.due_date),
        overdue=overdue,
    )
    return text + replies.FACTS_QUESTION, list(replies.FACTS_BUTTONS)


def payment_methods_text() -> str:
    methods = settings().policy.payment_methods
    return "\n".join(f"{i}. {m}" for i, m in enumerate(methods, 1))


class ActionStateBalance(CollectionAction):
    def name(self) -> Text:
        return "action_state_balance"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        account = await current_account(tracker)
        text, buttons = await facts_in_order(account.account_id, facts_message(account))
        say(dispatcher, text, buttons)
        return []


class ActionPaymentMethods(CollectionAction):
    def name(self) -> Text:
        return "action_payment_methods"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.PAYMENT_METHODS.format(methods=payment_methods_text()))
        return []


class ActionConsequences(CollectionAction):
    def name(self) -> Text:
        return "action_consequences"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.CONSEQUENCES)
        return []


class ActionCheckPayment(CollectionAction):
    """`already_paid`: look for the payment; if it is not there yet, record
    the claim and say by when it will be checked."""

    def name(self) -> Text:
        return "action_check_payment"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        today = clock.today()
        payments = await db(
            repository.payments_since, account.account_id, today - timedelta(days=RECENT_PAYMENT_DAYS)
        )
        if payments:
            latest = max(payments, key=lambda p: p.paid_at)
            paid_on = latest.paid_at.date() if hasattr(latest.paid_at, "date") else latest.paid_at
            say(dispatcher, replies.PAYMENT_FOUND.format(date=fmt_date(paid_on), amount=fmt_yuan(latest.amount)))
            return []
        check_by = await record_claim(tracker, account.account_id)
        say(dispatcher, replies.PAYMENT_NOT_FOUND.format(check_by=fmt_date(check_by)))
        return []


async def record_claim(tracker: Tracker, account_id: str) -> date:
    """The latest message recorded as a payment claim, to be checked by the date returned."""
    check_by = clock.today() + timedelta(days=CLAIM_CHECK_DAYS)
    await db(
        repository.record_payment_claim,
        account_id=account_id,
        conversation_id=tracker.sender_id,
        text=(tracker.latest_message.get("text") or "")[:500],
        amount=_claimed_amount(tracker),
        check_by=check_by,
    )
    return check_by


def _claimed_amount(tracker: Tracker) -> Optional[Any]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "amount":
            value = parse_amount(str(entity.get("value")))
            if value is not None and not isinstance(value, AmountRef):
                return value
    return None
