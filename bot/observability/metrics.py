"""Prometheus metrics of one process (Rasa server, action server or console).

What is counted, and where:

| metric | labels | counted in |
|---|---|---|
| ``collectbot_messages_total`` | direction (in/out), channel | Rasa server: every user / bot event the tracker store commits (bot/tracker_store.py) |
| ``collectbot_nlu_confidence`` (histogram) | – | Rasa server: intent confidence of every user message |
| ``collectbot_fallbacks_total`` | kind: ``nlu`` (message below the NLU threshold), ``action`` (``action_default_fallback`` ran) | Rasa server |
| ``collectbot_conversations_paused_total`` | channel | Rasa server: ``pause`` events (a hand-over silences the bot) |
| ``collectbot_handoffs_total`` | reason, channel | action server: escalations opened (committed, not re-opened) |
| ``collectbot_arrangements_booked_total`` | kind, status | action server: arrangements the bot booked (committed, not repeated) |
| ``collectbot_http_requests_total`` | method, route, status | every process: each answered HTTP request |
| ``collectbot_http_request_duration_seconds`` (histogram) | method, route | every process: request to response (first byte for streams) |
| ``collectbot_dead_letters_total`` | source (contact_log, event_relay, event_consumer) | a writer set an item aside instead of retrying it forever (bot/dead_letters.py) |
| ``collectbot_errors_total`` | kind: ``http_5xx`` (source = route) or ``log`` (source = logger, ERROR and above) | every process |

plus prometheus_client's ``process_*`` (resident memory, CPU, open files)
and ``python_gc_*`` of the process. Routes are the route templates
(``webhooks/rest/webhook``, ``conversations/<conversation_id:path>/tracker``),
never a concrete path, and channel names are bounded, so no label carries a
phone number or grows without bound.

Exposed at ``GET /metrics`` on each process (Rasa server: through the
``channels.metrics.MetricsInput`` channel of credentials.yml). Metrics are
per process: with ``SANIC_WORKERS`` > 1 each worker counts for itself and a
scrape sees one of them, so production runs one worker per container. The
route is meant for the internal network (the scraper), like the action
server itself; ``METRICS_TOKEN`` makes it require
``Authorization: Bearer <token>``, and with ``COLLECTBOT_ENV=production`` a
process will not start without it; ``METRICS_ENABLED=0`` turns the route and
the request timing off. The action server's app gets all this from
bot/action_server.py.
"""
from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from typing import Any, Callable, Iterable, Mapping, Optional, Set

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from bot import secrets as bot_secrets
from bot.settings import metrics_enabled

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
TOKEN_NAME = "METRICS_TOKEN"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
# Event types (Rasa's type names) the Rasa server's metrics look at.
OBSERVED_EVENTS = frozenset({"user", "bot", "pause", "action"})

# No "<name>_created" series next to every counter: half the lines, no use here.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

MESSAGES = Counter(
    "collectbot_messages", "Messages in (cardholder) and out (bot, agent) by channel",
    ["direction", "channel"], registry=REGISTRY,
)
NLU_CONFIDENCE = Histogram(
    "collectbot_nlu_confidence", "Intent confidence of each cardholder message",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0), registry=REGISTRY,
)
FALLBACKS = Counter(
    "collectbot_fallbacks", "Messages not understood (kind=nlu) and fallback actions run (kind=action)",
    ["kind"], registry=REGISTRY,
)
PAUSES = Counter(
    "collectbot_conversations_paused", "Conversations paused for a person (hand-over)",
    ["channel"], registry=REGISTRY,
)
HANDOFFS = Counter(
    "collectbot_handoffs", "Escalations to a person opened by the bot", ["reason", "channel"], registry=REGISTRY,
)
ARRANGEMENTS = Counter(
    "collectbot_arrangements_booked", "Arrangements booked by the bot (committed, once per booking)",
    ["kind", "status"], registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "collectbot_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "collectbot_http_request_duration_seconds", "Time from request to response",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
ERRORS = Counter(
    "collectbot_errors", "Errors: 5xx answers (kind=http_5xx, by route) and ERROR log records (kind=log, by logger)",
    ["kind", "source"], registry=REGISTRY,
)

DEAD_LETTERS = Counter(
    "collectbot_dead_letters", "Items a writer set aside (dead-letter table) instead of retrying them forever",
    ["source"], registry=REGISTRY,
)

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
MAX_LABEL_VALUES = 32


class _Bounded:
    """At most MAX_LABEL_VALUES distinct, well-formed values of one label;
    anything else is "other" (a label must never be able to grow without
    bound or carry what a client typed)."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._seen: Set[str] = set(known)
        self._lock = threading.Lock()

    def __call__(self, value: Any) -> str:
        value = str(value) if value not in (None, "") else "unknown"
        if value in self._seen:
            return value
        if not _NAME.match(value):
            return "other"
        with self._lock:
            if len(self._seen) >= MAX_LABEL_VALUES:
                return "other"
            self._seen.add(value)
        return value


_channel = _Bounded({"rest", "twilio_sms", "webchat", "socketio", "cmdline", "unknown", "other"})
_reason = _Bounded()
_kind = _Bounded()
_logger_group = _Bounded()


def enabled(env: Optional[Mapping[str, str]] = None) -> bool:
    """METRICS_ENABLED (bot.settings.metrics_enabled)."""
    return metrics_enabled(env)


# ---------------------------------------------------------------- conversation events (Rasa server)


def observe_event(event: Mapping[str, Any], channel: Optional[str] = None) -> None:
    """Count one Rasa event (``Event.as_dict()``). ``channel`` is the
    conversation's latest input channel, used for bot and pause events."""
    kind = event.get("event")
    if kind == "user":
        MESSAGES.labels("in", _channel(event.get("input_channel") or channel or "rest")).inc()
        intent = (event.get("parse_data") or {}).get("intent") or {}
        confidence = intent.get("confidence")
        if isinstance(confidence, (int, float)) and not isinstance(confidence, bool):
            NLU_CONFIDENCE.observe(min(max(float(confidence), 0.0), 1.0))
        if intent.get("name") == FALLBACK_INTENT:
            FALLBACKS.labels("nlu").inc()
    elif kind == "bot":
        MESSAGES.labels("out", _channel(channel or "rest")).inc()
    elif kind == "pause":
        PAUSES.labels(_channel(channel or "rest")).inc()
    elif kind == "action" and event.get("name") == FALLBACK_ACTION:
        FALLBACKS.labels("action").inc()


def observe_events(events: Iterable[Any], channel: Optional[str] = None) -> None:
    """Count Rasa ``Event`` objects just committed to the tracker store.
    Never raises: metrics must not cost a conversation."""
    try:
        for event in events:
            if getattr(event, "type_name", None) in OBSERVED_EVENTS:
                observe_event(event.as_dict(), channel)
    except Exception:  # pragma: no cover - defensive
        logger.exception("could not count conversation events")


# ---------------------------------------------------------------- action server


def count_committed(fn: Callable[..., Any], kwargs: Mapping[str, Any], result: Any) -> None:
    """After an action's unit of work committed (bot/actions/base.db): count
    what it created. ``repository.book_arrangement`` and
    ``repository.open_escalation`` return ``(id, created)``; a repeated
    booking or an escalation already open is not counted again."""
    name = getattr(fn, "__name__", "")
    if name not in ("book_arrangement", "open_escalation"):
        return
    if not (isinstance(result, tuple) and len(result) == 2 and result[1] is True):
        return
    try:
        if name == "book_arrangement":
            arrangement_booked(kwargs.get("kind"), kwargs.get("status") or "booked")
        else:
            handoff_opened(kwargs.get("reason"), kwargs.get("channel"))
    except Exception:  # pragma: no cover - defensive
        logger.exception("could not count %s", name)


def dead_lettered(source: Any) -> None:
    DEAD_LETTERS.labels(_kind(source)).inc()


def arrangement_booked(kind: Any, status: str = "booked") -> None:
    ARRANGEMENTS.labels(_kind(kind), _kind(status)).inc()


def handoff_opened(reason: Any, channel: Any) -> None:
    HANDOFFS.labels(_reason(reason), _channel(channel)).inc()


# ---------------------------------------------------------------- HTTP


def route_label(request: Any) -> str:
    route = getattr(request, "route", None)
    path = getattr(route, "path", None) if route is not None else None
    if path is None:
        return "unmatched"
    return "/" + str(path).lstrip("/")


def observe_request(method: str, route: str, status: int, seconds: Optional[float]) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    if seconds is not None:
        HTTP_LATENCY.labels(method, route).observe(seconds)
    if status >= 500:
        ERRORS.labels("http_5xx", route).inc()


class ErrorLogCounter(logging.Handler):
    """Counts ERROR and CRITICAL log records by logger (first two name parts):
    exceptions Rasa, rasa-sdk and our code catch and log end up here."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            ERRORS.labels("log", _logger_group(".".join(record.name.split(".")[:2]))).inc()
        except Exception:  # pragma: no cover - a handler must not raise
            pass


def install_error_counter() -> None:
    root = logging.getLogger()
    if not any(isinstance(h, ErrorLogCounter) for h in root.handlers):
        root.addHandler(ErrorLogCounter())


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def authorized(headers: Mapping[str, str], env: Optional[Mapping[str, str]] = None) -> bool:
    """The bearer token when METRICS_TOKEN is set; without it open in
    development and closed in production (COLLECTBOT_ENV, bot/secrets.py)."""
    token = bot_secrets.configured(TOKEN_NAME, env)
    if not token:
        return not bot_secrets.is_production(env)
    given = (headers.get("authorization") or "").strip()
    return hmac.compare_digest(given.encode("utf-8"), f"Bearer {token}".encode("utf-8"))


async def metrics_handler(request: Any):
    """``GET /metrics``: the exposition text (401 without the token when
    METRICS_TOKEN is set, 404 with METRICS_ENABLED=0)."""
    from sanic import response

    if not enabled():
        return response.json({"error": "not_found", "message": "metrics are disabled"}, status=404)
    if not authorized(request.headers):
        return response.json({"error": "unauthorized", "message": "metrics need the METRICS_TOKEN bearer token"},
                             status=401, headers={"WWW-Authenticate": "Bearer"})
    return response.raw(exposition(), content_type=CONTENT_TYPE_LATEST)


def install_sanic(app: Any, add_route: bool = False) -> bool:
    """Time every request of a Sanic app and count its answers (idempotent).

    The timer is the first request middleware, so requests refused by
    another middleware (input limits) are timed too. ``add_route`` also
    mounts ``GET /metrics`` (only before the server starts; the Rasa server
    gets its route from channels/metrics.py instead).
    """
    if getattr(app.ctx, "collectbot_metrics", False):
        return True
    if not enabled():
        return False
    bot_secrets.require_names([TOKEN_NAME])  # production: no start without it
    app.ctx.collectbot_metrics = True
    install_error_counter()

    async def start_timer(request) -> None:
        request.ctx.collectbot_t0 = time.perf_counter()

    async def observe(request, response) -> None:
        t0 = getattr(request.ctx, "collectbot_t0", None)
        seconds = time.perf_counter() - t0 if t0 is not None else None
        try:
            observe_request(request.method, route_label(request), int(getattr(response, "status", 0) or 0), seconds)
        except Exception:  # pragma: no cover - defensive
            logger.exception("could not count a request")

    app.request_middleware.appendleft(start_timer)
    app.register_middleware(observe, "response")
    if add_route:
        app.add_route(metrics_handler, METRICS_PATH, methods=["GET"], name="collectbot_metrics")
    return True


