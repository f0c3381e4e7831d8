"""`collectbot` command line, called in-process through main([...])."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from bot.cli import main
from bot.db.models import Account, Cardholder
from bot.db.session import get_engine, session_scope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date"


@pytest.fixture
def url(sqlite_url, pinned_now):
    return sqlite_url


def run(capsys, url, *args):
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(capsys, url, account_id):
    code, out, err = run(capsys, url, "show-account", account_id, "--json")
    assert code == 0, err
    return json.loads(out)


def db_counts(url):
    with session_scope(url) as s:
        return (
            s.execute(select(func.count()).select_from(Account)).scalar_one(),
            s.execute(select(func.count()).select_from(Cardholder)).scalar_one(),
        )


def write(tmp_path, text, name="in.csv", bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_migrate(capsys, url):
    code, out, _ = run(capsys, url, "migrate")
    assert code == 0
    assert "最新" in out
    assert "accounts" in inspect(get_engine(url)).get_table_names()


def test_import_good_file_and_show_account(capsys, url):
    code, out, err = run(capsys, url, "import-accounts", str(FIXTURES / "accounts_good.csv"))
    assert code == 0, err
    assert "新增 3 个账户，更新 0 个账户，拒绝 0 行" in out
    assert err == ""
    assert db_counts(url) == (3, 2)

    snap = snapshot(capsys, url, "ACC-1001")
    assert snap["account"]["balance"] == "12345.60"
    assert snap["account"]["minimum_due"] == "1234.56"
    assert snap["account"]["due_date"] == "2026-10-26"
    assert snap["account"]["days_past_due"] == 30
    assert snap["account"]["stage"] == "M1"
    assert snap["cardholder"] == {
        "id": snap["cardholder"]["id"],
        "name": "张三",
        "phone": "+8613811110001",
        "id_last4": "1234",
    }
    assert snapshot(capsys, url, "ACC-1003")["account"]["balance"] == "0.50"
    assert snapshot(capsys, url, "ACC-1002")["account"]["balance"] == "300.00"


def test_show_account_json_is_utf8_and_has_all_sections(capsys, url):
    run(capsys, url, "import-accounts", str(FIXTURES / "accounts_good.csv"))
    code, out, _ = run(capsys, url, "show-account", "ACC-1003", "--json")
    assert code == 0
    assert "欧阳娜娜" in out  # ensure_ascii=False
    assert out.startswith("{\n  ")  # indent=2
    for key in (
        "account",
        "cardholder",
        "arrangements",
        "promises",
        "assessment",
        "assessment_history",
        "escalations",
        "opt_outs",
        "payment_claims",
        "contact_log",
    ):
        assert key in json.loads(out)


def test_reimport_updates_without_duplicates(capsys, url, tmp_path):
    run(capsys, url, "import-accounts", str(FIXTURES / "accounts_good.csv"))
    changed = write(
        tmp_path,
        HEADER + "\nACC-1001,张三,+8613811110001,1234,4321,9999.99,999.99,2026-11-01\n",
    )
    code, out, err = run(capsys, url, "import-accounts", str(changed))
    assert code == 0, err
    assert "新增 0 个账户，更新 1 个账户" in out
    assert db_counts(url) == (3, 2)
    acc = snapshot(capsys, url, "ACC-1001")["account"]
    assert (acc["balance"], acc["minimum_due"], acc["due_date"]) == (
        "9999.99",
        "999.99",
        "2026-11-01",
    )
    # Importing the same file again only updates.
    code, out, _ = run(capsys, url, "import-accounts", str(FIXTURES / "accounts_good.csv"))
    assert code == 0 and "新增 0 个账户，更新 3 个账户" in out
    assert db_counts(url) == (3, 2)
    assert snapshot(capsys, url, "ACC-1001")["account"]["balance"] == "12345.60"


def test_bad_row_rejects_whole_file(capsys, url):
    run(capsys, url, "import-accounts", str(FIXTURES / "accounts_good.csv"))
    before = db_counts(url)
    code, out, err = run(capsys, url, "import-accounts", str(FIXTURES / "accounts_bad_line4.csv"))
    assert code == 1
    assert err.strip().splitlines() == ["第 4 行：C 列「phone」：138001 不是有效的手机号（11 位手机号，或 +国家码 的国际号码）"]
    assert "未写入任何数据" in out
    assert db_counts(url) == before
    code, _, err = run(capsys, url, "show-account", "ACC-2001")
    assert code == 3  # the good rows of the bad file were not written either


def test_bad_row_with_skip_bad_rows_writes_good_rows(capsys, url):
    code, out, err = run(
        capsys, url, "import-accounts", str(FIXTURES / "accounts_bad_line4.csv"), "--skip-bad-rows"
    )
    assert code == 1
    assert "第 4 行：C 列「phone」：138001 不是有效的手机号" in err
    assert "新增 3 个账户，更新 0 个账户，拒绝 1 行" in out
    assert db_counts(url) == (3, 3)
    assert snapshot(capsys, url, "ACC-2004")["account"]["balance"] == "900.00"
    assert run(capsys, url, "show-account", "ACC-2003")[0] == 3


def test_wrong_header_exits_2(capsys, url, tmp_path):
    path = write(tmp_path, "id,name,phone\nACC-1,张三,+8613800000001\n")
    code, _, err = run(capsys, url, "import-accounts", str(path))
    assert code == 2
    assert "错误：表头第 A 列「id」不是可识别的列名" in err
    assert db_counts(url) == (0, 0)


def test_unreadable_file_exits_2(capsys, url, tmp_path):
    code, _, err = run(capsys, url, "import-accounts", str(tmp_path / "missing.csv"))
    assert code == 2 and "无法读取文件" in err
    # Neither UTF-8 nor GB18030 (a lone GB18030 lead byte at the end).
    broken = tmp_path / "broken.csv"
    broken.write_bytes((HEADER + "\nACC-1,张三,+8613800000001,1234,4321,1,1,2026-11-01\n").encode("gbk") + b"\x81")
    code, _, err = run(capsys, url, "import-accounts", str(broken))
    assert code == 2 and "无法识别文件编码" in err
    assert db_counts(url) == (0, 0)


def test_bom_is_accepted(capsys, url, tmp_path):
    path = write(
        tmp_path,
        HEADER + "\r\nACC-1,张三,+8613800000001,1234,4321,100.5,10,2026-11-01\r\n",
        bom=True,
    )
    code, out, err = run(capsys, url, "import-accounts", str(path))
    assert code == 0, err
    assert snapshot(capsys, url, "ACC-1")["account"]["balance"] == "100.50"


def test_show_account_not_found_exits_3(capsys, url):
    code, out, err = run(capsys, url, "show-account", "NOPE")
    assert code == 3
    assert "NOPE" in err and out == ""


def test_show_account_human_summary_in_chinese(capsys, url):
    run(capsys, url, "seed-demo")
    code, out, _ = run(capsys, url, "show-account", "DEMO-0002")
    assert code == 0
    assert "账户 DEMO-0002（卡号尾号 3088）" in out
    assert "持卡人：李娜" in out
    assert "欠款余额：23,500.50元" in out
    assert "逾期天数：45" in out and "阶段：M2" in out


def test_seed_demo(capsys, url):
    code, out, _ = run(capsys, url, "seed-demo")
    assert code == 0
    assert "已写入 5 个演示账户" in out
    assert db_counts(url) == (5, 5)
    assert snapshot(capsys, url, "DEMO-0005")["account"]["balance"] == "480.00"
    # Running it twice changes nothing.
    assert run(capsys, url, "seed-demo")[0] == 0
    assert db_counts(url) == (5, 5)


def test_database_url_option_overrides_env(capsys, url, tmp_path, monkeypatch):
    env_db = tmp_path / "env" / "from_env.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env_db}")
    assert run(capsys, url, "seed-demo")[0] == 0
    assert db_counts(url) == (5, 5)
    assert not env_db.exists()


def test_database_url_env_used_without_option(capsys, sqlite_url, pinned_now):
    # sqlite_url also sets DATABASE_URL.
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert db_counts(sqlite_url) == (5, 5)


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["import-accounts"])
    assert exc.value.code == 2
