"""Custom actions against a real SQLite account database: what the
cardholder is told and what lands in the database."""
from __future__ import annotations

import pytest

from bot.actions.account import ActionStateBalance
from bot.actions.arrangements import ActionBookPromise
from bot.actions.escalation import ActionDefaultFallback, ActionHandleCrisis, ActionOptOut, ActionOptOutAnswer
from bot.actions.verification import ActionVerificationResult, ValidateVerifyForm
from bot.core import replies
from bot.db import repository
from bot.db.importer import import_accounts_csv
from bot.db.session import session_scope
from tests.unit.actions_support import REPO, make_tracker, run_action, slot_events

PHONE = "+8613900000001"


@pytest.fixture
def accounts(db_url, pinned_now, today):
    with session_scope() as s:
        result = import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=today)
    assert not result.rejected
    return db_url


def snapshot(account_id, today):
    with session_scope() as s:
        return repository.account_snapshot(s, account_id, today)


def verify_with(digits, sender=PHONE, slots=None, metadata=None):
    tracker = make_tracker(
        sender,
        slots={"right_party": True, "id_last4": digits, **(slots or {})},
        text=digits,
        intent="inform_identity",
        metadata=metadata,
        events=[{"event": "slot", "name": "id_last4", "value": digits}],
        active_loop="verify_form",
    )
    return run_action(ValidateVerifyForm(), tracker)


def test_right_id_digits_verify_the_cardholder(accounts):
    events, texts = verify_with("3521")
    slots = slot_events(events)
    assert slots["verified"] is True
    assert slots["auth_state"] == "verified"
    assert slots["account_id"] == "E2E-1"
    assert slots["requested_slot"] is None
    assert texts == []


@pytest.mark.parametrize("answer", ["3521 这下可以了吧", "ID last 4: 3521", "末尾4位 3521"])
def test_id_digits_read_as_an_amount_still_answer_the_id_question(accounts, answer):
    tracker = make_tracker(
        PHONE, slots={"right_party": True, "requested_slot": "id_last4"}, text=answer, intent="inform_identity",
        entities=[{"entity": "amount", "value": "3521"}], active_loop="verify_form",
    )
    slots = slot_events(run_action(ValidateVerifyForm(), tracker)[0])
    assert (slots["verified"], slots["account_id"]) == (True, "E2E-1")


def test_four_digits_are_no_id_answer_when_the_question_is_not_open_or_they_are_money(accounts):
    for slots, text in (({"right_party": True, "requested_slot": "right_party"}, "3521 这下可以了吧"),
                        ({"right_party": True, "requested_slot": "id_last4"}, "我先还3521块")):
        tracker = make_tracker(PHONE, slots=slots, text=text, intent="promise_to_pay",
                               entities=[{"entity": "amount", "value": "3521"}], active_loop="verify_form")
        assert "id_last4" not in slot_events(run_action(ValidateVerifyForm(), tracker)[0])


def test_wrong_digits_count_down_then_wait(accounts):
    messages = []
    for _ in range(3):
        events, texts = verify_with("0000", slots={"auth_state": "unverified", "account_id": "E2E-1"})
        messages += texts
    assert messages[:2] == [replies.WRONG_ID.format(left=2), replies.WRONG_ID.format(left=1)]
    assert messages[2].startswith("验证未通过的次数较多，为保护账户安全，请5分钟后")
    slots = slot_events(events)
    assert slots["auth_state"] == "rate_limited"
    assert slots["requested_slot"] is None
    assert slots.get("verified") is not True


def test_an_app_token_identity_verifies_without_questions(accounts):
    tracker = make_tracker(
        "web-session-1", text="我欠多少钱", intent="ask_balance", channel="webchat",
        metadata={"collectbot_identity": {"account_id": "E2E-2", "method": "app_token"}},
    )
    events, texts = run_action(ValidateVerifyForm(), tracker)
    slots = slot_events(events)
    assert (slots["verified"], slots["account_id"], slots["requested_slot"]) == (True, "E2E-2", None)


def test_an_identity_claimed_through_the_rest_channel_counts_for_nothing(accounts):
    # Rasa's REST channel passes client metadata through: only the web chat,
    # which checks a signed app token, may vouch for an identity.
    tracker = make_tracker(
        "web-session-9", text="我欠多少钱", intent="ask_balance", channel="rest",
        metadata={"collectbot_identity": {"account_id": "E2E-2", "method": "app_token"}},
    )
    events, texts = run_action(ValidateVerifyForm(), tracker)
    slots = slot_events(events)
    assert slots.get("verified") is not True and slots.get("account_id") != "E2E-2"
    assert slots["requested_slot"] == "claimed_phone"
    assert not any("12,000" in t or "E2E" in t for t in texts)


def test_anonymous_web_visitor_is_asked_for_the_phone_first(accounts):
    events, _ = run_action(ValidateVerifyForm(), make_tracker("web-session-2", intent="greet"))
    assert slot_events(events)["requested_slot"] == "claimed_phone"


def test_an_unknown_phone_fails_exactly_like_a_wrong_answer(accounts):
    tracker = make_tracker(
        "web-session-3", slots={"auth_state": "unverified", "claimed_phone": "13811112222"},
        text="13811112222", intent="out_of_scope",
        events=[{"event": "slot", "name": "claimed_phone", "value": "13811112222"}],
        active_loop="verify_form",
    )
    events, texts = run_action(ValidateVerifyForm(), tracker)
    slots = slot_events(events)
    assert slots["claimed_phone"] == "+8613811112222"
    assert slots["account_id"] is None
    assert slots["requested_slot"] == "id_last4"
    assert texts == []  # nothing tells the visitor whether the phone exists
    events, texts = verify_with("3521", sender="web-session-3", slots={"auth_state": "unverified", "account_id": None})
    assert texts == [replies.WRONG_ID.format(left=2)]


def test_a_known_phone_typed_in_the_web_chat_then_the_right_digits(accounts):
    tracker = make_tracker(
        "web-session-4", slots={"auth_state": "unverified", "claimed_phone": "139 0000 0001"},
        text="139 0000 0001", intent="out_of_scope",
        events=[{"event": "slot", "name": "claimed_phone", "value": "139 0000 0001"}],
        active_loop="verify_form",
    )
    slots = slot_events(run_action(ValidateVerifyForm(), tracker)[0])
    assert slots["account_id"] == "E2E-1"
    events, _ = verify_with("3521", sender="web-session-4", slots={"auth_state": "unverified", "account_id": "E2E-1"})
    assert slot_events(events)["verified"] is True


def test_promise_confirmed_twice_books_once(accounts, today):
    slots = {
        "verified": True, "account_id": "E2E-1", "promise_amount": "3000.00",
        "promise_date": "2026-12-04", "promise_confirmed": True,
    }
    _, first = run_action(ActionBookPromise(), make_tracker(PHONE, slots=slots, intent="affirm"))
    _, second = run_action(ActionBookPromise(), make_tracker(PHONE, slots=slots, intent="affirm"))
    assert "已为您登记还款承诺" in first[0]
    assert "无需重复办理" in second[0]
    promises = snapshot("E2E-1", today)["promises"]
    assert [(p["amount"], p["pay_date"]) for p in promises] == [("3000.00", "2026-12-04")]


def test_a_promise_is_checked_again_when_it_is_booked(accounts, today):
    # Slots the form's validation never saw: more than the balance, a past date.
    for amount, pay_date in (("99999.00", "2026-12-04"), ("3000.00", "2026-11-01")):
        slots = {"verified": True, "account_id": "E2E-1", "promise_amount": amount,
                 "promise_date": pay_date, "promise_confirmed": True}
        events, texts = run_action(ActionBookPromise(), make_tracker(PHONE, slots=slots, intent="affirm"))
        assert "已为您登记" not in texts[0] and ("超过" in texts[0] or "早于今天" in texts[0])
        assert slot_events(events)["promise_amount"] is None
    assert snapshot("E2E-1", today)["promises"] == []


def test_after_a_handover_the_bot_stops_talking_about_payment(accounts):
    tracker = make_tracker(PHONE, slots={"verified": True, "account_id": "E2E-1", "escalated": True})
    events, texts = run_action(ActionStateBalance(), tracker)
    assert texts == [replies.HOLDING]
    assert "12,000.00" not in texts[0]


def test_database_down_gives_a_polite_retry_and_no_crash(monkeypatch, pinned_now):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/never/x.db")
    tracker = make_tracker(PHONE, slots={"verified": True, "account_id": "E2E-1"}, intent="ask_balance")
    events, texts = run_action(ActionStateBalance(), tracker)
    assert texts == [replies.SYSTEM_BUSY]
    assert events == []


def test_a_booking_that_meets_a_database_failure_asks_for_the_confirmation_again(monkeypatch, pinned_now):
    # The cardholder said yes, the database is away: nothing booked, and the
    # form waits on its confirmation so that "是的" sent again books (the
    # confirmation itself is cleared, never kept for later terms).
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/never/x.db")
    tracker = make_tracker(PHONE, slots={
        "verified": True, "account_id": "E2E-1", "promise_amount": "3000.00",
        "promise_date": "2026-12-04", "promise_confirmed": True,
    }, intent="affirm")
    events, texts = run_action(ActionBookPromise(), tracker)
    assert texts == [replies.SYSTEM_BUSY]
    assert {"event": "active_loop", "name": "promise_form"}.items() <= events[0].items()
    assert slot_events(events) == {"promise_confirmed": None, "requested_slot": "promise_confirmed"}
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"


def test_crisis_support_is_sent_even_when_the_database_is_down(monkeypatch, pinned_now):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/never/x.db")
    events, texts = run_action(ActionHandleCrisis(), make_tracker(PHONE, intent="crisis"))
    assert "12356" in texts[0]
    assert slot_events(events) == {"escalated": True}


def test_crisis_opens_a_top_priority_escalation(accounts, today):
    run_action(ActionHandleCrisis(), make_tracker("+8613900000003", text="我不想活了", intent="crisis",
                                                  events=[{"event": "user", "text": "我不想活了"}]))
    escalations = snapshot("E2E-3", today)["escalations"]
    assert [(e["reason"], e["priority"]) for e in escalations] == [("crisis", 0)]
    assert "我不想活了" in escalations[0]["summary"]


def test_opt_out_is_recorded_for_the_channel(accounts, today):
    tracker = make_tracker("+8613900000002", text="退订", intent="stop_contact")
    _, texts = run_action(ActionOptOut(), tracker)
    assert "退订" in texts[0]
    with session_scope() as s:
        assert repository.is_opted_out(s, "+8613900000002", "rest")


def _possible_opt_out(sender: str, text: str):
    tracker = make_tracker(sender, text=text, intent="stop_contact")
    tracker.latest_message["safety"] = {"intent": "stop_contact", "tier": "possible", "rules": ["risk_model"]}
    return tracker


def _answer_after(sender: str, bot_text: str, answer: str, intent: str):
    events = [{"event": "user", "text": "每天都发烦死了"}, {"event": "action", "name": "action_opt_out"},
              {"event": "bot", "text": bot_text}, {"event": "user", "text": answer}]
    return make_tracker(sender, text=answer, intent=intent, events=events)


def test_a_possible_opt_out_is_asked_about_and_nothing_is_recorded(accounts, today):
    _, texts = run_action(ActionOptOut(), _possible_opt_out("+8613900000002", "每天都发烦死了"))
    assert texts[0].startswith("请问您是希望我们不再通过")
    with session_scope() as s:
        assert not repository.is_opted_out(s, "+8613900000002", "rest")


def test_a_yes_to_the_opt_out_question_records_it_and_a_no_does_not(accounts, today):
    question = replies.OPT_OUT_CONFIRM.format(channel_name="短信")
    _, texts = run_action(ActionOptOutAnswer(), _answer_after("+8613900000004", question, "不是", "deny"))
    assert texts == [replies.OPT_OUT_KEPT]
    with session_scope() as s:
        assert not repository.is_opted_out(s, "+8613900000004", "rest")
    _, texts = run_action(ActionOptOutAnswer(), _answer_after("+8613900000002", question, "是的", "affirm"))
    assert texts[0].startswith("已为您办理退订")
    with session_scope() as s:
        assert repository.is_opted_out(s, "+8613900000002", "rest")


def test_a_yes_after_an_opt_out_already_recorded_is_only_acknowledged(accounts, today):
    done = replies.OPT_OUT.format(channel_name="短信")
    _, texts = run_action(ActionOptOutAnswer(), _answer_after("+8613900000004", done, "好的", "affirm"))
    assert texts == [replies.OPT_OUT_ANSWER_NOTED]
    with session_scope() as s:
        assert not repository.is_opted_out(s, "+8613900000004", "rest")


def test_second_fallback_in_a_row_hands_over(accounts, today):
    events_so_far = [
        {"event": "user", "text": "asdf"},
        {"event": "action", "name": "action_default_fallback"},
        {"event": "user", "text": "qwer"},
    ]
    events, texts = run_action(
        ActionDefaultFallback(), make_tracker(PHONE, intent="nlu_fallback", events=events_so_far)
    )
    assert texts == [replies.ESCALATION["fallback"]]
    assert slot_events(events) == {"escalated": True}
    reasons = [e["reason"] for e in snapshot("E2E-1", today)["escalations"]]
    assert reasons == ["fallback"]
    _, first_time = run_action(
        ActionDefaultFallback(), make_tracker(PHONE, intent="nlu_fallback", events=[{"event": "user", "text": "x"}])
    )
    assert first_time == [replies.ASK_REPHRASE]


def _verified_after(opening_intent: str):
    return make_tracker(
        "+8613900000002", text="3521", intent="inform_identity",
        slots={"auth_state": "verified", "verified": True, "account_id": "E2E-2", "id_last4": "3521"},
        events=[
            {"event": "user", "text": "x", "parse_data": {"intent": {"name": opening_intent, "confidence": 1.0}}},
            {"event": "action", "name": "verify_form"},
            {"event": "active_loop", "name": "verify_form"},
            {"event": "user", "text": "3521", "parse_data": {"intent": {"name": "inform_identity"}}},
            {"event": "active_loop", "name": None},
        ],
    )


@pytest.mark.parametrize(
    "opening, form",
    [("request_installment", "installment_form"), ("request_deferral", "deferral_form"),
     ("promise_to_pay", "promise_form"), ("ask_balance", None), ("greet", None)],
)
def test_a_request_made_before_verification_is_carried_on_after_it(accounts, opening, form):
    events, texts = run_action(ActionVerificationResult(), _verified_after(opening))
    assert "感谢您的确认" in texts[0]  # the facts come first in every case
    followups = [e["name"] for e in events if e["event"] == "followup"]
    assert followups == ([form] if form else [])


def test_a_fallback_ends_the_turn(accounts):
    # A core fallback (no rule for the message) would otherwise be predicted
    # again and again, up to Rasa's ten actions per message.
    events, texts = run_action(
        ActionDefaultFallback(), make_tracker(PHONE, intent="affirm", events=[{"event": "user", "text": "是的"}])
    )
    assert texts == [replies.ASK_REPHRASE]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]


def test_a_fallback_after_a_form_rejected_the_message_activates_the_form_again(accounts):
    """Rasa reads no answer to a rejected form's question ("是的" after "你好"
    while "are you 王*?" is pending): the form is activated again, which
    clears the rejection, and stays on its question."""
    tracker = make_tracker(PHONE, intent="greet", text="你好", events=[{"event": "user", "text": "你好"}],
                           active_loop="verify_form")
    tracker.active_loop["rejected"] = True
    events, texts = run_action(ActionDefaultFallback(), tracker)
    assert texts == [replies.ASK_REPHRASE]
    assert [(e["event"], e.get("name")) for e in events] == [("active_loop", "verify_form"), ("followup", "action_listen")]


@pytest.mark.parametrize("action", [ActionStateBalance(), ActionVerificationResult()])
def test_a_verified_tracker_for_an_account_not_on_file_gets_a_polite_answer(accounts, action):
    # A forged or stale tracker (issue 16, finding 9): no crash, no figures.
    tracker = make_tracker(PHONE, slots={"verified": True, "auth_state": "verified", "account_id": "NOPE-1"},
                           text="我欠多少钱", intent="ask_balance")
    events, texts = run_action(action, tracker)
    assert texts == [replies.SYSTEM_BUSY]
