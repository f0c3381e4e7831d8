"""The one client of Rasa's HTTP API, for every process outside the Rasa
server that talks to it: the console (agent replies, pause and resume,
tracker reads, model activation), the campaign runner (the SMS it sent,
appended to the conversation) and the hand-over action (an immediate
message on the cardholder's channel).

Rasa runs with ``--enable-api --auth-token $RASA_API_TOKEN``; the token
travels as the ``token`` query parameter (rasa/server.py ``requires_auth``).
Where Rasa is (``RASA_URL``) is in bot/settings.py; the token is a secret
(bot/secrets.py).

- ``GET  /conversations/{id}/tracker``          read the conversation
- ``POST /conversations/{id}/tracker/events``   pause, resume, set slots, append
- ``POST /conversations/{id}/execute``          run an action now
- ``PUT  /model``                               load another model

A failure of any kind (unreachable, timeout, an HTTP error) is a
``RasaError``; its ``status`` is the HTTP status when Rasa answered.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import quote

import aiohttp

# Characters Rasa's router takes literally in a conversation id ("+8613...").
# Rasa's Sanic takes the path segment as it comes, %-escapes included:
# "%2B8613..." would be another conversation than "+8613...".
PATH_SAFE = "+:@!$&'()*,;="


class RasaError(Exception):
    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


def conversation_path(conversation_id: str, suffix: str) -> str:
    """``/conversations/<id>/<suffix>`` with the id escaped as Rasa reads it."""
    return f"/conversations/{quote(conversation_id, safe=PATH_SAFE)}/{suffix}"


class RasaClient:
    """One kept HTTP session per client; ``close()`` when done."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.token = token or ""
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, timeout: float = 30.0) -> "RasaClient":
        """Rasa where RASA_URL says (bot/settings.py), with RASA_API_TOKEN
        (or RASA_API_TOKEN_FILE); no token: ``enabled`` is False."""
        from bot import secrets as bot_secrets
        from bot.settings import rasa_url

        return cls(rasa_url(env) or "", bot_secrets.configured("RASA_API_TOKEN", env) or "", timeout)

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.token)

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def conversation_url(self, conversation_id: str, suffix: str) -> str:
        return self.base_url + conversation_path(conversation_id, suffix)

    async def call(self, method: str, path: str, params: Optional[Dict[str, str]] = None, body: Any = None) -> Any:
        """``method`` on ``base_url + path`` with the token; the JSON answer
        (None when empty), or RasaError."""
        await self.start()
        assert self._session is not None
        query = {**(params or {}), "token": self.token}
        try:
            async with self._session.request(
                method, self.base_url + path, params=query, data=None if body is None else json.dumps(body),
                headers={"Content-Type": "application/json"},
            ) as response:
                text = await response.text()
                if response.status >= 400:
                    raise RasaError(f"Rasa answered {response.status}: {text[:300]}", response.status)
                return json.loads(text) if text else None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaError(f"Rasa is not reachable at {self.base_url}: {type(exc).__name__} {exc}") from exc

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self.call("GET", conversation_path(conversation_id, "tracker"), {"include_events": "ALL"})

    async def append_events(self, conversation_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
        return await self.call(
            "POST", conversation_path(conversation_id, "tracker/events"), {"include_events": "NONE"}, events
        )

    async def execute(self, conversation_id: str, action: str) -> Dict[str, Any]:
        """Run ``action`` now; its messages go out on the channel the
        cardholder last wrote on (``output_channel=latest``)."""
        return await self.call(
            "POST",
            conversation_path(conversation_id, "execute"),
            {"output_channel": "latest", "include_events": "NONE"},
            {"name": action},
        )

    async def put_model(self, model_file: str) -> None:
        """Replace the running server's model with a local file (``PUT /model``)."""
        await self.call("PUT", "/model", {}, {"model_file": model_file})
