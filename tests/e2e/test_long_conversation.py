"""A long conversation through the real stack (issue 16, finding 8).

Rasa used to ship the whole conversation to the action server on every
action call, so each turn cost more than the one before. With the session
window (bot/session_window.py, set small here so the test stays short) the
tracker the action server receives stays bounded however long the
conversation runs, and the cardholder notices nothing at the session
rollovers: still verified, same account, and a booking form opened before a
rollover goes on after it.
"""
from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest

from tests.e2e.servers import REPO, running_stack

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
PHONE = "+8613800000002"  # DEMO-0002, ID digits 5678, balance 23,500.50
WINDOW = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("long")
    env = {"COLLECTBOT_SESSION_MAX_EVENTS": str(WINDOW),
           "REST_RATE_BURST": "100000", "REST_RATE_PER_MINUTE": "1000000"}
    # slow_actions puts an in-process proxy (no delay) in front of the action
    # server: the test reads what Rasa sends it.
    with running_stack(workdir, NOW, extra_env=env, slow_actions=True) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/demo_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


@pytest.fixture
def shipped(stack, monkeypatch):
    """Events in each tracker Rasa sends to the action server, in order."""
    counts = []
    real_urlopen = urllib.request.urlopen

    def recording_urlopen(request, *args, **kwargs):
        url = getattr(request, "full_url", request)
        if isinstance(url, str) and url.startswith(stack.actions_url) and url.endswith("/webhook"):
            counts.append(len(json.loads(request.data)["tracker"]["events"]))
        return real_urlopen(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", recording_urlopen)
    return counts


def session(stack) -> dict:
    """Sessions of the conversation and events in its latest one, from the tracker store."""
    with sqlite3.connect(stack.workdir / "tracker.db") as conn:
        sender = conn.execute("SELECT sender_id FROM events WHERE sender_id LIKE ? LIMIT 1",
                              (f"%{PHONE}",)).fetchone()[0]
        starts = conn.execute("SELECT count(*), max(id) FROM events WHERE sender_id = ? AND type_name = ?",
                              (sender, "session_started")).fetchone()
        latest = conn.execute("SELECT count(*) FROM events WHERE sender_id = ? AND id >= ?",
                              (sender, starts[1])).fetchone()[0]
    return {"sessions": starts[0], "latest": latest}


def text(replies) -> str:
    return "\n".join(replies)


def test_a_long_conversation_ships_a_bounded_tracker_and_keeps_the_cardholder_verified(stack, shipped):
    assert "本人吗" in text(stack.say(PHONE, "你好"))
    assert "后四位" in text(stack.say(PHONE, "是的"))
    assert "23,500.50元" in text(stack.say(PHONE, "5678"))

    for turn in range(60):
        if turn % 2:
            assert "23,500.50元" in text(stack.say(PHONE, "我欠多少钱")), turn  # still verified
        else:
            assert text(stack.say(PHONE, "谢谢")), turn

    # Several rollovers, and what the action server got never grew with them:
    # one full session (the window), the carried state and a turn at most.
    assert max(shipped[-20:]) <= 2 * WINDOW
    assert max(shipped) <= 2 * WINDOW
    assert session(stack)["sessions"] >= 4

    # A booking form opened just before a rollover goes on after it.
    for _ in range(40):
        if WINDOW - 8 <= session(stack)["latest"] < WINDOW:
            break
        stack.say(PHONE, "谢谢")
    else:
        pytest.fail("never came close to the end of a session")
    before = session(stack)["sessions"]
    quote = text(stack.say(PHONE, "能分12期吗"))
    assert "每期还款" in quote and "确认" in quote
    assert "分期已办理成功" in text(stack.say(PHONE, "好的"))
    assert session(stack)["sessions"] > before  # the form crossed a session rollover

    installments = [a for a in stack.show_account("DEMO-0002")["arrangements"] if a["kind"] == "installment"]
    assert [a["months"] for a in installments] == [12]
