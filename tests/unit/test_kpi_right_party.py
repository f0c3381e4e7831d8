"""Right-party contact, one definition (bot/reports/kpi.py), against a
fixture counted by hand for every channel and stage (issue 12): ID digits
over SMS, the app token in the web chat, an agent's confirmation in the
console; no rate above 100 % (two hand-overs of one account are not 200 %);
the page, the CSV and ``collectbot report`` show the same figures."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from bot import clock
from bot.db.migrate import upgrade
from bot.db.models import Account, Arrangement, Cardholder, ContactLog, Escalation, VerificationAttempt
from bot.db.session import session_scope
from bot.reports.kpi import compute_kpis, pct, text_lines, to_csv
from console.models import AuditLog
from tests.unit.actions_support import make_tracker, run_action, slot_events

APP_SESSION = "a" * 64  # an identified web session (channels/webchat.py)


def t(hour, minute=0):
    return datetime(2026, 11, 25, hour, minute, tzinfo=clock.SHANGHAI)


@pytest.fixture
def url(sqlite_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-26T10:00:00+08:00")
    upgrade(sqlite_url)
    with session_scope(sqlite_url) as s:
        # On 2026-11-25: due 11-05 is M1 (20 days), 10-11 M2 (45), 11-25 M0.
        for n, due in ((1, date(2026, 11, 5)), (2, date(2026, 11, 5)), (3, date(2026, 10, 11)),
                       (4, date(2026, 11, 5)), (5, date(2026, 11, 25))):
            holder = Cardholder(name="持卡人", phone=f"+86137000000{n:02d}", id_last4="1234")
            s.add(holder)
            s.flush()
            s.add(Account(account_id=f"A-{n}", cardholder_id=holder.id, card_last4="0000", balance=Decimal("5000.00"),
                          minimum_due=Decimal("500.00"), due_date=due, follow_up=False))
        s.flush()

        def msg(conv, account, channel, direction, at, status=None):
            s.add(ContactLog(conversation_id=conv, account_id=account, channel=channel, direction=direction,
                             text="…", status=status, created_at=at))

        # A-1, SMS, M1: ID digits, then a promise.
        msg("+8613700000001", "A-1", "twilio_sms", "out", t(9), "delivered")
        msg("+8613700000001", "A-1", "twilio_sms", "in", t(9, 5))
        s.add(VerificationAttempt(conversation_id="+8613700000001", account_id="A-1", success=True, created_at=t(9, 6)))
        s.add(Arrangement(account_id="A-1", kind="promise_to_pay", status="booked", amount=Decimal("500.00"),
                          pay_date=date(2026, 11, 30), idempotency_key="k1", conversation_id="+8613700000001",
                          created_at=t(9, 8)))
        # A-2, web chat from the bank's app, M1: the token identifies (the bot
        # records it as a successful verification), then a promise.
        msg(APP_SESSION, "A-2", "webchat", "in", t(10))
        msg(APP_SESSION, "A-2", "webchat", "out", t(10, 1))
        s.add(VerificationAttempt(conversation_id=APP_SESSION, account_id="A-2", success=True, created_at=t(10)))
        s.add(Arrangement(account_id="A-2", kind="promise_to_pay", status="booked", amount=Decimal("800.00"),
                          pay_date=date(2026, 11, 28), idempotency_key="k2", conversation_id=APP_SESSION,
                          created_at=t(10, 2)))
        # A-3, SMS, M2: never verified, two hand-overs (a dispute, then a complaint).
        msg("+8613700000003", "A-3", "twilio_sms", "in", t(11))
        for reason, minute in (("dispute_debt", 1), ("complaint", 2)):
            s.add(Escalation(account_id="A-3", conversation_id="+8613700000003", channel="twilio_sms", reason=reason,
                             priority=1, status="open", created_at=t(11, minute)))
        # A-4, anonymous web chat, M1: an agent confirms who it is in the console.
        msg("web-4", "A-4", "webchat", "in", t(12))
        s.add(Escalation(account_id="A-4", conversation_id="web-4", channel="webchat", reason="customer_request",
                         priority=2, status="claimed", created_at=t(12, 1)))
        s.add(AuditLog(username="agent1", action="confirm_identity", conversation_id="web-4", account_id="A-4",
                       created_at=t(12, 5)))
        # A-5, SMS, M0: wrong ID digits.
        msg("+8613700000005", "A-5", "twilio_sms", "in", t(13))
        s.add(VerificationAttempt(conversation_id="+8613700000005", account_id="A-5", success=False, created_at=t(13, 1)))
        # An anonymous visitor asks for a person: a hand-over with no account.
        msg("web-anon", None, "webchat", "in", t(14))
        s.add(Escalation(account_id=None, conversation_id="web-anon", channel="webchat", reason="customer_request",
                         priority=2, status="open", created_at=t(14, 1)))
    return sqlite_url


def report(url):
    with session_scope(url) as s:
        return compute_kpis(s, date(2026, 11, 25), date(2026, 11, 25))


def counted(r):
    return (r.accounts_contacted, r.right_party_contacts, r.right_party_rate, r.promises, r.promise_rate,
            r.escalation_rate)


def test_every_stage_and_channel_counted_by_hand(url):
    rep = report(url)
    rows = {(r.stage, r.channel): r for r in rep.rows}
    assert set(rows) == {("M1", "twilio_sms"), ("M1", "webchat"), ("M2", "twilio_sms"), ("M0", "twilio_sms"),
                         ("-", "webchat")}
    # (contacted, right party, rate, promises, promise rate, escalation rate)
    assert counted(rows[("M1", "twilio_sms")]) == (1, 1, 1.0, 1, 1.0, 0.0)
    # The app token and the agent's confirmation are right-party contacts;
    # the promise made in the app's chat counts (it was 0.0 % with a promise).
    assert counted(rows[("M1", "webchat")]) == (2, 2, 1.0, 1, 0.5, 0.5)
    # Two hand-overs of one account: 100 %, not 200 %; the reasons count both.
    m2 = rows[("M2", "twilio_sms")]
    assert counted(m2) == (1, 0, 0.0, 0, None, 1.0)
    assert m2.escalations == {"complaint": 1, "dispute_debt": 1}
    assert counted(rows[("M0", "twilio_sms")]) == (1, 0, 0.0, 0, None, 0.0)
    assert (rows[("M0", "twilio_sms")].verification_attempts, rows[("M0", "twilio_sms")].verification_rate) == (1, 0.0)
    anon = rows[("-", "webchat")]
    assert counted(anon) == (0, 0, None, 0, None, None) and anon.escalations == {"customer_request": 1}

    stages = {r.stage: r for r in rep.by_stage}
    assert counted(stages["M1"]) == (3, 3, 1.0, 2, round(2 / 3, 4), round(1 / 3, 4))
    assert counted(stages["M2"]) == (1, 0, 0.0, 0, None, 1.0)
    assert counted(stages["M0"]) == (1, 0, 0.0, 0, None, 0.0)
    channels = {r.channel: r for r in rep.by_channel}
    assert counted(channels["twilio_sms"]) == (3, 1, round(1 / 3, 4), 1, 1.0, round(1 / 3, 4))
    assert counted(channels["webchat"]) == (2, 2, 1.0, 1, 0.5, 0.5)
    total = rep.total
    assert counted(total) == (5, 3, 0.6, 2, round(2 / 3, 4), 0.4)
    assert (total.verified, total.verification_attempts, total.verification_rate) == (2, 3, round(2 / 3, 4))
    assert sum(total.escalations.values()) == 4


def test_no_rate_is_above_100_percent(url):
    rep = report(url)
    for r in rep.rows + rep.days + rep.by_stage + rep.by_channel + [rep.total]:
        for name in ("right_party_rate", "verification_rate", "promise_rate", "kept_rate", "escalation_rate"):
            value = getattr(r, name)
            assert value is None or 0.0 <= value <= 1.0, (r.stage, r.channel, name, value)
        assert r.promises <= r.right_party_contacts <= r.accounts_contacted


def test_the_csv_and_the_cli_show_what_the_page_shows(url, tmp_path, capsys):
    from bot.cli import main

    rep = report(url)
    rows = list(csv.reader(io.StringIO(to_csv(rep))))
    head = rows[0]
    assert head[:6] == ["日期", "逾期阶段", "渠道", "联系账户数", "本人接触数", "本人接触率"]
    by_key = {(r[1], r[2]): dict(zip(head, r)) for r in rows[1:-1]}
    web = by_key[("M1", "在线聊天")]
    assert (web["本人接触率"], web["承诺还款率"], web["转人工率"]) == ("100.0%", "50.0%", "50.0%")
    from bot.reports import labels

    assert web["转人工（按原因）"] == labels.ESCALATION_REASONS["customer_request"] + " 1"
    assert "customer_request" not in to_csv(rep) and "twilio_sms" not in to_csv(rep)
    m2 = by_key[("M2", "短信")]
    assert (m2["转人工率"], m2["承诺还款率"]) == ("100.0%", "—")
    total = dict(zip(head, rows[-1]))
    assert (total["日期"], total["联系账户数"], total["本人接触率"]) == ("合计", "5", pct(rep.total.right_party_rate))
    assert total["本人接触率"] == "60.0%"
    # Machine form, for programs.
    machine = list(csv.reader(io.StringIO(to_csv(rep, codes=True))))
    assert dict(zip(head, machine[-1]))["本人接触率"] == "0.6"
    # The CLI: the same total, from the same computation.
    out_csv = tmp_path / "kpi.csv"
    assert main(["--database-url", url, "report", "--from", "2026-11-25", "--to", "2026-11-25",
                 "--csv", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert "联系账户 5，本人接触 3（60.0%）" in out and "\n".join(text_lines(rep)) in out
    assert list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig")))) == rows


def test_the_app_token_records_a_verified_identity_once(db_url, pinned_now, today):
    from bot.actions.verification import ValidateVerifyForm
    from bot.db.importer import import_accounts_csv
    from tests.unit.actions_support import REPO

    with session_scope() as s:
        assert not import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=today).rejected
    metadata = {"collectbot_identity": {"account_id": "E2E-2", "method": "app_token"}}
    tracker = make_tracker(APP_SESSION, text="我欠多少钱", intent="ask_balance", channel="webchat", metadata=metadata)
    events, _ = run_action(ValidateVerifyForm(), tracker)
    assert slot_events(events)["verified"] is True
    # Already verified in this conversation: not recorded again.
    again = make_tracker(APP_SESSION, text="好的", intent="affirm", channel="webchat", metadata=metadata,
                         slots={"verified": True, "auth_state": "verified", "account_id": "E2E-2"})
    run_action(ValidateVerifyForm(), again)
    from sqlalchemy import select

    with session_scope() as s:
        rows = s.execute(select(VerificationAttempt.conversation_id, VerificationAttempt.account_id,
                                VerificationAttempt.success)).all()
    assert rows == [(APP_SESSION, "E2E-2", True)]
