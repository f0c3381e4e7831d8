"""The cardholder's typing signal (issue 14): the widget's socket says
"typing", the channel records it for the conversation confirmed to that
socket in the database (where the console, another process, reads it), and
refuses anything else with a 4xx. A real Sanic app with the web chat
channel, a real SQLite database."""
from __future__ import annotations

import time

import pytest

from bot.core import tokens
from tests.unit.test_webchat_channel import SECRET, Client, Server, run


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from bot.db.models import Base
    from bot.db.session import dispose_engines, get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('webchat-typing') / 'collectbot.db'}"
    Base.metadata.create_all(get_engine(url))
    server = Server()
    server.start()
    try:
        yield server, url
    finally:
        server.stop()
        dispose_engines()


@pytest.fixture(autouse=True)
def the_channels_database(world, monkeypatch):
    # The channel writes where DATABASE_URL says, as in production (the
    # suite's own autouse fixture points it at a throwaway file per test).
    monkeypatch.setenv("DATABASE_URL", world[1])


def signals(url):
    from sqlalchemy import select

    from bot.db.models import TypingSignal
    from bot.db.session import session_scope

    with session_scope(url) as s:
        return {row.conversation_id: row.channel for row in s.execute(select(TypingSignal)).scalars()}


def test_a_typing_signal_lands_in_the_database_for_the_sockets_own_conversation(world):
    server, url = world

    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session(token=tokens.issue("E2E-1", 900, SECRET, time.time()))
            ack = await c.sio.call("user_typing", {"session_id": session_id}, timeout=10)
            return session_id, ack

    session_id, ack = run(scenario())
    assert ack == {"ok": True}
    assert signals(url)[session_id] == "webchat"

    from bot.db import typing_signals
    from bot.db.session import session_scope

    with session_scope(url) as s:
        assert typing_signals.is_typing(s, session_id)


def test_a_signal_for_another_conversation_is_refused_and_not_recorded(world):
    server, url = world

    async def scenario():
        async with Client(server) as victim, Client(server) as attacker:
            victim_session, _ = await victim.session(token=tokens.issue("E2E-2", 900, SECRET, time.time()))
            await attacker.session()
            forged = await attacker.sio.call("user_typing", {"session_id": victim_session}, timeout=10)
            return victim_session, forged

    victim_session, forged = run(scenario())
    assert forged == {"ok": False, "status": 403, "error": "not_your_session"}
    assert victim_session not in signals(url)


def test_bad_oversized_and_too_fast_signals_get_a_clear_4xx(world):
    server, url = world

    async def scenario():
        async with Client(server) as c:
            unconfirmed = await c.sio.call("user_typing", {"session_id": "0" * 32}, timeout=10)
            session_id, _ = await c.session()
            bad = await c.sio.call("user_typing", "typing", timeout=10)
            big = await c.sio.call("user_typing", {"session_id": session_id, "x": "字" * 200}, timeout=10)
            acks = [await c.sio.call("user_typing", {"session_id": session_id}, timeout=10) for _ in range(10)]
            return session_id, unconfirmed, bad, big, acks

    session_id, unconfirmed, bad, big, acks = run(scenario())
    assert unconfirmed == {"ok": False, "status": 403, "error": "not_your_session"}
    assert bad == {"ok": False, "status": 400, "error": "bad_request"}
    assert big == {"ok": False, "status": 413, "error": "too_large"}
    assert acks[0] == {"ok": True}
    assert acks[-1] == {"ok": False, "status": 429, "error": "rate_limited"}
    assert session_id in signals(url)


def test_a_signal_is_fresh_for_five_seconds_only(world):
    from datetime import datetime, timedelta, timezone

    from bot.db import typing_signals
    from bot.db.session import session_scope

    _, url = world
    at = datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)
    with session_scope(url) as s:
        typing_signals.record(s, "fresh-test", "webchat", at)
        typing_signals.record(s, "fresh-test", "webchat", at)  # overwritten, one row

    def typing(after_seconds):
        with session_scope(url) as s:
            return typing_signals.is_typing(s, "fresh-test", at + timedelta(seconds=after_seconds))

    assert typing(0) and typing(4.9)
    assert not typing(5.0) and not typing(60)
    assert not typing(-30)  # a clock far ahead never shows typing for long
    with session_scope(url) as s:
        assert not typing_signals.is_typing(s, "never-typed")
