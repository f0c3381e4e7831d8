"""Moved to bot/rasa_server/contact_log.py (issue 15). This alias keeps ``bot.contact_log``
importable for the code that still names it (bot/event_consumer.py,
bot/campaign/runner.py, bench/); it is the same module object, not a copy."""
import sys

from bot.rasa_server import contact_log as _moved

sys.modules[__name__] = _moved
