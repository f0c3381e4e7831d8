"""The Rasa server keeps talking when the action server is away (issue 7).

Rasa 3.6 turns an unreachable action server, a 5xx answer or a timeout into
an exception inside ``RemoteAction.run``; the processor logs "Bot will
continue, but the actions events are lost", sends the cardholder nothing and
predicts again. The action call's timeout is 300 s, so a hung action server
keeps the cardholder waiting five minutes first.

``install()`` (called by ``bot.rasa_server.install()`` with the speed-ups of
bot/rasa_server/speedups.py, through the patch registry) wraps
``RemoteAction.run``:

- the call is bounded by ``ACTION_CALL_TIMEOUT_SECONDS`` (default 30 s);
- when it fails with a ``RasaException`` (connection refused or reset, 5xx,
  Rasa's own timeouts) or times out, it returns events instead of raising:
  ``replies.SYSTEM_BUSY`` once per user message (a turn can make several
  action calls, e.g. a form's validation and its question) and
  ``FollowupAction("action_listen")``, so the turn ends cleanly with that one
  reply and the processor does not predict anything else from a tracker that
  is missing the action's events;
- ``ActionExecutionRejection`` (the action server's 400 "rejected") is
  unchanged: it still propagates, Rasa's own way to let another policy act.

Inside a form. ``FormAction`` calls ``validate_<form>`` through a
``RemoteAction`` after ``action_extract_slots`` has already put the raw
values of this message (e.g. ``promise_amount`` = 2000) on the tracker. If
the validation call failed and we returned only the reply, the form would
treat those values as validated: ``FormAction.validate`` sees no rejection,
``request_next_slot`` moves on, and a later "是的" could complete the form
with an amount or date no policy check has seen. Raising
``ActionExecutionRejection`` instead is no better: the processor records a
rejected form and lets the policies predict something else, with the raw
values still set and no reply sent. So the failed validation answers:

- ``SlotSet(slot, None)`` for every slot the form asked to validate (the
  ``SlotSet`` events after the form's ``ActionExecuted`` in the temporary
  tracker ``FormAction._temporary_tracker`` builds), so no unvalidated value
  is kept; the same keys also keep ``FormAction.activate`` from re-adding
  the extracted values;
- ``ActionExecutionRejected("validate_<form>")``: ``FormAction.do`` then
  skips ``request_next_slot`` (``_user_rejected_manually`` looks for any such
  event), ``is_done`` is false so the form is neither completed nor
  deactivated, and the processor does not log the form as executed; the form
  stays active on the slot it was asking for. The event names the
  validation action, not the form: ``ActionExecutionRejected(<form>)`` would
  mark the active loop rejected until the form runs again, and while it is,
  ``action_extract_slots`` ignores conditional mappings of the requested slot,
  so the repeated "是的" would not fill ``promise_confirmed`` (seen in
  tests/integration/test_faults.py);
- the busy reply and ``FollowupAction("action_listen")`` as above.

When the cardholder repeats the message, the form validates it normally.
Bookings are safe to retry: the booking actions re-check the promise against
the policy and book with an idempotency key (bot/actions/arrangements.py).
A call cut by the timeout may still finish on the action server; its events
are then missing from the tracker, and a repeated booking finds the first one
by its key.

Lock store unavailable. When the conversation lock cannot be taken (Redis
unreachable: ``LockError`` or a ``redis`` error from ``Agent.handle_message``)
the message is not processed at all, so the tracker is untouched; Rasa's REST
channel would still answer 200 with no messages. ``install()`` also wraps
``Agent.handle_message`` to mark such a request, and ``install_http`` (added
to Rasa's Sanic app by ``bot.rasa_server.install()``) turns such a
request's answer into 503 ``{"error": "conversation_store_unavailable",
"message": SYSTEM_BUSY}``, so the client sees a clear, retryable failure.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any, Dict, List, Optional, Text, Tuple

from bot.rasa_server import registry
from bot.settings import ACTION_TIMEOUT_ENV as TIMEOUT_ENV, action_timeout  # noqa: F401 (TIMEOUT_ENV: tests, logs)

logger = logging.getLogger(__name__)

VALIDATE_PREFIX = "validate_"
# Turns that already got the busy reply (per Rasa process; one turn is
# processed by one instance under the lock store).
_TURNS_KEPT = 4096
_answered_turns: "OrderedDict[Tuple[str, str], None]" = OrderedDict()
PLUGIN = "resilience"
LOCK_FAILURE_CODE = "conversation_store_unavailable"
# Per HTTP request (reset by the request middleware): what went wrong.
_request_failure: ContextVar[Optional[dict]] = ContextVar("collectbot_request_failure", default=None)


def install() -> None:
    """Patch ``RemoteAction.run`` and ``Agent.handle_message`` unless they
    are patched already (``bot.rasa_server.install()`` calls this)."""
    if any(p.plugin == PLUGIN for p in registry.patched()):
        return
    from rasa.core.actions.action import RemoteAction

    original = registry.original(RemoteAction, "run")

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        from rasa.core.actions.action import ActionExecutionRejection
        from rasa.shared.exceptions import RasaException

        timeout = action_timeout()
        try:
            call = original(self, output_channel, nlg, tracker, domain)
            return await (asyncio.wait_for(call, timeout) if timeout else call)
        except ActionExecutionRejection:
            raise
        except (RasaException, asyncio.TimeoutError) as e:
            reason = "timed out" if isinstance(e, asyncio.TimeoutError) else f"{e}"
            logger.error(
                "action server unavailable for %s (%s): holding reply sent, turn ended",
                self.name(), reason,
            )
            return holding_events(self.name(), tracker)

    run.__wrapped__ = original  # type: ignore[attr-defined]
    registry.patch(RemoteAction, "run", run, PLUGIN)
    _install_lock_failure_mark()


def _lock_errors() -> Tuple[type, ...]:
    from rasa.core.lock_store import LockError

    errors: Tuple[type, ...] = (LockError,)
    try:
        import redis

        errors += (redis.RedisError,)
    except ImportError:  # pragma: no cover - redis comes with Rasa
        pass
    return errors


def _install_lock_failure_mark() -> None:
    from rasa.core.agent import Agent

    original = registry.original(Agent, "handle_message")
    errors = _lock_errors()

    async def handle_message(self: Agent, message: Any) -> Any:
        try:
            return await original(self, message)
        except errors as e:
            logger.error("conversation lock unavailable for %s: %s", getattr(message, "sender_id", "?"), e)
            failure = _request_failure.get()
            if failure is not None:
                failure["code"] = LOCK_FAILURE_CODE
            raise

    handle_message.__wrapped__ = original  # type: ignore[attr-defined]
    registry.patch(Agent, "handle_message", handle_message, PLUGIN)


def install_http(app: Any) -> None:
    """Middleware of Rasa's Sanic app: a request whose message could not get
    the conversation lock is answered 503 instead of Rasa's 200 ``[]``."""
    if getattr(app.ctx, "collectbot_resilience", False):
        return
    from sanic import response

    from bot.core import replies

    async def reset_failure(request: Any) -> None:
        _request_failure.set({})

    async def answer_failure(request: Any, resp: Any) -> Any:
        failure = _request_failure.get()
        if failure and failure.get("code") == LOCK_FAILURE_CODE:
            return response.json(
                {"error": LOCK_FAILURE_CODE, "message": replies.SYSTEM_BUSY}, status=503,
                dumps=lambda d: json.dumps(d, ensure_ascii=False),
            )
        return None

    app.register_middleware(reset_failure, "request")
    app.register_middleware(answer_failure, "response")
    app.ctx.collectbot_resilience = True


def holding_events(action_name: Text, tracker: Any) -> List[Any]:
    """What a failed call of ``action_name`` answers (see the module docstring)."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        BotUttered,
        FollowupAction,
        SlotSet,
    )

    from bot.core import replies

    events: List[Any] = []
    if _first_failure_of_turn(tracker):
        events.append(BotUttered(_holding_text(tracker), metadata=_holding_metadata(tracker)))
    form = _form_being_validated(action_name, tracker)
    if form is not None:
        candidates = _slots_given_to_validation(tracker)
        events += [SlotSet(slot, None) for slot in candidates if slot != REQUESTED_SLOT]
        events.append(ActionExecutionRejected(action_name))
    events.append(FollowupAction(ACTION_LISTEN_NAME))
    return events


def _crisis_talk(tracker: Any) -> bool:
    intent = ((getattr(tracker, "latest_message", None) and tracker.latest_message.intent) or {}).get("name")
    return intent == "crisis"


def _holding_metadata(tracker: Any) -> Dict[Text, Any]:
    """The crisis lines are a safety reply (replies.SAFETY_REPLY_KEY): the SMS
    channel sends them even to a number that opted out."""
    from bot.core import replies

    metadata = {"holding_reply": True}
    return replies.as_safety_reply(metadata) if _crisis_talk(tracker) else metadata


def _holding_text(tracker: Any) -> Text:
    """The busy reply; for crisis talk the crisis lines instead (the action
    that would have given them and called a person could not run)."""
    from bot.core import replies
    from bot.settings import get_settings

    if _crisis_talk(tracker):
        return replies.CRISIS_WHILE_DOWN.format(crisis_hotline=get_settings().crisis_hotline)
    return replies.SYSTEM_BUSY


def _form_being_validated(action_name: Text, tracker: Any) -> Optional[Text]:
    """The form whose ``validate_<form>`` call this is, or None.

    ``FormAction`` runs its validation on a temporary tracker that ends with
    ``ActionExecuted(<form>)`` followed by the candidate ``SlotSet`` events.
    """
    if not action_name.startswith(VALIDATE_PREFIX):
        return None
    form = action_name[len(VALIDATE_PREFIX):]
    return form if getattr(tracker, "latest_action_name", None) == form else None


def _slots_given_to_validation(tracker: Any) -> List[Text]:
    from rasa.shared.core.events import ActionExecuted, SlotSet

    slots: List[Text] = []
    for event in reversed(list(tracker.events)):
        if isinstance(event, ActionExecuted):
            break
        if isinstance(event, SlotSet) and event.key not in slots:
            slots.append(event.key)
    return list(reversed(slots))


def _turn_key(tracker: Any) -> Tuple[str, str]:
    message = getattr(tracker, "latest_message", None)
    ident = ""
    if message is not None:
        ident = str(getattr(message, "message_id", None) or getattr(message, "timestamp", "") or "")
    return (str(getattr(tracker, "sender_id", "")), ident)


def _first_failure_of_turn(tracker: Any) -> bool:
    key = _turn_key(tracker)
    if not key[1]:  # no user message to tell turns apart: always answer
        return True
    if key in _answered_turns:
        return False
    _answered_turns[key] = None
    while len(_answered_turns) > _TURNS_KEPT:
        _answered_turns.popitem(last=False)
    return True


def _reset_for_tests() -> None:
    _answered_turns.clear()


__all__: List[str] = ["install", "holding_events", "action_timeout"]
