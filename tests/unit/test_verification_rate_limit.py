"""Verification back-off (bot/actions/verification.py with
bot/core/ratelimit.backoff_check), on a real SQLite database (issue 16:
lock-out must protect the cardholder, not become a weapon against them)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import replies
from bot.db.models import AgentTask, Escalation
from bot.db.session import session_scope
from tests.conftest import PINNED_NOW
from tests.unit.actions_support import slot_events
from tests.unit.test_actions import accounts, verify_with  # noqa: F401  (fixture)

KNOWN = "+8613900000001"  # E2E-1, ID digits 3521
UNKNOWN = "+8613811112222"


def web_answer(session: str, phone: str, digits: str, account_id):
    return verify_with(
        digits, sender=session,
        slots={"auth_state": "unverified", "claimed_phone": phone, "account_id": account_id},
    )


def sms_answer(digits: str, auth_state: str = "unverified"):
    return verify_with(digits, sender=KNOWN, slots={"auth_state": auth_state, "account_id": "E2E-1"})


def later(monkeypatch, **delta) -> None:
    monkeypatch.setenv("COLLECTBOT_NOW", (datetime.fromisoformat(PINNED_NOW) + timedelta(**delta)).isoformat())


def phone_limited(texts):
    return len(texts) == 1 and texts[0].startswith("为保护账户安全，该手机号的身份验证尝试次数较多")


def tasks_and_escalations():
    with session_scope() as s:
        tasks = s.execute(select(AgentTask.kind, AgentTask.account_id)).all()
        escalations = s.execute(select(Escalation.id)).all()
    return [tuple(t) for t in tasks], escalations


@pytest.mark.parametrize("phone,account_id", [(KNOWN, "E2E-1"), (UNKNOWN, None)])
def test_strangers_claiming_a_phone_back_off_known_or_not(accounts, monkeypatch, phone, account_id):
    seen = []
    for session, tries in (("web-a", 3), ("web-b", 2)):
        for _ in range(tries):
            seen.append(web_answer(session, phone, "0000", account_id)[1])
    # A third chat: even the right digits are not checked while the wait lasts.
    events, texts = web_answer("web-c", phone, "3521", account_id)
    assert slot_events(events)["auth_state"] == "rate_limited"
    assert slot_events(events).get("verified") is not True
    assert phone_limited(texts) and "400-800-9588" in texts[0]
    # The same answers, known phone or not: nothing tells them apart.
    wrong = [[replies.WRONG_ID.format(left=2)], [replies.WRONG_ID.format(left=1)]]
    assert seen[:2] == wrong and seen[3] == wrong[0]
    assert seen[2][0].startswith("验证未通过的次数较多")  # the chat's own wait
    assert phone_limited(seen[4])  # the fifth failure for the phone
    # Nobody was queued for agents by a stranger's guesses.
    assert tasks_and_escalations() == ([], [])
    # The wait expires: 5 minutes after the last failure the phone may try again.
    later(monkeypatch, minutes=6)
    events, _ = web_answer("web-c", phone, "3521", account_id)
    assert slot_events(events).get("verified") is (True if account_id else None)


def test_strangers_never_block_the_cardholders_own_sms_conversation(accounts):
    for session in ("web-a", "web-a", "web-a", "web-b", "web-b", "rest:" + KNOWN, "rest:" + KNOWN):
        web_answer(session, KNOWN, "0000", "E2E-1")
    events, texts = sms_answer("3521")
    assert slot_events(events)["verified"] is True and texts == []


def test_rest_conversations_count_as_claimed_not_as_the_phone_itself(accounts):
    # The REST channel stands in for a phone conversation but is not carrier-verified.
    for _ in range(3):
        verify_with("0000", sender="rest:" + KNOWN, slots={"auth_state": "unverified", "account_id": "E2E-1"})
    for _ in range(2):
        web_answer("web-a", KNOWN, "0000", "E2E-1")
    events, texts = web_answer("web-b", KNOWN, "3521", "E2E-1")
    assert phone_limited(texts)
    assert tasks_and_escalations() == ([], [])


def test_sms_cardholder_backs_off_gets_a_person_and_is_never_locked_out(accounts, monkeypatch):
    texts = [sms_answer("0000")[1] for _ in range(2)]
    assert texts == [[replies.WRONG_ID.format(left=2)], [replies.WRONG_ID.format(left=1)]]
    events, texts = sms_answer("0000")
    assert slot_events(events)["auth_state"] == "rate_limited"
    assert "5分钟" in texts[0] and texts[0].endswith(replies.VERIFY_BACKOFF_FOLLOW_UP)
    # A person follows up, but the conversation is not paused or queued.
    assert tasks_and_escalations() == ([("verification_help", "E2E-1")], [])
    assert not any(e.get("event") == "pause" for e in events)
    # During the wait the right digits are not checked ...
    later(monkeypatch, minutes=2)
    events, texts = sms_answer("3521")
    assert slot_events(events).get("verified") is not True and "3分钟" in texts[0]
    # ... after it they are.
    later(monkeypatch, minutes=6)
    events, _ = sms_answer("3521")
    assert slot_events(events)["verified"] is True


def test_the_wait_doubles_after_another_wrong_answer(accounts, monkeypatch):
    for _ in range(3):
        sms_answer("0000")
    later(monkeypatch, minutes=6)
    events, texts = sms_answer("0000")
    assert slot_events(events)["auth_state"] == "rate_limited" and "10分钟" in texts[0]
    # One follow-up task a day, however often the limit is reached.
    assert len(tasks_and_escalations()[0]) == 1


def test_a_success_clears_earlier_failures_for_the_phone(accounts):
    for session in ("web-a", "web-a", "web-b", "web-b"):
        web_answer(session, KNOWN, "0000", "E2E-1")
    events, _ = web_answer("web-c", KNOWN, "3521", "E2E-1")
    assert slot_events(events)["verified"] is True
    events, texts = web_answer("web-d", KNOWN, "0000", "E2E-1")
    assert texts == [replies.WRONG_ID.format(left=2)]
