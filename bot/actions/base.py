"""What every collection action shares: the database off the event loop,
the account behind the conversation, and the rule that after a hand-over
the bot stops talking about payment.
"""
from __future__ import annotations

import abc
import logging
from typing import Any, Callable, Dict, List, Optional, Text, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.core import replies
from bot.core.channels import VOICE
from bot.core.identity import IDENTITY_KEY, conversation_phone
from bot.core.safety.findings import CALLS_ONLY, SAFETY_KEY, THIRD_PARTY_ONLY
from bot.db import repository
from bot.db.session import run_in_thread
from bot.observability import metrics
from bot.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")


# Repository functions that only read: their units of work take no write
# lock on SQLite (bot/db/session.py), so a lookup never queues behind a booking.
READ_ONLY = frozenset({
    repository.get_account,
    repository.primary_account_for_phone,
    repository.verification_attempts,
    repository.find_cardholder_by_phone,
})


async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one unit of work in a worker thread.

    rasa-sdk runs actions on its event loop; a blocking SQL call there would
    stall every other conversation, so each unit of work gets a thread and
    its own session (commit on success, rollback on error).
    """

    result = await run_in_thread(fn, *args, read_only=fn in READ_ONLY, **kwargs)
    # Committed: count the arrangements booked and hand-overs opened (Prometheus).
    metrics.count_committed(fn, kwargs, result)
    return result


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


# Channels that vouch for an identity (a signed app token) and strip the key
# from anything a client sends. Rasa's REST channel passes client metadata
# through unchanged, so the key is ignored on any other channel even if an
# input filter in front of it (bot/rasa_server/http_limits.py) was not installed.
CHANNELS_VOUCHING_FOR_IDENTITY = frozenset({"webchat"})


def app_identity(tracker: Tracker) -> Optional[str]:
    """The account id the channel vouched for (signed app token), if any."""
    if tracker.get_latest_input_channel() not in CHANNELS_VOUCHING_FOR_IDENTITY:
        return None
    metadata = tracker.latest_message.get("metadata") or {}
    identity = metadata.get(IDENTITY_KEY) or {}
    account_id = identity.get("account_id") if isinstance(identity, dict) else None
    return str(account_id) if account_id else None


async def current_account(tracker: Tracker) -> Optional[repository.AccountView]:
    """The account this conversation is about (by the slot, else the
    conversation's phone: bot/core/identity.py)."""
    account_id = tracker.get_slot("account_id")
    today = clock.today()
    if account_id:
        return await db(repository.get_account, account_id, today)
    phone = conversation_phone(tracker.sender_id)
    return await db(repository.primary_account_for_phone, phone, today) if phone else None


def _net_found(tracker: Tracker, rule: str) -> bool:
    """Did the safety net mark the latest message with ``rule``?"""
    report = tracker.latest_message.get(SAFETY_KEY) or {}
    return rule in (report.get("rules") or [])


def calls_only(tracker: Tracker) -> bool:
    return _net_found(tracker, CALLS_ONLY)


def third_party_only(tracker: Tracker) -> bool:
    """"别打给我妈 有事找我": the family or the work not to be contacted, the cardholder asking to be."""
    return _net_found(tracker, THIRD_PARTY_ONLY)


async def honour_calls_only(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Record "no more calls" (a voice opt-out: bot/core/call_guard.py stops
    the calls) before whatever else the message asked is answered; said once.

    The opt-out is keyed as every opt-out the bot records: the conversation's
    phone, else the account's, else the conversation (as record_opt_out)."""
    if not calls_only(tracker):
        return
    phone = conversation_phone(tracker.sender_id)
    if phone is None and tracker.get_slot("account_id"):
        account = await current_account(tracker)
        phone = account.phone if account else None
    if await db(repository.record_new_opt_out, phone or tracker.sender_id, VOICE):
        say(dispatcher, replies.CALLS_STOPPED)


async def honour_calls_only_safely(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """honour_calls_only for the forms' validators, which have no busy reply
    of their own: a database failure is logged and the form goes on (the
    next turn that reaches an action records it)."""
    try:
        await honour_calls_only(dispatcher, tracker)
    except SQLAlchemyError:
        logger.exception("could not record a calls-only opt-out for %s", tracker.sender_id)


def say(dispatcher: CollectingDispatcher, text: str, buttons: Optional[list] = None, *, safety: bool = False) -> None:
    """One bot message; ``safety`` marks support for a life at risk (the
    crisis lines), which the SMS channel sends even to a number that opted
    out (replies.SAFETY_REPLY_KEY)."""
    extra = replies.as_safety_reply() if safety else {}
    if buttons:
        dispatcher.utter_message(
            text=text, buttons=[{"title": title, "payload": payload} for title, payload in buttons], **extra
        )
    else:
        dispatcher.utter_message(text=text, **extra)


class CollectionAction(Action, metaclass=abc.ABCMeta):
    """Base of the actions that talk about a verified cardholder's account.

    - a database failure gets a polite "try again" instead of a crash, and
      nothing half-done (the unit of work rolled back);
    - after an escalation the bot only says that a person will follow up.
    """

    #: Actions that must still act after a hand-over (opt-out, crisis …).
    runs_when_escalated = False
    #: Booking actions: (form, confirmation slot). When the database fails
    #: after the cardholder confirmed, the form is re-opened on its
    #: confirmation question (the confirmation itself cleared), so that "是的"
    #: sent again books, and a confirmation never lingers to book later terms
    #: unasked.
    retry_form: Optional[tuple] = None

    @abc.abstractmethod
    def name(self) -> Text:
        ...

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        try:
            # Before anything else, and after a hand-over too: a restriction
            # on contact is honoured whoever has the conversation.
            await honour_calls_only(dispatcher, tracker)
            if tracker.get_slot("escalated") and not self.runs_when_escalated:
                say(dispatcher, replies.HOLDING)
                return []
            return await self.act(dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("database error in %s for %s", self.name(), tracker.sender_id)
            say(dispatcher, replies.SYSTEM_BUSY)
            return self.events_after_failure(tracker)
        except Exception:
            # A tracker the code did not expect (an account that no longer
            # exists, slots from an old version): the cardholder gets a polite
            # answer, the log gets the trace, and nothing half-done is kept.
            logger.exception("unexpected error in %s for %s", self.name(), tracker.sender_id)
            say(dispatcher, replies.SYSTEM_BUSY)
            return self.events_after_failure(tracker)

    def events_after_failure(self, tracker: Tracker) -> List[EventType]:
        if self.retry_form is None:
            return []
        from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

        form, confirm_slot = self.retry_form
        if tracker.get_slot(confirm_slot) is not True:
            return []
        return [
            ActiveLoop(form),
            SlotSet(confirm_slot, None),
            SlotSet("requested_slot", confirm_slot),
            # End the turn here: no form run (and no second busy reply) now.
            FollowupAction("action_listen"),
        ]


def settings():
    return get_settings()
