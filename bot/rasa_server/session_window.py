"""A conversation's session never grows past a bounded number of events (issue 16, finding 8).

Rasa works on the whole latest session of a conversation on every turn: it
replays it for the dialogue states of every predicted action (rule and
memoization policies), copies it, ships it to the action server on every
action call (``RemoteAction._action_call_format``: ``EventVerbosity.ALL``),
and the action server parses it again. A session only ends after an hour of
silence (``session_config`` in domain.yml), so one sender who keeps talking
made every turn dearer than the one before: the median turn went from 21 ms
to 160 ms over 300 turns, and total cost grows with the square of the length.

So when the latest session has reached ``max_events()`` events, the next
turn first starts a new session that carries the conversation's state over:

- every slot that differs from its initial value (``verified``,
  ``auth_state``, ``account_id``, ``escalated``, ``campaign_stage``, an open
  form's slots and ``requested_slot``, ...);
- the active form (``ActiveLoop``): the form asks its next question as if
  nothing happened;
- a pause for a person (``ConversationPaused``): the bot stays silent;
- the last action the bot ran before it listened (a rule such as "yes after
  the balance → promise form" looks at it).

Then the message is handled in the new session. The tracker store reads only
the latest session (Rasa's SQL store), so what Rasa replays, copies and
ships per turn is bounded by the window, however long the conversation.

This is not the time-based session start: that one is a security boundary
(an hour of silence means the cardholder verifies again; domain.yml carries
nothing over), this one is bookkeeping within a live conversation, done in
the Rasa server without a call to the action server. What starts afresh, as
after any session start: the per-session counts the actions make from the
session's messages (second refusal, second insult, two fallbacks in a row)
and the last messages quoted in a hand-over summary. With the default window
(about 30 turns of an ordinary conversation, longer than any scripted
collection conversation) only unusually long conversations roll over.

The carried events are marked (``metadata`` ``{CARRIED: true}``), stored and
published like any other event; the tracker store leaves them out of the
Prometheus counters (a carried pause is not a new hand-over).
``COLLECTBOT_SESSION_MAX_EVENTS`` sets the window; 0 turns it off.
"""
from __future__ import annotations

import logging
from typing import Any, List, Optional

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
)

from bot.settings import (  # noqa: F401 (ENV, DEFAULT_MAX_EVENTS: tests and bench/tracker_growth.py)
    DEFAULT_SESSION_MAX_EVENTS as DEFAULT_MAX_EVENTS,
    SESSION_MAX_EVENTS_ENV as ENV,
    session_max_events,
)

logger = logging.getLogger(__name__)

# Marks a carried event in its metadata (stored with it).
CARRIED = "collectbot_carried_over"

PLUGIN = "session_window"


def max_events(env: Optional[dict] = None) -> int:
    """The window: events a session may reach before the next turn starts a
    new one (0 = off); COLLECTBOT_SESSION_MAX_EVENTS, bot.settings.session_max_events."""
    return session_max_events(env)


def session_length(tracker: Any, limit: Optional[int] = None) -> int:
    """Events of the latest session (after its last session start or restart),
    counted from the end and not further than ``limit``."""
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, (SessionStarted, Restarted)):
            return count
        count += 1
        if limit is not None and count >= limit:
            return count
    return count


def is_carried(event: Any) -> bool:
    metadata = getattr(event, "metadata", None)
    return bool(isinstance(metadata, dict) and metadata.get(CARRIED))


def _last_action_before_listen(tracker: Any) -> Optional[str]:
    """The action the bot ran last before it listened for this message."""
    listened = False
    for event in reversed(tracker.events):
        if isinstance(event, (SessionStarted, Restarted)):
            return None
        if isinstance(event, ActionExecuted):
            if not listened:
                if event.action_name != ACTION_LISTEN_NAME:
                    return None  # not between turns: nothing to carry
                listened = True
                continue
            if event.action_name in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
                return None
            return event.action_name
    return None


def carry_over_events(tracker: Any) -> List[Event]:
    """A new session holding the conversation's state, ending in listen."""
    mark = {CARRIED: True}
    events: List[Event] = [SessionStarted(metadata=dict(mark))]
    for slot in tracker.slots.values():
        if slot.value != slot.initial_value:
            events.append(SlotSet(slot.name, slot.value, metadata=dict(mark)))
    if tracker.active_loop_name:
        events.append(ActiveLoop(tracker.active_loop_name, metadata=dict(mark)))
    if tracker.is_paused():
        events.append(ConversationPaused(metadata=dict(mark)))
    last = _last_action_before_listen(tracker)
    if last:
        events.append(ActionExecuted(last, metadata=dict(mark)))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, metadata=dict(mark)))
    return events


def roll_over_if_long(tracker: Any, domain: Any, limit: int) -> bool:
    """Start a new, carried-over session in ``tracker`` if its latest session
    has ``limit`` events or more; whether it did."""
    if limit <= 0 or session_length(tracker, limit) < limit:
        return False
    tracker.update_with_events(carry_over_events(tracker), domain)
    logger.info("conversation %s: session reached %d events; new session with its state carried over",
                tracker.sender_id, limit)
    return True


def install() -> None:
    """Roll long sessions over at the start of each turn in Rasa's processor,
    after Rasa's own check (a new or expired session starts Rasa's way).
    Called once by ``bot.rasa_server.install()`` (a patch in its registry)."""
    limit = max_events()  # a bad setting stops the server at start-up, not a turn
    if not limit:
        return  # off: Rasa's own processor, untouched
    from rasa.core.processor import MessageProcessor

    from bot.rasa_server import registry

    if any(p.plugin == PLUGIN for p in registry.patched()):
        return
    original = registry.original(MessageProcessor, "_update_tracker_session")

    async def _update_tracker_session(self: MessageProcessor, tracker: Any, output_channel: Any,
                                      metadata: Optional[dict] = None) -> None:
        before = len(tracker.events)
        await original(self, tracker, output_channel, metadata)
        if len(tracker.events) == before:  # Rasa started no session of its own
            roll_over_if_long(tracker, self.domain, limit)

    registry.patch(MessageProcessor, "_update_tracker_session", _update_tracker_session, PLUGIN)
