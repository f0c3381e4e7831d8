"""`collectbot import-payments`: balances to the fen, promises kept / partially
kept / broken, broken promises to follow-up, idempotent, all or nothing."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db.importer import import_accounts_csv
from bot.db.migrate import upgrade
from bot.db.models import Account, AgentTask, Arrangement, Payment
from bot.db.session import session_scope
from bot import clock

NOW = "2026-11-25T10:00:00+08:00"
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
P-1,李明华,+8613700000001,3521,6688,12000.00,1200.00,2026-10-10
P-2,王芳,+8613700000002,8810,4455,3500.00,350.00,2026-11-05
P-3,赵强,+8613700000003,1207,9001,800.00,100.00,2026-11-10
P-4,陈静,+8613700000004,660X,7788,5000.00,500.00,2026-11-15
"""


@pytest.fixture
def url(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", NOW)
    monkeypatch.delenv("COLLECTBOT_CAMPAIGN_FILE", raising=False)
    upgrade(sqlite_url)
    path = tmp_path / "acc.csv"
    path.write_text(ACCOUNTS, encoding="utf-8")
    booked = datetime(2026, 11, 18, 15, 0, tzinfo=clock.SHANGHAI)
    with session_scope(sqlite_url) as s:
        assert not import_accounts_csv(s, path, today=date(2026, 11, 25)).rejected
        for pid, (account, amount, day) in enumerate(
            [("P-1", "1200.00", 22), ("P-2", "350.00", 23), ("P-3", "100.00", 20), ("P-4", "500.00", 28)], start=1
        ):
            s.add(Arrangement(id=pid, account_id=account, kind="promise_to_pay", status="booked",
                              amount=Decimal(amount), pay_date=date(2026, 11, day), idempotency_key=f"k{pid}",
                              created_at=booked))
    return sqlite_url


def write(tmp_path, text, name="pay.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys, url, *args):
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def state(url):
    with session_scope(url) as s:
        accounts = {a.account_id: (a.balance, a.minimum_due, a.follow_up) for a in s.execute(select(Account)).scalars()}
        promises = {a.account_id: a.status for a in s.execute(select(Arrangement)).scalars()}
        tasks = sorted(t.account_id for t in s.execute(select(AgentTask)).scalars())
        payments = s.execute(select(func.count()).select_from(Payment)).scalar_one()
    return accounts, promises, tasks, payments


GOOD = """account_id,amount,paid_at,reference
P-1,1200.00,2026-11-21T14:03:00+08:00,TX-1001
P-2,100.50,2026-11-23,TX-1002
P-4,0.01,2026-11-24 09:00:00,TX-1003
"""


def test_import_marks_promises_and_updates_balances(capsys, url, tmp_path):
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, GOOD))
    assert code == 0, err
    assert "新增还款 3 笔，共 1300.51 元" in out
    assert "履约 1，部分履约 1，违约 1" in out
    accounts, promises, tasks, payments = state(url)
    assert promises == {"P-1": "kept", "P-2": "partially_kept", "P-3": "broken", "P-4": "booked"}
    assert accounts["P-1"] == (Decimal("10800.00"), Decimal("0.00"), False)
    assert accounts["P-2"] == (Decimal("3399.50"), Decimal("249.50"), True)
    assert accounts["P-3"] == (Decimal("800.00"), Decimal("100.00"), True)
    assert accounts["P-4"] == (Decimal("4999.99"), Decimal("499.99"), False)
    assert tasks == ["P-2", "P-3"] and payments == 3

    # Same file again: nothing changes.
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, GOOD, "again.csv"))
    assert code == 0 and "新增还款 0 笔" in out and "重复（已导入过）3 笔" in out
    assert state(url) == (accounts, promises, tasks, payments)

    # The broken promise shows in the account summary.
    code, out, _ = run(capsys, url, "show-account", "P-3")
    assert "需跟进：是" in out and "违约承诺：1 次" in out

    # ... and changes what the assistant offers P-3 next time (bot/core/policy).
    from bot.core import policy
    from bot.db import repository

    with session_scope(url) as s:
        broke, kept = (repository.get_account(s, a, date(2026, 11, 25)) for a in ("P-3", "P-4"))

    def as_facts(view):
        return policy.AccountFacts(balance=view.balance, minimum_due=view.minimum_due, due_date=view.due_date,
                                   days_past_due=view.days_past_due, broken_promises=view.broken_promises)

    cfg = policy.PolicyConfig()
    assert not policy.deferral_eligibility(as_facts(broke), cfg).ok
    assert policy.deferral_eligibility(as_facts(kept), cfg).ok


def test_bad_rows_reported_with_line_numbers_and_nothing_written(capsys, url, tmp_path):
    bad = """account_id,amount,paid_at,reference
P-1,1200.00,2026-11-21,TX-1
P-2,12.345,2026-11-23,TX-2
NOPE,10.00,2026-11-23,TX-3
P-3,-5,2026-11-23,TX-4
P-4,10.00,2026-12-24,TX-5
P-4,10.00,yesterday,TX-6
P-1,5.00,2026-11-21,TX-1
"""
    before = state(url)
    code, out, err = run(capsys, url, "import-payments", write(tmp_path, bad))
    assert code == 1 and "未写入任何数据" in out
    for fragment in ("第 3 行：B 列「amount」：12.345 不是有效金额", "第 4 行：账户号 NOPE 不存在",
                     "第 5 行：冲正金额 5.00元 超过账户 P-3 此前已入账的还款净额 0.00元", "第 6 行：C 列「paid_at」：2026-12-24 晚于现在",
                     "第 7 行：C 列「paid_at」：yesterday 不是有效的日期或时间",
                     "第 8 行：D 列「reference」：TX-1 与第 2 行重复"):
        assert fragment in err, fragment
    assert "第 2 行" not in err.replace("与第 2 行重复", "")
    assert state(url) == before


def test_reference_reused_with_other_figures_is_rejected(capsys, url, tmp_path):
    run(capsys, url, "import-payments", write(tmp_path, GOOD))
    code, _, err = run(capsys, url, "import-payments",
                       write(tmp_path, "account_id,amount,paid_at,reference\nP-2,99.00,2026-11-23,TX-1002\n", "x.csv"))
    assert code == 1 and "第 2 行：流水号 TX-1002 已导入过，但那笔是账户 P-2、金额 100.50" in err


def test_wrong_header_is_a_file_error(capsys, url, tmp_path):
    code, _, err = run(capsys, url, "import-payments", write(tmp_path, "account,amount\nP-1,1\n"))
    assert code == 2 and "表头第 A 列「account」不是可识别的列名" in err


def test_promise_broken_by_the_campaign_run_without_new_payments(capsys, url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-12-05T10:00:00+08:00")
    for name in ("RASA_URL", "RASA_API_TOKEN", "TWILIO_ACCOUNT_SID"):
        monkeypatch.delenv(name, raising=False)
    code, out, _ = run(capsys, url, "campaign", "run", "--no-progress")
    assert code == 0 and "违约 4" in out
    _, promises, tasks, _ = state(url)
    assert set(promises.values()) == {"broken"} and tasks == ["P-1", "P-2", "P-3", "P-4"]
