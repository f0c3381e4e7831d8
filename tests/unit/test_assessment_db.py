"""bot/db/assessments.py: evidence read from the tables, scored and stored
with its history."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot.core.clock import SHANGHAI
from bot.db import assessments
from bot.db import repository as repo
from bot.db.models import Arrangement, AssessmentScore, ContactLog, Payment, VerificationAttempt
from tests.unit.test_db_repository import add_account

TODAY = date(2026, 11, 25)
PHONE = "+8613800001111"


@pytest.fixture(autouse=True)
def _no_saved_model(monkeypatch, tmp_path):
    # The rules, whatever a developer trained into var/.
    monkeypatch.setenv("COLLECTBOT_ASSESSMENT_MODEL", str(tmp_path / "none.pkl"))


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI)


def promise(s, i, status, pay_date, booked):
    s.add(Arrangement(account_id="ACC-1", kind="promise_to_pay", status=status, amount=Decimal("1000.00"),
                      pay_date=pay_date, idempotency_key=f"k{i}", conversation_id=PHONE, created_at=at(booked)))


def test_recompute_stores_scores_reasons_and_signals(session):
    add_account(session)  # balance 12345.60, minimum due 1234.56
    promise(session, 1, "broken", date(2026, 10, 10), date(2026, 10, 3))
    promise(session, 2, "broken", date(2026, 11, 10), date(2026, 11, 3))
    session.add(VerificationAttempt(conversation_id=PHONE, account_id="ACC-1", success=True, created_at=at(date(2026, 10, 3))))
    session.add(ContactLog(conversation_id=PHONE, account_id="ACC-1", channel="sms", direction="in",
                           text="打错了", intent="wrong_person", created_at=at(date(2026, 11, 20))))
    session.flush()

    view = assessments.recompute_assessment(session, "ACC-1", TODAY, trigger="test")
    assert view.willingness_band == "low"  # two broken (-1.8), one answer (+0.4)
    assert view.ability_band == "unknown"  # nothing said or paid
    assert view.segment == "unknown"
    assert view.scorer == "rules" and 0 < view.keep_probability < 0.5
    assert {"dimension": "willingness", "direction": "-", "weight": -1.8, "text": "承诺未履约 2 次"} in view.reasons
    codes = {sig["code"]: sig for sig in view.signals}
    assert set(codes) == {"repeated_broken_promises", "wrong_person_after_verified"}
    assert codes["wrong_person_after_verified"]["on"] == "2026-11-20"
    assert "2026-10-03" in codes["wrong_person_after_verified"]["reason"]
    stored = session.execute(select(AssessmentScore)).scalar_one()
    assert stored.segment == "unknown" and stored.trigger == "test"

    # Nothing new: nothing appended.
    again = assessments.recompute_assessment(session, "ACC-1", TODAY)
    assert again.id == view.id
    assert session.execute(select(func.count()).select_from(AssessmentScore)).scalar_one() == 1


def test_new_evidence_appends_and_history_shows_the_movement(session):
    add_account(session)
    uow = SimpleNamespace(session=session)  # a unit of work with .session works too
    first = assessments.recompute_assessment(uow, "ACC-1", TODAY)
    assert first.segment == "unknown" and first.willingness_band == "unknown"

    # The cardholder says they can pay 300 a month (a label row from the
    # hardship action) and pays 300.
    repo.record_assessment(session, account_id="ACC-1", conversation_id=PHONE, ability="partial",
                           monthly_affordable=Decimal("300"), hardship_reason="失业了")
    session.add(Payment(account_id="ACC-1", amount=Decimal("300.00"), paid_at=at(date(2026, 11, 24)), reference="R1"))
    session.flush()
    second = assessments.recompute_assessment(uow, "ACC-1", TODAY, trigger="payment")
    assert second.id != first.id
    assert second.segment == "willing_unable"
    texts = [r["text"] for r in second.reasons]
    assert "自述每月可还 300.00 元，低于最低还款额 1,234.56 元" in texts
    assert "主动说明经济困难" in texts

    hist = assessments.history(session, "ACC-1")
    assert [h.id for h in hist] == [second.id, first.id]
    assert assessments.latest(session, "ACC-1").id == second.id
    d = second.as_dict()
    assert d["segment_label"] == "愿还但还不起" and d["ability"]["band_label"] == "低"


def test_reversal_and_dispute_after_due_from_the_tables(session):
    add_account(session)
    promise(session, 1, "broken", date(2026, 11, 10), date(2026, 11, 1))
    session.add(Payment(account_id="ACC-1", amount=Decimal("500.00"), paid_at=at(date(2026, 11, 5)), reference="R1"))
    session.add(Payment(account_id="ACC-1", amount=Decimal("-500.00"), paid_at=at(date(2026, 11, 7)), reference="R1-REV"))
    session.add(ContactLog(conversation_id=PHONE, account_id="ACC-1", channel="sms", direction="in",
                           text="这笔钱我没欠", intent="dispute_debt", created_at=at(date(2026, 11, 15))))
    session.flush()
    view = assessments.recompute_assessment(session, "ACC-1", TODAY)
    codes = {sig["code"] for sig in view.signals}
    assert codes == {"payments_reversed", "dispute_after_promise_due"}


def test_unknown_account_and_segment_mix(session):
    assert assessments.recompute_assessment(session, "NOPE", TODAY) is None
    add_account(session)
    add_account(session, "ACC-2", phone="+8613800002222")
    repo.record_assessment(session, account_id="ACC-2", conversation_id="c", willingness="unwilling")
    session.flush()
    counts = assessments.recompute_all(session, TODAY)
    assert counts == {"unknown": 2}  # a refusal alone says nothing about ability
    mix = assessments.segment_mix(session, [TODAY - timedelta(days=1), TODAY])
    assert mix[TODAY]["unknown"] == 2 and sum(mix[TODAY - timedelta(days=1)].values()) == 0
    assert assessments.signal_counts(session)["repeated_broken_promises"] == 0


def test_cli_mix_prints_the_segment_mix_kept_rates_and_signals(sqlite_url, pinned_now, capsys, monkeypatch):
    from bot.cli import main
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(sqlite_url)
    with session_scope(sqlite_url) as s:
        add_account(s)
        promise(s, 1, "broken", date(2026, 10, 10), date(2026, 10, 3))
        promise(s, 2, "broken", date(2026, 11, 10), date(2026, 11, 3))
    assert main(["--database-url", sqlite_url, "assessment", "recompute"]) == 0
    assert "已重新评估 1 个账户：情况不明 1 个" in capsys.readouterr().out
    assert main(["--database-url", sqlite_url, "assessment", "mix", "--days", "14"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-25" in out and "愿还但还不起" in out
    assert "情况不明：0/2（0.0%）" in out  # both were booked before any assessment
    assert "多次承诺未履约：1" in out
    assert main(["--database-url", sqlite_url, "assessment", "show", "acc-1"]) == 0
    shown = capsys.readouterr().out
    assert "还款意愿：低" in shown and "! 2026-11-10 多次承诺未履约" in shown
