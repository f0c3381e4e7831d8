"""Supervisor KPIs against a small hand-counted fixture (bot/reports/kpi.py)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from bot import clock
from bot.cli import main
from bot.db.migrate import upgrade
from bot.db.models import (
    Account,
    Arrangement,
    Cardholder,
    ContactLog,
    Escalation,
    OptOut,
    OutboundBlock,
    Payment,
    VerificationAttempt,
)
from bot.db.session import session_scope
from bot.reports.kpi import compute_kpis, to_csv
from console.models import AuditLog

P = {n: f"+861370000000{n}" for n in range(1, 5)}


def t(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=clock.SHANGHAI)


@pytest.fixture
def url(sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-26T10:00:00+08:00")
    upgrade(sqlite_url)
    with session_scope(sqlite_url) as s:
        for n, due in ((1, date(2026, 11, 5)), (2, date(2026, 10, 11)), (3, date(2026, 11, 5)), (4, date(2026, 11, 5))):
            holder = Cardholder(name="持卡人", phone=P[n], id_last4="1234")
            s.add(holder)
            s.flush()
            s.add(Account(account_id=f"K-{n}", cardholder_id=holder.id, card_last4="0000", balance=Decimal("5000.00"),
                          minimum_due=Decimal("500.00"), due_date=due, follow_up=False))
        s.flush()

        def msg(conv, account, channel, direction, at, status=None):
            s.add(ContactLog(conversation_id=conv, account_id=account, channel=channel, direction=direction,
                             text="…", status=status, created_at=at))

        msg(P[1], "K-1", "twilio_sms", "out", t(24, 15), "delivered")
        msg(P[1], "K-1", "twilio_sms", "out", t(25, 9), "delivered")
        msg(P[1], "K-1", "twilio_sms", "in", t(25, 9, 30))
        msg(P[2], "K-2", "twilio_sms", "out", t(25, 9), "outbox")
        msg("web-abc", "K-3", "webchat", "in", t(25, 10))
        msg("web-abc", "K-3", "webchat", "out", t(25, 10, 1))
        msg(P[4], "K-4", "twilio_sms", "out", t(25, 9), "failed")  # never reached anyone

        s.add(VerificationAttempt(conversation_id=P[1], account_id="K-1", success=True, created_at=t(25, 9, 31)))
        s.add(VerificationAttempt(conversation_id="web-abc", account_id="K-3", success=False, created_at=t(25, 10, 2)))
        s.add(VerificationAttempt(conversation_id="web-abc", account_id="K-3", success=True, created_at=t(25, 10, 3)))
        s.add(VerificationAttempt(conversation_id=P[2], account_id="K-2", success=False, created_at=t(25, 9, 5)))

        s.add(Arrangement(account_id="K-1", kind="promise_to_pay", status="kept", amount=Decimal("1000.00"),
                          pay_date=date(2026, 11, 25), idempotency_key="a1", conversation_id=P[1], created_at=t(25, 9, 40)))
        s.add(Arrangement(account_id="K-3", kind="installment", status="booked", months=6, idempotency_key="a2",
                          conversation_id="web-abc", created_at=t(25, 10, 4)))
        s.add(Arrangement(account_id="K-3", kind="promise_to_pay", status="broken", amount=Decimal("200.00"),
                          pay_date=date(2026, 11, 25), idempotency_key="a3", conversation_id="web-abc",
                          created_at=t(25, 10, 4)))
        s.add(Payment(account_id="K-1", amount=Decimal("1000.00"), paid_at=t(25, 12), reference="R1"))

        s.add(Escalation(account_id="K-2", conversation_id=P[2], channel="twilio_sms", reason="dispute_debt", priority=1,
                         status="claimed", created_at=t(25, 11)))
        s.add(Escalation(account_id="K-3", conversation_id="web-abc", channel="webchat", reason="customer_request",
                         priority=2, status="resolved", created_at=t(25, 10, 5)))
        s.add(AuditLog(username="agent1", action="reply", conversation_id=P[2], created_at=t(25, 11, 4)))
        s.add(AuditLog(username="agent1", action="reply", conversation_id=P[2], created_at=t(25, 11, 10)))
        s.add(AuditLog(username="agent2", action="reply", conversation_id="web-abc", created_at=t(25, 10, 7)))

        s.add(OptOut(phone=P[2], channel="twilio_sms", created_at=t(25, 11, 30)))
        s.add(OutboundBlock(account_id="K-4", phone=P[4], channel="twilio_sms", source="campaign", reason="quiet_hours",
                            action="queued", created_at=t(24, 22)))
        s.add(OutboundBlock(account_id="K-2", phone=P[2], channel="twilio_sms", source="campaign", reason="opted_out",
                            action="dropped", created_at=t(25, 12)))
        s.add(AuditLog(username="agent1", action="reply_blocked", conversation_id=P[4], account_id="K-4",
                       detail='{"reason": "forbidden_wording"}', created_at=t(26, 9)))  # outside the period
    return sqlite_url


def test_kpis_per_day_stage_and_channel(url):
    with session_scope(url) as s:
        report = compute_kpis(s, date(2026, 11, 24), date(2026, 11, 25))
    rows = {(r.day.isoformat(), r.stage, r.channel): r for r in report.rows}
    assert set(rows) == {
        ("2026-11-24", "M1", "twilio_sms"),
        ("2026-11-25", "M1", "twilio_sms"),
        ("2026-11-25", "M1", "webchat"),
        ("2026-11-25", "M2", "twilio_sms"),
        ("2026-11-25", "M1", "-"),
    }
    r = rows[("2026-11-24", "M1", "twilio_sms")]
    assert (r.accounts_contacted, r.right_party_rate, r.blocked) == (1, 0.0, {"quiet_hours": 1})

    r = rows[("2026-11-25", "M1", "twilio_sms")]
    assert (r.accounts_contacted, r.right_party_contacts, r.verification_rate, r.promise_rate, r.kept_rate) == (
        1, 1, 1.0, 1.0, 1.0)
    assert r.arrangements == {"promise_to_pay": 1} and r.amount_promised == Decimal("1000.00")

    r = rows[("2026-11-25", "M1", "webchat")]
    assert (r.accounts_contacted, r.verification_attempts, r.verified, r.kept_rate) == (1, 1, 1, 0.0)
    assert r.arrangements == {"installment": 1, "promise_to_pay": 1}
    assert r.escalations == {"customer_request": 1} and r.escalation_rate == 1.0
    assert r.median_first_reply_seconds == 120

    r = rows[("2026-11-25", "M2", "twilio_sms")]
    assert (r.accounts_contacted, r.right_party_contacts, r.verification_rate) == (1, 0, 0.0)
    assert r.escalations == {"dispute_debt": 1} and r.median_first_reply_seconds == 240
    assert r.opt_outs == 1 and r.blocked == {"opted_out": 1}

    assert rows[("2026-11-25", "M1", "-")].amount_paid == Decimal("1000.00")

    total = report.total
    assert total.accounts_contacted == 3  # K-1 counted once over both days; K-4's SMS failed
    assert (total.right_party_contacts, total.right_party_rate) == (2, round(2 / 3, 4))
    assert (total.verified, total.verification_attempts, total.verification_rate) == (2, 3, round(2 / 3, 4))
    assert (total.promises, total.promise_rate) == (2, 1.0)
    assert (total.promises_kept, total.promises_settled, total.kept_rate) == (1, 2, 0.5)
    assert total.arrangements == {"installment": 1, "promise_to_pay": 2}
    assert (total.amount_promised, total.amount_paid) == (Decimal("1200.00"), Decimal("1000.00"))
    assert total.escalations == {"customer_request": 1, "dispute_debt": 1}
    assert total.escalation_rate == round(2 / 3, 4)
    assert total.opt_outs == 1 and total.blocked == {"opted_out": 1, "quiet_hours": 1}
    assert total.median_first_reply_seconds == 180

    days = {r.day.isoformat(): r.accounts_contacted for r in report.days}
    assert days == {"2026-11-24": 1, "2026-11-25": 3}
    assert {r.stage: r.accounts_contacted for r in report.by_stage} == {"M1": 2, "M2": 1}


def test_agent_reply_blocked_by_the_guard_counts(url):
    with session_scope(url) as s:
        report = compute_kpis(s, date(2026, 11, 26), date(2026, 11, 26))
    assert report.total.blocked == {"forbidden_wording": 1}


def test_cli_report_and_csv(url, tmp_path, capsys):
    out_csv = tmp_path / "kpi.csv"
    code = main(["--database-url", url, "report", "--from", "2026-11-24", "--to", "2026-11-25", "--csv", str(out_csv)])
    out = capsys.readouterr().out
    assert code == 0
    assert "联系账户 3，本人接触 2（66.7%）" in out and "履约率 50.0%" in out
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["日期", "逾期阶段", "渠道", "联系账户数"]
    assert len(rows) == 1 + 5 + 1 and rows[-1][0] == "合计" and rows[-1][3] == "3"
    code = main(["--database-url", url, "report", "--from", "2026-11-25", "--to", "2026-11-24"])
    assert code == 2


def test_csv_matches_rows(url):
    with session_scope(url) as s:
        report = compute_kpis(s, date(2026, 11, 25), date(2026, 11, 25))
    text = to_csv(report, codes=True)  # machine codes and fractions (the default is what the page shows)
    assert "2026-11-25,M2,twilio_sms,1,0,0,1,0,0," in text
