"""The agent inbox (issue 14): Mine / Unassigned / All views, transfer of a
claimed conversation to a colleague (claims in the database, an audit row),
canned replies, the newest cardholder message on each queue item, and the
colleagues to transfer to. The console runs as a real process on a real
SQLite database with the fake Rasa HTTP API."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.console.support import Browser
from tests.console.test_console_api import console_fixtures, audit_actions, browser, hand_over


env, _database = console_fixtures("console-inbox")


def ids(answer, prefix):
    return sorted(i["conversation_id"] for i in answer["items"] if i["conversation_id"].startswith(prefix))


def claims_of(env, cid):
    from sqlalchemy import select

    from bot.db.session import session_scope
    from console.models import Claim, ConsoleUser

    with session_scope(env["db"]) as s:
        return [
            (u.username, c.released_at is not None, c.release_reason)
            for c, u in s.execute(
                select(Claim, ConsoleUser).join(ConsoleUser, Claim.user_id == ConsoleUser.id)
                .where(Claim.conversation_id == cid).order_by(Claim.id)
            ).all()
        ]


def audit_rows(env, cid, action):
    from sqlalchemy import select

    from bot.db.session import session_scope
    from console.models import AuditLog

    with session_scope(env["db"]) as s:
        return [
            (a.username, a.account_id, json.loads(a.detail) if a.detail else None)
            for a in s.execute(
                select(AuditLog).where(AuditLog.conversation_id == cid, AuditLog.action == action).order_by(AuditLog.id)
            ).scalars()
        ]


def test_mine_unassigned_and_all_views(env):
    hand_over(env, "view-a", "C-1")
    hand_over(env, "view-b", "C-2")
    hand_over(env, "view-c", "C-3")
    agent1, agent2 = browser(env, "agent1"), browser(env, "agent2")
    assert agent1.claim("view-a").status == 200
    assert agent2.claim("view-b").status == 200

    mine = agent1.get("/api/queue?view=mine").json()
    assert mine["view"] == "mine" and ids(mine, "view-") == ["view-a"]
    unassigned = agent1.get("/api/queue?view=unassigned").json()
    assert ids(unassigned, "view-") == ["view-c"]
    everything = agent1.get("/api/queue?view=all").json()
    assert ids(everything, "view-") == ["view-a", "view-b", "view-c"]
    assert ids(agent2.get("/api/queue?view=mine").json(), "view-") == ["view-b"]
    # The counts are those of the lists, whatever view is asked.
    counts = everything["counts"]
    assert counts == mine["counts"] == unassigned["counts"]
    assert counts["all"] == len(everything["items"]) == counts["mine"] + counts["unassigned"] + sum(
        1 for i in everything["items"] if i["claim"] and not i["mine"])
    assert counts["mine"] == len(mine["items"]) and counts["unassigned"] == len(unassigned["items"])
    # No view, or one we do not know: everything.
    assert ids(agent1.get("/api/queue?view=nonsense").json(), "view-") == ["view-a", "view-b", "view-c"]
    assert ids(agent1.get("/api/queue").json(), "view-") == ["view-a", "view-b", "view-c"]


def test_transfer_moves_the_claim_and_is_audited(env):
    hand_over(env, "xfer-1", "C-4")
    agent1, agent2 = browser(env, "agent1"), browser(env, "agent2")
    assert agent1.claim("xfer-1").status == 200

    # Not to a trainer, nobody, or the one who holds it already.
    assert agent1.post(agent1.cpath("xfer-1", "/transfer"), {"to": "trainer1"}).status == 404
    assert agent1.post(agent1.cpath("xfer-1", "/transfer"), {"to": "nobody"}).status == 404
    assert agent1.post(agent1.cpath("xfer-1", "/transfer"), {"to": "agent1"}).status == 409
    # A colleague who does not hold it cannot give it away.
    refused = agent2.post(agent2.cpath("xfer-1", "/transfer"), {"to": "agent2"})
    assert refused.status == 403 and "张专员" in refused.json()["error"]
    assert claims_of(env, "xfer-1") == [("agent1", False, None)]

    answer = agent1.post(agent1.cpath("xfer-1", "/transfer"), {"to": "agent2"})
    assert answer.status == 200, answer.body
    assert answer.json()["claim"]["username"] == "agent2" and answer.json()["to"] == "李专员"
    assert claims_of(env, "xfer-1") == [("agent1", True, "reassigned"), ("agent2", False, None)]
    assert audit_rows(env, "xfer-1", "transfer") == [
        ("agent1", "C-4", {"from": "agent1", "from_name": "张专员", "to": "agent2", "to_name": "李专员"})
    ]
    # The new holder talks; the old one no longer can.
    assert agent1.reply("xfer-1", "您好").status == 409
    assert agent2.reply("xfer-1", "您好，我是李专员，接下来由我为您服务。").status == 200
    assert env["fake"].sent[-1] == {"conversation_id": "xfer-1", "channel": "webchat",
                                    "text": "您好，我是李专员，接下来由我为您服务。"}
    assert agent2.detail("xfer-1")["mine"] is True
    assert ids(agent2.get("/api/queue?view=mine").json(), "xfer-") == ["xfer-1"]
    assert ids(agent1.get("/api/queue?view=mine").json(), "xfer-") == []

    # A supervisor may move anyone's conversation.
    boss = browser(env, "boss")
    assert boss.post(boss.cpath("xfer-1", "/transfer"), {"to": "agent1"}).status == 200
    assert claims_of(env, "xfer-1")[-1] == ("agent1", False, None)
    actions = [a for _, a, _ in audit_actions(env, "xfer-1")]
    assert actions.count("transfer") == 2


def test_transfer_needs_a_live_claim_and_permission(env):
    hand_over(env, "xfer-2", "C-5")
    agent1 = browser(env, "agent1")
    assert agent1.post(agent1.cpath("xfer-2", "/transfer"), {"to": "agent2"}).status == 409  # nobody holds it
    trainer = browser(env, "trainer1")
    assert trainer.post(trainer.cpath("xfer-2", "/transfer"), {"to": "agent2"}).status in (403, 404)
    assert claims_of(env, "xfer-2") == []
    assert audit_rows(env, "xfer-2", "transfer") == []


def test_colleagues_to_transfer_to(env):
    agents = browser(env, "agent1").get("/api/agents").json()["items"]
    names = [a["username"] for a in agents]
    assert "agent2" in names and "boss" in names
    assert "agent1" not in names and "trainer1" not in names
    assert browser(env, "trainer1").get("/api/agents").status == 403


def test_canned_replies_are_served_to_agents_only(env):
    from console import canned

    items = browser(env, "agent1").get("/api/canned-replies").json()["items"]
    assert len(items) >= 5
    for item in items:
        assert item["title"] and canned.problems(item["text"]) == [], item
    assert browser(env, "trainer1").get("/api/canned-replies").status == 403


def test_queue_items_carry_the_newest_cardholder_message(env):
    from bot import clock
    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    hand_over(env, "news-1", "C-6")
    agent1 = browser(env, "agent1")
    assert agent1.claim("news-1").status == 200
    item = next(i for i in agent1.get("/api/queue?view=mine").json()["items"] if i["conversation_id"] == "news-1")
    assert item["last_cardholder_message_id"] is None
    with session_scope(env["db"]) as s:
        for direction in ("in", "out"):
            row = ContactLog(conversation_id="news-1", account_id="C-6", channel="webchat", direction=direction,
                             text="还在吗？", created_at=datetime(2026, 11, 25, 10, 1, tzinfo=clock.SHANGHAI))
            s.add(row)
            s.flush()
            if direction == "in":
                inbound = row.id
    events = agent1.sse(
        "/api/queue/stream?view=mine",
        lambda evs: any(i["conversation_id"] == "news-1" and i["last_cardholder_message_id"] == inbound
                        for e in evs for i in e["data"].get("items", [])),
    )
    item = next(i for i in events[-1]["data"]["items"] if i["conversation_id"] == "news-1")
    assert datetime.fromisoformat(item["last_cardholder_message_at"]) == datetime(2026, 11, 25, 10, 1, tzinfo=clock.SHANGHAI)
    assert events[-1]["data"]["view"] == "mine"


def test_the_audit_log_reads_in_chinese(env):
    hand_over(env, "aud-zh", "C-7")
    agent1 = browser(env, "agent1")
    assert agent1.claim("aud-zh").status == 200
    assert agent1.reply("aud-zh", "再不还钱就让你坐牢").status == 422
    assert agent1.post(agent1.cpath("aud-zh", "/transfer"), {"to": "agent2"}).status == 200
    entries = browser(env, "boss").get("/api/audit?conversation_id=aud-zh").json()["entries"]
    shown = [(e["action_label"], e["detail_text"]) for e in reversed(entries)]
    assert shown[0] == ("领取会话", "")
    assert shown[1][0] == "回复被合规拦截" and "原因：" in shown[1][1] and "坐牢" in shown[1][1]
    assert "forbidden_wording" not in shown[1][1] and "{" not in shown[1][1]
    assert shown[2] == ("转交会话", "由 张专员 转交给 李专员")
    assert entries[0]["action"] == "transfer"  # the stored code is unchanged


def test_an_agent_confirms_the_cardholders_identity(env):
    hand_over(env, "confirm-1", "C-8", verified=False)
    agent1 = browser(env, "agent1")
    assert agent1.detail("confirm-1")["state"]["identity_confirmed"] is False
    # Only the agent holding the conversation.
    assert agent1.post(agent1.cpath("confirm-1", "/confirm-identity")).status == 409
    assert agent1.claim("confirm-1").status == 200
    assert browser(env, "agent2").post(Browser.cpath("confirm-1", "/confirm-identity")).status == 409
    answer = agent1.post(agent1.cpath("confirm-1", "/confirm-identity"))
    assert answer.status == 200 and answer.json()["account_id"] == "C-8"
    assert agent1.post(agent1.cpath("confirm-1", "/confirm-identity")).status == 200  # once is enough
    assert audit_rows(env, "confirm-1", "confirm_identity") == [("agent1", "C-8", None)]
    detail = agent1.detail("confirm-1")
    assert detail["state"]["identity_confirmed"] is True
    assert detail["identity_confirmed_by_agent"]["username"] == "agent1"
    # A right-party contact in the reports (bot/reports/kpi.py).
    from bot import clock
    from bot.db.models import ContactLog
    from bot.db.session import session_scope
    from bot.reports.kpi import compute_kpis

    with session_scope(env["db"]) as s:
        s.add(ContactLog(conversation_id="confirm-1", account_id="C-8", channel="webchat", direction="in",
                         text="是我本人", created_at=datetime(2026, 11, 25, 10, 0, tzinfo=clock.SHANGHAI)))
    with session_scope(env["db"]) as s:
        report = compute_kpis(s, datetime(2026, 11, 25).date(), datetime(2026, 11, 25).date())
    web = [r for r in report.by_channel if r.channel == "webchat"][0]
    assert web.right_party_contacts == 1  # C-8, confirmed by the agent; nobody else here verified
