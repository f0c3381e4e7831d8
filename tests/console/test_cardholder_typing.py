"""The console shows that the web chat cardholder is typing (issue 14): the
channel's signal (a row in ``typing_signals``, written by another process)
reaches the conversation's live stream as a ``typing`` event, true while the
signal is younger than 5 s, false after. Real console process, real SQLite
database, fake Rasa."""
from __future__ import annotations

from datetime import timedelta

from tests.console.test_console_api import browser, console_fixtures, hand_over

env, _database = console_fixtures("console-typing")


def typing_events(agent, cid, until):
    events = agent.sse(agent.cpath(cid, "/stream"), until=lambda evs: until([e for e in evs if e["event"] == "typing"]))
    return [e["data"] for e in events if e["event"] == "typing"]


def test_the_conversation_stream_says_when_the_cardholder_types_and_when_not(env):
    from bot import clock
    from bot.db import typing_signals
    from bot.db.session import session_scope

    cid = "f" * 32
    hand_over(env, cid, "C-1")
    agent = browser(env, "agent1")
    assert typing_events(agent, cid, bool) == [{"cardholder_typing": False}]  # nothing typed yet

    with session_scope(env["db"]) as s:
        typing_signals.record(s, cid, "webchat")
    assert typing_events(agent, cid, bool) == [{"cardholder_typing": True}]

    # Another conversation's signal says nothing about this one.
    with session_scope(env["db"]) as s:
        typing_signals.record(s, cid, "webchat", clock.wall_now() - timedelta(seconds=6))
        typing_signals.record(s, "e" * 32, "webchat")
    assert typing_events(agent, cid, bool) == [{"cardholder_typing": False}]


def test_the_typing_line_goes_away_on_the_open_stream(env):
    from bot import clock
    from bot.db import typing_signals
    from bot.db.session import session_scope

    cid = "d" * 32
    hand_over(env, cid, "C-2")
    agent = browser(env, "agent1")
    with session_scope(env["db"]) as s:
        typing_signals.record(s, cid, "webchat")

    def stopped_once_seen(events):
        if [e["data"]["cardholder_typing"] for e in events] == [True]:
            # The cardholder stops: the last signal ages (written as aged,
            # so the test does not wait 5 s).
            with session_scope(env["db"]) as s:
                typing_signals.record(s, cid, "webchat", clock.wall_now() - timedelta(seconds=6))
        return len(events) >= 2

    assert typing_events(agent, cid, stopped_once_seen) == [{"cardholder_typing": True}, {"cardholder_typing": False}]
