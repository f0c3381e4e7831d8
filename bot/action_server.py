"""What the rasa-sdk action server adds to its Sanic app: a caller token,
metrics, input limits, a loopback default address, honest error codes.

Installed through rasa-sdk's plugin hook ``attach_sanic_app_extensions``
(rasa_sdk/plugin.py), which ``rasa run actions`` calls after it built its
app and before it starts serving; ``bot/actions/__init__.py`` registers this
module with rasa-sdk's plugin manager when rasa-sdk imports the actions.

- Every route except ``GET /health`` (and ``/metrics``, which has its own
  ``METRICS_TOKEN``) needs ``Authorization: Bearer <ACTION_SERVER_TOKEN>``:
  an action call carries the tracker, and the tracker's slots
  (``verified``, ``account_id``) decide what an action tells — whoever can
  post one reads any account. The Rasa server sends the header from its
  endpoints file (``action_endpoint.headers``). Compared in constant time.
- The server listens on 127.0.0.1 unless ``SANIC_HOST`` says otherwise
  (rasa-sdk's own default is 0.0.0.0; the production compose file sets
  0.0.0.0 inside the container network, with no published port).
- An unknown route or method is answered 404/405, not rasa-sdk's 500.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
from typing import Any

import pluggy

from bot import secrets as bot_secrets
from bot.settings import ACTION_SERVER_HOST_ENV, action_server_host

logger = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("rasa_sdk")

TOKEN_NAME = "ACTION_SERVER_TOKEN"
# Open without the action-server token: the health check, and the metrics,
# which check METRICS_TOKEN themselves (bot/observability/metrics.py).
OPEN_PATHS = frozenset({"/health", "/metrics"})


def register() -> None:
    """Register this module with rasa-sdk's plugin manager (idempotent)."""
    import sys

    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    module = sys.modules[__name__]
    if not manager.is_registered(module):
        manager.register(module)


@hookimpl
def attach_sanic_app_extensions(app: Any) -> None:
    install(app)


def _json(body: dict, status: int, headers: Any = None):
    from sanic import response

    return response.json(body, status=status, headers=headers,
                         dumps=lambda d: json.dumps(d, ensure_ascii=False))


def token_middleware(token: str):
    expected = f"Bearer {token}".encode("utf-8")

    async def require_token(request):
        if request.path.rstrip("/") in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        given = (request.headers.get("authorization") or "").strip().encode("utf-8")
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("action server: refused %s %s without the caller token", request.method, request.path[:64])
        return _json({"error": "unauthorized", "message": "the action server needs the Rasa server's token"},
                     401, {"WWW-Authenticate": "Bearer"})

    return require_token


def _sanic_error(request, exception):
    """404, 405 … as they are (rasa-sdk's catch-all handler makes them 500)."""
    status = getattr(exception, "status_code", 500) or 500
    return _json({"error": type(exception).__name__, "message": str(exception)[:200]}, status)


def install(app: Any) -> None:
    """Add everything above to rasa-sdk's app (idempotent)."""
    if getattr(app.ctx, "collectbot_action_server", False):
        return
    from sanic.exceptions import SanicException

    from bot.rasa_server.http_limits import install_action_server as install_limits
    from bot.observability import metrics

    bot_secrets.require("actions")  # production: refuse to start without them
    token = bot_secrets.secret(TOKEN_NAME)
    host = action_server_host()
    os.environ[ACTION_SERVER_HOST_ENV] = host  # rasa-sdk's endpoint.run reads SANIC_HOST after this hook
    logger.info("action server: listening on %s; every route but /health needs %s", host, TOKEN_NAME)
    app.ctx.collectbot_action_server = True
    # The timer first (refused requests are timed too), then the token, then
    # the input limits: nothing parses the body of a caller without the token.
    metrics.install_sanic(app, add_route=True)
    app.register_middleware(token_middleware(token), "request")
    install_limits(app)
    app.error_handler.add(SanicException, _sanic_error)
