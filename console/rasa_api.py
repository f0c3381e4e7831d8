"""The console's only way into a conversation: Rasa's HTTP API, through the
one client of it (bot/rasa_client.py), and what the console reads in a
tracker (transcript, state).

The console runs an action with ``execute?output_channel=latest``: its
messages go out through the channel the cardholder last wrote on
(``InputChannel.get_output_channel()``: SMS through the Twilio channel's
sender and its checks, web chat through socket.io) and land in the tracker
like any bot message. Rasa runs the action even on a paused conversation
(``MessageProcessor.execute_action`` does not check the pause; only the
prediction loop does).

An action that fails in the action server is logged by Rasa ("Bot will
continue, but the actions events are lost") and the HTTP answer is still
200, so the console reads the tracker back to see what really happened.
"""
from __future__ import annotations

from typing import Any, Dict, List

from bot.core.channels import PUSH_CHANNELS, VOICE
from bot.core.identity import IDENTITY_KEY
from bot.rasa_client import PATH_SAFE, RasaClient, RasaError  # noqa: F401 (the console's client)
from console import labels


# --------------------------------------------------------------------------
# Reading a tracker
# --------------------------------------------------------------------------

AGENT_ACTION = "action_relay_agent_message"
CALL_START = "/greet"  # channels/voice.START_PAYLOAD: the first turn of every call
SYSTEM_TEXT = {
    "pause": "已转人工：智能助手暂停自动回复",
    "resume": "已恢复智能服务",
    "session_started": "新的会话开始",
    "restart": "会话已重置",
}


def transcript(tracker: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Who said what: cardholder, bot, agent (and pause/resume marks)."""
    entries: List[Dict[str, Any]] = []
    last_action = None
    offered: List[Dict[str, Any]] = []  # the buttons of the bot's latest message
    for event in tracker.get("events") or []:
        kind = event.get("event")
        ts = event.get("timestamp")
        if kind == "action":
            last_action = event.get("name")
        elif kind == "user":
            last_action = None  # a reply now is the bot's (e.g. the crisis line while paused)
            text = event.get("text") or ""
            if event.get("input_channel") == VOICE and text == CALL_START:
                # The call connected (channels/voice.py greets with /greet): nobody said it.
                entries.append({"from": "system", "text": "电话接通", "ts": ts})
                continue
            # A button click: what the cardholder saw, never "/affirm".
            title = labels.button_text(text, offered)
            entry = {
                "from": "cardholder",
                "text": title if title is not None else text,
                "button": title is not None,
                "ts": ts,
                "intent": ((event.get("parse_data") or {}).get("intent") or {}).get("name"),
                "channel": event.get("input_channel"),
            }
            # On a call: what was recognised from speech, or keyed (channels/voice.py).
            call = ((event.get("metadata") or {}).get(VOICE)) or {}
            if isinstance(call, dict) and call.get("input") in ("speech", "dtmf"):
                entry["input"] = call["input"]
                choice = call.get("menu_choice")
                if isinstance(choice, dict) and choice.get("title"):
                    entry["text"] = f"按{choice.get('number')}：{choice['title']}"
            entries.append(entry)
        elif kind == "bot":
            text = event.get("text") or ""
            buttons = ((event.get("data") or {}).get("buttons")) or []
            offered = [b for b in buttons if isinstance(b, dict)]
            if buttons:
                text += "\n" + " | ".join(str(b.get("title")) for b in buttons)
            if not text.strip():
                continue
            entries.append({"from": "agent" if last_action == AGENT_ACTION else "bot", "text": text, "ts": ts})
        elif kind in SYSTEM_TEXT:
            entries.append({"from": "system", "text": SYSTEM_TEXT[kind], "ts": ts})
    return entries


def state(tracker: Dict[str, Any]) -> Dict[str, Any]:
    slots = tracker.get("slots") or {}
    latest = tracker.get("latest_message") or {}
    identity = ((latest.get("metadata") or {}).get(IDENTITY_KEY)) or {}
    channel = tracker.get("latest_input_channel")
    return {
        "paused": bool(tracker.get("paused")),
        "channel": channel,
        "can_push": channel in PUSH_CHANNELS,
        "verified": bool(slots.get("verified")),
        "identified_account": identity.get("account_id") if isinstance(identity, dict) else None,
        "auth_state": slots.get("auth_state"),
        "account_id": slots.get("account_id"),
        "escalated": bool(slots.get("escalated")),
        "active_loop": (tracker.get("active_loop") or {}).get("name"),
    }


def bot_texts_after(tracker: Dict[str, Any], index: int) -> List[Dict[str, Any]]:
    """Transcript entries after the first ``index`` ones."""
    return transcript(tracker)[index:]
