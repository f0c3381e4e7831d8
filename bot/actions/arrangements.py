"""Booking what the cardholder agrees to: a promise to pay, an installment
plan, a deferral, or a request for fee relief.

Each booking is a form: collect the terms, validate them against the
policy module (bot.core.policy), show the exact figures, and book only on
an explicit yes. Bookings carry an idempotency key built from the
conversation and the terms, so a confirmation processed twice books once.
"""
from __future__ import annotations

import abc
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions.account import fmt_date, payment_methods_text
from bot.actions.base import CollectionAction, channel_of, current_account, honour_calls_only_safely, say, settings
from bot.actions.segment import plans_in_order
from bot.core import booking, plan_menu, policy, replies, stated_means
from bot.core.money import fmt_yuan, to_money
from bot.core.normalize import (
    AmountRef,
    chinese_to_number,
    is_vague_duration,
    parse_amount,
    parse_date,
    parse_duration_days,
    parse_months,
)
from bot.db import repository
from bot.services import in_thread
from bot.services import booking as bookings
from bot.services.booking import facts_of  # noqa: F401 (the policy's view of an account)

# Arrangement kinds as the database names them → as the policy names them.
POLICY_KINDS = booking.POLICY_KINDS


def first(value: Any) -> Any:
    """Slots filled from entities become lists when a message has several."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def booking_key(tracker: Tracker, kind: str, *terms: Any) -> str:
    return booking.idempotency_key(tracker.sender_id, kind, *terms)


def refusal_text(result: bookings.BookingResult) -> str:
    """Why a booking was not made, as the cardholder reads it."""
    return replies.NOT_ELIGIBLE.format(reason=result.reason, alternative=result.alternative)


def booking_reply(result: bookings.BookingResult, refusal: Optional[str] = None) -> str:
    """What the cardholder is told after a booking use case."""
    if result.ok:
        return result.reply
    if result.outcome == bookings.NO_ACCOUNT:
        return replies.SYSTEM_BUSY
    return refusal if refusal is not None else refusal_text(result)


async def form_account(tracker: Tracker) -> Optional[repository.AccountView]:
    return await current_account(tracker)


class ArrangementFormValidation(FormValidationAction):
    """Common to the booking forms: nothing to ask once a person has taken over."""

    @abc.abstractmethod
    def name(self) -> Text:
        ...

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        # "别打电话 发短信就行 周五还八百" opens the promise form: the
        # calls stop before the form asks anything.
        await honour_calls_only_safely(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        if tracker.get_slot("escalated") or not tracker.get_slot("verified"):
            return []
        return domain_slots


# ---------------------------------------------------------------- promise


def resolve_amount(value: Any, account: repository.AccountView) -> Optional[Decimal]:
    parsed = parse_amount(str(first(value) or ""))
    if parsed == AmountRef.MINIMUM_DUE:
        return account.minimum_due
    if parsed == AmountRef.BALANCE:
        return account.balance
    return parsed


class ValidatePromiseForm(ArrangementFormValidation):
    def name(self) -> Text:
        return "validate_promise_form"

    async def extract_promise_amount(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        """"3000" alone in answer to "how much will you pay?": the NLU reads
        four digits as the ID's last four and gives no amount, so the form
        was rejected and the promise lost ("already verified")."""
        if tracker.get_slot("requested_slot") != "promise_amount":
            return {}
        message = tracker.latest_message or {}
        if any(e.get("entity") == "amount" for e in message.get("entities") or []):
            return {}  # the mapping has it
        bare = stated_means.bare_amount(message.get("text") or "")
        return {"promise_amount": bare[1]} if bare else {}

    async def validate_promise_amount(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        account = await form_account(tracker)
        amount = resolve_amount(value, account)
        if amount is None or amount <= 0:
            say(dispatcher, replies.PROMISE_AMOUNT_INVALID)
            return {"promise_amount": None}
        if amount > account.balance:
            amount = account.balance  # paying more than is owed is paying it all
        return {"promise_amount": str(to_money(amount))}

    async def validate_promise_date(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        pay_date = parse_date(str(first(value) or ""), clock.now())
        if pay_date is None:
            say(dispatcher, replies.PROMISE_DATE_INVALID)
            return {"promise_date": None}
        account = await form_account(tracker)
        amount = tracker.get_slot("promise_amount")
        check = policy.check_promise(
            facts_of(account),
            to_money(amount) if amount else account.minimum_due,
            pay_date,
            clock.today(),
            settings().policy,
        )
        if not check.ok:
            say(dispatcher, check.reason)
            return {"promise_date": None}
        return {"promise_date": pay_date.isoformat()}


class ActionAskPromiseAmount(Action):
    def name(self) -> Text:
        return "action_ask_promise_amount"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.ASK_PROMISE_AMOUNT)
        return []


class ActionAskPromiseDate(Action):
    def name(self) -> Text:
        return "action_ask_promise_date"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.ASK_PROMISE_DATE)
        return []


class ActionAskPromiseConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_promise_confirmed"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await form_account(tracker)
        amount = to_money(tracker.get_slot("promise_amount"))
        partial = (
            replies.PROMISE_PARTIAL_NOTE.format(minimum_due=fmt_yuan(account.minimum_due))
            if amount < account.minimum_due
            else ""
        )
        say(
            dispatcher,
            replies.PROMISE_CONFIRM.format(
                date=fmt_date(date.fromisoformat(tracker.get_slot("promise_date"))),
                amount=fmt_yuan(amount),
                partial=partial,
            ),
            [("是，确认", "/affirm"), ("不是，修改", "/deny")],
        )
        return []


PROMISE_SLOTS = ("promise_amount", "promise_date", "promise_confirmed")


class ActionBookPromise(CollectionAction):
    retry_form = ("promise_form", "promise_confirmed")

    def name(self) -> Text:
        return "action_book_promise"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        reset = [SlotSet(s, None) for s in PROMISE_SLOTS]
        if tracker.get_slot("promise_confirmed") is not True:
            say(dispatcher, replies.CANCELLED)
            return reset
        account = await current_account(tracker)
        amount = to_money(tracker.get_slot("promise_amount"))
        pay_date = date.fromisoformat(tracker.get_slot("promise_date"))
        # Checked again at booking (bot/services/booking.py): the form's
        # validation may not have run (an action server restarted mid-form)
        # or the account may have changed. One transaction: the promise and
        # the assessment it implies, or neither.
        result = await in_thread(
            bookings.book_promise,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            amount=amount,
            pay_date=pay_date,
            today=clock.today(),
            config=settings().policy,
            booked_by=booking.BY_BOT,
            payment_methods=settings().policy.payment_methods,
        )
        say(dispatcher, booking_reply(result, result.reason))
        return reset


# ------------------------------------------------------------ installment

_BARE_NUMBER = re.compile(r"^\D{0,4}?([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*(期|个月|月)?\D{0,4}$")


def months_from(value: Any) -> Optional[int]:
    text = str(first(value) or "").strip()
    months = parse_months(text)
    if months is None:
        match = _BARE_NUMBER.match(text)
        if match:
            number = chinese_to_number(match.group(1))
            months = int(number) if number is not None else None
    return months


class ValidateInstallmentForm(ArrangementFormValidation):
    def name(self) -> Text:
        return "validate_installment_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        if not slots:
            return slots
        account = await form_account(tracker)
        # Not eligible for any term: nothing to ask; the submit action says why.
        if not policy.installment_options(facts_of(account), settings().policy):
            return []
        return slots

    async def validate_installment_months(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        # The options shown, in their order: a numbered reply ("2", "２")
        # picks from them on a channel that showed numbers, and whatever
        # names a term must name one of them.
        offered = plan_menu.offered_terms(tracker.get_slot(INSTALLMENT_OFFER_SLOT))
        months = plan_menu.picked_term(offered, tracker.latest_message.get("text"), channel_of(tracker))
        if months is None:
            months = months_from(value)
        if months is None:
            say(dispatcher, replies.INSTALLMENT_TERM_INVALID)
            return {"installment_months": None}
        account = await form_account(tracker)
        decision = policy.check_installment(facts_of(account), months, settings().policy)
        if not decision.ok:
            say(dispatcher, replies.NOT_ELIGIBLE.format(reason=decision.reason, alternative=decision.alternative))
            return {"installment_months": None}
        if offered and months not in offered:
            say(dispatcher, replies.INSTALLMENT_NOT_OFFERED.format(terms="、".join(f"{m}期" for m in offered)))
            return {"installment_months": None}
        return {"installment_months": str(months)}


# The instalment terms offered, in the order shown (bot/core/plan_menu.py).
INSTALLMENT_OFFER_SLOT = "installment_offer"


def installment_menu(quotes: List[policy.InstallmentQuote]) -> List[Dict[str, Any]]:
    """One button per plan: a card with its figures in the web chat, a
    numbered line over SMS, "按N" on a call."""
    return [plan_menu.option_button(q) for q in quotes]


class ActionAskInstallmentMonths(Action):
    def name(self) -> Text:
        return "action_ask_installment_months"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await form_account(tracker)
        cfg = settings().policy
        # In the order the cardholder's segment gets (issue 13): longest first for a hardship treatment.
        quotes = await plans_in_order(account.account_id, policy.installment_options(facts_of(account), cfg))
        head = replies.INSTALLMENT_OPTIONS_HEAD.format(
            principal=fmt_yuan(account.balance), rate=f"{cfg.monthly_fee_rate * 100:.2f}%"
        )
        # The figures are on the options themselves, not a wall of text above them.
        dispatcher.utter_message(text=head + replies.INSTALLMENT_PICK, buttons=installment_menu(quotes))
        return [SlotSet(INSTALLMENT_OFFER_SLOT, plan_menu.offered_record(quotes))]


def current_quote(account: repository.AccountView, tracker: Tracker) -> policy.InstallmentQuote:
    return policy.installment_quote(
        account.balance, int(tracker.get_slot("installment_months")), settings().policy
    )


class ActionAskInstallmentConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_installment_confirmed"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await form_account(tracker)
        q = current_quote(account, tracker)
        last = (
            replies.INSTALLMENT_LAST.format(last_payment=fmt_yuan(q.last_payment))
            if q.last_payment != q.monthly_payment
            else ""
        )
        say(
            dispatcher,
            replies.INSTALLMENT_CONFIRM.format(
                principal=fmt_yuan(q.principal),
                months=q.months,
                monthly=fmt_yuan(q.monthly_payment),
                last=last,
                fee=fmt_yuan(q.total_fee),
                total=fmt_yuan(q.total_repayment),
            ),
            [("是，确认办理", "/affirm"), ("不用了", "/deny")],
        )
        return []


INSTALLMENT_SLOTS = ("installment_months", "installment_confirmed", "suggested_plan", INSTALLMENT_OFFER_SLOT)
# The first instalment falls due one statement cycle after booking.
FIRST_INSTALMENT_AFTER_DAYS = booking.FIRST_INSTALMENT_AFTER_DAYS


class ActionBookInstallment(CollectionAction):
    retry_form = ("installment_form", "installment_confirmed")

    def name(self) -> Text:
        return "action_book_installment"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        reset = [SlotSet(s, None) for s in INSTALLMENT_SLOTS]
        account = await current_account(tracker)
        cfg = settings().policy
        if tracker.get_slot("installment_months") is None:
            # The form asked nothing because no term is available: say why.
            smallest = min(cfg.installment_terms)
            decision = policy.check_installment(facts_of(account), smallest, cfg)
            say(dispatcher, replies.NOT_ELIGIBLE.format(reason=decision.reason, alternative=decision.alternative))
            return reset
        if tracker.get_slot("installment_confirmed") is not True:
            say(dispatcher, replies.CANCELLED)
            return reset
        result = await in_thread(
            bookings.book_installment,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            months=int(tracker.get_slot("installment_months")),
            today=clock.today(),
            config=cfg,
            booked_by=booking.BY_BOT,
        )
        say(dispatcher, booking_reply(result))
        return reset


# --------------------------------------------------------------- deferral


def days_from(value: Any, today: date) -> Optional[int]:
    text = str(first(value) or "")
    days = parse_duration_days(text)
    if days is None:
        target = parse_date(text, clock.now())
        if target is not None:
            days = (target - today).days
    return days


# Intents under which a length without a number ("过几天吧", "能不能缓缓")
# answers the deferral form's question. Under any other (a crisis, an
# opt-out, a complaint) the form must let go of the turn so that the
# intent's own rule runs: a form that takes the turn outranks every rule.
VAGUE_ANSWER_INTENTS = frozenset({"request_deferral", "promise_to_pay", "affirm", "out_of_scope", "nlu_fallback"})


# A count of days alone, the answer to the deferral form's "how long?".
_BARE_DAYS = re.compile(r"^\s*(\d{1,3})\s*[。.!！]*\s*$")


def vague_deferral(tracker: Tracker) -> bool:
    """Whether the latest message asks for time without saying how much."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    return intent in VAGUE_ANSWER_INTENTS and is_vague_duration(message.get("text") or "")


class ValidateDeferralForm(ArrangementFormValidation):
    def name(self) -> Text:
        return "validate_deferral_form"

    async def extract_deferral_days(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        """过几天 / 一段时间 / a few days: no entity fills the slot, and a
        turn in which nothing is set makes Rasa reject the form. An empty
        slot keeps the form on its question, which ActionAskDeferralDays
        then asks as "how long, at most N days" (no days are guessed)."""
        if tracker.get_slot("requested_slot") != "deferral_days":
            return {}
        days = _BARE_DAYS.match(unicodedata.normalize("NFKC", (tracker.latest_message or {}).get("text") or ""))
        if days:
            # "15" alone in answer to "how long? e.g. 15天": the NLU reads
            # digits alone as an ID's and gives no duration, so the form was
            # rejected and the request lost ("already verified").
            return {"deferral_days": f"{days.group(1)}天"}
        if not vague_deferral(tracker):
            return {}
        entities = tracker.latest_message.get("entities") or []
        if any(e.get("entity") in ("duration", "date") for e in entities):
            return {}  # the slot has a value to validate (过几天，发工资那天)
        return {"deferral_days": None}

    async def validate_deferral_days(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"deferral_days": None}  # a vague length (extract_deferral_days): asked again
        today = clock.today()
        days = days_from(value, today)
        if days is None:
            # 过几天，发工资那天: no length to read, but no nonsense either;
            # ActionAskDeferralDays asks how long.
            if not vague_deferral(tracker):
                say(dispatcher, replies.DEFERRAL_INVALID)
            return {"deferral_days": None}
        account = await form_account(tracker)
        decision = policy.check_deferral(facts_of(account), days, today, settings().policy)
        if not decision.ok:
            say(dispatcher, replies.NOT_ELIGIBLE.format(reason=decision.reason, alternative=decision.alternative))
            return {"deferral_days": None}
        return {"deferral_days": str(days)}


class ActionAskDeferralDays(Action):
    def name(self) -> Text:
        return "action_ask_deferral_days"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        # "过几天" gets "how long do you need", not the question it just answered.
        template = replies.DEFERRAL_VAGUE if vague_deferral(tracker) else replies.DEFERRAL_ASK
        say(dispatcher, template.format(max_days=settings().policy.max_deferral_days))
        return []


class ActionAskDeferralConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_deferral_confirmed"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        days = int(tracker.get_slot("deferral_days"))
        new_date = clock.today() + timedelta(days=days)
        say(
            dispatcher,
            replies.DEFERRAL_CONFIRM.format(new_date=fmt_date(new_date), days=days),
            [("是，确认", "/affirm"), ("不用了", "/deny")],
        )
        return []


DEFERRAL_SLOTS = ("deferral_days", "deferral_confirmed")


class ActionBookDeferral(CollectionAction):
    retry_form = ("deferral_form", "deferral_confirmed")

    def name(self) -> Text:
        return "action_book_deferral"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        reset = [SlotSet(s, None) for s in DEFERRAL_SLOTS]
        if tracker.get_slot("deferral_confirmed") is not True:
            say(dispatcher, replies.CANCELLED)
            return reset
        account = await current_account(tracker)
        result = await in_thread(
            bookings.book_deferral,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            days=int(tracker.get_slot("deferral_days")),
            today=clock.today(),
            config=settings().policy,
            booked_by=booking.BY_BOT,
        )
        say(dispatcher, booking_reply(result))
        return reset


# ------------------------------------------------------------- fee waiver


class ActionRequestFeeWaiver(CollectionAction):
    """Fee relief is never granted by the bot: it is recorded for a person to review."""

    def name(self) -> Text:
        return "action_request_fee_waiver"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        account = await current_account(tracker)
        result = await in_thread(
            bookings.request_fee_waiver,
            account_id=account.account_id,
            conversation_id=tracker.sender_id,
            text=tracker.latest_message.get("text") or "",
            today=clock.today(),
        )
        say(dispatcher, booking_reply(result))
        return []
