"""Rescoring hooks (issue 13): a cardholder's reply on SMS or web chat,
written to the contact log, rescores the account in the same transaction;
the daily campaign run rescores an account whose days past due crossed a
band. Real SQLite databases; the contact-log writer the Rasa server and
the event consumer share."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db import assessments
from bot.db.models import AssessmentScore, ContactLog
from bot.db.session import session_scope
from bot.rasa_server.contact_log import ContactLogWriter
from tests.unit.test_booking_services import ACCOUNT, CID, fresh_database
from tests.unit.test_campaign_run import _no_outside_services  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _no_saved_model(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTBOT_ASSESSMENT_MODEL", str(tmp_path / "none.pkl"))


@pytest.fixture
def url(tmp_path, monkeypatch, pinned_now, today):
    return fresh_database(tmp_path, monkeypatch, today, "hooks")


def user(sender, text, channel, intent="greet", message_id=None):
    return {"event": "user", "sender_id": sender, "text": text, "input_channel": channel,
            "parse_data": {"intent": {"name": intent}}, "message_id": message_id or f"m-{sender}-{text}"}


def write(writer, *events):
    rows = [r for r in (writer.observe(e) for e in events) if r is not None]
    with session_scope() as s:
        writer.write(s, rows)


def latest():
    with session_scope() as s:
        return assessments.latest(s, ACCOUNT)


def score_rows():
    with session_scope() as s:
        return s.execute(select(func.count()).select_from(AssessmentScore)).scalar_one()


def texts(view):
    return [r["text"] for r in view.reasons]


def test_an_sms_reply_rescores_the_account_with_the_reply_as_reason(url):
    assert latest() is None
    write(ContactLogWriter(), user(CID, "收到", "twilio_sms"))
    view = latest()
    assert view.trigger == "reply:twilio_sms"
    assert assessments.trigger_label(view.trigger).startswith("持卡人回复：")
    assert "对联系有回应（1 天）" in texts(view)


def test_a_web_chat_reply_rescores_the_account_verification_named(url):
    writer = ContactLogWriter()
    slot = {"event": "slot", "sender_id": "web-1", "name": "account_id", "value": ACCOUNT}
    write(writer, slot, user("web-1", "你好", "webchat"))
    view = latest()
    assert view.trigger == "reply:webchat" and "对联系有回应（1 天）" in texts(view)


def test_more_messages_the_same_day_cost_nothing_unless_they_say_something(url):
    writer = ContactLogWriter()
    write(writer, user(CID, "收到", "twilio_sms"))
    before = score_rows()
    write(writer, user(CID, "好的", "twilio_sms"), user(CID, "嗯", "twilio_sms"))
    assert score_rows() == before
    # A refusal is a statement: scored at once, whatever the day's count.
    write(writer, user(CID, "我不还", "twilio_sms", intent="refuse_to_pay"))
    view = latest()
    assert view.trigger == "reply:twilio_sms" and "明确表示拒绝还款 1 次" in texts(view)


def test_an_assessment_that_cannot_be_made_never_costs_the_contact_log_its_row(url, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a scoring bug")

    monkeypatch.setattr(assessments, "load_evidence", broken)
    write(ContactLogWriter(), user(CID, "收到", "twilio_sms"))
    with session_scope() as s:
        logged = s.execute(select(ContactLog.text).where(ContactLog.direction == "in")).scalars().all()
    assert logged == ["收到"] and latest() is None


def test_the_campaign_run_rescores_an_account_that_entered_another_stage(capsys, tmp_path, sqlite_url, monkeypatch):
    from datetime import date

    from tests.unit.test_assessment_campaign import score
    from tests.unit.test_campaign_run import at, run, seed

    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 9))
    seed(sqlite_url, tmp_path, 2, dpd_of=lambda i: (30, 20)[i], verified=lambda i: True)
    with session_scope(sqlite_url) as s:  # both assessed on the 25th, in M1 (30 and 20 days past due)
        score(s, "A00000", "unwilling_able")
        score(s, "A00001", "unwilling_able")
    monkeypatch.setenv("COLLECTBOT_NOW", at(26, 10))
    code, _, err = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0, err
    with session_scope(sqlite_url) as s:
        rows = {a: [(r.as_of, r.trigger) for r in assessments.history(s, a)] for a in ("A00000", "A00001")}
    # 31 days past due is M2: rescored, the history saying why; 21 is still M1.
    assert rows["A00000"][0] == (date(2026, 11, 26), "dpd_band:M2")
    assert assessments.trigger_label("dpd_band:M2") == "逾期阶段进入 M2"
    assert rows["A00001"] == [(date(2026, 11, 25), "test")]
    # The next day's run finds nothing new to do for it.
    monkeypatch.setenv("COLLECTBOT_NOW", at(27, 10))
    assert run(capsys, sqlite_url, "campaign", "run", "--no-progress")[0] == 0
    with session_scope(sqlite_url) as s:
        assert [r.trigger for r in assessments.history(s, "A00000")].count("dpd_band:M2") == 1
