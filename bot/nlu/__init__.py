"""Rasa NLU components of the assistant.

The Rasa server imports this package when it loads the model (config.yml
names the components here), which makes it the place to install the
server-side speed-ups of bot/rasa_speedups.py and the holding reply of
bot/rasa_resilience.py (action server unreachable, 5xx or timed out).
"""
from bot.rasa_resilience import install as _install_resilience
from bot.rasa_speedups import install as _install_speedups

_install_speedups()
_install_resilience()
