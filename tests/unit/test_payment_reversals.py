"""`collectbot import-payments` takes reversals (issue 13, "payments
reversed"): a negative amount puts the money back on the account, does not
keep a promise, may not take back more than was paid, and shows to agents
as an evasion signal with its date and amount, with the assessment
rescored in the import's transaction."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.core.reconcile import PaymentFacts
from bot.db import assessments, repository
from bot.db.payments import net_of_reversals
from bot.db.session import session_scope
from tests.unit.test_import_payments import run, state, url, write  # noqa: F401 (the fixture)

D = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _no_saved_model(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTBOT_ASSESSMENT_MODEL", str(tmp_path / "none.pkl"))


def test_a_reversal_restores_the_balance_and_keeps_no_promise(capsys, url, tmp_path):
    # P-4 owes 5,000.00 (minimum 500.00) and promised 500.00 by 2026-11-28;
    # the payment bounced the same afternoon. P-1 paid its promise.
    feed = """account_id,amount,paid_at,reference
P-1,1200.00,2026-11-21,TX-1
P-4,500.00,2026-11-24 09:00,TX-2
P-4,－500.00,2026-11-24 15:30,TX-2R
"""
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, feed))
    assert code == 0, err
    assert "新增还款 3 笔，共 1200.00 元" in out
    assert "其中冲正（退回已入账还款）1 笔，共 500.00 元，已计回欠款余额。" in out
    accounts, promises, _, payments = state(url)
    assert accounts["P-4"] == (Decimal("5000.00"), Decimal("500.00"), False)
    assert promises["P-4"] == "booked"  # not kept: the money came back
    assert promises["P-1"] == "kept" and payments == 3

    with session_scope(url) as s:
        p4 = assessments.latest(s, "P-4")
        p1 = assessments.latest(s, "P-1")
        # The bot's "has my payment arrived?" does not count a reversal.
        seen = repository.payments_since(s, "P-4", date(2026, 11, 1))
    assert [p.amount for p in seen] == [Decimal("500.00")]
    assert p4.trigger == "payment_reversal"
    [signal] = [sig for sig in p4.signals if sig["code"] == "payments_reversed"]
    assert signal["on"] == "2026-11-24" and "2026-11-24 500.00 元" in signal["reason"]
    assert "还款被退回 1 笔" in [r["text"] for r in p4.reasons]
    assert p1.trigger == "payment" and not p1.signals

    # The same file again changes nothing, the reversal included.
    code, out, _ = run(capsys, url, "import-payments", write(tmp_path, feed, "again.csv"))
    assert code == 0 and "重复（已导入过）3 笔" in out
    assert state(url)[0] == accounts


def test_a_reversal_cannot_take_back_more_than_was_paid(capsys, url, tmp_path):
    before = state(url)
    feed = """account_id,amount,paid_at,reference
P-2,100.00,2026-11-21,TX-1
P-2,-100.01,2026-11-22,TX-1R
P-3,0,2026-11-22,TX-2
"""
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, feed))
    assert code == 1 and "未写入任何数据" in out
    assert "第 3 行：冲正金额 100.01元 超过账户 P-2 此前已入账的还款净额 100.00元" in err
    assert "第 4 行：B 列「amount」：0 不能为 0" in err
    assert state(url) == before


def test_a_reversal_cancels_the_newest_payments_before_it():
    payments = [
        PaymentFacts(1, Decimal("300.00"), D),
        PaymentFacts(2, Decimal("200.00"), D + timedelta(days=1)),
        PaymentFacts(3, Decimal("-250.00"), D + timedelta(days=2)),
        PaymentFacts(4, Decimal("400.00"), D + timedelta(days=3)),  # after the reversal: untouched
    ]
    assert [(p.id, p.amount) for p in net_of_reversals(payments)] == [
        (1, Decimal("250.00")), (4, Decimal("400.00")),
    ]
