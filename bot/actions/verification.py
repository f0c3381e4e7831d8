"""Right-party confirmation and identity verification.

Nothing about the debt may be said to anyone but the verified cardholder:
not the amount, not the product, not the word "overdue". The form asks
"are you <masked name>?" and then for the last four characters of the ID
card; three wrong answers lock the conversation and hand it to a person.
"""
from __future__ import annotations

import hmac
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions.account import facts_message
from bot.actions.base import db, say, settings
from bot.actions.handoff import escalate
from bot.core import replies
from bot.db import repository

# States in which the form has nothing left to ask.
FINAL_STATES = {"verified", "unknown_number", "third_party", "locked"}


class ValidateVerifyForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_verify_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # Identify the caller before anything is asked: an unknown number
        # gets no question that would hint at an account.
        identified: Dict[Text, Any] = {}
        if tracker.get_slot("auth_state") is None:
            account = await db(
                repository.primary_account_for_phone, tracker.sender_id, clock.today()
            )
            if account is None:
                identified = {"auth_state": "unknown_number"}
            else:
                identified = {"auth_state": "unverified", "account_id": account.account_id}
            tracker.slots.update(identified)
        events = await super().run(dispatcher, tracker, domain)
        # Validation may change what identification set (e.g. auth_state →
        # verified): Rasa keeps the first SlotSet of a slot, so send one each.
        validated = {e["name"] for e in events if e.get("event") == "slot"}
        return [SlotSet(k, v) for k, v in identified.items() if k not in validated] + events

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("escalated") or tracker.get_slot("auth_state") in FINAL_STATES:
            return []
        if tracker.get_slot("right_party") is False:
            # Still "required" so that validate_right_party runs on the
            # answer; being filled, it ends the form without asking more.
            return ["right_party"]
        return domain_slots

    def validate_right_party(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is False:
            return {"right_party": False, "auth_state": "third_party", "id_last4": None}
        return {"right_party": value}

    async def validate_id_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        account_id = tracker.get_slot("account_id")
        if not account_id or value is None:
            return {"id_last4": None}
        account = await db(repository.get_account, account_id, clock.today())
        holder = await db(repository.find_cardholder_by_phone, account.phone) if account else None
        given = str(value).strip().upper()
        # Constant-time comparison: the answer is a secret.
        ok = holder is not None and hmac.compare_digest(given, (holder.id_last4 or "").upper())
        failures = await db(
            repository.record_verification, tracker.sender_id, account_id, ok
        )
        if ok:
            # Giving the right digits is claiming to be the cardholder.
            return {"id_last4": given, "right_party": True, "auth_state": "verified", "verified": True}
        left = settings().verification_max_attempts - failures
        if left <= 0:
            return {"id_last4": "locked", "auth_state": "locked"}
        say(dispatcher, replies.WRONG_ID.format(left=left))
        return {"id_last4": None}


class ActionAskRightParty(Action):
    def name(self) -> Text:
        return "action_ask_right_party"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        account_id = tracker.get_slot("account_id")
        account = await db(repository.get_account, account_id, clock.today()) if account_id else None
        masked = repository.masked_name(account.name) if account else "机主"
        say(dispatcher, replies.ASK_RIGHT_PARTY.format(bank=settings().bank_name, masked_name=masked))
        return []


class ActionVerificationResult(Action):
    """Says what the verification led to; only a verified cardholder hears figures."""

    def name(self) -> Text:
        return "action_verification_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        cfg = settings()
        state = tracker.get_slot("auth_state")
        if tracker.get_slot("escalated"):
            say(dispatcher, replies.HOLDING)
            return []
        if state == "verified" and tracker.get_slot("verified"):
            account = await db(repository.get_account, tracker.get_slot("account_id"), clock.today())
            text, buttons = facts_message(account, greeting=f"感谢您的确认，{repository.masked_name(account.name)}。")
            say(dispatcher, text, buttons)
            return []
        if state == "locked":
            say(dispatcher, replies.LOCKED.format(hotline=cfg.bank_hotline))
            return await escalate(tracker, "verification_locked")
        if state == "third_party":
            say(dispatcher, replies.THIRD_PARTY.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
            return []
        say(dispatcher, replies.UNKNOWN_NUMBER.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
        return []


class ActionAskIdLast4(Action):
    def name(self) -> Text:
        return "action_ask_id_last4"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.ASK_ID_LAST4)
        return []
