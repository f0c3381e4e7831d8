"""Handing a conversation to a person and back.

`escalate` is the one way to open an escalation: one record per
conversation and reason, with a priority and a summary an agent can act on.
It also

- tells the cardholder when a person will answer (within the SLA during
  staffed hours, otherwise when the desk opens: bot/core/staffing.py);
- sets the `escalated` slot (the bot stops pushing for payment) and pauses
  the conversation (``ConversationPaused``): from then on Rasa still
  understands and records every message (the agent console shows them as
  they arrive) but the bot no longer answers on its own.

While a person has the conversation the agent console (console/) drives it
through Rasa's HTTP API with the actions below:

- ``action_relay_agent_message``: the agent's reply, put in the
  `agent_message` slot by the console, sent on the cardholder's own channel;
- ``action_hand_back``: resume the bot, `escalated` false, and say so.

Two safety nets hold while the conversation is paused:

- ``action_paused_safety`` runs from the `paused_safety` slot mapping on
  crisis and opt-out messages only (Rasa extracts slots before it looks at
  the pause): it records the opt-out or a top-priority crisis escalation at
  once, and has the usual reply (``action_opt_out``/``action_handle_crisis``)
  sent through Rasa's HTTP API right after the message is processed;
- ``action_session_start`` keeps a paused conversation paused when the
  session expires (Rasa's own session start resets the pause, so a
  cardholder writing back after an hour would get the bot again, and an
  agent's reply after an hour would unpause it).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.actions.base import app_identity, channel_of, db, settings
from bot.core import booking, clicks, guard, handover, replies
from bot.core import escalation as escalation_vocabulary
from bot.core.compliance import find_forbidden
from bot.core.identity import conversation_phone
from bot.core.staffing import handoff_eta
from bot.db import repository
from bot.rasa_client import RasaClient, RasaError
from bot.services import escalation as escalations
from bot.services import in_thread

logger = logging.getLogger(__name__)

# Reasons, priorities (0 = a person at risk first) and their labels: bot/core/escalation.py.
PRIORITY = escalation_vocabulary.PRIORITY
REASON_LABELS = escalation_vocabulary.REASON_LABELS

AGENT_MESSAGE_SLOT = "agent_message"
# The crisis handling's action (bot/actions/escalation.py, which imports this
# module): named here so the hand-back and the crisis-conversation test use
# the same name as the action itself.
CRISIS_ACTION = "action_handle_crisis"


def conversation_summary(tracker: Tracker, reason: str, limit: int = 3) -> str:
    """The reason plus the cardholder's last few messages, for the agent queue
    (a click as its button's title, a forged payload marked: bot/core/clicks.py)."""
    texts = clicks.user_texts_shown(tracker.events)[-limit:]
    quoted = " / ".join(t[:200] for t in texts)
    return f"{REASON_LABELS.get(reason, reason)}：{quoted}" if quoted else REASON_LABELS.get(reason, reason)


async def _account_for(tracker: Tracker) -> Optional[str]:
    """The account behind the conversation, verified or not (for the agent's eyes only)."""
    today = clock.today()
    identified = app_identity(tracker)
    if identified:
        account = await db(repository.get_account, identified, today)
        if account is not None:
            return account.account_id
    phone = conversation_phone(tracker.sender_id)
    account = await db(repository.primary_account_for_phone, phone, today) if phone else None
    return account.account_id if account else None


def eta_text(reason: str = "") -> str:
    cfg = settings()
    hotline = cfg.crisis_hotline if reason == "crisis" else ""
    return handoff_eta(clock.now(), cfg.staffed_hours, cfg.handoff_sla_minutes, crisis_hotline=hotline)


async def handover_for(
    tracker: Tracker, reason: str, account_id: Optional[str] = None, summary: Optional[str] = None
) -> escalations.Handover:
    """The hand-over this conversation asks for (plain values for the use case)."""
    account_id = account_id or tracker.get_slot("account_id")
    if account_id is None:
        # Escalations before verification (crisis, complaint …) still belong
        # on the account behind the phone (or the app token), for the agent's eyes only.
        account_id = await _account_for(tracker)
    return escalations.Handover(
        conversation_id=tracker.sender_id,
        account_id=account_id,
        channel=channel_of(tracker),
        reason=reason,
        summary=summary or conversation_summary(tracker, reason),
    )


def handed_over(reason: str) -> List[EventType]:
    """What follows a hand-over in the conversation.

    Returned as events (not through the dispatcher) so every caller's own
    reply comes first and this line follows it. The line is tagged
    ``queued`` (bot/core/handover.py): the web chat shows the cardholder
    they are waiting for a person, and stops its typing dots."""
    metadata = handover.state_metadata(handover.QUEUED)
    if reason == "crisis":
        # When a person will answer is part of the crisis support: sent on
        # SMS even after an opt-out (replies.SAFETY_REPLY_KEY).
        metadata = replies.as_safety_reply(metadata)
    return [
        SlotSet("escalated", True),
        BotUttered(text=eta_text(reason), metadata=metadata),
        ConversationPaused(),
    ]


async def escalate(
    tracker: Tracker,
    reason: str,
    account_id: Optional[str] = None,
    summary: Optional[str] = None,
    assessment: Optional[booking.Assessment] = None,
) -> List[EventType]:
    """Open the hand-over (bot/services/escalation.py; with ``assessment``
    recorded in the same transaction) and pause the conversation."""
    handover = await handover_for(tracker, reason, account_id, summary)
    await in_thread(escalations.open_escalation, handover, assessment=assessment)
    return handed_over(reason)


# --------------------------------------------------------------------------
# Driven by the agent console through Rasa's HTTP API (POST .../execute)
# --------------------------------------------------------------------------


class ActionRelayAgentMessage(Action):
    """Send the agent's reply (slot `agent_message`) on the cardholder's channel.

    The slot holds the text with the agent's display name and whether it is
    a reply or a join/leave notice (bot/core/handover.py; the console reads
    the name from its own user record); the message is tagged with the
    agent's name so the web chat shows who is writing.

    The console checked the text with bot.core.guard before setting the
    slot; the forbidden-wording check is repeated here because this is the
    last step before the cardholder reads it.
    """

    def name(self) -> Text:
        return "action_relay_agent_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        message = handover.decode_agent_message(tracker.get_slot(AGENT_MESSAGE_SLOT))
        text = message.text
        if not text:
            return []
        forbidden = find_forbidden(text)
        if forbidden:
            logger.error("agent message for %s refused: forbidden wording %s", tracker.sender_id, forbidden)
            return [SlotSet(AGENT_MESSAGE_SLOT, None)]
        # The console already appended the SMS opt-out line; whoever set the
        # slot, an SMS never leaves without it (and never with it twice).
        metadata = handover.message_for(message)
        if crisis_in_conversation(tracker):
            # The person the crisis was handed to: their words reach the
            # cardholder on SMS even after an opt-out said with the crisis.
            metadata = replies.as_safety_reply(metadata)
        dispatcher.utter_message(text=guard.as_sent(text, channel_of(tracker)), **metadata)
        return [SlotSet(AGENT_MESSAGE_SLOT, None)]


def crisis_in_conversation(tracker: Tracker) -> bool:
    """Did this conversation reach the crisis handling (CRISIS_ACTION)?"""
    return any(e.get("event") == "action" and e.get("name") == CRISIS_ACTION for e in tracker.events)


class ActionHandBack(Action):
    """The agent is done: the assistant answers again, with the context it had."""

    def name(self) -> Text:
        return "action_hand_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=replies.HANDED_BACK, **handover.state_metadata(handover.BOT))
        # Run from outside (Rasa's HTTP API), so no prediction follows: end
        # the bot's turn as Rasa would, or the cardholder's next message
        # would not follow an action_listen and no rule would match it.
        return [
            ConversationResumed(),
            SlotSet("escalated", False),
            SlotSet(AGENT_MESSAGE_SLOT, None),
            ActionExecuted("action_listen"),
        ]


# --------------------------------------------------------------------------
# While paused
# --------------------------------------------------------------------------


_pending: Set["asyncio.Task[None]"] = set()


def _rasa_client() -> RasaClient:
    """Rasa where RASA_URL says (the local server by default: the action
    server runs beside it), with RASA_API_TOKEN."""
    from bot import secrets as bot_secrets
    from bot.settings import DEFAULT_RASA_URL, rasa_url

    return RasaClient(rasa_url() or DEFAULT_RASA_URL, bot_secrets.configured("RASA_API_TOKEN") or "", timeout=120)


async def _execute_later(conversation_id: str, action: str, attempts: int = 3, client: Optional[RasaClient] = None) -> None:
    """Run ``action`` on the conversation through Rasa's HTTP API (the one
    client, bot/rasa_client.py: RASA_URL from bot/settings.py, the token
    from bot/secrets.py).

    Rasa holds the conversation's lock while it handles the message that
    got us here; its ``execute`` endpoint waits for that lock, so the reply
    follows the message. The output goes to the cardholder's own channel
    (``output_channel=latest``): SMS and web chat receive it; a REST client
    has already had its answer and only the tracker keeps it.
    """
    rasa = client or _rasa_client()
    if not rasa.enabled:
        logger.error(
            "RASA_API_TOKEN is not set: the %s reply for paused conversation %s cannot be sent "
            "(its opt-out/escalation is recorded)", action, conversation_id,
        )
        return
    try:
        for attempt in range(1, attempts + 1):
            try:
                await rasa.execute(conversation_id, action)
                return
            except RasaError as exc:
                logger.error("could not run %s for %s through Rasa: %s", action, conversation_id, exc)
            await asyncio.sleep(attempt)
    finally:
        if client is None:
            await rasa.close()


class ActionPausedSafety(Action):
    """Crisis support and opt-outs must work while a person has the conversation.

    Runs from the `paused_safety` slot's custom mapping, i.e. inside
    ActionExtractSlots, which Rasa runs for every message - paused or not -
    but this mapping only on `crisis` and `stop_contact`. When the
    conversation is not paused the rules handle those as usual and this
    does nothing.

    While paused no rule runs, and Rasa 3.6 drops any message a slot-mapping
    action returns (ActionExtractSlots keeps only its SlotSet events). So
    the part that must not wait is done here - the opt-out recorded, the
    crisis escalated at priority 0 (top of the agents' queue) - and the
    usual reply is sent by running the usual action through Rasa's HTTP
    API right after this message (RASA_URL, RASA_API_TOKEN).
    (``action_validate_slot_mappings`` could return messages, but Rasa calls
    it for every message, twice when a form runs: two more action-server
    round trips on every turn of every conversation.)
    """

    def name(self) -> Text:
        return "action_paused_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if not tracker.is_paused():
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "stop_contact":
            await db(repository.record_opt_out, tracker.sender_id, channel_of(tracker))
            reply_action = "action_opt_out"
        elif intent == "crisis":
            try:
                await escalate(tracker, "crisis")
            except Exception:  # the reply below matters more than the record
                logger.exception("could not record crisis escalation for paused %s", tracker.sender_id)
            reply_action = CRISIS_ACTION
        else:
            return []
        task = asyncio.get_running_loop().create_task(_execute_later(tracker.sender_id, reply_action))
        _pending.add(task)  # keep a reference until it is done
        task.add_done_callback(_pending.discard)
        return []


def was_paused(events: List[Dict[Text, Any]]) -> bool:
    """Whether the conversation's last pause/resume was a pause."""
    for event in reversed(events):
        kind = event.get("event")
        if kind == "pause":
            return True
        if kind in ("resume", "restart"):
            return False
    return False


class ActionSessionStart(Action):
    """Rasa's session start, except that a paused conversation stays paused.

    Same events as Rasa's default (no slots carried over: see
    session_config in domain.yml), plus `escalated` and the pause when a
    person still has the conversation, and the campaign stage.
    """

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        metadata = tracker.get_slot("session_started_metadata")
        if metadata:
            events.append(SlotSet("session_started_metadata", metadata))
        # The campaign SMS a cardholder answers may be hours old: the stage
        # is no personal data and tells the new session why the bank wrote.
        stage = tracker.get_slot("campaign_stage")
        if stage:
            events.append(SlotSet("campaign_stage", stage))
        if was_paused(tracker.events):
            events += [SlotSet("escalated", True), ConversationPaused()]
        events.append(ActionExecuted("action_listen"))
        return events
