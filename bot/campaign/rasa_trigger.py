"""After each campaign SMS, the conversation in Rasa is told what was sent:
the step goes into the ``campaign_stage`` slot and the SMS text is appended
as a bot message (already in the contact log, so marked as such), through
the one Rasa HTTP client (bot/rasa_client.py).

Never fatal to a run: without RASA_URL and RASA_API_TOKEN it is off, and
after ``give_up_after`` failures in a row it stops trying for the run.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

from bot.core.identity import ALREADY_LOGGED  # SMS appended to the transcript are logged already

CAMPAIGN_SLOT = "campaign_stage"


class RasaTrigger:
    """``POST {RASA_URL}/conversations/{phone}/tracker/events?token=…``."""

    def __init__(self, base_url: Optional[str], token: Optional[str], timeout: float = 5.0,
                 give_up_after: int = 3) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.token = token or ""
        self.timeout = timeout
        self.give_up_after = give_up_after
        self._failures = 0
        self._client: Any = None

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "RasaTrigger":
        from bot import secrets as bot_secrets
        from bot.settings import rasa_url

        return cls(rasa_url(env), bot_secrets.configured("RASA_API_TOKEN", env))

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.token)

    async def trigger(self, conversation_id: str, step: str, text: str) -> Tuple[str, Optional[str]]:
        """("ok" | "failed" | "off", detail)."""
        if not self.enabled:
            return "off", "RASA_URL / RASA_API_TOKEN not set"
        if self._failures >= self.give_up_after:
            return "failed", "Rasa unreachable earlier in this run; not retried"
        from bot.rasa_client import RasaClient, RasaError  # aiohttp only when a run talks to Rasa

        if self._client is None:
            self._client = RasaClient(self.base_url, self.token, self.timeout)
        body = [
            {"event": "slot", "name": CAMPAIGN_SLOT, "value": step},
            {"event": "bot", "text": text, "metadata": {ALREADY_LOGGED: True, "campaign_stage": step}},
        ]
        try:
            await self._client.append_events(conversation_id, body)
        except RasaError as exc:
            self._failures += 1
            return "failed", str(exc)[:300]
        self._failures = 0
        return "ok", None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
