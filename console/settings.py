"""The console's settings, from the environment (documented in the README)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, Optional


def _flag(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ConsoleSettings:
    host: str = "127.0.0.1"  # CONSOLE_HOST
    port: int = 5006  # CONSOLE_PORT
    rasa_url: str = "http://localhost:5005"  # RASA_URL
    rasa_token: str = ""  # RASA_API_TOKEN (required)
    # Cookies are Secure (HTTPS only; browsers accept them from http://localhost).
    # CONSOLE_INSECURE_COOKIES=1 only for plain-HTTP development on another host.
    secure_cookies: bool = True
    session_ttl: timedelta = timedelta(hours=12)  # CONSOLE_SESSION_HOURS
    poll_seconds: float = 1.0  # CONSOLE_POLL_SECONDS: live-update polling of the database
    stream_seconds: float = 45.0  # one server-sent-events response; the browser reconnects
    # CONSOLE_PROXIES_COUNT: reverse proxies in front (nginx: 1). Sign-in
    # throttling counts per client address; behind a proxy that nobody
    # declared, every agent would share the proxy's address. 0: the peer
    # address is the client, and X-Forwarded-For is ignored (a client
    # cannot choose its own address).
    proxies_count: int = 0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "ConsoleSettings":
        env = os.environ if env is None else env
        return cls(
            host=env.get("CONSOLE_HOST") or "127.0.0.1",
            port=int(env.get("CONSOLE_PORT") or 5006),
            rasa_url=(env.get("RASA_URL") or "http://localhost:5005").rstrip("/"),
            rasa_token=env.get("RASA_API_TOKEN") or "",
            secure_cookies=not _flag(env.get("CONSOLE_INSECURE_COOKIES")),
            session_ttl=timedelta(hours=float(env.get("CONSOLE_SESSION_HOURS") or 12)),
            poll_seconds=float(env.get("CONSOLE_POLL_SECONDS") or 1.0),
            proxies_count=int(env.get("CONSOLE_PROXIES_COUNT") or 0),
        )
