"""bot.db.repository and bot.db.contact_log behaviour on SQLite, plus concurrency on PostgreSQL."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.core.masking import masked_name
from bot.core.policy import stage_for
from bot.db import contact_log
from bot.db import repository as repo
from bot.db.models import (
    Account,
    Arrangement,
    Assessment,
    Cardholder,
    ContactLog,
    Escalation,
    OptOut,
    Payment,
)
from bot.db.session import insert_once, session_scope

TODAY = date(2026, 11, 25)
SHANGHAI_NOW = "2026-11-25T10:00:00+08:00"


def add_account(
    s,
    account_id="ACC-1",
    *,
    phone="+8613800001111",
    name="张三丰",
    id_last4="123X",
    card_last4="4321",
    balance="12345.60",
    minimum_due="1234.56",
    due_date=date(2026, 10, 26),
):
    holder = s.execute(select(Cardholder).where(Cardholder.phone == phone)).scalar_one_or_none()
    if holder is None:
        holder = Cardholder(name=name, phone=phone, id_last4=id_last4)
        s.add(holder)
        s.flush()
    s.add(
        Account(
            account_id=account_id,
            cardholder_id=holder.id,
            card_last4=card_last4,
            balance=Decimal(balance),
            minimum_due=Decimal(minimum_due),
            due_date=due_date,
        )
    )
    s.flush()
    return holder.id


def count(s, model):
    return s.execute(select(func.count()).select_from(model)).scalar_one()


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"), ("李", "*"), ("", ""), (" 王五 ", "王*")],
)
def test_masked_name(name, masked):
    assert masked_name(name) == masked


@pytest.mark.parametrize(
    "raw", ["+8613800001111", "whatsapp:+8613800001111", "tel:+86 138-0000-1111", "rest:+8613800001111"]
)
def test_normalize_phone(raw):
    assert repo.normalize_phone(raw) == "+8613800001111"


@pytest.mark.parametrize("raw", ["13800001111", "+0123456789", "+86", "", "abc"])
def test_normalize_phone_rejects(raw):
    with pytest.raises(ValueError, match="E.164"):
        repo.normalize_phone(raw)


# ---------------------------------------------------------------- lookups


def test_find_cardholder_by_phone(session):
    holder_id = add_account(session, "ACC-2")
    add_account(session, "ACC-1")
    view = repo.find_cardholder_by_phone(session, "+8613800001111")
    assert view == repo.CardholderView(
        id=holder_id,
        name="张三丰",
        phone="+8613800001111",
        id_last4="123X",
        account_ids=["ACC-1", "ACC-2"],
    )
    assert repo.find_cardholder_by_phone(session, "whatsapp:+8613800001111") == view
    assert repo.find_cardholder_by_phone(session, "+8613899999999") is None
    assert repo.find_cardholder_by_phone(session, "garbage") is None
    with pytest.raises(FrozenInstanceError):
        view.name = "x"


def test_get_account_view(session):
    holder_id = add_account(session)
    view = repo.get_account(session, "ACC-1", TODAY)
    assert view == repo.AccountView(
        account_id="ACC-1",
        cardholder_id=holder_id,
        name="张三丰",
        phone="+8613800001111",
        card_last4="4321",
        balance=Decimal("12345.60"),
        minimum_due=Decimal("1234.56"),
        due_date=date(2026, 10, 26),
        days_past_due=30,
        stage=str(stage_for(30)),
        follow_up=False,
        open_dispute=False,
        broken_promises=0,
        active_arrangement_kinds=frozenset(),
    )
    assert isinstance(view.balance, Decimal)
    assert repo.get_account(session, "NOPE", TODAY) is None


def test_get_account_derived_fields(session):
    add_account(session)
    for key, kind, status in [
        ("k1", "promise_to_pay", "broken"),
        ("k2", "promise_to_pay", "broken"),
        ("k3", "promise_to_pay", "kept"),
        ("k4", "installment", "broken"),  # not a broken *promise*
        ("k5", "installment", "pending_approval"),
        ("k6", "fee_waiver", "booked"),
        ("k7", "deferral", "cancelled"),
    ]:
        repo.book_arrangement(
            session,
            account_id="ACC-1",
            kind=kind,
            status=status,
            idempotency_key=key,
            conversation_id="c1",
        )
    repo.open_escalation(
        session,
        conversation_id="c1",
        account_id="ACC-1",
        channel="sms",
        reason="dispute_debt",
        priority=2,
        summary="客户称从未办过此卡",
    )
    view = repo.get_account(session, "ACC-1", TODAY)
    assert view.broken_promises == 2
    assert view.active_arrangement_kinds == frozenset({"installment", "fee_waiver"})
    assert view.open_dispute is True


def test_open_dispute_only_while_unresolved(session):
    add_account(session)
    esc_id, _ = repo.open_escalation(
        session,
        conversation_id="c1",
        account_id="ACC-1",
        channel="sms",
        reason="dispute_debt",
        priority=2,
        summary="",
    )
    assert repo.set_escalation_status(session, esc_id, "claimed") is True
    assert repo.get_account(session, "ACC-1", TODAY).open_dispute is True
    repo.set_escalation_status(session, esc_id, "resolved")
    assert repo.get_account(session, "ACC-1", TODAY).open_dispute is False


def test_primary_account_is_highest_balance(session):
    add_account(session, "ACC-SMALL", balance="500.00", minimum_due="50.00")
    add_account(session, "ACC-BIG", balance="9000.00", minimum_due="900.00")
    add_account(session, "ACC-OTHER", phone="+8613800002222", name="李四", balance="99999.00")
    view = repo.primary_account_for_phone(session, "+8613800001111", TODAY)
    assert view.account_id == "ACC-BIG"
    assert view.balance == Decimal("9000.00")
    assert repo.primary_account_for_phone(session, "+8613800009999", TODAY) is None


# ---------------------------------------------------------------- verification


def test_verification_answers_are_kept_per_subject(session, pinned_now):
    add_account(session)
    repo.record_verification(session, "c1", "ACC-1", False)
    repo.record_verification(session, "c1", "ACC-1", True)
    repo.record_verification(session, "c2", "ACC-1", False, claimed_phone="+8613800001111")
    since = pinned_now - timedelta(hours=1)
    phone = repo.claimed_phone_subject("+8613800001111")
    found = repo.verification_attempts(session, ["c1", "c2", phone, "c3"], since)
    assert [ok for _, ok in sorted(found["c1"])] == [False, True]
    assert [ok for _, ok in found["c2"]] == [False] and [ok for _, ok in found[phone]] == [False]
    assert found["c3"] == []
    assert repo.verification_attempts(session, ["c1"], pinned_now + timedelta(hours=1)) == {"c1": []}


# ---------------------------------------------------------------- arrangements


def test_book_arrangement_is_idempotent(session, pinned_now):
    add_account(session)
    kwargs = dict(
        account_id="ACC-1",
        kind="promise_to_pay",
        idempotency_key="conv-1:ptp:2026-11-30",
        conversation_id="conv-1",
        amount="1234.5",
        pay_date=date(2026, 11, 30),
        details={"channel": "微信", "amount": Decimal("1234.50")},
    )
    first = repo.book_arrangement(session, **kwargs)
    second = repo.book_arrangement(session, **kwargs)
    assert first[1] is True
    assert second == (first[0], False)
    assert count(session, Arrangement) == 1
    row = session.get(Arrangement, first[0])
    assert row.amount == Decimal("1234.50")
    assert row.status == "booked"
    assert json.loads(row.details) == {"amount": "1234.50", "channel": "微信"}
    assert row.created_at == pinned_now


def test_book_arrangement_installment_fields(session):
    add_account(session)
    arr_id, created = repo.book_arrangement(
        session,
        account_id="ACC-1",
        kind="installment",
        status="pending_approval",
        idempotency_key="i-1",
        conversation_id="c1",
        months=12,
        monthly_payment=Decimal("1100.47"),
        total_fee=Decimal("860.00"),
    )
    row = session.get(Arrangement, arr_id)
    assert (row.months, row.monthly_payment, row.total_fee) == (
        12,
        Decimal("1100.47"),
        Decimal("860.00"),
    )


def test_book_arrangement_validates(session):
    add_account(session)
    base = dict(account_id="ACC-1", idempotency_key="x", conversation_id="c")
    with pytest.raises(ValueError, match="kind"):
        repo.book_arrangement(session, kind="loan", **base)
    with pytest.raises(ValueError, match="status"):
        repo.book_arrangement(session, kind="deferral", status="done", **base)
    with pytest.raises(TypeError, match="float"):
        repo.book_arrangement(session, kind="promise_to_pay", amount=100.5, **base)
    assert count(session, Arrangement) == 0


def test_book_arrangement_unknown_account_raises_integrity_error(session):
    with pytest.raises(IntegrityError):
        repo.book_arrangement(
            session,
            account_id="NOPE",
            kind="deferral",
            idempotency_key="k",
            conversation_id="c",
        )


def test_lost_race_keeps_callers_transaction(session):
    # Simulates losing the race: the unique key already exists when the
    # INSERT runs. Only the SAVEPOINT rolls back; earlier work survives.
    add_account(session)
    winner, _ = repo.book_arrangement(
        session, account_id="ACC-1", kind="deferral", idempotency_key="k", conversation_id="c"
    )
    repo.record_verification(session, "c", "ACC-1", True)  # caller's earlier work
    loser = Arrangement(
        account_id="ACC-1", kind="deferral", status="booked", idempotency_key="k"
    )
    result = insert_once(
        session,
        loser,
        lambda: session.execute(
            select(Arrangement.id).where(Arrangement.idempotency_key == "k")
        ).scalar_one_or_none(),
    )
    assert result == (winner, False)
    session.commit()
    assert count(session, Arrangement) == 1
    assert [ok for _, ok in repo.verification_attempts(session, ["c"], datetime(2000, 1, 1, tzinfo=timezone.utc))["c"]] == [True]


# ---------------------------------------------------------------- assessments


def test_record_assessment_carries_forward(session):
    add_account(session)
    repo.record_assessment(
        session,
        account_id="ACC-1",
        conversation_id="c1",
        willingness="willing",
        ability="partial",
        monthly_affordable="1500",
    )
    repo.record_assessment(
        session, account_id="ACC-1", conversation_id="c1", ability="none", note="刚失业"
    )
    last_id = repo.record_assessment(
        session, account_id="ACC-1", conversation_id="c2", hardship_reason="unemployment"
    )
    rows = session.execute(select(Assessment).order_by(Assessment.id)).scalars().all()
    assert [(r.willingness, r.ability, r.monthly_affordable, r.hardship_reason, r.note) for r in rows] == [
        ("willing", "partial", Decimal("1500.00"), None, None),
        ("willing", "none", Decimal("1500.00"), None, "刚失业"),
        ("willing", "none", Decimal("1500.00"), "unemployment", "刚失业"),
    ]
    assert rows[-1].id == last_id and rows[-1].conversation_id == "c2"


def test_record_assessment_defaults_and_validation(session):
    add_account(session)
    repo.record_assessment(session, account_id="ACC-1", conversation_id="c1")
    row = session.execute(select(Assessment)).scalar_one()
    assert (row.willingness, row.ability) == ("unknown", "unknown")
    with pytest.raises(ValueError, match="willingness"):
        repo.record_assessment(
            session, account_id="ACC-1", conversation_id="c1", willingness="maybe"
        )
    with pytest.raises(ValueError, match="ability"):
        repo.record_assessment(session, account_id="ACC-1", conversation_id="c1", ability="lots")


# ---------------------------------------------------------------- escalations


def _escalate(s, conversation_id="c1", reason="hardship", priority=1, account_id="ACC-1"):
    return repo.open_escalation(
        s,
        conversation_id=conversation_id,
        account_id=account_id,
        channel="whatsapp",
        reason=reason,
        priority=priority,
        summary="客户要求人工处理",
    )


def test_one_open_escalation_per_conversation_and_reason(session):
    add_account(session)
    first, created = _escalate(session)
    assert created is True
    assert _escalate(session, priority=0) == (first, False)
    other, created = _escalate(session, reason="crisis", priority=0)
    assert created and other != first
    assert _escalate(session, conversation_id="c2")[1] is True
    assert count(session, Escalation) == 3
    # Claimed is still unresolved: no second ticket.
    repo.set_escalation_status(session, first, "claimed")
    assert _escalate(session) == (first, False)
    # Once resolved, the same problem may be raised again.
    repo.set_escalation_status(session, first, "resolved")
    again, created = _escalate(session)
    assert created and again != first


def test_escalation_without_account(session):
    esc_id, created = _escalate(session, account_id=None, reason="crisis", priority=0)
    assert created and session.get(Escalation, esc_id).account_id is None


def test_escalation_priority_validated(session):
    for bad in (-1, 4, "1", True):
        with pytest.raises(ValueError, match="priority"):
            _escalate(session, priority=bad)


def test_partial_unique_index_enforces_single_open_escalation(session):
    # Bypass the repository: the database itself refuses a duplicate.
    session.add(Escalation(conversation_id="c", channel="sms", reason="r", priority=1, summary=""))
    session.flush()
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(
                Escalation(conversation_id="c", channel="sms", reason="r", priority=1, summary="")
            )
            session.flush()
    # A resolved duplicate is fine.
    session.add(
        Escalation(
            conversation_id="c", channel="sms", reason="r", priority=1, summary="", status="resolved"
        )
    )
    session.flush()


# ---------------------------------------------------------------- opt-outs


def test_opt_out_and_revoke(session):
    phone = "+8613800001111"
    assert repo.is_opted_out(session, phone, "sms") is False
    first = repo.record_opt_out(session, phone, "sms")
    assert repo.record_opt_out(session, "sms:" + phone, "sms") == first  # idempotent
    assert repo.is_opted_out(session, phone, "sms") is True
    assert repo.is_opted_out(session, phone, "voice") is False
    assert repo.revoke_opt_out(session, phone, "sms") is True
    assert repo.is_opted_out(session, phone, "sms") is False
    assert repo.revoke_opt_out(session, phone, "sms") is False
    # Opting out again creates a new row; the revoked one stays as history.
    assert repo.record_opt_out(session, phone, "sms") != first
    rows = session.execute(select(OptOut).order_by(OptOut.id)).scalars().all()
    assert [r.revoked_at is None for r in rows] == [False, True]


def test_opt_out_all_channels(session):
    repo.record_opt_out(session, "+8613800001111", repo.ALL_CHANNELS)
    assert repo.is_opted_out(session, "+8613800001111", "sms") is True
    assert repo.is_opted_out(session, "+8613800001111", "whatsapp") is True
    assert repo.is_opted_out(session, "+8613800002222", "sms") is False


def test_opt_out_for_non_phone_sender_is_kept_verbatim(session):
    # A web-chat session id is not a phone, but "stop" must still stick.
    repo.record_opt_out(session, " webchat-4f2a ", "rest")
    assert repo.is_opted_out(session, "webchat-4f2a", "rest") is True
    assert session.execute(select(OptOut.phone)).scalar_one() == "webchat-4f2a"
    with pytest.raises(ValueError, match="opt-out"):
        repo.record_opt_out(session, "   ", "rest")
    with pytest.raises(ValueError, match="opt-out"):
        repo.record_opt_out(session, "x" * 65, "rest")


# ---------------------------------------------------------------- payments


def test_payment_claims_and_payments_since(session):
    add_account(session)
    claim_id = repo.record_payment_claim(
        session,
        account_id="ACC-1",
        conversation_id="c1",
        text="我昨天已经还了2000",
        amount=Decimal("2000"),
        check_by=date(2026, 11, 27),
    )
    assert claim_id > 0
    shanghai = datetime.fromisoformat(SHANGHAI_NOW).tzinfo
    early = datetime(2026, 11, 24, 0, 30, tzinfo=shanghai)  # 2026-11-23 16:30 UTC
    # Payments arrive through the bank's feed (bot/db/payments.py, tested there).
    session.add(Payment(account_id="ACC-1", amount=Decimal("2000.00"), paid_at=early, reference="TX-1"))
    session.add(
        Payment(account_id="ACC-1", amount=Decimal("10"), paid_at=datetime(2026, 11, 23, 23, 59, tzinfo=shanghai),
                reference="TX-0")
    )
    session.flush()
    since = repo.payments_since(session, "ACC-1", date(2026, 11, 24))
    assert [(p.reference, p.amount, p.paid_at) for p in since] == [
        ("TX-1", Decimal("2000.00"), early)
    ]
    assert since[0].paid_at.utcoffset() == timedelta(hours=8)
    assert len(repo.payments_since(session, "ACC-1", date(2026, 11, 1))) == 2
    assert repo.payments_since(session, "ACC-1", date(2026, 11, 25)) == []


# ---------------------------------------------------------------- contact log


def test_log_contact_idempotent_on_message_id(session):
    add_account(session)
    a = contact_log.log_contact(
        session, conversation_id="c1", channel="sms", direction="in", text="你好", message_id="SM1"
    )
    b = contact_log.log_contact(
        session, conversation_id="c1", channel="sms", direction="in", text="你好", message_id="SM1"
    )
    c = contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="out", text="您好")
    d = contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="out", text="您好")
    assert a == b and len({a, c, d}) == 3
    assert count(session, ContactLog) == 3
    with pytest.raises(ValueError, match="direction"):
        contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="sideways", text="?")


def test_log_contacts_batch_skips_known_message_ids(session):
    add_account(session)
    contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="in", text="早", message_id="SM0")
    rows = [
        {"conversation_id": "c1", "channel": "sms", "direction": "in", "text": "早", "message_id": "SM0"},
        {"conversation_id": "c1", "channel": "sms", "direction": "in", "text": "你好", "message_id": "SM1",
         "account_id": "ACC-1", "intent": "greet"},
        {"conversation_id": "c1", "channel": "sms", "direction": "in", "text": "你好", "message_id": "SM1"},
        {"conversation_id": "c1", "channel": "sms", "direction": "out", "text": "您好"},
        {"conversation_id": "c1", "channel": "sms", "direction": "out", "text": "您好"},
    ]
    contact_log.log_contacts(session, rows)
    contact_log.log_contacts(session, rows[:3])  # a redelivered batch adds nothing keyed
    logged = session.execute(select(ContactLog).order_by(ContactLog.id)).scalars().all()
    assert [(r.direction, r.text, r.message_id) for r in logged] == [
        ("in", "早", "SM0"), ("in", "你好", "SM1"), ("out", "您好", None), ("out", "您好", None),
    ]  # in the order given: the transcript's order
    assert logged[1].account_id == "ACC-1" and logged[1].intent == "greet"
    assert all(r.created_at is not None for r in logged)
    with pytest.raises(ValueError, match="direction"):
        contact_log.log_contacts(session, [{"conversation_id": "c1", "channel": "sms", "direction": "up", "text": "?"}])


# ---------------------------------------------------------------- money


def test_money_columns_round_trip_exactly(session):
    add_account(session, balance="999999999999.99", minimum_due="0.01")
    session.commit()
    session.expire_all()
    row = session.get(Account, "ACC-1")
    assert row.balance == Decimal("999999999999.99")
    assert str(row.minimum_due) == "0.01"


def test_money_columns_refuse_float_and_sub_fen(session):
    add_account(session)
    session.commit()
    row = session.get(Account, "ACC-1")
    row.balance = 10.5
    with pytest.raises(Exception, match="float"):
        session.flush()
    session.rollback()
    row = session.get(Account, "ACC-1")
    row.balance = Decimal("10.005")
    with pytest.raises(Exception, match="2 decimal places"):
        session.flush()
    session.rollback()


# ---------------------------------------------------------------- snapshot


def test_account_snapshot_has_every_section(session, pinned_now):
    add_account(session)
    add_account(session, "ACC-OTHER", balance="1.00", minimum_due="1.00")
    repo.book_arrangement(
        session,
        account_id="ACC-1",
        kind="promise_to_pay",
        idempotency_key="p1",
        conversation_id="c1",
        amount="1234.56",
        pay_date=date(2026, 11, 30),
    )
    repo.book_arrangement(
        session,
        account_id="ACC-1",
        kind="installment",
        status="pending_approval",
        idempotency_key="i1",
        conversation_id="c1",
        months=6,
        monthly_payment="2100",
        total_fee="300",
        details={"rate": "0.0075"},
    )
    repo.record_assessment(session, account_id="ACC-1", conversation_id="c1", willingness="willing")
    repo.record_assessment(session, account_id="ACC-1", conversation_id="c1", ability="partial")
    _escalate(session)
    repo.record_opt_out(session, "+8613800001111", "voice")
    repo.record_opt_out(session, "+8613800009999", "voice")  # someone else
    repo.record_payment_claim(
        session, account_id="ACC-1", conversation_id="c1", text="已还", amount=None, check_by=date(2026, 11, 28)
    )
    repo.record_verification(session, "c1", "ACC-1", True)
    contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="out", text="第一条", account_id="ACC-1")
    contact_log.log_contact(session, conversation_id="c1", channel="sms", direction="in", text="第二条", account_id="ACC-1", intent="greet", message_id="SM2")
    contact_log.log_contact(session, conversation_id="c9", channel="sms", direction="in", text="别的账户", account_id="ACC-OTHER")

    snap = repo.account_snapshot(session, "ACC-1", TODAY)
    json.dumps(snap, ensure_ascii=False)  # JSON-ready as is
    assert set(snap) == {
        "as_of",
        "account",
        "cardholder",
        "arrangements",
        "promises",
        "assessment",
        "assessment_history",
        "escalations",
        "opt_outs",
        "payment_claims",
        "payments",
        "verification_attempts",
        "contact_log",
    }
    assert snap["as_of"] == "2026-11-25"
    assert snap["account"] == {
        "account_id": "ACC-1",
        "card_last4": "4321",
        "balance": "12345.60",
        "minimum_due": "1234.56",
        "due_date": "2026-10-26",
        "days_past_due": 30,
        "stage": str(stage_for(30)),
        "follow_up": False,
        "open_dispute": False,
        "broken_promises": 0,
        "active_arrangement_kinds": ["installment", "promise_to_pay"],
        "updated_at": "2026-11-25T10:00:00+08:00",
    }
    assert snap["cardholder"]["phone"] == "+8613800001111"
    assert snap["cardholder"]["name"] == "张三丰"
    assert [a["kind"] for a in snap["arrangements"]] == ["promise_to_pay", "installment"]
    assert snap["promises"] == [snap["arrangements"][0]]
    assert snap["promises"][0]["amount"] == "1234.56"
    assert snap["promises"][0]["pay_date"] == "2026-11-30"
    inst = snap["arrangements"][1]
    assert (inst["monthly_payment"], inst["total_fee"], inst["details"]) == (
        "2100.00",
        "300.00",
        {"rate": "0.0075"},
    )
    assert len(snap["assessment_history"]) == 2
    assert snap["assessment"] == snap["assessment_history"][-1]
    assert (snap["assessment"]["willingness"], snap["assessment"]["ability"]) == ("willing", "partial")
    assert [e["reason"] for e in snap["escalations"]] == ["hardship"]
    assert snap["opt_outs"] == [
        {
            "phone": "+8613800001111",
            "channel": "voice",
            "created_at": "2026-11-25T10:00:00+08:00",
            "revoked_at": None,
            "active": True,
        }
    ]
    assert snap["payment_claims"][0]["amount"] is None
    assert snap["payment_claims"][0]["check_by"] == "2026-11-28"
    assert [c["text"] for c in snap["contact_log"]] == ["第一条", "第二条"]
    assert snap["contact_log"][1]["intent"] == "greet"
    assert snap["verification_attempts"][0]["success"] is True
    assert repo.account_snapshot(session, "NOPE", TODAY) is None


def run_at_once(n, work):
    """Run work(barrier) in n threads that share a Barrier(n); work waits on it.

    Returns (results, errors): what each call returned, and what any raised.
    """
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            results.append(work(barrier))
        except Exception as exc:  # pragma: no cover - the caller asserts errors == []
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    return results, errors


def test_sqlite_concurrent_booking_same_key(db_url, pinned_now):
    # SQLite serialises writers (BEGIN IMMEDIATE): threads queue instead of
    # failing with "database is locked", and the key still books once.
    with session_scope(db_url) as s:
        add_account(s)

    def book(barrier):
        barrier.wait(5)
        with session_scope(db_url) as s:
            repo.get_account(s, "ACC-1", TODAY)  # read, then write
            return repo.book_arrangement(
                s,
                account_id="ACC-1",
                kind="deferral",
                idempotency_key="same",
                conversation_id="c1",
            )

    results, errors = run_at_once(6, book)
    assert errors == []
    assert len({r[0] for r in results}) == 1 and sum(r[1] for r in results) == 1


# ---------------------------------------------------------------- PostgreSQL


def _pg_account(url):
    with session_scope(url) as s:
        add_account(s)


def test_pg_book_arrangement_concurrent_same_key(pg_url, monkeypatch):
    """Two threads, forced interleaving: B's INSERT waits on A's row lock."""
    _pg_account(pg_url)
    # Spy on the insert step: proves B really missed A's uncommitted row in
    # its first lookup and was saved by the unique constraint + SAVEPOINT.
    insert_results = []
    real_insert_once = repo.insert_once

    def spy(*args, **kwargs):
        result = real_insert_once(*args, **kwargs)
        insert_results.append(result)
        return result

    monkeypatch.setattr(repo, "insert_once", spy)
    a_inserted = threading.Event()
    results = {}
    errors = []

    def book(name, after_flush=None):
        try:
            with session_scope(pg_url) as s:
                results[name] = repo.book_arrangement(
                    s,
                    account_id="ACC-1",
                    kind="promise_to_pay",
                    idempotency_key="race-key",
                    conversation_id="c1",
                    amount="100.00",
                )
                if after_flush:
                    after_flush()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def hold_then_commit():
        a_inserted.set()
        time.sleep(0.5)  # B is now blocked on the unique index

    thread_a = threading.Thread(target=book, args=("a", hold_then_commit))
    thread_b = threading.Thread(target=lambda: (a_inserted.wait(5), book("b")))
    thread_a.start()
    thread_b.start()
    thread_a.join(10)
    thread_b.join(10)
    assert errors == []
    assert results["a"][1] is True
    assert results["b"] == (results["a"][0], False)
    assert sorted(created for _, created in insert_results) == [False, True]
    with session_scope(pg_url) as s:
        assert count(s, Arrangement) == 1


def test_pg_book_arrangement_many_threads_at_once(pg_url):
    _pg_account(pg_url)
    n = 8

    def book(barrier):
        with session_scope(pg_url) as s:
            barrier.wait(5)
            return repo.book_arrangement(
                s,
                account_id="ACC-1",
                kind="deferral",
                idempotency_key="stampede",
                conversation_id="c1",
                new_due_date=date(2026, 12, 25),
            )

    results, errors = run_at_once(n, book)
    assert errors == []
    assert len(results) == n
    assert len({r[0] for r in results}) == 1
    assert sum(1 for r in results if r[1]) == 1
    with session_scope(pg_url) as s:
        assert count(s, Arrangement) == 1


def test_pg_open_escalation_concurrent(pg_url):
    _pg_account(pg_url)

    def go(barrier):
        with session_scope(pg_url) as s:
            barrier.wait(5)
            return _escalate(s, reason="crisis", priority=0)

    results, errors = run_at_once(6, go)
    assert errors == []
    assert len({r[0] for r in results}) == 1 and sum(r[1] for r in results) == 1


def test_pg_round_trip_money_and_timestamps(pg_url, pinned_now):
    _pg_account(pg_url)
    with session_scope(pg_url) as s:
        repo.record_assessment(
            s, account_id="ACC-1", conversation_id="c1", monthly_affordable=Decimal("999.99")
        )
        repo.record_opt_out(s, "+8613800001111", "sms")
    with session_scope(pg_url) as s:
        snap = repo.account_snapshot(s, "ACC-1", TODAY)
        assert snap["account"]["balance"] == "12345.60"
        assert snap["assessment"]["monthly_affordable"] == "999.99"
        assert snap["assessment"]["created_at"] == "2026-11-25T10:00:00+08:00"
        assert repo.is_opted_out(s, "+8613800001111", "sms")
        assert repo.get_account(s, "ACC-1", TODAY).balance == Decimal("12345.60")
