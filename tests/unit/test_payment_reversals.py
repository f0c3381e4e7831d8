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


def test_a_reversal_reopens_a_promise_it_had_kept(capsys, url, tmp_path):
    # P-1 promised 1,200.00 by 2026-11-22 and paid it on the 21st; P-4
    # promised 500.00 by the 28th and paid it on the 24th. Both kept.
    paid = """account_id,amount,paid_at,reference
P-1,1200.00,2026-11-21,TX-1
P-4,500.00,2026-11-24 09:00,TX-2
"""
    assert run(capsys, url, "import-payments", write(tmp_path, paid))[0] == 0
    assert {a: st for a, st in state(url)[1].items() if a in ("P-1", "P-4")} == {"P-1": "kept", "P-4": "kept"}

    # The bank takes both back on the 25th.
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, """account_id,amount,paid_at,reference
P-1,-1200.00,2026-11-25 08:00,TX-1R
P-4,-500.00,2026-11-25 08:00,TX-2R
""", "reversed.csv"))
    assert code == 0, err
    assert "冲正后，已计为履约的承诺 2 项重新按约定日期核对。" in out
    _, promises, tasks, _ = state(url)
    # By its date: P-1's date and grace day have passed - broken, with a task
    # for an agent; P-4's date is still to come - open again.
    assert promises["P-1"] == "broken" and promises["P-4"] == "booked"
    assert "P-1" in tasks and "P-4" not in tasks
    with session_scope(url) as s:
        details = {a: a_row["details"] for a in ("P-1", "P-4")
                   for a_row in repository.account_snapshot(s, a, date(2026, 11, 25))["arrangements"]}
        p1 = assessments.history(s, "P-1")
    assert details["P-1"]["reopened"] == {"on": "2026-11-25", "was": "kept", "by_reversal": ["TX-1R"]}
    assert details["P-4"]["reopened"]["by_reversal"] == ["TX-2R"]
    # The history shows why the assessment moved: kept before, broken after the reversal.
    assert p1[0].trigger == "reversal_reopened_promise"
    assert assessments.trigger_label(p1[0].trigger) == "还款冲正，已计为履约的承诺重新核对"
    now, before = [r["text"] for r in p1[0].reasons], [r["text"] for r in p1[1].reasons]
    assert "承诺未履约 1 次" in now and "已履约承诺/计划 1 次" not in now
    assert "已履约承诺/计划 1 次" in before


def test_a_reversal_of_a_payment_no_promise_needed_reopens_nothing(capsys, url, tmp_path):
    feed = """account_id,amount,paid_at,reference
P-1,1200.00,2026-11-21,TX-1
P-1,300.00,2026-11-21 12:00,TX-3
"""
    assert run(capsys, url, "import-payments", write(tmp_path, feed))[0] == 0
    assert state(url)[1]["P-1"] == "kept"
    reversal = "account_id,amount,paid_at,reference\nP-1,-300.00,2026-11-25 08:00,TX-3R\n"
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, reversal, "reversed.csv"))
    assert code == 0, err
    # The newest payment is the one taken back; the promise's 1,200.00 stands.
    assert state(url)[1]["P-1"] == "kept" and "重新按约定日期核对" not in out
