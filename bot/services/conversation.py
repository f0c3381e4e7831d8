"""Handing a conversation back to the assistant, whoever asks: an agent
who is done (console/service.py ``hand_back``, ``resolve``), or a
specialist's decision on a hardship plan that leaves nothing for a person
(bot/services/hardship.py). Through Rasa's HTTP API, given as a port so
the console's client (or a test's fake) can be passed in.

``action_hand_back`` (bot/actions/handoff.py) tells the cardholder, resumes
the conversation and clears ``escalated``; when the action server did not
run it (Rasa answers 200 and drops the events), the conversation is
resumed without the message, so the assistant never stays silent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Protocol

HAND_BACK_ACTION = "action_hand_back"
# What action_hand_back returns, for when the action server cannot run it:
# ending with action_listen makes the next message match the rules again.
RESUME_EVENTS: List[Dict[str, Any]] = [
    {"event": "resume"},
    {"event": "slot", "name": "escalated", "value": False},
    {"event": "action", "name": "action_listen"},
]
NOT_ANNOUNCED = "已恢复智能服务，但提示消息未能发送给客户。"


class RasaConversationApi(Protocol):
    async def tracker(self, conversation_id: str) -> Dict[str, Any]: ...

    async def append_events(self, conversation_id: str, events: List[Dict[str, Any]]) -> Any: ...

    async def execute(self, conversation_id: str, action: str) -> Any: ...


@dataclass(frozen=True)
class HandedBack:
    announced: bool  # the cardholder was told (action_hand_back ran)
    warning: Optional[str] = None


async def hand_back(conversation_id: str, rasa: RasaConversationApi) -> HandedBack:
    """Resume the assistant on ``conversation_id``. The client's own errors
    (Rasa unreachable) propagate: the caller says what did not happen."""
    await rasa.execute(conversation_id, HAND_BACK_ACTION)
    tracker = await rasa.tracker(conversation_id)
    if tracker.get("paused"):
        await rasa.append_events(conversation_id, RESUME_EVENTS)
        return HandedBack(announced=False, warning=NOT_ANNOUNCED)
    return HandedBack(announced=True)
