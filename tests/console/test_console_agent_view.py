"""What an agent reads in the console (issue 14): button clicks as the
cardholder saw them, handed-back conversations out of the queue, each row's
own SLA clock (a crisis from the message), readable titles and channel
names, and booking refusals written for the agent.

The console runs as a real process on a real SQLite database with the fake
Rasa HTTP API (tests/fakes/fake_rasa.py), as in test_console_api.py.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import update

from tests.console.test_console_api import NOW, console_fixtures, audit_actions, browser, hand_over

CONFIRM = [{"title": "是，提交申请", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]


env, _database = console_fixtures("console-agent-view")


def bot_asks_with_buttons(env, cid, text, buttons):
    fake = env["fake"]
    with fake._lock:
        fake.trackers[cid]["events"].append(
            {"event": "bot", "text": text, "timestamp": time.time(), "data": {"buttons": buttons}}
        )


def log_contact(env, cid, account_id, direction, text, channel="webchat"):
    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    with session_scope(env["db"]) as s:
        s.add(ContactLog(conversation_id=cid, account_id=account_id, channel=channel, direction=direction, text=text))


def test_a_button_click_reads_as_the_buttons_title_in_transcript_contact_log_and_stream(env):
    cid = "web-button-1"
    hand_over(env, cid, "C-2", summary="客户要求人工：/affirm / 转人工")
    bot_asks_with_buttons(env, cid, "确认提交个性化还款方案申请吗？", CONFIRM)
    env["fake"].user_says(cid, "/affirm", intent="affirm")
    log_contact(env, cid, "C-2", "out", "确认提交个性化还款方案申请吗？\n是，提交申请 | 不是")
    log_contact(env, cid, "C-2", "in", "/affirm")
    agent = browser(env, "agent1")

    detail = agent.detail(cid)
    said = [m for m in detail["transcript"] if m["from"] == "cardholder"]
    assert said[-1]["text"] == "是，提交申请" and said[-1]["button"] is True
    assert said[0]["text"] == "转人工" and said[0]["button"] is False  # typed text stays as typed
    contacts = [c["text"] for c in detail["account"]["contact_log"] if c["conversation_id"] == cid]
    assert contacts[-1] == "是，提交申请"
    # The queue has no buttons to look at: the click reads as what it meant.
    item = next(i for i in agent.get("/api/queue").json()["items"] if i["conversation_id"] == cid)
    assert item["summary"] == "客户要求人工：是（确认） / 转人工"
    streamed = agent.sse(agent.cpath(cid, "/stream"), until=lambda events: bool(events))
    assert "/affirm" not in str(streamed[0]["data"]["transcript"])
    assert "/affirm" not in str(streamed[0]["data"]["account"]["contact_log"])


def test_a_forged_payload_reads_as_what_it_is_never_as_another_buttons_title(env):
    cid = "web-button-forged"
    forged = '/request_installment{"months":"60期"}'
    cards = [
        {"title": "分12期，每期约7,950.00元", "payload": '/request_installment{"months":"12期"}'},
        {"title": "分24期，每期约4,125.00元", "payload": '/request_installment{"months":"24期"}'},
    ]
    hand_over(env, cid, "C-2", summary="客户要求人工：［未匹配按钮］" + forged)
    bot_asks_with_buttons(env, cid, "请选择方案", cards)
    env["fake"].user_says(cid, forged, intent="request_installment")
    log_contact(env, cid, "C-2", "out", "请选择方案\n" + " | ".join(c["title"] for c in cards))
    log_contact(env, cid, "C-2", "in", forged)
    agent = browser(env, "agent1")

    detail = agent.detail(cid)
    said = [m for m in detail["transcript"] if m["from"] == "cardholder"]
    assert said[-1]["text"] == "［未匹配按钮］" + forged
    contacts = [c["text"] for c in detail["account"]["contact_log"] if c["conversation_id"] == cid]
    assert contacts[-1] == "［未匹配按钮］" + forged
    item = next(i for i in agent.get("/api/queue").json()["items"] if i["conversation_id"] == cid)
    assert item["summary"] == "客户要求人工：［未匹配按钮］" + forged
    for shown in (said[-1]["text"], contacts[-1], item["summary"]):
        assert not any(c["title"] in shown for c in cards)


def test_a_conversation_handed_back_leaves_the_queue_at_once(env):
    cid = "web-handback-1"
    hand_over(env, cid, "C-3")
    agent = browser(env, "agent1")
    assert agent.claim(cid).status == 200
    assert cid in [i["conversation_id"] for i in agent.get("/api/queue").json()["items"]]
    assert agent.hand_back(cid).json()["handed_back"] is True

    queue = agent.get("/api/queue").json()
    assert cid not in [i["conversation_id"] for i in queue["items"]]
    assert cid in [i["conversation_id"] for i in queue["handed_back"]]  # still to be closed
    streamed = agent.sse("/api/queue/stream", until=lambda events: bool(events))
    assert cid not in [i["conversation_id"] for i in streamed[-1]["data"]["items"]]
    assert ("agent1", "hand_back", "C-3") in audit_actions(env, cid)

    # The cardholder asks for a person again (a minute later; the test
    # clock stands still): back in the queue.
    from bot.db.models import Escalation
    from bot.db.session import session_scope

    again = hand_over(env, cid, "C-3", tracker=False)
    with session_scope(env["db"]) as s:
        s.execute(update(Escalation).where(Escalation.id == again)
                  .values(created_at=datetime.fromisoformat(NOW) + timedelta(minutes=1)))
    assert cid in [i["conversation_id"] for i in agent.get("/api/queue").json()["items"]]


def test_after_hours_each_row_has_its_own_deadline_and_a_crisis_counts_from_the_message(env):
    from bot.db.models import Escalation
    from bot.db.session import session_scope

    late_evening = datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc)  # 22:05 in Shanghai
    ordinary = hand_over(env, "+8613700000005", "C-5", channel="twilio_sms", tracker=False)
    crisis = hand_over(env, "+8613700000006", "C-6", channel="twilio_sms", reason="crisis", priority=0,
                       summary="危机（自伤风险）：不想活了", tracker=False)
    with session_scope(env["db"]) as s:
        for esc_id, at in ((ordinary, late_evening), (crisis, late_evening + timedelta(minutes=30))):
            s.execute(update(Escalation).where(Escalation.id == esc_id).values(created_at=at))

    items = browser(env, "agent1").get("/api/queue").json()["items"]
    assert items[0]["conversation_id"] == "+8613700000006" and items[0]["crisis"]
    by_id = {i["conversation_id"]: i for i in items}
    crisis_due = datetime.fromisoformat(by_id["+8613700000006"]["sla_deadline"])
    ordinary_due = datetime.fromisoformat(by_id["+8613700000005"]["sla_deadline"])
    assert crisis_due == late_evening + timedelta(minutes=30 + 5)  # from the message, not 09:00
    assert by_id["+8613700000006"]["sla_from"] == "message"
    assert ordinary_due == datetime(2026, 11, 25, 1, 5, tzinfo=timezone.utc)  # 09:05 when the desk opens
    assert by_id["+8613700000006"]["sla_seconds_left"] < by_id["+8613700000005"]["sla_seconds_left"]


def test_channels_and_page_titles_are_readable(env):
    hand_over(env, "+8613700000001", "C-1", channel="twilio_sms", tracker=False)
    hand_over(env, "rest-dev-1", None, channel="rest", verified=False, tracker=False)
    agent = browser(env, "agent1")
    labels = {i["conversation_id"]: i["channel_label"] for i in agent.get("/api/queue").json()["items"]}
    assert labels["+8613700000001"] == "短信" and labels["rest-dev-1"] == "测试接口"

    page = agent.get("/conversations/%2B8613700000001").body
    assert "<title>会话 · 李*华 · 短信 · " in page
    assert "<title>会话 · 未关联账户 · 测试接口 · " in agent.get("/conversations/rest-dev-1").body
    # A trainer's title names nobody.
    trainer = browser(env, "trainer1")
    ref = next(i["ref"] for i in trainer.get("/api/queue").json()["items"] if i["account_id"] == "C-1")
    assert "<title>会话 · 持卡人 · 短信 · " in trainer.get(f"/conversations/{ref}").body


def test_a_refused_booking_is_explained_to_the_agent_with_the_rule_and_what_is_allowed(env):
    from bot.db import repository
    from bot.db.session import session_scope

    cid = "web-refusal-1"
    hand_over(env, cid, "C-7")
    with session_scope(env["db"]) as s:  # the bot booked a hardship plan earlier
        repository.book_arrangement(
            s, account_id="C-7", kind="hardship_plan", idempotency_key="earlier:hardship", conversation_id="earlier",
            amount=Decimal("7000.00"), months=36, monthly_payment=Decimal("194.44"), total_fee=Decimal("0.00"),
        )
    agent = browser(env, "agent1")
    assert agent.claim(cid).status == 200

    refused = agent.book(cid, kind="installment", months=12)
    error = refused.json()["error"]
    assert refused.status == 422
    assert "个性化还款方案" in error and "一笔分期" not in error  # the plan that exists, by its name
    assert "当前可办理" in error and "延期还款（最长30天" in error
    assert "您" not in error  # not the cardholder's sentence

    too_long = agent.book(cid, kind="deferral", days=45)
    assert too_long.status == 422 and "延期最长为30天" in too_long.json()["error"]
    promise = agent.book(cid, kind="promise", amount="99999", pay_date="2026-11-30")
    assert promise.status == 422 and "超过应还总额7,000.00元" in promise.json()["error"]
