"""Rasa custom actions (run with `rasa run actions --actions bot.actions`).

rasa-sdk imports every module of this package at start-up, so nothing here
connects to a database or reads files at import time.
"""
