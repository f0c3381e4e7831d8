"""`collectbot campaign run` over a seeded portfolio, with a fixed clock:
the right SMS in the outbox, the right ones blocked with reasons, queued
quiet-hour sends flushed later, final notices only after approval, the Rasa
conversation opened (and Rasa being down tolerated)."""
from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select, update

from bot.cli import main
from bot.core.sms import segment_count
from bot.db.importer import import_accounts_csv
from bot.db.migrate import upgrade
from bot.db.models import (
    AgentTask,
    Arrangement,
    CampaignSend,
    Cardholder,
    ContactLog,
    Escalation,
    OptOut,
    OutboundBlock,
    PhoneMark,
    SmsOutbox,
)
from bot.db.session import session_scope

TODAY = date(2026, 11, 25)
HEADER = "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date"
# Days past due by the last digit of the account number.
DPD = [0, 2, 5, 20, 35, 50, 65, 80, 95, 120]
SH = "+08:00"


@pytest.fixture(autouse=True)
def _no_outside_services(monkeypatch):
    for name in ("RASA_URL", "RASA_API_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
                 "TWILIO_MESSAGING_SERVICE_SID", "COLLECTBOT_CAMPAIGN_FILE"):
        monkeypatch.delenv(name, raising=False)


def phone(i: int) -> str:
    return f"+86139{i:08d}"


def seed(url, tmp_path, n, dpd_of=lambda i: DPD[i % 10], verified=lambda i: i % 2 == 0):
    upgrade(url)
    lines = [HEADER]
    for i in range(n):
        due = TODAY - timedelta(days=dpd_of(i))
        lines.append(f"A{i:05d},张伟,{phone(i)},1234,{i % 10000:04d},5000.00,500.00,{due.isoformat()}")
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(url) as s:
        result = import_accounts_csv(s, path, today=TODAY)
        assert not result.rejected and result.inserted == n
        for holder in s.execute(select(Cardholder)).scalars():
            holder.phone_verified = verified(int(holder.phone[-8:]))


def run(capsys, url, *args):
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute).isoformat() + SH


def outbox(url):
    with session_scope(url) as s:
        return {r.to_number: r.body for r in s.execute(select(SmsOutbox)).scalars()}


def blocks(url):
    with session_scope(url) as s:
        return Counter((b.reason, b.action) for b in s.execute(select(OutboundBlock)).scalars())


def test_campaign_over_1000_accounts(capsys, tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    url = sqlite_url
    seed(url, tmp_path, 1000)
    now = datetime.fromisoformat(at(25, 10))
    with session_scope(url) as s:
        for i in range(1000):
            k = i % 100
            if k == 3:  # reminder due, the cardholder opted out of SMS
                s.add(OptOut(phone=phone(i), channel="twilio_sms"))
            elif k in (4, 6):  # notice / agent call due, open dispute
                s.add(Escalation(account_id=f"A{i:05d}", conversation_id=phone(i), channel="twilio_sms",
                                 reason="dispute_debt", priority=1, status="open"))
            elif k == 14:  # notice due, the number belongs to someone else
                s.add(PhoneMark(phone=phone(i), kind="wrong_number", created_by="agent1"))
            elif k == 24:  # three contacts already today
                for h in (6, 7, 8):
                    s.add(ContactLog(conversation_id=phone(i), account_id=f"A{i:05d}", channel="twilio_sms",
                                     direction="out", text="提醒", created_at=now.replace(hour=h)))
            elif k == 34:  # ten contacts in the last five days
                for d in range(1, 6):
                    for h in (9, 15):
                        s.add(ContactLog(conversation_id=phone(i), account_id=f"A{i:05d}", channel="twilio_sms",
                                         direction="out", text="提醒", created_at=(now - timedelta(days=d)).replace(hour=h)))
            elif k == 12:  # reminder due, but a promise to pay is running
                s.add(Arrangement(account_id=f"A{i:05d}", kind="promise_to_pay", status="booked",
                                  amount=Decimal("500.00"), pay_date=TODAY + timedelta(days=3),
                                  idempotency_key=f"p{i}"))

    code, out, err = run(capsys, url, "campaign", "run")
    assert code == 0, err
    # A progress bar on stderr that reaches the end.
    assert "外呼进度 [" in err and "1000/1000 100%" in err and "#" * 30 in err
    assert "已发送 340 条" in out and "人工联系任务：已创建 190 个" in out and "待主管审批：200 个" in out

    sent = outbox(url)
    assert len(sent) == 340
    expected_blocks = Counter({
        ("opted_out", "dropped"): 10,
        ("open_dispute", "dropped"): 20,
        ("third_party_number", "dropped"): 10,
        ("daily_cap", "dropped"): 10,
        ("weekly_cap", "dropped"): 10,
    })
    assert blocks(url) == expected_blocks
    for i in range(1000):
        k, dpd = i % 100, DPD[i % 10]
        body = sent.get(phone(i))
        blocked = k in (3, 4, 14, 24, 34, 12)
        if dpd in (5, 20) and not blocked:
            assert body is not None and "还款" in body, i
        elif dpd in (35, 50) and not blocked:
            assert body is not None and "征信" in body, i
        else:
            assert body is None, i
        if body is not None:
            # How to stop them, within the campaign's segment budget.
            assert body.endswith("回T退订") and segment_count(body) <= 2, (i, body)
            # Figures only to numbers the bank verified.
            assert ("5,000.00元" in body or "500.00元" in body) == (i % 2 == 0), (i, body)
    with session_scope(url) as s:
        statuses = Counter(s.execute(select(CampaignSend.stage, CampaignSend.status)).all())
        tasks = s.execute(select(func.count()).select_from(AgentTask).where(AgentTask.kind == "campaign_call")).scalar_one()
        logged = s.execute(
            select(func.count()).select_from(ContactLog).where(ContactLog.intent.like("campaign_%"))
        ).scalar_one()
    assert statuses == Counter({
        ("reminder", "sent"): 180, ("notice", "sent"): 160, ("reminder", "dropped"): 10, ("notice", "dropped"): 40,
        ("agent_call", "task_created"): 190, ("agent_call", "dropped"): 10, ("final_notice", "awaiting_approval"): 200,
    })
    assert tasks == 190 and logged == 340

    # Idempotent: the same day again sends nothing and blocks nothing new.
    code, out, err = run(capsys, url, "campaign", "run", "--no-progress")
    assert code == 0 and err == ""
    assert "已发送 0 条" in out
    assert len(outbox(url)) == 340 and blocks(url) == expected_blocks


def test_dry_run_writes_nothing(capsys, tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    seed(sqlite_url, tmp_path, 20)
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--dry-run")
    assert code == 0 and "预演" in out and "将发送 8 条" in out
    assert outbox(sqlite_url) == {} and blocks(sqlite_url) == Counter()
    with session_scope(sqlite_url) as s:
        assert s.execute(select(func.count()).select_from(CampaignSend)).scalar_one() == 0


def test_quiet_hours_queue_and_later_run_sends(capsys, tmp_path, sqlite_url, monkeypatch):
    seed(sqlite_url, tmp_path, 3, dpd_of=lambda i: 10)
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 22, 30))
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0 and "排队待发 3 条" in out
    assert outbox(sqlite_url) == {}
    assert blocks(sqlite_url) == Counter({("quiet_hours", "queued"): 3})
    with session_scope(sqlite_url) as s:
        retry = {r.retry_at for r in s.execute(select(CampaignSend)).scalars()}
    assert retry == {datetime.fromisoformat(at(26, 8))}

    monkeypatch.setenv("COLLECTBOT_NOW", at(26, 7, 30))  # still quiet: nothing is due yet
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0 and outbox(sqlite_url) == {}

    monkeypatch.setenv("COLLECTBOT_NOW", at(26, 9, 30))
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0 and "之前排队的短信：发送 3" in out
    assert set(outbox(sqlite_url)) == {phone(0), phone(1), phone(2)}
    with session_scope(sqlite_url) as s:
        assert {r.status for r in s.execute(select(CampaignSend)).scalars()} == {"sent"}

    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert len(outbox(sqlite_url)) == 3  # never twice


def test_queued_send_dropped_when_the_cardholder_opts_out_overnight(capsys, tmp_path, sqlite_url, monkeypatch):
    seed(sqlite_url, tmp_path, 1, dpd_of=lambda i: 10)
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 23))
    run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    with session_scope(sqlite_url) as s:
        s.add(OptOut(phone=phone(0), channel="all"))
    monkeypatch.setenv("COLLECTBOT_NOW", at(26, 9))
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0 and outbox(sqlite_url) == {}
    assert blocks(sqlite_url) == Counter({("quiet_hours", "queued"): 1, ("opted_out", "dropped"): 1})
    with session_scope(sqlite_url) as s:
        assert s.execute(select(CampaignSend.status, CampaignSend.reason)).one() == ("dropped", "opted_out")


def test_final_notice_only_after_supervisor_approval(capsys, tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    seed(sqlite_url, tmp_path, 2, dpd_of=lambda i: [100, 50][i], verified=lambda i: True)
    run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert set(outbox(sqlite_url)) == {phone(1)}
    code, out, _ = run(capsys, sqlite_url, "campaign", "pending")
    assert "A00000" in out

    code, _, err = run(capsys, sqlite_url, "campaign", "approve-final", "A00001", "--by", "boss")
    assert code == 2 and "未到正式通知阶段" in err
    code, _, err = run(capsys, sqlite_url, "campaign", "approve-final", "NOPE", "--by", "boss")
    assert code == 3
    code, out, _ = run(capsys, sqlite_url, "campaign", "approve-final", "A00000", "--by", "boss")
    assert code == 0 and "已审批" in out

    run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    body = outbox(sqlite_url)[phone(0)]
    assert body.startswith("【星河银行】正式通知") and "5,000.00元" in body and "法律途径" in body
    assert body.endswith("回T退订")
    code, out, _ = run(capsys, sqlite_url, "campaign", "pending")
    assert "没有等待审批" in out


class _FakeRasa(BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        _FakeRasa.calls.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_rasa_conversation_opened_with_the_stage(capsys, tmp_path, sqlite_url, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeRasa.calls = []
    try:
        monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
        monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("RASA_API_TOKEN", "s3cret")
        seed(sqlite_url, tmp_path, 2, dpd_of=lambda i: [10, 40][i])
        code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    finally:
        server.shutdown()
    assert code == 0 and "成功 2" in out
    calls = sorted(_FakeRasa.calls, key=lambda c: c[0])
    assert [path for path, _ in calls] == [
        f"/conversations/{phone(0)}/tracker/events?include_events=NONE&token=s3cret",
        f"/conversations/{phone(1)}/tracker/events?include_events=NONE&token=s3cret",
    ]
    sms = outbox(sqlite_url)
    for i, ((_, events), stage) in enumerate(zip(calls, ["reminder", "notice"])):
        # The stage in its slot, the SMS itself in the transcript (already logged).
        assert events == [
            {"event": "slot", "name": "campaign_stage", "value": stage},
            {"event": "bot", "text": sms[phone(i)],
             "metadata": {"collectbot_already_logged": True, "campaign_stage": stage}},
        ]
    with session_scope(sqlite_url) as s:
        assert {r.rasa_status for r in s.execute(select(CampaignSend)).scalars()} == {"ok"}


def test_rasa_down_is_recorded_and_the_run_still_sends(capsys, tmp_path, sqlite_url, monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("RASA_API_TOKEN", "s3cret")
    seed(sqlite_url, tmp_path, 5, dpd_of=lambda i: 10)
    code, out, _ = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0 and "已发送 5 条" in out and "失败 5" in out
    assert len(outbox(sqlite_url)) == 5
    with session_scope(sqlite_url) as s:
        rows = s.execute(select(CampaignSend.status, CampaignSend.rasa_status, CampaignSend.rasa_detail)).all()
    assert {r[0] for r in rows} == {"sent"} and {r[1] for r in rows} == {"failed"}
    assert all(r[2] for r in rows)


def test_schedule_prints_a_cron_line(capsys):
    code = main(["campaign", "schedule"])
    out = capsys.readouterr().out
    assert code == 0 and "CRON_TZ=Asia/Shanghai" in out and "30 9 * * *" in out and "campaign run" in out
    code = main(["campaign", "schedule", "--systemd"])
    out = capsys.readouterr().out
    assert code == 0 and "OnCalendar=*-*-* 09:30:00 Asia/Shanghai" in out


def test_phone_marks_from_the_command_line_decide_what_a_number_gets(capsys, tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    seed(sqlite_url, tmp_path, 3, dpd_of=lambda i: 10, verified=lambda i: False)
    assert run(capsys, sqlite_url, "campaign", "mark-phone", phone(0), "--as", "third_party", "--by", "boss")[0] == 0
    assert run(capsys, sqlite_url, "campaign", "mark-phone", "139" + phone(1)[-8:], "--as", "verified")[0] == 0
    code, out, err = run(capsys, sqlite_url, "campaign", "mark-phone", "12345", "--as", "verified")
    assert code == 2 and "无法识别的手机号" in err

    assert run(capsys, sqlite_url, "campaign", "run", "--no-progress")[0] == 0
    sent = outbox(sqlite_url)
    assert phone(0) not in sent  # marked as not the cardholder's
    assert blocks(sqlite_url) == Counter({("third_party_number", "dropped"): 1})
    assert "最低还款额500.00元" in sent[phone(1)]  # the bank verified this number: the amount may be named
    assert "500" not in sent[phone(2)] and "0002" not in sent[phone(2)]

    # Clearing the mark lets the next cycle's reminder through.
    code, out, _ = run(capsys, sqlite_url, "campaign", "mark-phone", phone(0), "--as", "clear")
    assert code == 0 and "已撤销标记" in out
    with session_scope(sqlite_url) as s:
        assert s.execute(select(PhoneMark.revoked_at)).scalar_one() is not None


def test_campaign_tasks_lists_open_tasks_with_the_consoles_labels(capsys, sqlite_url, tmp_path):
    from bot.db.tasks import open_agent_task

    seed(sqlite_url, tmp_path, 2, dpd_of=lambda i: 5)
    with session_scope(sqlite_url) as s:
        open_agent_task(s, "A00000", "verification_help", "三次验证未通过", "verify:A00000")
        open_agent_task(s, "A00001", "broken_promise", "承诺未兑现", "broken:A00001")
        s.execute(update(AgentTask).where(AgentTask.account_id == "A00001").values(status="done"))
    code, out, _ = run(capsys, sqlite_url, "campaign", "tasks")
    assert code == 0
    assert "人工任务 1 个" in out and "[身份验证协助｜待处理] A00000" in out and "A00001" not in out
    code, out, _ = run(capsys, sqlite_url, "campaign", "tasks", "--all")
    assert "[违约承诺跟进｜已完成] A00001" in out and "verification_help" not in out
