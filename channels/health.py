"""Liveness and readiness of a Rasa server process (``channels.health.HealthInput``).

Registered in credentials.yml like a channel, so it is mounted at
``/webhooks/health/``:

- ``GET /webhooks/health/healthz``  200 ``{"status": "ok"}`` while the process serves HTTP
  (liveness: restart the process when this fails);
- ``GET /webhooks/health/readyz``   200 when the model is loaded and the account
  database, the tracker store's database and the Redis lock store (whichever
  are configured) answer; else 503 with what failed (readiness: the load
  balancer sends no cardholder here meanwhile).

Rasa's own ``/`` only says the process is up, and ``/status`` needs the API
token. The server-wide input limits are ``bot.rasa_server.install()``'s
(bot/rasa_server/http_limits.py), not this channel's.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.db.session import ping
from bot.rasa_server import http_limits

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


async def _timed(fn: Callable[[], Any]) -> None:
    await asyncio.wait_for(asyncio.to_thread(fn), CHECK_TIMEOUT_SECONDS)


async def readiness(app: Any, db_url: Optional[str] = None) -> Dict[str, str]:
    """Each dependency → "ok" or what went wrong."""
    checks: Dict[str, str] = {}
    agent = getattr(app.ctx, "agent", None)
    checks["model"] = "ok" if agent is not None and agent.is_ready() else "not loaded"

    problem: Optional[str]
    try:
        await _timed(lambda: _raise_if(http_limits.readiness_problem(db_url)))
        problem = None
    except Exception as exc:
        problem = str(exc) or type(exc).__name__
    checks["account_db"] = problem or "ok"

    store = getattr(agent, "tracker_store", None) if agent is not None else None
    inner = getattr(store, "_tracker_store", store)  # FailSafeTrackerStore wraps the real one
    engine = getattr(inner, "engine", None)
    if engine is not None:
        try:
            await _timed(lambda: ping(engine))  # the tracker store's own engine
            checks["tracker_store"] = "ok"
        except Exception as exc:
            checks["tracker_store"] = type(exc).__name__

    lock_store = getattr(agent, "lock_store", None) if agent is not None else None
    redis = getattr(lock_store, "red", None)
    if redis is not None:
        try:
            await _timed(redis.ping)
            checks["lock_store"] = "ok"
        except Exception as exc:
            checks["lock_store"] = type(exc).__name__
    return checks


def _raise_if(problem: Optional[str]) -> None:
    if problem:
        raise RuntimeError(problem)


class HealthInput(InputChannel):
    """No messages: only the health routes."""

    @classmethod
    def name(cls) -> Text:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "HealthInput":
        return cls()

    def __init__(self, db_url: Optional[str] = None) -> None:
        self.db_url = db_url

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("collectbot_health", __name__)

        @bp.route("/healthz", methods=["GET"])
        async def healthz(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/readyz", methods=["GET"])
        async def readyz(request: Request) -> HTTPResponse:
            checks = await readiness(request.app, self.db_url)
            ready = all(v == "ok" for v in checks.values())
            if not ready:
                logger.warning("not ready: %s", checks)
            return response.json({"status": "ok" if ready else "unavailable", "checks": checks},
                                 status=200 if ready else 503)

        return bp
