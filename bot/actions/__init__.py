"""Rasa custom actions (run with `rasa run actions --actions bot.actions`).

rasa-sdk imports every module of this package at start-up, so nothing here
connects to a database or reads files at import time.
"""

from bot import action_server as _action_server
from bot.observability import logging as _json_logging

# JSON logs with personal data masked when LOG_FORMAT=json.
_json_logging.install("actions")
# The caller token, metrics, input limits and the loopback address are added
# through rasa-sdk's plugin hook once its app exists (bot/action_server.py).
_action_server.register()
