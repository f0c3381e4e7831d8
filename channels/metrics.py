"""``GET /metrics`` of a Rasa server process (``channels.metrics.MetricsInput``).

Registered in credentials.yml like a channel, because only a channel can
add a route to Rasa's app before it starts. Its URL prefix is ``/``, so the
route is ``GET /metrics`` (where Prometheus looks by default), not under
``/webhooks/``. What is counted: bot/observability/metrics.py; the
conversation counters are fed by the tracker store
(bot/rasa_server/tracker_store.py).

The request metrics, JSON logs and input limits of the whole server are not
installed here but by ``bot.rasa_server.install()``, whatever channels are
listed. Loading this module only switches the start-up log lines to JSON
when ``LOG_FORMAT=json`` (bot/observability/logging.py): they are written
before the model loads and ``install()`` runs.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.observability import logging as json_logging
from bot.observability import metrics

PROCESS = "rasa"

json_logging.install(PROCESS)


class MetricsInput(InputChannel):
    """No messages: ``GET /metrics``."""

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
        bp.route(metrics.METRICS_PATH, methods=["GET"], name="metrics")(metrics.metrics_handler)
        return bp
