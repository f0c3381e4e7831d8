"""Per-phone verification limit across conversations (bot/actions/verification.py
with bot/core/ratelimit.phone_verification_check), on a real SQLite database."""
from __future__ import annotations

import pytest

from bot.core import replies
from tests.unit.actions_support import slot_events
from tests.unit.test_actions import accounts, verify_with  # noqa: F401  (fixture)

KNOWN = "+8613900000001"  # E2E-1, ID digits 3521
UNKNOWN = "+8613811112222"


def web_answer(session: str, phone: str, digits: str, account_id):
    return verify_with(
        digits, sender=session,
        slots={"auth_state": "unverified", "claimed_phone": phone, "account_id": account_id},
    )


def limited_text(texts):
    return len(texts) == 1 and texts[0].startswith("为保护账户安全，该手机号的身份验证尝试次数较多")


@pytest.mark.parametrize("phone,account_id", [(KNOWN, "E2E-1"), (UNKNOWN, None)])
def test_five_wrong_answers_in_several_chats_pause_the_phone_known_or_not(accounts, phone, account_id):
    texts_seen = []
    for session, tries in (("web-a", 3), ("web-b", 2)):
        for _ in range(tries):
            events, texts = web_answer(session, phone, "0000", account_id)
            texts_seen.append(texts)
            assert slot_events(events).get("auth_state") != "rate_limited"
    # A third chat: even the right digits are not checked any more.
    events, texts = web_answer("web-c", phone, "3521", account_id)
    assert slot_events(events)["auth_state"] == "rate_limited"
    assert slot_events(events).get("verified") is not True
    assert limited_text(texts) and "24小时" in texts[0] and "400-800-9588" in texts[0]
    # Nothing before the pause told a known phone from an unknown one.
    wrong = [[replies.WRONG_ID.format(left=2)], [replies.WRONG_ID.format(left=1)]]
    assert texts_seen == wrong + [[]] + wrong  # the third answer locks chat "web-a"


def test_web_chat_failures_count_for_the_phones_own_sms_conversation(accounts):
    for session in ("web-a", "web-a", "web-b", "web-b", "web-c"):
        web_answer(session, KNOWN, "0000", "E2E-1")
    events, texts = verify_with("3521", sender=KNOWN, slots={"auth_state": "unverified", "account_id": "E2E-1"})
    assert slot_events(events)["auth_state"] == "rate_limited" and limited_text(texts)


def test_a_success_clears_earlier_failures_for_the_phone(accounts):
    for session in ("web-a", "web-a", "web-b", "web-b"):
        web_answer(session, KNOWN, "0000", "E2E-1")
    events, _ = web_answer("web-c", KNOWN, "3521", "E2E-1")
    assert slot_events(events)["verified"] is True
    events, texts = web_answer("web-d", KNOWN, "0000", "E2E-1")
    assert texts == [replies.WRONG_ID.format(left=2)]
