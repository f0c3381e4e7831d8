"""Importing what a bank's operator really has (issue 12): a CSV Excel saved on
a Chinese Windows machine (GB18030), Chinese column names in any order,
11-digit mobiles without +86, "1,200.00" and full-width digits; errors in
Chinese naming the line and the column; account ids matched without case.

The first tests run the installed ``collectbot`` entry point, as an operator
would; the rest call the CLI in-process."""
from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.core.import_values import parse_amount, parse_day, parse_mobile
from bot.db.csvfile import ImportFileError, decode
from bot.db.models import Account, Cardholder, Payment
from bot.db.session import session_scope

REPO = Path(__file__).resolve().parents[2]
COLLECTBOT = REPO / ".venv" / "bin" / "collectbot"

# What Excel writes: Chinese header in the bank's own order, amounts with
# thousands separators quoted, full-width digits, dates as 2026/11/1, CRLF.
GB_FILE = (
    "姓名,账号,手机,身份证后四位,卡号后四位,应还总额,最低还款额,到期还款日\r\n"
    '张三,ACC-1001,13800138000,123x,6621,"1,200.00",120,2026/10/26\r\n'
    "欧阳娜娜,ACC-1002,138 0013 8001,０９８７,００１２,１，２００,１２０.５,2026年11月1日\r\n"
    '李四,ACC-1003,+86 139-0000-0003,5555,7777,"¥12,345.60",0,20261120\r\n'
)
BAD_FILE = (
    "账户号,姓名,手机号,身份证后四位,卡号后四位,欠款余额,最低还款额,到期还款日\r\n"
    "ACC-2001,王五,13800138005,1234,5555,5000.00,500.00,2026-10-01\r\n"
    '赵六,ACC-2002,1380013,1234,5555,"12,00",500.00,2026-10-01\r\n'
    "ACC-2003,钱七,13800138007,234,5555,100.00,200.00,01/11/2026\r\n"
)


def collectbot(env, *args):
    return subprocess.run(
        [str(COLLECTBOT), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli_env(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", COLLECTBOT_NOW="2026-11-25T10:00:00+08:00")
    done = collectbot(env, "migrate")
    assert done.returncode == 0, done.stderr
    assert "数据库结构已是最新版本" in done.stdout
    return env


def accounts(url):
    with session_scope(url) as s:
        return {
            a.account_id: (h.name, h.phone, h.id_last4, a.card_last4, a.balance, a.minimum_due, a.due_date)
            for a, h in s.execute(select(Account, Cardholder).join(Cardholder, Account.cardholder_id == Cardholder.id))
        }


def test_gb18030_file_with_chinese_headers_imports_through_the_entry_point(cli_env, tmp_path):
    path = tmp_path / "银行导出.csv"
    path.write_bytes(GB_FILE.encode("gb18030"))
    done = collectbot(cli_env, "import-accounts", str(path))
    assert done.returncode == 0, done.stderr
    assert "文件编码：GB18030" in done.stdout
    assert "新增 3 个账户，更新 0 个账户，拒绝 0 行" in done.stdout
    assert done.stderr == ""
    assert accounts(cli_env["DATABASE_URL"]) == {
        "ACC-1001": ("张三", "+8613800138000", "123X", "6621", Decimal("1200.00"), Decimal("120.00"), date(2026, 10, 26)),
        "ACC-1002": ("欧阳娜娜", "+8613800138001", "0987", "0012", Decimal("1200.00"), Decimal("120.50"), date(2026, 11, 1)),
        "ACC-1003": ("李四", "+8613900000003", "5555", "7777", Decimal("12345.60"), Decimal("0.00"), date(2026, 11, 20)),
    }
    # The operator looks the account up in whatever case they type.
    shown = collectbot(cli_env, "show-account", "acc-1002", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["account"]["account_id"] == "ACC-1002"


def test_bad_rows_are_named_by_line_and_column_in_chinese_and_nothing_is_written(cli_env, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD_FILE.encode("gb18030"))
    done = collectbot(cli_env, "import-accounts", str(path))
    assert done.returncode == 1
    assert "导入取消：2 行有错误，未写入任何数据" in done.stdout
    errors = done.stderr.strip().splitlines()
    assert errors[0] == (
        "第 3 行：A 列「账户号」：赵六 只能由字母、数字和 . _ - 组成（1–64 位）；"
        "C 列「手机号」：1380013 不是有效的手机号（11 位手机号，或 +国家码 的国际号码）；"
        "F 列「欠款余额」：12,00 不是有效金额（非负，最多两位小数，如 1200.00 或 1,200.00）"
    )
    assert errors[1].startswith("第 4 行：D 列「身份证后四位」：234 应为 3 位数字加 1 位数字或 X（Excel 会去掉开头的 0")
    assert "G 列「最低还款额」：200.00 大于 F 列「欠款余额」的 100.00" in errors[1]
    assert "H 列「到期还款日」：01/11/2026 不是有效日期" in errors[1]
    assert len(errors) == 2
    assert accounts(cli_env["DATABASE_URL"]) == {}  # not even the good line 2


def test_utf8_with_and_without_bom_and_english_headers_still_work(capsys, sqlite_url, pinned_now, tmp_path):
    text = GB_FILE.replace("姓名,账号,手机", "name,account_id,phone")
    for name, data, encoding in (
        ("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"), "UTF-8（带 BOM）"),
        ("plain.csv", text.encode("utf-8"), "UTF-8"),
    ):
        (tmp_path / name).write_bytes(data)
        assert main(["import-accounts", str(tmp_path / name)]) == 0
        assert f"文件编码：{encoding}" in capsys.readouterr().out
    assert accounts(sqlite_url)["ACC-1002"][4] == Decimal("1200.00")


def test_account_ids_match_without_case_on_reimport_and_payments(capsys, sqlite_url, pinned_now, tmp_path):
    (tmp_path / "a.csv").write_bytes(GB_FILE.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "a.csv")]) == 0
    lower = GB_FILE.replace("ACC-1001", "acc-1001").replace('"1,200.00"', "999")
    (tmp_path / "b.csv").write_bytes(lower.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "b.csv")]) == 0
    assert "新增 0 个账户，更新 3 个账户" in capsys.readouterr().out
    stored = accounts(sqlite_url)
    assert sorted(stored) == ["ACC-1001", "ACC-1002", "ACC-1003"]  # stored as first given
    assert stored["ACC-1001"][4] == Decimal("999.00")

    # Two spellings of one id in the same file are one account twice.
    dup = GB_FILE + GB_FILE.splitlines()[1].replace("ACC-1001", "Acc-1001") + "\r\n"
    (tmp_path / "dup.csv").write_bytes(dup.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "dup.csv")]) == 1
    assert "第 5 行：B 列「账号」：Acc-1001 与第 2 行重复（账户号不区分大小写）" in capsys.readouterr().err

    # The payment file reads the same way: GB18030, Chinese names, 1,200.00.
    payments = '流水号,账户号,还款金额,还款时间\r\nTX-1,acc-1001,"1,000.50",2026/11/21 14:03\r\nTX-2,ACC-1002,１２０,2026-11-22\r\n'
    (tmp_path / "p.csv").write_bytes(payments.encode("gb18030"))
    assert main(["import-payments", str(tmp_path / "p.csv")]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "文件编码：GB18030" in out and "新增还款 2 笔，共 1120.50 元" in out
    with session_scope(sqlite_url) as s:
        paid = {p.reference: (p.account_id, p.amount) for p in s.execute(select(Payment)).scalars()}
        assert s.execute(select(func.count()).select_from(Account)).scalar_one() == 3
    assert paid == {"TX-1": ("ACC-1001", Decimal("1000.50")), "TX-2": ("ACC-1002", Decimal("120.00"))}
    assert accounts(sqlite_url)["ACC-1001"][4] == Decimal("0.00")  # 999.00 owed, 1,000.50 paid
    assert "注意：账户 ACC-1001 多还 1.50 元" in out


def test_payment_errors_name_line_and_column_in_chinese(capsys, sqlite_url, pinned_now, tmp_path):
    (tmp_path / "a.csv").write_bytes(GB_FILE.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "a.csv")]) == 0
    bad = "账户号,还款金额,还款时间,流水号\nACC-1001,0,2026-11-21,TX-1\nNOPE,5,2026/13/01,TX-2\n"
    (tmp_path / "p.csv").write_bytes(bad.encode("gb18030"))
    assert main(["import-payments", str(tmp_path / "p.csv")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "第 2 行：B 列「还款金额」：0 不能为 0",
        "第 3 行：C 列「还款时间」：2026/13/01 不是有效的日期或时间（如 2026-11-21 或 2026/11/21 14:03）",
    ]
    with session_scope(sqlite_url) as s:
        assert s.execute(select(func.count()).select_from(Payment)).scalar_one() == 0


@pytest.mark.parametrize(
    "header, message",
    [
        ("账户号,姓名,手机号,身份证后四位,卡号后四位,欠款余额,最低还款额,到期还款日,备注", "表头第 I 列「备注」不是可识别的列名"),
        ("账户号,account_id,姓名,手机号,身份证后四位,卡号后四位,欠款余额,最低还款额,到期还款日",
         "表头有两列都表示「账户号」：A 列「账户号」和 B 列「account_id」"),
        ("账户号,姓名,手机号,身份证后四位,卡号后四位,欠款余额,到期还款日", "表头缺少列：最低还款额（minimum_due）"),
    ],
)
def test_header_problems_are_explained_in_chinese(capsys, sqlite_url, pinned_now, tmp_path, header, message):
    (tmp_path / "h.csv").write_bytes((header + "\n").encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "h.csv")]) == 2
    assert message in capsys.readouterr().err


def test_decoding_prefers_strict_utf8_then_gb18030():
    assert decode("账户号".encode("utf-8")) == ("账户号", "UTF-8")
    assert decode("账户号".encode("gb18030")) == ("账户号", "GB18030")
    assert decode("账户号".encode("gbk")) == ("账户号", "GB18030")  # GBK is a subset
    with pytest.raises(ImportFileError, match="第 3 个字节起不是有效的 UTF-8"):
        decode(b"\xef\xbb\xbf" + "账户号".encode("gbk"))


@pytest.mark.parametrize(
    "text, amount",
    [("1200", "1200.00"), ("1,200.00", "1200.00"), ("１，２００", "1200.00"), ("1,234,567.5", "1234567.50"),
     ("¥1,200.00", "1200.00"), ("１２０.５元", "120.50"), ("0", "0.00")],
)
def test_amounts_as_written(text, amount):
    assert parse_amount(text, 13) == Decimal(amount)


@pytest.mark.parametrize("text", ["12,00", "1,2000", "1,200.005", "-5", "1e3", "1.2.3", "", ",100", "12345678901234"])
def test_amounts_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text, 13)


@pytest.mark.parametrize(
    "text, phone",
    [("13800138000", "+8613800138000"), ("138 0013 8000", "+8613800138000"), ("+86-138-0013-8000", "+8613800138000"),
     ("8613800138000", "+8613800138000"), ("0086 13800138000", "+8613800138000"), ("１３８００１３８０００", "+8613800138000"),
     ("+14155550100", "+14155550100"), ("+852 9123 4567", "+85291234567"),
     ("1380013800", None), ("12800138000", None), ("abc13800138000", None), ("13800138000/13900139000", None),
     ("02112345678", None), ("+0861380000", None)],
)
def test_mobiles_as_written(text, phone):
    assert parse_mobile(text) == phone


@pytest.mark.parametrize(
    "text, day",
    [("2026-11-01", date(2026, 11, 1)), ("2026/11/1", date(2026, 11, 1)), ("2026年11月1日", date(2026, 11, 1)),
     ("20261101", date(2026, 11, 1)), ("２０２６-１１-０１", date(2026, 11, 1))],
)
def test_days_as_written(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["01/11/2026", "2026-02-30", "2026/13/01", "26-11-01", "2026-11"])
def test_days_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "这是 Excel 工作簿（.xlsx/.xls），不是 CSV"),
        ("账户号\t姓名\n".encode("utf-16"), "这是 UTF-16 文本"),
        (b"\xef\xbb\xbf" + "账户号".encode("gbk"), "文件开头标明是 UTF-8"),
    ],
)
def test_files_that_are_not_csv_say_what_they_are(data, message):
    with pytest.raises(ImportFileError, match=message):
        decode(data)


def test_gb18030_byte_order_mark_is_not_part_of_the_header(capsys, sqlite_url, pinned_now, tmp_path):
    (tmp_path / "bom.csv").write_bytes(("\ufeff" + GB_FILE).encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "bom.csv")]) == 0, capsys.readouterr().err
    assert "文件编码：GB18030" in capsys.readouterr().out


def test_excel_scientific_notation_and_nul_are_explained(capsys, sqlite_url, pinned_now, tmp_path):
    text = GB_FILE.replace("13800138000", "1.38001E+10").replace("张三", "张\x00三")
    (tmp_path / "e.csv").write_bytes(text.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "e.csv")]) == 1
    err = capsys.readouterr().err
    assert "第 2 行：CSV 格式错误：含有 NUL 字符" in err
    text = GB_FILE.replace("13800138000", "1.38001E+10")
    (tmp_path / "e.csv").write_bytes(text.encode("gb18030"))
    assert main(["import-accounts", str(tmp_path / "e.csv")]) == 1
    err = capsys.readouterr().err
    assert "第 2 行：C 列「手机」：1.38001E+10 不是有效的手机号" in err and "科学计数法" in err
