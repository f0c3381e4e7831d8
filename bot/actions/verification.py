"""Right-party confirmation and identity verification.

Nothing about the debt may be said to anyone but the verified cardholder:
not the amount, not the product, not the word "overdue". Who is talking
decides what the form asks:

- a phone number (SMS, REST): "are you <masked name>?", then the last four
  characters of the ID card;
- a web visitor with a valid app token (checked by the channel, passed as
  `collectbot_identity` metadata): identified, nothing to ask;
- an anonymous web visitor: the phone number on file, then the ID digits.
  Whether that phone exists is never revealed: an unknown phone fails at
  the ID step exactly like a wrong answer does.

Three wrong answers lock the conversation and hand it to a person. Across
conversations, COLLECTBOT_VERIFY_PHONE_ATTEMPTS (5) wrong answers for one
phone within COLLECTBOT_VERIFY_PHONE_WINDOW_HOURS (24) pause verification for
that phone (``auth_state`` "rate_limited", a polite reply, no hand-over: an
attacker opening web chat after web chat must not fill the agents' queue),
for known and unknown phones alike.
"""
from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions.account import facts_message
from bot.actions.base import app_identity, db, say, settings
from bot.actions.handoff import escalate
from bot.core import replies
from bot.core.phone import is_e164, parse_phone
from bot.core.ratelimit import PhoneCheck, phone_verification_check
from bot.db import repository

# States in which the form has nothing left to ask.
FINAL_STATES = {"verified", "unknown_number", "third_party", "locked", "rate_limited"}
def is_phone_conversation(tracker: Tracker) -> bool:
    return is_e164(tracker.sender_id)


async def identify(tracker: Tracker) -> Dict[Text, Any]:
    """Slots that say who is talking, before anything is asked."""
    account_id = app_identity(tracker)
    if account_id:
        account = await db(repository.get_account, account_id, clock.today())
        if account is not None:
            return {"auth_state": "verified", "verified": True, "account_id": account.account_id}
    if tracker.get_slot("auth_state") is not None:
        return {}
    if not is_phone_conversation(tracker):
        return {"auth_state": "unverified"}
    account = await db(repository.primary_account_for_phone, tracker.sender_id, clock.today())
    if account is None:
        return {"auth_state": "unknown_number"}
    return {"auth_state": "unverified", "account_id": account.account_id}


def verifying_phone(tracker: Tracker) -> Optional[str]:
    """The phone whose identity is being checked: the conversation's own
    number, or the one a web chat visitor claimed."""
    if is_phone_conversation(tracker):
        return tracker.sender_id
    claimed = tracker.get_slot("claimed_phone")
    return parse_phone(str(claimed)) if claimed else None


async def phone_check(phone: str) -> PhoneCheck:
    cfg = settings()
    window = timedelta(hours=cfg.verification_phone_window_hours)
    now = clock.now()
    attempts = await db(repository.phone_verification_attempts, phone, now - window)
    return phone_verification_check(attempts, now, cfg.verification_phone_max_failures, window)


def wait_text(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes}分钟"
    return f"{-(-minutes // 60)}小时"


class ValidateVerifyForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_verify_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        identified = await identify(tracker)
        tracker.slots.update(identified)
        events = await super().run(dispatcher, tracker, domain)
        # Validation may change what identification set (auth_state →
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
        if not is_phone_conversation(tracker):
            return ["claimed_phone", "id_last4"]
        if tracker.get_slot("right_party") is False:
            # Still "required" so that validate_right_party runs on the
            # answer; being filled, it ends the form without asking more.
            return ["right_party"]
        return ["right_party", "id_last4"]

    def validate_right_party(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is False:
            return {"right_party": False, "auth_state": "third_party", "id_last4": None}
        return {"right_party": value}

    async def validate_claimed_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        phone = parse_phone(str(value or ""))
        if phone is None:
            say(dispatcher, replies.CLAIMED_PHONE_INVALID)
            return {"claimed_phone": None}
        account = await db(repository.primary_account_for_phone, phone, clock.today())
        # No hint either way: an unknown phone simply cannot pass the next step.
        return {"claimed_phone": phone, "account_id": account.account_id if account else None}

    async def validate_id_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"id_last4": None}
        phone = verifying_phone(tracker)
        if phone:
            check = await phone_check(phone)
            if check.blocked:
                minutes = check.retry_after_minutes(clock.now())
                say(dispatcher, replies.VERIFY_RATE_LIMITED.format(
                    wait=wait_text(minutes), hotline=settings().bank_hotline))
                return {"id_last4": None, "auth_state": "rate_limited"}
        account_id = tracker.get_slot("account_id")
        account = await db(repository.get_account, account_id, clock.today()) if account_id else None
        holder = await db(repository.find_cardholder_by_phone, account.phone) if account else None
        given = str(value).strip().upper()
        # Constant-time comparison: the answer is a secret.
        expected = (holder.id_last4 or "").upper() if holder else ""
        ok = bool(expected) and hmac.compare_digest(given, expected)
        claimed = phone if phone and not is_phone_conversation(tracker) else None

        def record(s) -> int:
            # One unit of work: the conversation's row and the claimed phone's.
            if claimed:
                repository.record_phone_verification(s, claimed, ok)
            return repository.record_verification(s, tracker.sender_id, account_id, ok)

        failures = await db(record)
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


class ActionAskClaimedPhone(Action):
    def name(self) -> Text:
        return "action_ask_claimed_phone"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.ASK_CLAIMED_PHONE.format(bank=settings().bank_name))
        return []


# Requests that start a booking form once the cardholder is verified.
FORM_FOR_OPENING_INTENT = {
    "request_installment": "installment_form",
    "request_deferral": "deferral_form",
    "promise_to_pay": "promise_form",
}


def opening_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the message that started the current verification."""
    started = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "verify_form":
            started = True
        elif started and event.get("event") == "user":
            return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return None


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
            # Identified by the bank's app (no question asked) or by answering.
            opening = "您好" if tracker.get_slot("id_last4") is None else "感谢您的确认"
            text, buttons = facts_message(
                account, greeting=f"{opening}，{repository.masked_name(account.name)}。"
            )
            say(dispatcher, text, buttons)
            # "我想分期" before verification: once verified, carry on with it
            # instead of making the cardholder ask again.
            form = FORM_FOR_OPENING_INTENT.get(opening_intent(tracker))
            return [FollowupAction(form)] if form else []
        if state == "rate_limited":
            return []  # validate_id_last4 has said when to try again
        if state == "locked":
            say(dispatcher, replies.LOCKED.format(hotline=cfg.bank_hotline))
            return await escalate(tracker, "verification_locked")
        if state == "third_party":
            say(dispatcher, replies.THIRD_PARTY.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
            return []
        say(dispatcher, replies.UNKNOWN_NUMBER.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
        return []
