"""bot.db.importer: CSV validation, upsert, all-or-nothing, demo data."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import importer
from bot.db.importer import HEADER, ImportFileError, RowError, import_accounts_csv
from bot.db.models import Account, Cardholder
from bot.db.repository import get_account

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = date(2026, 11, 25)
HEADER_LINE = ",".join(HEADER)
GOOD = "ACC-1,张三,+8613800000001,1234,4321,1000.00,100.00,2026-11-01"


def write(tmp_path, *lines, name="in.csv", bom=False):
    path = tmp_path / name
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def counts(s):
    return (
        s.execute(select(func.count()).select_from(Account)).scalar_one(),
        s.execute(select(func.count()).select_from(Cardholder)).scalar_one(),
    )


@pytest.mark.parametrize(
    "row, reason",
    [
        (",张三,+8613800000001,1234,4321,1000.00,100.00,2026-11-01", "A 列「account_id」为空"),
        ("ACC-1,,+8613800000001,1234,4321,1000.00,100.00,2026-11-01", "B 列「name」为空"),
        ("ACC-1,张三,138001,1234,4321,1000.00,100.00,2026-11-01", "C 列「phone」：138001 不是有效的手机号"),
        ("ACC-1,张三,+0861380000,1234,4321,1000.00,100.00,2026-11-01", "C 列「phone」：+0861380000 不是有效的手机号"),
        ("ACC-1,张三,+8613800000001,12345,4321,1000.00,100.00,2026-11-01", "D 列「id_last4」：12345 应为 3 位数字加 1 位数字或 X"),
        ("ACC-1,张三,+8613800000001,12X4,4321,1000.00,100.00,2026-11-01", "D 列「id_last4」：12X4 应为 3 位数字加 1 位数字或 X"),
        ("ACC-1,张三,+8613800000001,1234,43a1,1000.00,100.00,2026-11-01", "E 列「card_last4」：43a1 应为 4 位数字"),
        ("ACC-1,张三,+8613800000001,1234,4321,-5,0,2026-11-01", "F 列「balance」：-5 不是有效金额（非负，最多两位小数"),
        ("ACC-1,张三,+8613800000001,1234,4321,10.005,0,2026-11-01", "F 列「balance」：10.005 不是有效金额"),
        ("ACC-1,张三,+8613800000001,1234,4321,1e3,0,2026-11-01", "F 列「balance」：1e3 不是有效金额"),
        ("ACC-1,张三,+8613800000001,1234,4321,1000,abc,2026-11-01", "G 列「minimum_due」：abc 不是有效金额"),
        ("ACC-1,张三,+8613800000001,1234,4321,100.00,100.01,2026-11-01", "G 列「minimum_due」：100.01 大于 F 列「balance」的 100.00"),
        ("ACC-1,张三,+8613800000001,1234,4321,100,10,2026-02-30", "H 列「due_date」：2026-02-30 不是有效日期"),
        ("ACC-1,张三,+8613800000001,1234,4321,100,10,01/11/2026", "H 列「due_date」：01/11/2026 不是有效日期"),
        ("ACC-1,张三,+8613800000001,1234,4321,100,10", "H 列「due_date」为空"),
    ],
)
def test_row_validation_reasons(session, tmp_path, row, reason):
    path = write(tmp_path, HEADER_LINE, GOOD.replace("ACC-1", "ACC-0"), row)
    result = import_accounts_csv(session, path, today=TODAY)
    assert len(result.rejected) == 1
    error = result.rejected[0]
    assert error.line == 3
    assert reason in error.reason
    assert str(error).startswith("第 3 行：")
    assert (result.inserted, result.updated) == (0, 0)
    assert counts(session) == (0, 0)  # all-or-nothing


def test_duplicate_account_id_within_file(session, tmp_path):
    path = write(tmp_path, HEADER_LINE, GOOD, GOOD.replace("1000.00", "2000.00"))
    result = import_accounts_csv(session, path, today=TODAY)
    assert result.rejected == [RowError(3, "A 列「account_id」：ACC-1 与第 2 行重复（账户号不区分大小写）")]


def test_one_phone_two_identities_rejected(session, tmp_path):
    other = "ACC-2,李四,+8613800000001,1234,4321,1.00,1.00,2026-11-01"
    result = import_accounts_csv(session, write(tmp_path, HEADER_LINE, GOOD, other), today=TODAY)
    assert [e.line for e in result.rejected] == [3]
    assert "C 列「phone」：+8613800000001 在第 2 行属于另一位持卡人" in result.rejected[0].reason


def test_several_problems_in_one_row_are_all_reported(session, tmp_path):
    bad = "ACC-1,张三,138,12,4321,x,1,2026-13-01"
    result = import_accounts_csv(session, write(tmp_path, HEADER_LINE, bad), today=TODAY)
    reason = result.rejected[0].reason
    for part in ("「phone」：138 ", "「id_last4」：12 ", "「balance」：x ", "「due_date」：2026-13-01 "):
        assert part in reason


def test_line_numbers_count_blank_and_multiline_records(session, tmp_path):
    path = write(
        tmp_path,
        HEADER_LINE,
        "",
        'ACC-1,"张\n三",+8613800000001,1234,4321,1000.00,100.00,2026-11-01',
        "ACC-2,李四,bad,1234,4321,1000.00,100.00,2026-11-01",
    )
    result = import_accounts_csv(session, path, today=TODAY)
    assert [e.line for e in result.rejected] == [5]


def test_import_inserts_and_upserts(session, tmp_path):
    result = import_accounts_csv(session, FIXTURES / "accounts_good.csv", today=TODAY)
    assert (result.inserted, result.updated, result.rejected) == (3, 0, [])
    assert result.stage_counts == {"M0": 1, "M1": 1, "M2": 1}
    assert counts(session) == (3, 2)  # 张三 has two accounts
    view = get_account(session, "ACC-1001", TODAY)
    assert (view.balance, view.minimum_due, view.name) == (
        Decimal("12345.60"),
        Decimal("1234.56"),
        "张三",
    )
    assert get_account(session, "ACC-1003", TODAY).name == "欧阳娜娜"

    changed = write(
        tmp_path,
        HEADER_LINE,
        "ACC-1001,张三丰,+8613811110001,999x,4321,11000,1100,2026-11-20",
        "ACC-9001,新客户,+8613811119999,0000,0000,1.00,0,2026-12-01",
    )
    result = import_accounts_csv(session, changed, today=TODAY)
    assert (result.inserted, result.updated) == (1, 1)
    assert counts(session) == (4, 3)
    view = get_account(session, "ACC-1001", TODAY)
    assert (view.balance, view.due_date, view.name) == (
        Decimal("11000.00"),
        date(2026, 11, 20),
        "张三丰",
    )
    holder = session.execute(
        select(Cardholder).where(Cardholder.phone == "+8613811110001")
    ).scalar_one()
    assert holder.id_last4 == "999X"


def test_account_moves_to_the_cardholder_with_its_phone(session, tmp_path):
    import_accounts_csv(session, write(tmp_path, HEADER_LINE, GOOD), today=TODAY)
    moved = GOOD.replace("张三,+8613800000001", "李四,+8613800000002")
    import_accounts_csv(session, write(tmp_path, HEADER_LINE, moved, name="b.csv"), today=TODAY)
    assert get_account(session, "ACC-1", TODAY).phone == "+8613800000002"
    assert counts(session) == (1, 2)


def test_skip_bad_rows_writes_the_good_ones(session):
    result = import_accounts_csv(
        session, FIXTURES / "accounts_bad_line4.csv", skip_bad_rows=True, today=TODAY
    )
    assert (result.inserted, result.updated) == (3, 0)
    assert result.rejected == [
        RowError(4, "C 列「phone」：138001 不是有效的手机号（11 位手机号，或 +国家码 的国际号码）")
    ]
    assert get_account(session, "ACC-2003", TODAY) is None
    assert get_account(session, "ACC-2004", TODAY) is not None


def test_bom_is_accepted(session, tmp_path):
    result = import_accounts_csv(session, write(tmp_path, HEADER_LINE, GOOD, bom=True), today=TODAY)
    assert (result.inserted, result.rejected) == (1, [])


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"account_id,name,phone\n",
        b"account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date,extra\n",
        b"account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date,account_id\n",
        "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date\nA,张三".encode("gbk") + b"\x81",
    ],
)
def test_unusable_files_raise(session, tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError):
        import_accounts_csv(session, path, today=TODAY)


def test_missing_file_raises(session, tmp_path):
    with pytest.raises(ImportFileError, match="无法读取文件"):
        import_accounts_csv(session, tmp_path / "missing.csv", today=TODAY)


# ---------------------------------------------------------------- demo data


def test_demo_fixture_file_matches_seed_data():
    # Demos (seed-demo) and tests (the CSV) must describe the same accounts.
    text = (FIXTURES / "demo_accounts.csv").read_text(encoding="utf-8")
    assert text == importer.demo_csv_text(importer.DEMO_REFERENCE_DATE)


def test_seed_demo(session):
    rows = importer.seed_demo(session, TODAY)
    assert [r["account_id"] for r in rows] == [f"DEMO-000{i}" for i in range(1, 6)]
    assert [r["phone"] for r in rows] == [f"+861380000000{i}" for i in range(1, 6)]
    stages = [get_account(session, r["account_id"], TODAY).stage for r in rows]
    assert stages == ["M1", "M2", "M3", "M3+", "M1"]
    assert min(get_account(session, r["account_id"], TODAY).balance for r in rows) < Decimal("600")
    # Idempotent, and stages stay the same on any other day.
    later = date(2027, 3, 1)
    importer.seed_demo(session, later)
    assert counts(session) == (5, 5)
    assert [get_account(session, r["account_id"], later).stage for r in rows] == stages


def test_seed_demo_equals_importing_the_fixture(session, tmp_path):
    import_accounts_csv(session, FIXTURES / "demo_accounts.csv", today=TODAY)
    imported = [get_account(session, f"DEMO-000{i}", TODAY) for i in range(1, 6)]
    importer.seed_demo(session, TODAY)
    assert [get_account(session, f"DEMO-000{i}", TODAY) for i in range(1, 6)] == imported
