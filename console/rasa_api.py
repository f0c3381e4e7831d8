"""The console's only way into a conversation: Rasa's HTTP API.

Rasa runs with ``--enable-api --auth-token $RASA_API_TOKEN``; the token
travels as the ``token`` query parameter (rasa/server.py ``requires_auth``).

- ``GET  /conversations/{id}/tracker``          read the conversation
- ``POST /conversations/{id}/tracker/events``   pause, resume, set slots
- ``POST /conversations/{id}/execute?output_channel=latest``
  run an action now; its messages go out through the channel the cardholder
  last wrote on (``InputChannel.get_output_channel()``: SMS through the
  Twilio channel's sender and its checks, web chat through socket.io) and
  land in the tracker like any bot message. Rasa runs the action even on a
  paused conversation (``MessageProcessor.execute_action`` does not check
  the pause; only the prediction loop does).

An action that fails in the action server is logged by Rasa ("Bot will
continue, but the actions events are lost") and the HTTP answer is still
200, so the console reads the tracker back to see what really happened.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from console import labels

PATH_SAFE = "+:@!$&'()*,;="
# Channels whose output Rasa can use for messages it sends on its own.
PUSH_CHANNELS = {"twilio_sms", "webchat", "socketio"}


class RasaError(Exception):
    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _url(self, conversation_id: str, suffix: str) -> str:
        # Rasa's Sanic takes the path segment as it comes, %-escapes
        # included: "%2B8613..." would be another conversation than
        # "+8613...". Escape only what cannot stand in a path segment.
        return f"{self.base_url}/conversations/{quote(conversation_id, safe=PATH_SAFE)}/{suffix}"

    async def _call(self, method: str, url: str, params: Dict[str, str], body: Any = None) -> Any:
        await self.start()
        assert self._session is not None
        params = {**params, "token": self.token}
        try:
            async with self._session.request(
                method, url, params=params, data=None if body is None else json.dumps(body),
                headers={"Content-Type": "application/json"},
            ) as response:
                text = await response.text()
                if response.status >= 400:
                    raise RasaError(f"Rasa answered {response.status}: {text[:300]}", response.status)
                return json.loads(text) if text else None
        except aiohttp.ClientError as exc:
            raise RasaError(f"Rasa is not reachable at {self.base_url}: {exc}") from exc

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._call("GET", self._url(conversation_id, "tracker"), {"include_events": "ALL"})

    async def append_events(self, conversation_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
        return await self._call(
            "POST", self._url(conversation_id, "tracker/events"), {"include_events": "NONE"}, events
        )

    async def execute(self, conversation_id: str, action: str) -> Dict[str, Any]:
        return await self._call(
            "POST",
            self._url(conversation_id, "execute"),
            {"output_channel": "latest", "include_events": "NONE"},
            {"name": action},
        )


# --------------------------------------------------------------------------
# Reading a tracker
# --------------------------------------------------------------------------

AGENT_ACTION = "action_relay_agent_message"
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
            # A button click: what the cardholder saw, never "/affirm".
            title = labels.button_text(text, offered)
            entries.append(
                {
                    "from": "cardholder",
                    "text": title if title is not None else text,
                    "button": title is not None,
                    "ts": ts,
                    "intent": ((event.get("parse_data") or {}).get("intent") or {}).get("name"),
                    "channel": event.get("input_channel"),
                }
            )
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
    identity = ((latest.get("metadata") or {}).get("collectbot_identity")) or {}
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
