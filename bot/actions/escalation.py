"""Handing conversations to people, and the replies that must work for
anyone, verified or not: crisis support, opt-out, insults, a request for
a human, complaints, disputes and repeated misunderstanding.

None of these replies says anything about an account.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.actions.assessment import count_intent
from bot.actions.account import fmt_date, record_claim
from bot.actions.base import (
    CollectionAction,
    calls_only,
    channel_of,
    current_account,
    db,
    logger,
    say,
    settings,
    third_party_only,
)
from bot.actions.handoff import CRISIS_ACTION, conversation_summary, escalate
from bot.core import agent_tasks, booking, replies
from bot.core.safety import CERTAIN, MODEL_ONLY, OPT_OUT_TOO, POSSIBLE, SAFE, SAFETY_KEY, checkin_answer, says_promise
from bot.db import repository, tasks

INTENT_REASONS = {
    "request_human": "customer_request",
    "complain": "complaint",
    "dispute_debt": "dispute_debt",
}


class ActionEscalate(CollectionAction):
    """`request_human`, `complain`, `dispute_debt`: record and hand over."""

    runs_when_escalated = True

    def name(self) -> Text:
        return "action_escalate"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = INTENT_REASONS.get(intent, "customer_request")
        # A dispute of a verified cardholder is recorded with the hand-over,
        # in one transaction (bot/services/escalation.py).
        disputes = reason == "dispute_debt" and tracker.get_slot("account_id")
        summary = None
        if third_party_only(tracker):
            # "别打给我妈 有事找我": said back to the cardholder, and first in
            # the agent's queue, so that nobody calls the family or the work.
            say(dispatcher, replies.THIRD_PARTY_NOTED)
            summary = replies.THIRD_PARTY_NOTE_FOR_AGENTS + conversation_summary(tracker, reason)
        say(dispatcher, replies.ESCALATION[reason].format(hotline=settings().bank_hotline))
        return await escalate(
            tracker, reason, summary=summary,
            assessment=booking.Assessment(willingness="disputes") if disputes else None,
        )


async def crisis_support(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The hotline, then a person at top priority, whatever the database does."""
    say(dispatcher, replies.CRISIS.format(crisis_hotline=settings().crisis_hotline), safety=True)
    try:
        return await escalate(tracker, "crisis")
    except SQLAlchemyError:
        logger.exception("could not record crisis escalation for %s", tracker.sender_id)
        # Still stop all payment talk in this conversation.
        return [SlotSet("escalated", True)]


def crisis_tier(tracker: Tracker) -> str:
    """The safety net's tier for the latest message (bot/nlu/keyword_override.py).

    Without a report (a model from before the net's tiers, a /crisis
    payload) a crisis is certain, as it always was.
    """
    report = tracker.latest_message.get(SAFETY_KEY) or {}
    return report.get("tier") or CERTAIN


def checked_in_recently(tracker: Tracker, turns: int = 3) -> bool:
    """Did the bot check in (CRISIS_ACTION) in the last few turns?"""
    users = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users > turns:
                return False
        elif kind == "action" and users >= 1 and event.get("name") == CRISIS_ACTION:
            return True
    return False


class ActionHandleCrisis(Action):
    """Support first, always: the reply does not depend on the database being up.

    A possible crisis (an ambiguous sign: 活着好累, 撑不下去了, or the
    classifier's reading with no sign the safety net knows) gets a gentle
    check-in first: are you safe, the hotline, a person if they want one,
    nothing about money, and any form in progress is dropped so that its
    next question does not follow. A second sign soon after, an answer
    that they are not safe (ActionCrisisCheckinAnswer) or a certain crisis
    hands over at once; so does a possible one while a person already has
    the conversation (the paused-safety net has escalated it).
    """

    def name(self) -> Text:
        return CRISIS_ACTION

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if await record_opt_out_beside_crisis(tracker):
            say(dispatcher, replies.OPT_OUT_BESIDE_CRISIS.format(channel_name=channel_name(tracker)), safety=True)
        if crisis_tier(tracker) in (POSSIBLE, MODEL_ONLY) and not tracker.is_paused() and not checked_in_recently(tracker):
            say(dispatcher, replies.CRISIS_CHECKIN.format(crisis_hotline=settings().crisis_hotline), safety=True)
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        return await crisis_support(dispatcher, tracker)


class ActionCrisisCheckinAnswer(Action):
    """The answer to "您现在安全吗？" (rules in bot/data/rules/safety_checkin.yml).

    Safe, or a plain yes or thanks: the door stays open. Anything else (not
    safe, a plain no, a wish for a person, a goodbye, more signs of crisis,
    an answer it cannot read): the hotline and a person at top priority.
    """

    def name(self) -> Text:
        return "action_crisis_checkin_answer"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        answer = checkin_answer(tracker.latest_message.get("text") or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if answer == SAFE or (answer is None and intent in ("affirm", "thank")):
            say(dispatcher, replies.CRISIS_CHECKIN_SAFE.format(crisis_hotline=settings().crisis_hotline), safety=True)
            return []
        return await crisis_support(dispatcher, tracker)


async def record_opt_out_beside_crisis(tracker: Tracker) -> bool:
    """The opt-out said in the same words as a crisis ("别打了，人不在了").

    The crisis is answered; the opt-out the cardholder also asked for is
    recorded with it. True when it was new, so that the bot acknowledges it
    in one line: where the SMS channel's keywords caught it first, the
    channel has confirmed it already and nothing more is said. A database
    failure must not cost the crisis reply: it is logged and the support
    goes on.
    """
    report = tracker.latest_message.get(SAFETY_KEY) or {}
    if report.get("intent") != "crisis" or OPT_OUT_TOO not in (report.get("rules") or ()):
        return False
    try:
        return await db(repository.record_new_opt_out, tracker.sender_id, channel_of(tracker))
    except SQLAlchemyError:
        logger.exception("could not record the opt-out beside a crisis for %s", tracker.sender_id)
        return False


class ActionHandleInsult(CollectionAction):
    runs_when_escalated = True

    def name(self) -> Text:
        return "action_handle_insult"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        if tracker.get_slot("escalated"):
            say(dispatcher, replies.HOLDING)
            return []
        if count_intent(tracker, "insult") >= 2:
            say(dispatcher, replies.ESCALATION["abuse"])
            return await escalate(tracker, "abuse")
        say(dispatcher, replies.INSULT_FIRST)
        return []


class ActionOptOut(CollectionAction):
    """Honour an opt-out at once, for the channel it came on."""

    runs_when_escalated = True

    def name(self) -> Text:
        return "action_opt_out"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        if calls_only(tracker):
            # "别打电话了，有事发短信": calls only, recorded by run(); this
            # channel stays open. Already recorded before: say so again.
            if not dispatcher.messages:
                say(dispatcher, replies.CALLS_STOPPED)
            return []
        if possible_opt_out(tracker):
            # Only a guess (the risk detector's, an unsure classifier's, or
            # the net's "提醒就不用了"): a false opt-out would stop lawful
            # contact, a missed one breaks the law - so ask, once.
            say(dispatcher, replies.OPT_OUT_CONFIRM.format(channel_name=channel_name(tracker)),
                buttons=replies.OPT_OUT_CONFIRM_BUTTONS)
            return []
        return await record_opt_out(dispatcher, tracker)


class ActionOptOutAnswer(CollectionAction):
    """The yes or no after action_opt_out (bot/data/rules/opt_out_confirm.yml).

    After the "do you want no more reminders?" question a yes records the
    opt-out and a no keeps contact as it was; after an opt-out already
    recorded, a yes or no is only acknowledged (it must not undo anything).
    """

    runs_when_escalated = True

    def name(self) -> Text:
        return "action_opt_out_answer"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        if not asked_to_confirm_opt_out(tracker):
            say(dispatcher, replies.OPT_OUT_ANSWER_NOTED)
            return []
        if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
            return await record_opt_out(dispatcher, tracker)
        say(dispatcher, replies.OPT_OUT_KEPT)
        return []


def channel_name(tracker: Tracker) -> str:
    return replies.CHANNEL_NAMES.get(channel_of(tracker), "该渠道")


async def record_opt_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    await db(repository.record_opt_out, tracker.sender_id, channel_of(tracker))
    say(dispatcher, replies.OPT_OUT.format(channel_name=channel_name(tracker)))
    await record_what_came_beside_opt_out(dispatcher, tracker)
    return []


async def record_what_came_beside_opt_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The opt-out wins the turn; a payment or a promise said beside it is
    kept, not lost. Told back only to a verified cardholder: to anyone else
    it would confirm a debt.

    - "已经还了 别再发了": the payment the classifier heard is recorded as a
      claim for the agents' check, as action_check_payment records one.
    - "喝多了别烦我，明天醒了就还", "退订短信不等于不还，月底会还的": the promise
      becomes a task for a person (bot/core/agent_tasks.PROMISE_BESIDE_OPT_OUT)
      to check the payment by the date said. It is not booked: nobody
      confirmed an amount and a date, and the bot must not contact an
      opted-out cardholder to ask.

    ("不用再催了 已经还了", no need rather than don't, is no opt-out at all:
    bot/core/safety/optout.paid_no_need.)"""
    report = tracker.latest_message.get(SAFETY_KEY) or {}
    text = tracker.latest_message.get("text") or ""
    paid = report.get("model_intent") == "already_paid"
    promised = not paid and (report.get("model_intent") == "promise_to_pay" or says_promise(text))
    if not (paid or promised):
        return
    account = await current_account(tracker)
    if account is None:
        return
    if paid:
        check_by = await record_claim(tracker, account.account_id)
        if tracker.get_slot("verified"):
            say(dispatcher, replies.PAYMENT_CLAIM_BESIDE_OPT_OUT.format(check_by=fmt_date(check_by)))
        return
    amounts = [str(v) for v in tracker.get_latest_entity_values("amount")]
    dates = [str(v) for v in tracker.get_latest_entity_values("date")]
    await db(tasks.open_agent_task, account.account_id, agent_tasks.PROMISE_BESIDE_OPT_OUT,
             agent_tasks.promise_beside_opt_out(text, amounts, dates),
             agent_tasks.message_key(agent_tasks.PROMISE_BESIDE_OPT_OUT, tracker.sender_id, text, clock.today()))
    if tracker.get_slot("verified"):
        say(dispatcher, replies.PROMISE_BESIDE_OPT_OUT)


def possible_opt_out(tracker: Tracker) -> bool:
    """The net's report says this opt-out is a guess (bot/nlu/keyword_override.py)."""
    report = tracker.latest_message.get(SAFETY_KEY) or {}
    return report.get("intent") == "stop_contact" and report.get("tier") == POSSIBLE


def asked_to_confirm_opt_out(tracker: Tracker) -> bool:
    """Was the bot's last message before this one the opt-out question?"""
    question = replies.OPT_OUT_CONFIRM.split("{", 1)[0]
    said = [e for e in previous_turn(tracker) if e.get("event") == "bot"]
    return bool(said) and (said[-1].get("text") or "").startswith(question)


def previous_turn(tracker: Tracker) -> List[Dict[str, Any]]:
    """The events between the previous user message and the latest one."""
    events: List[Dict[str, Any]] = []
    seen_current_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current_user:
                break
            seen_current_user = True
        elif seen_current_user:
            events.append(event)
    return events[::-1]


class ActionDefaultFallback(CollectionAction):
    """Ask to rephrase once; after two misunderstandings in a row, a person."""

    runs_when_escalated = True

    def name(self) -> Text:
        return "action_default_fallback"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        # The turn ends here. Without it a core fallback (a message no rule
        # covers, e.g. a second 是的 after a booking) is predicted again and
        # again: Rasa's own fallback ends it with UserUtteranceReverted, and
        # the cardholder got ASK_REPHRASE ten times (tests/integration/test_scale_out.py).
        if tracker.get_slot("escalated"):
            say(dispatcher, replies.HOLDING)
            return [FollowupAction("action_listen")]
        if _previous_turn_was_fallback(tracker):
            say(dispatcher, replies.ESCALATION["fallback"])
            return await escalate(tracker, "fallback")
        say(dispatcher, replies.ASK_REPHRASE)
        return _revived_form(tracker) + [FollowupAction("action_listen")]


def _revived_form(tracker: Tracker) -> List[EventType]:
    """The form the misunderstood message was rejected by, active again.

    Rasa ignores a rejected form's requested slot in every later answer
    (ActionExtractSlots skips a mapping with conditions while the loop is
    rejected), so "你好" while "are you 王*?" was pending made the next "是的"
    a second misunderstanding, and the cardholder was handed to a person.
    Activating the form again clears the rejection; it stays on its question.
    """
    loop = tracker.active_loop or {}
    if loop.get("name") and loop.get("rejected"):
        return [ActiveLoop(loop["name"])]
    return []


def _previous_turn_was_fallback(tracker: Tracker) -> bool:
    """Was the bot's answer to the previous user message a fallback too?"""
    return any(e.get("event") == "action" and e.get("name") == "action_default_fallback"
               for e in previous_turn(tracker))
