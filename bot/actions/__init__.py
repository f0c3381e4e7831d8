"""Rasa custom actions (run with `rasa run actions --actions bot.actions`).

rasa-sdk imports every module of this package at start-up, so nothing here
connects to a database or reads files at import time.
"""

# Inside `rasa run actions` rasa-sdk imports this package while it builds its
# Sanic app: refuse malformed action calls there with 400 instead of a 500
# (bot/http_limits.py). Does nothing anywhere else.
from bot.http_limits import install_action_server as _install_action_server

_install_action_server()
