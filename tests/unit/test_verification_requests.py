"""A request made before the cardholder is verified (issue 14): acknowledged,
never answered; asked again without a second greeting; answered once the
cardholder is verified. Real actions, a real SQLite account database."""
from __future__ import annotations

import pytest

from bot.actions.verification import (
    ActionAskClaimedPhone,
    ActionAskRightParty,
    ActionVerificationResult,
    ValidateVerifyForm,
    pending_request,
)
from bot.core import replies
from bot.db.importer import import_accounts_csv
from bot.db.session import session_scope
from tests.unit.actions_support import REPO, make_tracker, run_action, slot_events

PHONE = "+8613900000001"  # E2E-1, 李明华
WEB = "web-session-anon"
# Words that would tell a stranger there is a debt.
DISCLOSING = ("元", "逾期", "信用卡", "欠款", "还款", "账单", "催收", "李")


@pytest.fixture
def accounts(db_url, pinned_now, today):
    with session_scope() as s:
        result = import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=today)
    assert not result.rejected
    return db_url


def user(text, intent, **extra):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 1.0}}, **extra}


def test_an_anonymous_how_much_do_i_owe_is_acknowledged_and_told_how_to_verify(accounts):
    tracker = make_tracker(WEB, text="我欠了多少钱", intent="ask_balance",
                           slots={"auth_state": "unverified", "requested_slot": "claimed_phone"},
                           events=[user("我欠了多少钱", "ask_balance"), {"event": "active_loop", "name": "verify_form"}])
    _, (said,) = run_action(ActionAskClaimedPhone(), tracker)
    assert "核实通过后我马上为您查询" in said
    assert "手机号码" in said and "身份证号码后四位" in said  # how
    assert not any(w in said for w in DISCLOSING), said


def test_the_same_question_while_the_phone_is_asked_is_acknowledged_and_the_greeting_not_repeated(accounts):
    earlier = [user("你好", "greet"), {"event": "active_loop", "name": "verify_form"},
               {"event": "slot", "name": "requested_slot", "value": "claimed_phone"},
               {"event": "bot", "text": replies.ASK_CLAIMED_PHONE.format(bank="星河银行")}]
    asked = make_tracker(
        WEB, text="我欠了多少钱", intent="ask_balance", active_loop="verify_form",
        slots={"auth_state": "unverified", "requested_slot": "claimed_phone", "claimed_phone": "我欠了多少钱"},
        events=earlier + [user("我欠了多少钱", "ask_balance"),
                          {"event": "slot", "name": "claimed_phone", "value": "我欠了多少钱"}],
    )
    events, said = run_action(ValidateVerifyForm(), asked)
    assert said == ["好的，核实身份后我马上为您查询。"]
    assert "没能识别" not in said[0]
    assert slot_events(events)["claimed_phone"] is None
    _, (again,) = run_action(ActionAskClaimedPhone(), asked)
    assert again == replies.ASK_CLAIMED_PHONE_AGAIN
    assert "您好，我是" not in again
    # Text that is no request is still "not a phone number".
    typo = make_tracker(
        WEB, text="138001", intent="inform_identity", active_loop="verify_form",
        slots={"auth_state": "unverified", "requested_slot": "claimed_phone", "claimed_phone": "138001"},
        events=earlier + [user("138001", "inform_identity"), {"event": "slot", "name": "claimed_phone", "value": "138001"}],
    )
    assert run_action(ValidateVerifyForm(), typo)[1] == [replies.CLAIMED_PHONE_INVALID]


def test_a_question_while_the_id_digits_are_asked_keeps_the_form_on_its_question(accounts):
    tracker = make_tracker(
        PHONE, text="我欠了多少钱", intent="ask_balance", active_loop="verify_form",
        slots={"auth_state": "unverified", "account_id": "E2E-1", "right_party": True, "requested_slot": "id_last4"},
        events=[user("你好", "greet"), {"event": "active_loop", "name": "verify_form"},
                {"event": "action", "name": "action_ask_right_party"}, user("是的", "affirm"),
                user("我欠了多少钱", "ask_balance")],
    )
    events, said = run_action(ValidateVerifyForm(), tracker)
    assert said == ["好的，核实身份后我马上为您查询。"]
    # A slot event: Rasa's form does not reject the turn, it asks for the digits again.
    assert slot_events(events)["auth_state"] == "unverified"
    # A crisis, an opt-out, a request for a person: no acknowledgement, the form lets go.
    for intent in ("crisis", "stop_contact", "request_human", "greet"):
        other = make_tracker(PHONE, text="x", intent=intent, active_loop="verify_form",
                             slots={"auth_state": "unverified", "account_id": "E2E-1", "requested_slot": "id_last4"},
                             events=[user("x", intent)])
        events, said = run_action(ValidateVerifyForm(), other)
        assert said == [] and "auth_state" not in slot_events(events), intent


def test_the_right_party_question_is_asked_again_without_the_greeting(accounts):
    slots = {"auth_state": "unverified", "account_id": "E2E-1", "requested_slot": "right_party"}
    first = make_tracker(PHONE, text="我欠了多少钱", intent="ask_balance", slots=slots,
                         events=[user("我欠了多少钱", "ask_balance")])
    _, (said,) = run_action(ActionAskRightParty(), first)
    assert said.startswith("您好，我是") and "核实通过后我马上为您查询" in said and "李*华本人吗" in said
    again = make_tracker(PHONE, text="我欠了多少钱", intent="ask_balance", slots=slots,
                         events=[{"event": "slot", "name": "requested_slot", "value": "right_party"},
                                 {"event": "bot", "text": "您好，我是星河银行的智能客服助理。请问您是李*华本人吗？"},
                                 user("我欠了多少钱", "ask_balance")])
    assert run_action(ActionAskRightParty(), again)[1] == ["请问您是李*华本人吗？请回复“是”或“不是”。"]


def verified_after(*asked):
    events = [user("你好", "greet"), {"event": "active_loop", "name": "verify_form"}]
    events += [user(text, intent) for text, intent in asked]
    events += [user("3521", "inform_identity"), {"event": "active_loop", "name": None}]
    return make_tracker(
        PHONE, text="3521", intent="inform_identity", events=events,
        slots={"auth_state": "verified", "verified": True, "account_id": "E2E-1", "id_last4": "3521"},
    )


def test_once_verified_the_question_asked_during_verification_is_answered(accounts):
    assert pending_request(verified_after()) is None
    assert pending_request(verified_after(("我想分期", "request_installment"), ("多少钱", "ask_balance"))) == "ask_balance"

    events, texts = run_action(ActionVerificationResult(), verified_after(("怎么还款", "ask_payment_method")))
    assert "应还总额12,000.00元" in texts[0]
    assert texts[1].startswith("您可以通过以下方式还款")
    events, texts = run_action(ActionVerificationResult(), verified_after(("我想分期", "request_installment")))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["installment_form"]
