"""A stand-in for the parts of Rasa's HTTP API the agent console uses.

``FakeRasa`` is a threaded HTTP server with in-memory trackers:

- ``GET  /conversations/{id}/tracker``         (``?token=`` checked like ``--auth-token``)
- ``POST /conversations/{id}/tracker/events``  pause, resume, slot events
- ``POST /conversations/{id}/execute``         ``action_relay_agent_message`` and
  ``action_hand_back`` behave like the real actions; what they "send" is
  recorded in ``sent`` with the conversation's latest input channel.

``fail_actions = True`` makes executed actions do nothing (as Rasa does
when the action server is down: 200, and the events are lost).
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from bot.core import handover
from tests.fakes.local_http import LocalHttpServer, send_json

HANDED_BACK_TEXT = "人工专员已处理完毕，已为您恢复智能服务。如还有其他问题，可以直接告诉我。"


class FakeRasa(LocalHttpServer):
    def __init__(self, token: str = "fake-rasa-token") -> None:
        self.token = token
        self.trackers: Dict[str, Dict[str, Any]] = {}
        self.sent: List[Dict[str, Any]] = []
        self.requests: List[Dict[str, Any]] = []
        self.fail_actions = False
        self._lock = threading.Lock()

    # -- conversations -------------------------------------------------------

    def conversation(
        self,
        conversation_id: str,
        channel: str = "webchat",
        slots: Optional[Dict[str, Any]] = None,
        paused: bool = True,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> None:
        with self._lock:
            self.trackers[conversation_id] = {
                "sender_id": conversation_id,
                "slots": {"verified": False, "escalated": paused, "account_id": None, "auth_state": None,
                          "agent_message": None, **(slots or {})},
                "latest_message": {"text": "", "intent": {}, "metadata": metadata or {}},
                "latest_input_channel": channel,
                "paused": paused,
                "active_loop": {},
                "events": [],
            }

    def user_says(self, conversation_id: str, text: str, intent: str = "request_human") -> None:
        with self._lock:
            t = self.trackers[conversation_id]
            t["events"].append(
                {"event": "user", "text": text, "timestamp": time.time(), "input_channel": t["latest_input_channel"],
                 "parse_data": {"intent": {"name": intent}}}
            )
            t["latest_message"] = {**t["latest_message"], "text": text, "intent": {"name": intent}}

    def bot_says(self, conversation_id: str, text: str) -> None:
        with self._lock:
            self.trackers[conversation_id]["events"].append({"event": "bot", "text": text, "timestamp": time.time()})

    def paused(self, conversation_id: str) -> bool:
        return self.trackers[conversation_id]["paused"]

    # -- server ---------------------------------------------------------------

    def start(self) -> "FakeRasa":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

        self.serve(Handler)
        return self

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        send_json(handler, status, body)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"null") if length else None
        self.requests.append({"method": method, "path": parts.path, "query": query, "body": body})
        if query.get("token") != [self.token]:
            return self._reply(handler, 401, {"status": "failure", "reason": "NotAuthenticated"})
        segments = parts.path.strip("/").split("/")
        if len(segments) < 3 or segments[0] != "conversations":
            return self._reply(handler, 404, {"reason": "NotFound"})
        conversation_id = unquote(segments[1])
        rest = "/".join(segments[2:])
        with self._lock:
            tracker = self.trackers.get(conversation_id)
            if tracker is None:
                if method == "GET":
                    return self._reply(handler, 200, {"sender_id": conversation_id, "events": [], "slots": {},
                                                      "paused": False, "latest_message": {}, "latest_input_channel": None})
                return self._reply(handler, 404, {"reason": "conversation not found"})
            if method == "GET" and rest == "tracker":
                return self._reply(handler, 200, tracker)
            if method == "POST" and rest == "tracker/events":
                for event in body if isinstance(body, list) else [body]:
                    self._apply(tracker, dict(event))
                return self._reply(handler, 200, {**tracker, "events": None})
            if method == "POST" and rest == "execute":
                self._execute(tracker, body["name"])
                return self._reply(handler, 200, {"tracker": {**tracker, "events": None}})
        return self._reply(handler, 404, {"reason": "NotFound"})

    def _apply(self, tracker: Dict[str, Any], event: Dict[str, Any]) -> None:
        event.setdefault("timestamp", time.time())
        tracker["events"].append(event)
        if event["event"] == "pause":
            tracker["paused"] = True
        elif event["event"] == "resume":
            tracker["paused"] = False
        elif event["event"] == "slot":
            tracker["slots"][event["name"]] = event.get("value")

    def _execute(self, tracker: Dict[str, Any], action: str) -> None:
        self._apply(tracker, {"event": "action", "name": action})
        if self.fail_actions:
            return
        if action == "action_relay_agent_message":
            # The slot holds the text with the agent's name (bot/core/handover.py), as the real action reads it.
            message = handover.decode_agent_message(tracker["slots"].get("agent_message"))
            text = message.text
            if text:
                self._apply(tracker, {"event": "bot", "text": text, "metadata": handover.message_for(message)})
                self.sent.append({"conversation_id": tracker["sender_id"], "channel": tracker["latest_input_channel"],
                                  "text": text})
            self._apply(tracker, {"event": "slot", "name": "agent_message", "value": None})
        elif action == "action_hand_back":
            self._apply(tracker, {"event": "bot", "text": HANDED_BACK_TEXT})
            self.sent.append({"conversation_id": tracker["sender_id"], "channel": tracker["latest_input_channel"],
                              "text": HANDED_BACK_TEXT})
            self._apply(tracker, {"event": "resume"})
            self._apply(tracker, {"event": "slot", "name": "escalated", "value": False})
