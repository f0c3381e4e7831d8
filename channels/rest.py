"""The REST channel, for development and tests only (issue 16).

Rasa's own ``rest:`` channel trusts the ``sender`` a client sends. The
conversation id was the phone number, the same id the signed SMS channel
uses, so anyone who could reach the server could speak inside a cardholder's
verified SMS conversation, read the balance and book a plan. This channel
replaces it (registered as ``channels.rest.RestChannel`` under the same name
``rest``, so the URL stays ``/webhooks/rest/webhook``):

- **refused in production**: with ``COLLECTBOT_ENV=production`` the Rasa
  server does not start while this channel is in the credentials file
  (``deploy/credentials.production.yml`` does not list it);
- **authenticated**: every request needs ``Authorization: Bearer
  <REST_CHANNEL_TOKEN>`` (compared in constant time); with no token set, a
  random one is generated into ``var/`` on first run (``bot/secrets.py``) —
  there is no default value;
- **its own conversations**: the id is ``rest:<sender>``
  (``bot.core.identity``), never an SMS or web chat conversation's id;
- **rate-limited** per sender and per client address;
- **text cleaned** (``bot.core.text``) and client metadata and
  ``input_channel`` ignored: nothing a client sends can claim an identity.

Request validation (JSON shape, sizes) happens before, in
``bot/rasa_server/http_limits.py``; a missing conversation lock still gives 503
(``bot/rasa_server/resilience.py``).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets
from bot.core.identity import rest_conversation_id
from bot.core.ratelimit import TokenBucketLimiter
from bot.core.text import clean_text
from bot.settings import RestChannelSettings

logger = logging.getLogger(__name__)

TOKEN_ENV = "REST_CHANNEL_TOKEN"


class ProductionRefused(RuntimeError):
    pass


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(status: int, code: str, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status, headers=headers,
                         dumps=_dumps)


class RestChannel(InputChannel):
    """An authenticated, namespaced, rate-limited REST channel (see module doc)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestChannel":
        return cls()

    def __init__(self, env: Optional[Mapping[str, str]] = None) -> None:
        """``env``: the process environment unless given (tests)."""
        if secrets.is_production(env):
            raise ProductionRefused(
                "The REST channel is for development and tests only: remove "
                "channels.rest.RestChannel from the credentials file in production "
                "(deploy/credentials.production.yml does not list it)."
            )
        self.token = secrets.secret(TOKEN_ENV, env)
        rates = RestChannelSettings.from_env(env)
        self.sender_limiter = TokenBucketLimiter(rates.sender_burst, rates.sender_per_minute)
        self.client_limiter = TokenBucketLimiter(rates.client_burst, rates.client_per_minute)

    def authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization") or ""
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())

    def limited(self, request: Request, sender: str) -> Optional[HTTPResponse]:
        for limiter, key in ((self.client_limiter, request.remote_addr or request.ip or "?"),
                             (self.sender_limiter, sender)):
            decision = limiter.allow(key)
            if not decision.allowed:
                wait = max(1, int(decision.retry_after + 0.999))
                return _error(429, "rate_limited", f"发送太频繁，请{wait}秒后再试。",
                              headers={"Retry-After": str(wait)})
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("collectbot_rest", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorized(request):
                return _error(401, "unauthorized", "需要有效的访问令牌（Authorization: Bearer …）。",
                              headers={"WWW-Authenticate": "Bearer"})
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip() or not isinstance(text, str):
                return _error(400, "invalid_message", "需要 sender 和 message 两个文本字段。")
            sender = clean_text(sender.strip())
            refused = self.limited(request, sender)
            if refused is not None:
                return refused
            collector = CollectingOutputChannel()
            # Client metadata and input_channel are ignored: they could claim
            # an identity or another channel's conversation.
            conversation_id = rest_conversation_id(sender)
            try:
                await on_new_message(
                    UserMessage(clean_text(text), collector, conversation_id, input_channel=self.name())
                )
            except asyncio.CancelledError:
                logger.error("REST message for %s timed out", conversation_id)
            except Exception:
                # As Rasa's channel: what was said so far is answered; a
                # missing conversation lock becomes 503 (bot/rasa_server/resilience.py).
                logger.exception("REST message for %s failed", conversation_id)
            return response.json(collector.messages, dumps=_dumps)

        return bp
