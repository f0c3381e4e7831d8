"""Supervisors' approvals of personalised plans (issue 12), with the console
as a real process, a real SQLite database and a fake Rasa: the page lists
the plans cardholders submitted; approving or rejecting (with a reason)
records the decision, tells the cardholder on their channel, closes the
hand-over and hands the conversation back, so the header no longer shows
an agent "handling" a conversation the assistant serves."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core import booking, replies
from tests.console.test_console_api import TODAY, browser, console_fixtures, hand_over, snapshot


env, _database = console_fixtures("approvals")


def submitted(env, cid, account_id, budget):
    """What the bot leaves behind when a cardholder confirms a personalised
    plan: the pending plan, the hand-over to a specialist, a paused chat."""
    from bot.core import booking, policy
    from bot.db import repository
    from bot.db.session import session_scope
    from bot.services import booking as bookings
    from bot.services.escalation import Handover
    from bot.settings import get_settings

    cfg = get_settings().policy
    with session_scope(env["db"]) as s:
        facts = bookings.facts_of(repository.get_account(s, account_id, TODAY))
    offer = policy.plan_for_budget(facts, budget, cfg).offer
    result = bookings.submit_hardship_plan(
        account_id=account_id, conversation_id=cid, confirmed=booking.offer_record(offer, budget), today=TODAY,
        config=cfg, handover=Handover(cid, account_id, "webchat", "hardship_plan", "困难个性化方案待审批"),
        url=env["db"],
    )
    assert result.created, result
    hand_over(env, cid, account_id, reason="hardship_plan")
    return result.arrangement_id


def escalation_statuses(env, account_id):
    return sorted((e["reason"], e["status"]) for e in snapshot(env, account_id)["escalations"])


def test_only_supervisors_see_the_approvals_page(env):
    assert browser(env, "agent1").get("/approvals").status == 403
    assert browser(env, "agent1").get("/api/approvals").status == 403
    page = browser(env, "boss").get("/approvals")
    assert page.status == 200 and "个性化还款方案审批" in page.body and "/static/approvals.js" in page.body


def test_a_rejection_needs_a_reason_and_tells_the_cardholder_why(env):
    plan_id = submitted(env, "appr-reject", "C-8", Decimal("250"))  # 8,000.00 owed
    agent = browser(env, "agent1")
    assert agent.claim("appr-reject").status == 200
    assert agent.post(f"/api/arrangements/{plan_id}/reject", {"reason": "不行"}).status == 403

    boss = browser(env, "boss")
    listed = [p for p in boss.get("/api/approvals").json()["items"] if p["id"] == plan_id]
    assert [(p["monthly_budget"], p["months"], p["monthly_payment"], p["cardholder"]) for p in listed] == [
        ("250.00", 32, "250.00", "孙*")]

    assert boss.post(f"/api/arrangements/{plan_id}/reject", {"reason": "  "}).status == 400
    answer = boss.post(f"/api/arrangements/{plan_id}/reject", {"reason": "需补充收入证明"})
    assert answer.status == 200, answer.body
    assert answer.json()["delivered"] is True and answer.json()["handed_back"] is True

    # After the "专员 … 已接入" notice the agent's claim sends on the web chat (issue 14).
    sent = [m for m in env["fake"].sent if m["conversation_id"] == "appr-reject" and "已接入" not in m["text"]]
    assert sent[0]["channel"] == "webchat"
    assert "未能通过审批" in sent[0]["text"] and "原因：需补充收入证明。" in sent[0]["text"]
    assert sent[1]["text"] == replies.HANDED_BACK
    plan = next(a for a in snapshot(env, "C-8")["arrangements"] if a["id"] == plan_id)
    assert plan["status"] == "cancelled"
    assert escalation_statuses(env, "C-8") == [("hardship_plan", "resolved")]
    # The header: the assistant serves the chat and nobody is shown handling it.
    detail = boss.detail("appr-reject")
    assert detail["state"]["paused"] is False and detail["claim"] is None
    assert plan_id not in [p["id"] for p in boss.get("/api/approvals").json()["items"]]
    assert boss.post(f"/api/arrangements/{plan_id}/approve").status == 409


def test_an_approval_tells_the_cardholder_and_hands_the_chat_back(env):
    plan_id = submitted(env, "appr-ok", "C-9", Decimal("150"))  # 4,000.00 owed
    agent = browser(env, "agent1")
    assert agent.claim("appr-ok").status == 200
    boss = browser(env, "boss")
    answer = boss.post(f"/api/arrangements/{plan_id}/approve")
    assert answer.status == 200, answer.body
    sent = [m["text"] for m in env["fake"].sent if m["conversation_id"] == "appr-ok" and "已接入" not in m["text"]]
    key = next(a for a in snapshot(env, "C-9")["arrangements"] if a["id"] == plan_id)["idempotency_key"]
    assert sent[0] == replies.HARDSHIP_APPROVED.format(
        months=27, monthly="148.15元", total="4,000.00元", reference=booking.reference_text(key), methods="")
    assert sent[1] == replies.HANDED_BACK
    plan = next(a for a in snapshot(env, "C-9")["arrangements"] if a["id"] == plan_id)
    assert plan["status"] == "booked"
    assert escalation_statuses(env, "C-9") == [("hardship_plan", "resolved")]
    detail = agent.detail("appr-ok")
    assert detail["state"]["paused"] is False and detail["claim"] is None
