"""Handing conversations to people, and the replies that must work for
anyone, verified or not: crisis support, opt-out, insults, a request for
a human, complaints, disputes and repeated misunderstanding.

None of these replies says anything about an account.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.assessment import count_intent
from bot.actions.base import CollectionAction, channel_of, db, logger, say, settings
from bot.actions.handoff import escalate
from bot.core import replies
from bot.db import repository

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
        if reason == "dispute_debt" and tracker.get_slot("account_id"):
            await db(
                repository.record_assessment,
                account_id=tracker.get_slot("account_id"),
                conversation_id=tracker.sender_id,
                willingness="disputes",
            )
        say(dispatcher, replies.ESCALATION[reason].format(hotline=settings().bank_hotline))
        return await escalate(tracker, reason)


class ActionHandleCrisis(Action):
    """Support first, always: the reply does not depend on the database being up."""

    def name(self) -> Text:
        return "action_handle_crisis"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, replies.CRISIS.format(crisis_hotline=settings().crisis_hotline))
        try:
            return await escalate(tracker, "crisis")
        except SQLAlchemyError:
            logger.exception("could not record crisis escalation for %s", tracker.sender_id)
            # Still stop all payment talk in this conversation.
            from rasa_sdk.events import SlotSet

            return [SlotSet("escalated", True)]


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
        channel = channel_of(tracker)
        await db(repository.record_opt_out, tracker.sender_id, channel)
        say(dispatcher, replies.OPT_OUT.format(channel_name=replies.CHANNEL_NAMES.get(channel, "该渠道")))
        return []


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
        return [FollowupAction("action_listen")]


def _previous_turn_was_fallback(tracker: Tracker) -> bool:
    """Was the bot's answer to the previous user message a fallback too?"""
    seen_current_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current_user:
                return False
            seen_current_user = True
        elif seen_current_user and event.get("event") == "action" and event.get("name") == "action_default_fallback":
            return True
    return False
