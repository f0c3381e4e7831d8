"""Rasa NLU components of the assistant.

Rasa imports this package whenever it loads our model (config.yml names the
components here): in ``rasa run``, ``rasa shell``, ``rasa test``,
``python -m bot.serve`` and scripts/run_all.sh alike. That makes it the one
place that installs the Rasa server's plug-ins (bot/rasa_server/__init__.py
says what ``install()`` does, and why here).
"""
from bot import rasa_server

rasa_server.install()
