"""The assessment moves on every relevant event, in the event's own
transaction (issue 13): a booking, a payment or reversal, a promise settled,
a dispute or other hand-over, a verification passed or failed, a phone
marked "not the cardholder", and what the cardholder says (budget,
hardship, refusal). Each test checks the stored row: its trigger, and the
reason or signal the event brought. Real SQLite databases."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.actions.assessment import ActionHandleHardship, ActionHandleIncome, ActionHandleRefusal
from bot.core import booking, policy
from bot.core.clock import SHANGHAI
from bot.db import assessments
from bot.db.marks import mark_phone
from bot.db.models import Arrangement, AssessmentScore, ContactLog, Escalation, VerificationAttempt
from bot.db.payments import reconcile_open_promises
from bot.db.session import session_scope
from bot.services import booking as bookings
from bot.services import escalation
from tests.unit.actions_support import make_tracker, run_action
from tests.unit.test_booking_services import ACCOUNT, CID, VERIFIED, fresh_database


@pytest.fixture(autouse=True)
def _no_saved_model(monkeypatch, tmp_path):
    # The rules, whatever a developer trained into var/.
    monkeypatch.setenv("COLLECTBOT_ASSESSMENT_MODEL", str(tmp_path / "none.pkl"))


@pytest.fixture
def url(tmp_path, monkeypatch, pinned_now, today):
    return fresh_database(tmp_path, monkeypatch, today, "events")


def latest():
    with session_scope() as s:
        return assessments.latest(s, ACCOUNT)


def rows() -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).select_from(AssessmentScore)).scalar_one()


def texts(view):
    return [r["text"] for r in view.reasons]


def codes(view):
    return {sig["code"]: sig for sig in view.signals}


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI)


def test_a_booking_rescores_in_its_transaction(url, today):
    assert latest() is None
    result = bookings.book_promise(
        account_id=ACCOUNT, conversation_id=CID, amount=Decimal("1200.00"), pay_date=date(2026, 11, 28),
        today=today, config=policy.PolicyConfig(), booked_by=booking.BY_BOT,
    )
    assert result.created
    view = latest()
    assert view.trigger == "booking:promise_to_pay"
    assert assessments.trigger_label(view.trigger) == "登记承诺还款"  # what agents read in the history
    assert "有未到期的还款承诺/计划 1 项" in texts(view)
    assert view.willingness_band != "unknown"


def test_a_failing_rescore_leaves_no_booking(url, today, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr(assessments, "recompute_assessment", broken)
    with pytest.raises(RuntimeError):
        bookings.book_installment(account_id=ACCOUNT, conversation_id=CID, months=12, today=today,
                                  config=policy.PolicyConfig(), booked_by=booking.BY_BOT)
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(Arrangement)).scalar_one() == 0


def test_a_dispute_hand_over_rescores_with_the_dispute_as_reason(url):
    handover = escalation.Handover(CID, ACCOUNT, "sms", "dispute_debt", "客户对欠款有异议")
    escalation.open_escalation(handover, assessment=booking.Assessment(willingness="disputes"))
    view = latest()
    assert view.trigger == "handover:dispute_debt"
    assert "对欠款提出异议" in texts(view)
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(Escalation)).scalar_one() == 1


def test_a_hand_over_that_changes_nothing_appends_nothing(url):
    with session_scope() as s:
        assessments.rescore(s, ACCOUNT, "cli")
    before = rows()
    escalation.open_escalation(escalation.Handover(CID, ACCOUNT, "sms", "customer_request", "客户要求人工"))
    assert rows() == before and latest().trigger == "cli"


def test_verification_failures_from_two_sources_then_a_third_number(url, today):
    with session_scope() as s:
        assessments.record_verification(s, CID, ACCOUNT, False)
    first = latest()
    assert first.trigger == "verification_failed" and not first.signals
    with session_scope() as s:
        assessments.record_verification(s, "webchat:abc", ACCOUNT, False)
    view = latest()
    assert view.trigger == "verification_failed"
    assert "verification_failing_multiple_sources" in codes(view)
    assert today.isoformat() in codes(view)["verification_failing_multiple_sources"]["reason"]
    with session_scope() as s:
        # Verification is still recorded the way the back-off rule reads it.
        assert s.execute(select(func.count()).select_from(VerificationAttempt)).scalar_one() == 2

    # The cardholder wrote from their number, then passed verification from
    # two other conversations: three sources within 90 days.
    with session_scope() as s:
        s.add(ContactLog(conversation_id=CID, account_id=ACCOUNT, channel="sms", direction="in", text="你好"))
        assessments.record_verification(s, "webchat:def", ACCOUNT, True)
        assessments.record_verification(s, "+8613900000777", ACCOUNT, True)
    view = latest()
    assert view.trigger == "verification_ok"
    assert "changing_numbers" in codes(view)


def test_a_wrong_party_mark_on_a_verified_number_is_a_signal(url, today):
    with session_scope() as s:
        s.add(ContactLog(conversation_id=CID, account_id=ACCOUNT, channel="sms", direction="in", text="你好",
                         created_at=at(date(2026, 11, 20))))
        s.add(VerificationAttempt(conversation_id=CID, account_id=ACCOUNT, success=True,
                                  created_at=at(date(2026, 11, 20))))
    with session_scope() as s:
        assert mark_phone(s, CID, "third_party", by="agent1") == 1
    view = latest()
    assert view.trigger == "phone_mark:third_party"
    signal = codes(view)["wrong_person_after_verified"]
    assert "2026-11-20" in signal["reason"] and signal["on"] == today.isoformat()

    # The mark taken back: the signal goes, and the history says why.
    with session_scope() as s:
        mark_phone(s, CID, "clear", by="agent1")
    view = latest()
    assert view.trigger == "phone_mark:clear" and "wrong_person_after_verified" not in codes(view)


def test_what_the_cardholder_says_rescores_through_the_bots_actions(url):
    run_action(ActionHandleIncome(), make_tracker(
        CID, slots=VERIFIED, text="每月400", intent="inform_income", entities=[{"entity": "amount", "value": "400"}]))
    view = latest()
    assert view.trigger == "statement:budget"
    assert any(t.startswith("自述每月可还 400.00") for t in texts(view)), texts(view)

    run_action(ActionHandleHardship(), make_tracker(CID, slots=VERIFIED, text="我失业了", intent="inform_hardship"))
    view = latest()
    assert view.trigger == "statement:hardship" and "自述经济困难" in texts(view)

    run_action(ActionHandleRefusal(), make_tracker(CID, slots=VERIFIED, text="我不还", intent="refuse_to_pay"))
    view = latest()
    assert view.trigger == "statement:refusal"
    assert "明确表示拒绝还款 1 次" in texts(view)


def test_a_promise_settled_by_reconciliation_rescores(url, today):
    with session_scope() as s:
        s.add(Arrangement(account_id=ACCOUNT, kind="promise_to_pay", status="booked", amount=Decimal("500.00"),
                          pay_date=date(2026, 11, 10), idempotency_key="k-broken", conversation_id=CID,
                          created_at=at(date(2026, 11, 3))))
    with session_scope() as s:
        result = reconcile_open_promises(s, today)
    assert result.broken == 1 and result.settled_accounts == [ACCOUNT]
    view = latest()
    assert view.trigger == "reconcile" and "承诺未履约 1 次" in texts(view)


def test_an_agent_resolving_as_dispute_or_wrong_party_rescores(url):
    import console.models  # noqa: F401  (the console's tables)
    from bot.db import repository
    from bot.db.models import Base
    from bot.db.session import get_engine
    from console import store

    Base.metadata.create_all(get_engine(url))
    with session_scope() as s:
        user = store.create_user(s, "agent1", "agent", "long-enough-password")
        s.add(ContactLog(conversation_id=CID, account_id=ACCOUNT, channel="sms", direction="in", text="你好",
                         created_at=at(date(2026, 11, 20))))
        s.add(VerificationAttempt(conversation_id=CID, account_id=ACCOUNT, success=True,
                                  created_at=at(date(2026, 11, 20))))
        repository.open_escalation(s, conversation_id="disp-1", account_id=ACCOUNT, channel="webchat",
                                   reason="dispute_debt", priority=1, summary="这笔不是我刷的")
        repository.open_escalation(s, conversation_id=CID, account_id=ACCOUNT, channel="twilio_sms",
                                   reason="customer_request", priority=2, summary="转人工")
    for conversation, outcome in (("disp-1", "dispute_opened"), (CID, "wrong_party")):
        with session_scope() as s:
            store.claim(s, conversation, user)
        with session_scope() as s:
            store.resolve(s, conversation, user, outcome, "", ACCOUNT)
        view = latest()
        if outcome == "dispute_opened":
            assert view.trigger == "statement:dispute" and "对欠款提出异议" in texts(view)
            assert assessments.trigger_label(view.trigger) == "客户表述：异议"
    assert view.trigger == "phone_mark:third_party" and "wrong_person_after_verified" in codes(view)


def test_every_trigger_has_a_chinese_label():
    for trigger, label in (("handover:dispute_debt", "转人工：债务异议"), ("phone_mark:third_party", "号码标记：非本人（第三方）"),
                           ("payment_reversal", "还款冲正"), ("verification_failed", "身份核实失败"),
                           ("reconcile", "承诺履约核对"), ("statement:budget", "客户表述：每月可还金额")):
        assert assessments.trigger_label(trigger) == label
    assert assessments.trigger_label("something_new") == "something_new" and assessments.trigger_label(None) is None
