"""`collectbot` speaks Chinese to operators (issue 12): argparse's own help
and error texts, the column lists in --help, ids typed in any case, and
`collectbot report` with Chinese names instead of codes."""
from __future__ import annotations

import argparse
import os
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot import clock
from bot.cli import main
from bot.db.import_columns import ACCOUNTS, PAYMENTS
from bot.db.migrate import upgrade
from bot.db.models import Account, Arrangement, Cardholder, ContactLog, Escalation, OutboundBlock
from bot.db.session import session_scope

REPO = Path(__file__).resolve().parents[2]
COLLECTBOT = REPO / ".venv" / "bin" / "collectbot"
ENGLISH = ("usage:", "error:", "positional arguments", "options:", "show this help", "the following arguments",
           "invalid choice", "unrecognized arguments", "argument ")


def run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_no_english(text):
    for phrase in ENGLISH:
        assert phrase not in text, phrase


@pytest.mark.parametrize("command, table", [("import-accounts", ACCOUNTS), ("import-payments", PAYMENTS)])
def test_help_lists_the_columns_with_an_example(command, table):
    done = subprocess.run([str(COLLECTBOT), command, "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith(f"用法：collectbot {command} [-h]")
    assert "位置参数：" in text and "选项：" in text and "显示本帮助并退出" in text
    for column in table.columns:
        assert column.label in text and column.key in text
        for alias in column.aliases:
            assert alias in text
    assert ",".join(c.label for c in table.columns) in text  # the example's header
    assert '"1,200.00"' in text  # and its row, quoted the way Excel writes it
    assert "GBK/GB18030" in text
    assert_no_english(text)


def test_top_level_help_is_chinese(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("用法：collectbot [-h] [--database-url URL] 命令 ...")
    assert "import-accounts" in out and "从 CSV 导入/更新账户" in out
    assert_no_english(out)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "collectbot：错误：缺少必需的参数：命令"),
        (["import-accounts"], "collectbot import-accounts：错误：缺少必需的参数：文件.csv"),
        (["nope"], "collectbot：错误：参数 命令：无效的选项值 'nope'（可选："),
        (["create-user", "x", "--role", "boss"], "collectbot create-user：错误：参数 --role：无效的选项值 'boss'"),
        (["seed-demo", "--extra"], "collectbot：错误：无法识别的参数：--extra"),
        (["report", "--from"], "collectbot report：错误：参数 --from：需要一个值"),
        (["consume-events", "--batch-size", "many"], "collectbot consume-events：错误：参数 --batch-size：'many' 不是有效的 int 值"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("用法：collectbot")
    assert message in err
    assert_no_english(err)


def test_chinese_stays_inside_collectbot(capsys):
    # argparse is shared with Rasa's own command line in the same process.
    run(capsys, "import-accounts")
    other = argparse.ArgumentParser(prog="x")
    assert other.format_help().startswith("usage: x")
    assert "show this help message and exit" in other.format_help()


def test_account_ids_typed_in_any_case(capsys, sqlite_url, pinned_now, monkeypatch):
    monkeypatch.delenv("COLLECTBOT_CAMPAIGN_FILE", raising=False)
    assert run(capsys, "seed-demo")[0] == 0
    code, out, err = run(capsys, "show-account", "demo-0002")
    assert code == 0, err
    assert "账户 DEMO-0002（卡号尾号 3088）" in out
    code, out, err = run(capsys, "campaign", "approve-final", "Demo-0004", "--by", "boss")
    assert code == 0, err
    assert "已审批：账户 DEMO-0004" in out
    code, out, _ = run(capsys, "campaign", "pending")
    assert "DEMO-0004" not in out
    code, _, err = run(capsys, "show-account", "demo-9999")
    assert code == 3 and "未找到账户：demo-9999" in err


def test_report_prints_chinese_names_and_percentages(capsys, sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-26T10:00:00+08:00")
    upgrade(sqlite_url)
    at = datetime(2026, 11, 25, 9, 0, tzinfo=clock.SHANGHAI)
    with session_scope(sqlite_url) as s:
        holder = Cardholder(name="持卡人", phone="+8613700000001", id_last4="1234")
        s.add(holder)
        s.flush()
        s.add(Account(account_id="K-1", cardholder_id=holder.id, card_last4="0000", balance=Decimal("5000.00"),
                      minimum_due=Decimal("500.00"), due_date=date(2026, 11, 5), follow_up=False))
        s.flush()
        s.add(ContactLog(conversation_id="web-1", account_id="K-1", channel="webchat", direction="in", text="…",
                         created_at=at))
        s.add(Arrangement(account_id="K-1", kind="installment", status="booked", months=6, idempotency_key="a",
                          conversation_id="web-1", created_at=at))
        s.add(Escalation(account_id="K-1", conversation_id="web-1", channel="webchat", reason="customer_request",
                         priority=2, status="open", created_at=at))
        s.add(OutboundBlock(account_id="K-1", phone="+8613700000001", channel="twilio_sms", source="campaign",
                            reason="quiet_hours", action="queued", created_at=at))
    code, out, err = run(capsys, "report", "--from", "2026-11-25", "--to", "2026-11-25")
    assert code == 0, err
    assert "联系账户 1，本人接触 1（100.0%）" in out  # the booked installment makes it a right-party contact (4118252)
    assert "还款安排：分期 1" in out
    assert "转人工（100.0%）：客户要求人工 1" in out
    assert "拦截发送：免打扰时段 1" in out
    assert "2026-11-25  M1    在线聊天" in out and "2026-11-25  M1    短信" in out
    for code_name in ("installment", "customer_request", "quiet_hours", "webchat", "twilio_sms"):
        assert code_name not in out
