"""Day-one inbox features (issue 14): search conversations by the phone
(whole, last digits, or masked as the console shows it), the account, or
the cardholder's words; the cardholder's earlier conversations on the
conversation page. Real console process, real SQLite database, fake Rasa."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.console.test_console_api import console_fixtures, browser, hand_over


env, _database = console_fixtures("console-search")


def logged(env, cid, account_id, text, channel="twilio_sms", day=20, direction="in"):
    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    with session_scope(env["db"]) as s:
        s.add(ContactLog(conversation_id=cid, account_id=account_id, channel=channel, direction=direction, text=text,
                         created_at=datetime(2026, 11, day, 2, 0, tzinfo=timezone.utc)))


def found(agent, q):
    answer = agent.get("/api/search?q=" + __import__("urllib.parse").parse.quote(q))
    assert answer.status == 200, answer.body
    return [(i["conversation_id"], i["label"]) for i in answer.json()["items"]]


def test_search_by_phone_account_and_words(env):
    logged(env, "+8613700000003", "C-3", "工资下个月才发，能不能晚点还", day=18)
    logged(env, "+8613700000003", "C-3", "好的谢谢", day=19, direction="out")
    logged(env, "a" * 32, "C-3", "我想分期", channel="webchat", day=21)
    logged(env, "+8613700000005", "C-5", "100%不是我的卡", day=20)
    agent = browser(env, "agent1")
    by_phone = found(agent, "+8613700000003")
    assert by_phone == [("a" * 32, "a" * 12), ("+8613700000003", "+86137****0003")]  # newest first, masked
    assert found(agent, "0003") == by_phone
    assert found(agent, "137****0003") == by_phone
    assert found(agent, "+86137****0003") == by_phone
    assert found(agent, "C-3") == by_phone
    words = agent.get("/api/search?q=" + __import__("urllib.parse").parse.quote("工资下个月")).json()["items"]
    assert [(i["conversation_id"], i["account_id"], i["snippet"]) for i in words] == [
        ("+8613700000003", "C-3", "工资下个月才发，能不能晚点还")
    ]
    # LIKE's wildcards are text here.
    assert found(agent, "100%不") == [("+8613700000005", "+86137****0005")]
    assert found(agent, "%") == [] and found(agent, "无此内容") == []


def test_trainers_cannot_search(env):
    assert browser(env, "trainer1").get("/api/search?q=0003").status == 403


def test_the_conversation_shows_the_cardholders_earlier_conversations(env):
    logged(env, "+8613700000006", "C-6", "上个月的事", day=10)
    logged(env, "b" * 32, "C-6", "你好", channel="webchat", day=12)
    hand_over(env, "c" * 32, "C-6")
    agent = browser(env, "agent1")
    earlier = agent.detail("c" * 32)["earlier"]
    assert [(e["conversation_id"], e["messages"], e["channel_label"]) for e in earlier] == [
        ("b" * 32, 1, "在线聊天"), ("+8613700000006", 1, "短信"),
    ]
    assert all(not e["open"] for e in earlier)
