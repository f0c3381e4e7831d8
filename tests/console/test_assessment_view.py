"""The willing-and-able panel and overview in the console (issue 13), with
the console as a real process (its blueprint registered the way
console/app.py is to register it), a real SQLite database and a fake Rasa."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.console.support import REPO, Browser, environ, free_port, make_users, wait_for_http
from tests.fakes.fake_rasa import FakeRasa

NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)
PHONE = "+8613700000001"
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
C-1,李明华,+8613700000001,3521,6688,12000.00,1200.00,2026-10-10
C-2,王芳,+8613700000002,8810,4455,3500.00,350.00,2026-11-05
"""
# console/app.py registers the blueprint; the wrapper adds it only if a
# console without it is started, so the test never registers it twice.
LAUNCH = """
import sys
import console.__main__ as entry
from console import assessment_view
original = entry.create_app
def create_app(settings, rasa=None):
    app = original(settings, rasa)
    if "console_assessment" not in app.blueprints:
        app.blueprint(assessment_view.bp)
    return app
entry.create_app = create_app
sys.exit(entry.main())
"""


@contextmanager
def running(workdir, env):
    port = free_port()
    full = dict(os.environ, **env, CONSOLE_PORT=str(port), CONSOLE_HOST="127.0.0.1")
    log = open(workdir / "console.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH], cwd=REPO, env=full, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health", proc)
        yield url
    except Exception:
        log.flush()
        print((workdir / "console.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def at(d: date):
    from bot.core.clock import SHANGHAI

    return datetime(d.year, d.month, d.day, 10, tzinfo=SHANGHAI)


def evidence(db_url):
    """Two broken promises, then "wrong person" from the number that had
    verified; the assessment recomputed and stored."""
    from bot.db import assessments
    from bot.db.models import Arrangement, ContactLog, VerificationAttempt
    from bot.db.session import session_scope

    with session_scope(db_url) as s:
        for i, (booked, due) in enumerate(((date(2026, 10, 1), date(2026, 10, 8)), (date(2026, 11, 1), date(2026, 11, 8)))):
            s.add(Arrangement(account_id="C-1", kind="promise_to_pay", status="broken", amount=Decimal("1200.00"),
                              pay_date=due, idempotency_key=f"view-{i}", conversation_id=PHONE, created_at=at(booked)))
        s.add(VerificationAttempt(conversation_id=PHONE, account_id="C-1", success=True, created_at=at(date(2026, 10, 1))))
        s.add(ContactLog(conversation_id=PHONE, account_id="C-1", channel="sms", direction="in", text="你打错了",
                         intent="wrong_person", created_at=at(date(2026, 11, 20))))
        s.flush()
        assessments.recompute_assessment(s, "C-1", TODAY, trigger="test")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    workdir = tmp_path_factory.mktemp("assessment_view")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    model = str(workdir / "no-model.pkl")
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW, COLLECTBOT_ASSESSMENT_MODEL=model):
        upgrade(db_url)
        csv = workdir / "accounts.csv"
        csv.write_text(ACCOUNTS, encoding="utf-8")
        with session_scope(db_url) as s:
            assert not import_accounts_csv(s, csv, today=TODAY).rejected
        make_users(db_url)
        evidence(db_url)
        fake = FakeRasa().start()
        try:
            with running(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW, "RASA_URL": fake.url,
                                   "RASA_API_TOKEN": fake.token, "COLLECTBOT_ASSESSMENT_MODEL": model}) as url:
                yield {"url": url, "db": db_url}
        finally:
            fake.stop()


def signed_in(env, user):
    b = Browser(env["url"])
    assert b.login(user).status == 302
    return b


def test_agent_sees_scores_reasons_and_the_signal_with_its_date(env):
    agent = signed_in(env, "agent1")
    answer = agent.get("/api/accounts/c-1/assessment")  # ids without case
    assert answer.status == 200, answer.body
    a = answer.json()
    assert a["account_id"] == "C-1" and a["stored"] is True
    assert a["willingness"]["band"] == "low" and a["willingness"]["band_label"] == "低"
    assert a["ability"]["band_label"] == "未知"
    assert "承诺未履约 2 次" in [r["text"] for r in a["reasons"]]
    signal = {s["code"]: s for s in a["signals"]}["wrong_person_after_verified"]
    assert signal["label"] == "已核实号码声称非本人" and signal["on"] == "2026-11-20"
    assert "2026-10-01" in signal["reason"] and "尾号0001" in signal["reason"]
    assert "不得向客户提及" in a["not_a_decision"]
    assert len(a["history"]) == 1 and a["history"][0]["trigger"] == "test"
    page = agent.get("/assessment/account/C-1")
    assert page.status == 200 and 'data-account="C-1"' in page.body and "/static/assessment.js" in page.body
    assert agent.get("/static/assessment.js").status == 200


def test_an_account_without_a_stored_assessment_is_scored_on_the_fly(env):
    a = signed_in(env, "agent1").get("/api/accounts/C-2/assessment").json()
    assert a["stored"] is False and a["segment_label"] == "情况不明" and a["history"] == []


def test_trainers_and_strangers_do_not_get_it(env):
    assert signed_in(env, "trainer1").get("/api/accounts/C-1/assessment").status == 403
    assert Browser(env["url"]).get("/api/accounts/C-1/assessment").status == 401
    assert signed_in(env, "agent1").get("/api/accounts/NOPE/assessment").status == 404


def test_supervisor_overview_shows_mix_kept_rates_and_signal_counts(env):
    assert signed_in(env, "agent1").get("/api/assessment/overview").status == 403
    boss = signed_in(env, "boss")
    data = boss.get("/api/assessment/overview?days=28").json()
    assert data["mix"][-1]["day"] == "2026-11-25" and data["mix"][-1]["counts"]["unknown"] == 1
    assert data["mix"][0]["counts"]["unknown"] == 0  # nothing assessed four weeks ago
    signals = {s["code"]: s["accounts"] for s in data["signals"]}
    assert signals["wrong_person_after_verified"] == 1 and signals["repeated_broken_promises"] == 1
    rows = {k["segment"]: k for k in data["kept_by_segment"]}
    assert rows["unknown"]["resolved"] == 2 and rows["unknown"]["kept"] == 0  # booked before any assessment
    assert rows["willing_unable"]["treatment"].startswith("愿还但还不起：困难还款计划")
    assert boss.get("/assessment").status == 200
