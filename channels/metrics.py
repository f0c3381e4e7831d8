"""Prometheus metrics and JSON logs of a Rasa server process (``channels.metrics.MetricsInput``).

Registered in credentials.yml like a channel. Its URL prefix is ``/``, so
the route is ``GET /metrics`` (where Prometheus looks by default), not
under ``/webhooks/``. What is counted: bot/observability/metrics.py; the
conversation counters are fed by the tracker store (bot/tracker_store.py).

Loading the module switches the logs to JSON when ``LOG_FORMAT=json``
(bot/observability/logging.py); the ``before_server_start`` listener does it
again in case Rasa or Sanic reconfigured logging meanwhile, and adds the
request timing to the whole server. Like our other channels it also
installs the input limits (bot/http_limits.py).
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot import http_limits
from bot.observability import logging as json_logging
from bot.observability import metrics

PROCESS = "rasa"

json_logging.install(PROCESS)


def install_rasa_server(app: Any, _loop: Any = None) -> None:
    """``before_server_start``: JSON logs (LOG_FORMAT=json) and request metrics."""
    json_logging.install(PROCESS)
    metrics.install_sanic(app)


class MetricsInput(InputChannel):
    """No messages: ``GET /metrics`` (and the server-wide hooks)."""

    @classmethod
    def name(cls) -> Text:
        return "metrics"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MetricsInput":
        return cls()

    def url_prefix(self) -> Text:
        # Rasa mounts channels at urljoin("/webhooks/", url_prefix()): "/" is the root.
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("collectbot_metrics", __name__)
        bp.listener("before_server_start")(install_rasa_server)
        bp.listener("before_server_start")(http_limits.install_rasa_server)
        bp.route(metrics.METRICS_PATH, methods=["GET"], name="metrics")(metrics.metrics_handler)
        return bp
