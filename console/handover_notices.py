"""What a web chat cardholder sees of the agent's side (issue 14): "专员 张三
已接入" when an agent claims (or is handed) the conversation, "已离开" when
they let go of it, and the typing dots while they type.

The name is the agent's display name from the console's own user record
(bot/core/handover.py puts it in the ``agent_message`` slot; the relay
action sends it). Only on the web chat: an SMS for every claim would cost
the cardholder a message and say nothing they need. A failure here never
undoes the claim: it is logged and returned as a warning.
"""
from __future__ import annotations

import logging
from typing import Optional

from bot.core import handover
from bot.core.channels import WEBCHAT
from console.rasa_api import AGENT_ACTION, RasaClient, RasaError, state

logger = logging.getLogger(__name__)

TYPING_PATH = "/webhooks/webchat/agent_typing"
NOT_TOLD = "客户未能收到专员接入/离开的提示（暂时无法连接智能助手）。"


async def announce(rasa: RasaClient, conversation_id: str, display_name: str, kind: str) -> Optional[str]:
    """Tell a web chat cardholder that ``display_name`` joined (or left);
    None, or a warning for the agent."""
    try:
        tracker = await rasa.tracker(conversation_id)
        st = state(tracker)
        if st["channel"] != WEBCHAT or not st["paused"]:
            return None  # not the web chat, or the bot answers again anyway
        value = handover.encode_agent_message("", display_name, kind)
        await rasa.append_events(conversation_id, [{"event": "slot", "name": "agent_message", "value": value}])
        await rasa.execute(conversation_id, AGENT_ACTION)
    except RasaError as exc:
        logger.error("could not tell %s that the agent %s: %s", conversation_id, kind, exc)
        return NOT_TOLD
    return None


async def typing(rasa: RasaClient, conversation_id: str, is_typing: bool) -> bool:
    """Show (or stop) the agent's typing dots in the cardholder's widget;
    whether a widget was there to show them."""
    try:
        answer = await rasa.call("POST", TYPING_PATH, body={"session_id": conversation_id, "typing": bool(is_typing)})
    except RasaError as exc:
        if exc.status not in (400, 404):  # not a web chat conversation: nothing to show
            logger.warning("agent typing for %s not shown: %s", conversation_id, exc)
        return False
    return bool(isinstance(answer, dict) and answer.get("connected"))
