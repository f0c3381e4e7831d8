"""Rasa custom actions (run with `rasa run actions --actions bot.actions`).

rasa-sdk imports every module of this package at start-up, so nothing here
connects to a database or reads files at import time.
"""

# Inside `rasa run actions` rasa-sdk imports this package while it builds its
# Sanic app: refuse malformed action calls there with 400 instead of a 500
# (bot/http_limits.py). Does nothing anywhere else.
from bot.http_limits import install_action_server as _install_action_server
from bot.observability import logging as _json_logging
from bot.observability import metrics as _metrics

# JSON logs with personal data masked when LOG_FORMAT=json, and GET /metrics
# with request timing (bot/observability/); the timing first, so refused
# requests are timed too.
_json_logging.install("actions")
_metrics.install_action_server()
_install_action_server()
