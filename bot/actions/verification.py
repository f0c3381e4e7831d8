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

Wrong answers slow further tries down instead of locking anyone out
(issue 16; the rule is ``bot.core.ratelimit.backoff_check``): after
COLLECTBOT_VERIFY_ATTEMPTS (3) wrong answers in a conversation, each next
try waits 5, 10, 20 … minutes (at most 4 hours), and failures older than
COLLECTBOT_VERIFY_PHONE_WINDOW_HOURS (24) or before a success are forgotten.
A phone number claimed where the carrier did not vouch for it (anonymous web
chat, the REST channel) is counted across those conversations too, with
COLLECTBOT_VERIFY_PHONE_ATTEMPTS (5) free failures, for known and unknown
numbers alike. The cardholder's own SMS conversation counts only its own
answers, so strangers claiming the number elsewhere never block it; when it
reaches its limit a person is given a follow-up task, but the conversation is
not paused. Nothing here opens an agent-queue item: an attacker opening
conversation after conversation must not fill the agents' queue.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions.account import facts_message, payment_methods_text
from bot.actions.segment import facts_in_order
from bot.actions.base import app_identity, db, honour_calls_only_safely, say, settings
from bot.core import replies
from bot.core.identity import conversation_phone, is_carrier_verified
from bot.core.masking import masked_name
from bot.core.normalize import id_digits_answer, parse_id_last4
from bot.core.phone import parse_phone
from bot.core.ratelimit import Backoff, VerifyCheck, backoff_check
from bot.db import assessments, repository, tasks

# States in which the form has nothing left to ask.
FINAL_STATES = {"verified", "unknown_number", "third_party", "locked", "rate_limited"}


def is_phone_conversation(tracker: Tracker) -> bool:
    return conversation_phone(tracker.sender_id) is not None


async def identify(tracker: Tracker) -> Dict[Text, Any]:
    """Slots that say who is talking, before anything is asked."""
    account_id = app_identity(tracker)
    if account_id:
        account = await db(repository.get_account, account_id, clock.today())
        if account is not None:
            if not tracker.get_slot("verified"):
                # The app vouched for the cardholder: a verified identity (a
                # right-party contact in bot/reports/kpi.py), recorded once.
                await db(assessments.record_verification, tracker.sender_id, account.account_id, True)
            return {"auth_state": "verified", "verified": True, "account_id": account.account_id}
    state = tracker.get_slot("auth_state")
    # "locked" is what conversations stored before the back-off reached.
    if state in ("rate_limited", "locked") and not (await verification_block(tracker)).blocked:
        # The wait is over: ask again, from the question that was cut short.
        return {"auth_state": "unverified", "id_last4": None}
    if state is not None:
        return {}
    phone = conversation_phone(tracker.sender_id)
    if phone is None:
        return {"auth_state": "unverified"}
    account = await db(repository.primary_account_for_phone, phone, clock.today())
    if account is None:
        return {"auth_state": "unknown_number"}
    return {"auth_state": "unverified", "account_id": account.account_id}


def verifying_phone(tracker: Tracker) -> Optional[str]:
    """The phone whose identity is being checked: the conversation's own
    number, or the one a web chat visitor claimed."""
    phone = conversation_phone(tracker.sender_id)
    if phone:
        return phone
    claimed = tracker.get_slot("claimed_phone")
    return parse_phone(str(claimed)) if claimed else None


def claimed_phone(tracker: Tracker) -> Optional[str]:
    """The phone whose answers also count under the phone's own subject: any
    number the carrier did not vouch for in this conversation."""
    phone = verifying_phone(tracker)
    return phone if phone and not is_carrier_verified(tracker.sender_id) else None


@dataclass
class VerificationHistory:
    """The answers counted for this conversation, per subject, and the
    back-off rule of each (the conversation; a claimed phone)."""

    rules: Dict[str, Backoff]
    attempts: Dict[str, List[Tuple[datetime, bool]]]

    def block(self, now: datetime) -> VerifyCheck:
        """The back-off in force for the next answer (the longest wait wins)."""
        checks = [backoff_check(self.attempts[subject], now, rule) for subject, rule in self.rules.items()]
        blocked = [c for c in checks if c.blocked]
        return max(blocked, key=lambda c: c.retry_at) if blocked else checks[0]

    def add(self, when: datetime, ok: bool) -> None:
        """An answer just recorded (repository.record_verification), counted
        without reading the database again."""
        for subject in self.rules:
            self.attempts[subject].append((when, ok))


async def verification_history(tracker: Tracker) -> VerificationHistory:
    cfg = settings()
    window = timedelta(hours=cfg.verification_phone_window_hours)
    rules = {tracker.sender_id: Backoff(cfg.verification_max_attempts, window)}
    phone = claimed_phone(tracker)
    if phone:
        rules[repository.claimed_phone_subject(phone)] = Backoff(cfg.verification_phone_max_failures, window)
    attempts = await db(repository.verification_attempts, list(rules), clock.now() - window)
    return VerificationHistory(rules, attempts)


async def verification_block(tracker: Tracker) -> VerifyCheck:
    """The back-off in force for the next answer in this conversation."""
    return (await verification_history(tracker)).block(clock.now())


def wait_text(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes}分钟"
    return f"{-(-minutes // 60)}小时"


def verify_task(tracker: Tracker) -> Optional[str]:
    """What the bot will do once verified for the request in the latest
    message ("为您查询" for "我欠了多少钱"), or None when it is no request."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return replies.VERIFY_TASKS.get(intent)


# A phrase every wording of each verification question has (first ask,
# with an acknowledged request, asked again): the greeting is said once.
QUESTION_MARKS = {"right_party": "本人吗", "claimed_phone": "在本行预留的"}


def asked_before(tracker: Tracker, slot: str) -> bool:
    """Whether the bot already asked for ``slot`` in this session. A form
    runs its ask action itself (no ``action`` event), and it has set
    ``requested_slot`` before the first ask too: what was said shows it."""
    mark = QUESTION_MARKS[slot]
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "bot" and mark in (event.get("text") or ""):
            return True
    return False


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
        events = [SlotSet(k, v) for k, v in identified.items() if k not in validated] + events
        events += self.acknowledge_request(dispatcher, tracker, events)
        # After the acknowledgement, which speaks only when nothing else was said.
        await honour_calls_only_safely(dispatcher, tracker)
        return events

    @staticmethod
    def acknowledge_request(
        dispatcher: CollectingDispatcher, tracker: Tracker, events: List[EventType]
    ) -> List[EventType]:
        """A request in the middle of the verification ("我欠了多少钱" when
        asked for the ID digits): say it will be handled once verified, and
        keep the form on its question (it asks again, without a second
        greeting) instead of leaving the form for another rule. Nothing
        about the account is said."""
        task = verify_task(tracker)
        requested = tracker.get_slot("requested_slot")
        if task is None or requested is None or dispatcher.messages:
            return []  # no request, the form is only starting, or validation has spoken
        slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
        if slots.get(requested) is not None or slots.get("auth_state") in FINAL_STATES:
            return []
        say(dispatcher, replies.VERIFY_PENDING.format(task=task))
        # A slot event keeps Rasa's form from rejecting the turn.
        return [SlotSet("auth_state", slots.get("auth_state", tracker.get_slot("auth_state")))]

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

    async def extract_id_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The answer to the ID question when the extractor read its digits
        as an amount ("5321 这下可以了吧"): only while that question is open,
        and only when no id_last4 entity came with the message."""
        if tracker.get_slot("requested_slot") != "id_last4":
            return {}
        if any(e.get("entity") == "id_last4" for e in tracker.latest_message.get("entities") or []):
            return {}
        digits = id_digits_answer(tracker.latest_message.get("text") or "")
        return {"id_last4": digits} if digits else {}

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
            task = verify_task(tracker)
            # A request typed where the phone was asked: acknowledged, not
            # "没能识别手机号码" (the form then asks for the phone again).
            say(dispatcher, replies.VERIFY_PENDING.format(task=task) if task else replies.CLAIMED_PHONE_INVALID)
            return {"claimed_phone": None}
        account = await db(repository.primary_account_for_phone, phone, clock.today())
        # No hint either way: an unknown phone simply cannot pass the next step.
        return {"claimed_phone": phone, "account_id": account.account_id if account else None}

    async def validate_id_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"id_last4": None}
        history = await verification_history(tracker)
        now = clock.now()
        block = history.block(now)
        if block.blocked:
            # Not even the right digits are checked while the wait lasts.
            return self.backed_off(dispatcher, tracker, block)
        account_id = tracker.get_slot("account_id")
        account = await db(repository.get_account, account_id, clock.today()) if account_id else None
        holder = await db(repository.find_cardholder_by_phone, account.phone) if account else None
        # As stored: １２３ｘ, 123x and 一九八三 are 123X, 123X and 1983.
        given = parse_id_last4(str(value)) or str(value).strip().upper()
        # Constant-time comparison: the answer is a secret.
        expected = (holder.id_last4 or "").upper() if holder else ""
        ok = bool(expected) and hmac.compare_digest(given, expected)
        await db(assessments.record_verification, tracker.sender_id, account_id, ok, claimed_phone=claimed_phone(tracker))
        if ok:
            # Giving the right digits is claiming to be the cardholder.
            return {"id_last4": given, "right_party": True, "auth_state": "verified", "verified": True}
        history.add(now, ok)
        block = history.block(now)
        if block.blocked:
            if is_carrier_verified(tracker.sender_id) and account_id:
                await self.follow_up(tracker, account_id, block)
            return self.backed_off(dispatcher, tracker, block)
        # After a wait only one answer is left before the next, longer wait.
        left = max(1, settings().verification_max_attempts - block.failures)
        say(dispatcher, replies.WRONG_ID.format(left=left))
        return {"id_last4": None}

    def backed_off(self, dispatcher: CollectingDispatcher, tracker: Tracker, block: VerifyCheck) -> Dict[Text, Any]:
        cfg = settings()
        wait = wait_text(block.retry_after_minutes(clock.now()))
        if claimed_phone(tracker) and block.failures >= cfg.verification_phone_max_failures:
            text = replies.VERIFY_RATE_LIMITED.format(wait=wait, hotline=cfg.bank_hotline)
        else:
            text = replies.VERIFY_BACKOFF.format(wait=wait, hotline=cfg.bank_hotline)
        if is_carrier_verified(tracker.sender_id) and tracker.get_slot("account_id"):
            text += replies.VERIFY_BACKOFF_FOLLOW_UP
        say(dispatcher, text)
        return {"id_last4": None, "auth_state": "rate_limited"}

    @staticmethod
    async def follow_up(tracker: Tracker, account_id: str, block: VerifyCheck) -> None:
        """A person calls the cardholder back; the conversation is not paused."""
        day = clock.today().isoformat()
        await db(
            tasks.open_agent_task, account_id, "verification_help",
            f"持卡人在短信中身份验证多次未通过（{block.failures}次），请核实身份后协助。",
            f"verification_help:{tracker.sender_id}:{day}",
        )


class ActionAskRightParty(Action):
    def name(self) -> Text:
        return "action_ask_right_party"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        account_id = tracker.get_slot("account_id")
        account = await db(repository.get_account, account_id, clock.today()) if account_id else None
        masked = masked_name(account.name) if account else "机主"
        bank = settings().bank_name
        if asked_before(tracker, "right_party"):
            text = replies.ASK_RIGHT_PARTY_AGAIN.format(masked_name=masked)
        elif verify_task(tracker):
            text = replies.ASK_RIGHT_PARTY_FOR.format(
                bank=bank, masked_name=masked, verify_first=replies.VERIFY_FIRST.format(task=verify_task(tracker))
            )
        else:
            text = replies.ASK_RIGHT_PARTY.format(bank=bank, masked_name=masked)
        say(dispatcher, text)
        return []


class ActionAskClaimedPhone(Action):
    def name(self) -> Text:
        return "action_ask_claimed_phone"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        bank = settings().bank_name
        if asked_before(tracker, "claimed_phone"):
            text = replies.ASK_CLAIMED_PHONE_AGAIN
        elif verify_task(tracker):
            text = replies.ASK_CLAIMED_PHONE_FOR.format(
                bank=bank, verify_first=replies.VERIFY_FIRST.format(task=verify_task(tracker))
            )
        else:
            text = replies.ASK_CLAIMED_PHONE.format(bank=bank)
        say(dispatcher, text)
        return []


# Questions answered right after the facts once the cardholder is verified.
ANSWER_AFTER_VERIFICATION = {
    "ask_payment_method": lambda cfg: replies.PAYMENT_METHODS.format(methods=payment_methods_text()),
    "ask_consequences": lambda cfg: replies.CONSEQUENCES,
}

# Requests that start a booking form once the cardholder is verified.
FORM_FOR_OPENING_INTENT = {
    "request_installment": "installment_form",
    "request_deferral": "deferral_form",
    "promise_to_pay": "promise_form",
}


def pending_request(tracker: Tracker) -> Optional[str]:
    """The latest request made during the current verification, its opening
    message included ("我想分期", then "我欠了多少钱" while asked for the
    ID digits: the balance); None when nothing was asked."""
    started = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in replies.VERIFY_TASKS:
                return intent
            if started:
                return None  # the message that opened the verification asked nothing
        elif kind == "active_loop" and event.get("name") == "verify_form":
            started = True
    return None


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
            if account is None:
                # Verified for an account that is not on file (closed since,
                # or a forged call): say nothing about any debt.
                say(dispatcher, replies.SYSTEM_BUSY)
                return []
            # Identified by the bank's app (no question asked) or by answering.
            opening = "您好" if tracker.get_slot("id_last4") is None else "感谢您的确认"
            text, buttons = await facts_in_order(account.account_id, facts_message(
                account, greeting=f"{opening}，{masked_name(account.name)}。"
            ))
            say(dispatcher, text, buttons)
            # "我想分期" (or "还款方式是什么") before verification: once
            # verified, carry on with it instead of making the cardholder
            # ask again. The facts above answer "我欠了多少钱".
            request = pending_request(tracker)
            if request in ANSWER_AFTER_VERIFICATION:
                say(dispatcher, ANSWER_AFTER_VERIFICATION[request](cfg))
            form = FORM_FOR_OPENING_INTENT.get(request)
            return [FollowupAction(form)] if form else []
        if state == "rate_limited":
            return []  # validate_id_last4 has said when to try again
        if state == "third_party":
            say(dispatcher, replies.THIRD_PARTY.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
            return []
        say(dispatcher, replies.UNKNOWN_NUMBER.format(bank=cfg.bank_name, hotline=cfg.bank_hotline))
        return []
