"""The agent's own status and auto-assignment (issue 14): only an 在线 agent
is given new hand-overs, the one holding the fewest, each with an audit row
(and the web chat cardholder told who joined); 忙碌 and 离开 get nothing; a
trainer has no status. Statuses are in the database: a restarted (or a
second) console process knows them; an 在线 agent whose console has not been
seen for a while gets nothing new. Real console processes (their own
assignment loops), real SQLite database, fake Rasa."""
from __future__ import annotations

import json
import time

import pytest

from tests.console.test_console_api import console_fixtures, browser, hand_over


env, _database = console_fixtures("console-presence")


def holder_of(agent, cid, wait=20.0):
    """Who holds ``cid`` once the console's loop (CONSOLE_POLL_SECONDS=0.3) had its turns."""
    deadline = time.monotonic() + wait
    while True:
        items = {i["conversation_id"]: i for i in agent.get("/api/queue").json()["items"]}
        claim = (items.get(cid) or {}).get("claim")
        if claim or time.monotonic() > deadline:
            return claim["username"] if claim else None
        time.sleep(0.2)


def audit(env, action):
    from sqlalchemy import select

    from bot.db.session import session_scope
    from console.models import AuditLog

    with session_scope(env["db"]) as s:
        return [(a.username, a.conversation_id, json.loads(a.detail) if a.detail else None)
                for a in s.execute(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).scalars()]


def audited(env, action, row, wait=20.0):
    """Whether ``row`` is among the audit rows of ``action`` within ``wait``
    seconds: the console writes the audit row after it has stored the claim
    (console/presence.py assign_once), so the queue may show the holder first."""
    deadline = time.monotonic() + wait
    while True:
        if row in audit(env, action):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def test_only_an_online_agent_gets_new_hand_overs(env):
    agent1, agent2, boss = browser(env, "agent1"), browser(env, "agent2"), browser(env, "boss")
    assert agent1.get("/api/me/status").json()["status"] == "away"  # nobody is online until they say so
    hand_over(env, "auto-0", "C-1")
    from bot.db.session import session_scope
    from console import presence

    with session_scope(env["db"]) as s:
        assert presence.pick(s) is None  # nobody online: nothing to assign

    assert agent1.post("/api/me/status", {"status": "online"}).json() == {"status": "online", "label": "在线"}
    assert agent2.post("/api/me/status", {"status": "busy"}).status == 200
    assert boss.post("/api/me/status", {"status": "away"}).status == 200
    assert holder_of(agent1, "auto-0") == "agent1"  # the waiting one goes first
    hand_over(env, "auto-1", "C-2")
    assert holder_of(agent1, "auto-1") == "agent1"
    assert audited(env, "auto_assign", ("agent1", "auto-1", {"to": "agent1"})), audit(env, "auto_assign")
    assert [d["status"] for u, _, d in audit(env, "status") if u == "agent2"] == ["busy"]
    # The web chat cardholder is told who joined. The console announces after
    # it has stored the claim, so the notice may land a moment after the
    # queue shows the holder.
    deadline = time.monotonic() + 20
    while True:
        joined = [e for e in env["fake"].trackers["auto-1"]["events"] if e.get("event") == "bot"]
        if joined or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert joined and joined[-1]["text"] == "专员 张专员已接入，正在为您服务。"

    # Two online: the one holding fewer gets the next.
    assert agent2.post("/api/me/status", {"status": "online"}).status == 200
    hand_over(env, "auto-2", "C-3")
    assert holder_of(agent1, "auto-2") == "agent2"


def test_status_is_checked(env):
    agent = browser(env, "agent1")
    assert agent.post("/api/me/status", {"status": "sleeping"}).status == 400
    assert browser(env, "trainer1").post("/api/me/status", {"status": "online"}).status == 403


def test_statuses_survive_a_restart_and_every_console_process_agrees(env, tmp_path):
    from tests.console.support import running_console
    from tests.console.test_console_api import Browser

    first = browser(env, "agent1")
    assert first.post("/api/me/status", {"status": "busy"}).status == 200
    # A new console process on the same database (a restart, or a second one
    # behind the same address) knows the status the agent chose.
    from tests.console.test_console_api import NOW

    console_env = {"DATABASE_URL": env["db"], "COLLECTBOT_NOW": NOW, "RASA_URL": env["fake"].url,
                   "RASA_API_TOKEN": env["fake"].token}
    with running_console(tmp_path, console_env) as url:
        second = Browser(url)
        assert second.login("agent1").status == 302
        assert second.get("/api/me/status").json()["status"] == "busy"
        assert second.post("/api/me/status", {"status": "online"}).status == 200
    assert first.get("/api/me/status").json() == {"status": "online", "label": "在线",
                                                  "labels": {"online": "在线", "busy": "忙碌", "away": "离开"}}
    # Every change has its audit row, whichever process took it.
    assert [d["status"] for u, _, d in audit(env, "status") if u == "agent1"][-2:] == ["busy", "online"]


def test_an_online_agent_whose_console_is_not_seen_gets_nothing_new(env):
    from datetime import timedelta

    from sqlalchemy import select

    from bot import clock
    from bot.db.session import session_scope
    from console import presence
    from console.models import ConsoleUser

    agent = browser(env, "agent2")
    assert agent.post("/api/me/status", {"status": "online"}).status == 200
    with session_scope(env["db"]) as s:
        agent_id = s.execute(select(ConsoleUser.id).where(ConsoleUser.username == "agent2")).scalar_one()
        later = clock.wall_now() + timedelta(seconds=presence.STALE_AFTER_SECONDS + 60)
        assert agent_id in presence.available(s)
        assert agent_id not in presence.available(s, later)  # the lid closed: treated as away
        assert presence.status_of(s, agent_id) == "online"  # what they chose is kept
        presence.seen(s, agent_id, later)  # their console is back
        assert agent_id in presence.available(s, later)
