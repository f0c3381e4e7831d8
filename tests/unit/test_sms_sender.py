"""bot/sms/sender.py against the fake Twilio server: retries, failures,
opt-out blocking, the local outbox, and the settings."""
from __future__ import annotations

import asyncio
import pytest
from sqlalchemy import select

from bot.db import repository
from bot.db.models import ContactLog, SmsOutbox
from bot.db.session import session_scope
from bot.core.masking import mask_phone
from bot.sms.sender import SmsSender, TwilioSmsConfig
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio
from tests.unit.channel_support import PHONE, seed_cardholder, twilio_sms_config

CALLBACK = "https://sms.example.test/webhooks/twilio_sms/status"


@pytest.fixture
def db(db_url, pinned_now, today):
    return seed_cardholder(db_url, today, "E2E-1", balance="12000.00", minimum_due="1200.00")


@pytest.fixture
def fake():
    with FakeTwilio() as f:
        yield f


def config(fake=None, **kw) -> TwilioSmsConfig:
    return twilio_sms_config(fake, **{"request_timeout": 0.5, **kw})


def send(cfg, db_url, text="您好", to=PHONE, **kw):
    sender = SmsSender(cfg, status_callback=lambda: CALLBACK, db_url=db_url)
    return asyncio.run(sender.send(to, text, **kw))


def sms_rows(db_url):
    with session_scope(db_url) as s:
        return [
            (r.text, r.message_id, r.status, r.account_id, r.channel, r.direction)
            for r in s.execute(select(ContactLog).order_by(ContactLog.id)).scalars()
        ]


def test_sends_through_twilio_and_logs_the_sid(fake, db):
    result = send(config(fake), db, "您尾号6688的信用卡当前应还总额12,000.00元。")
    (req,) = fake.message_requests()
    assert req.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert req.form == {
        "To": PHONE,
        "From": TWILIO_NUMBER,
        "Body": "您尾号6688的信用卡当前应还总额12,000.00元。",
        "StatusCallback": CALLBACK,
    }
    assert (result.status, result.message_id, result.attempts) == ("queued", req.sid, 1)
    assert sms_rows(db) == [
        ("您尾号6688的信用卡当前应还总额12,000.00元。", req.sid, "queued", "E2E-1", "twilio_sms", "out")
    ]


def test_messaging_service_sid_replaces_the_from_number(fake, db):
    result = send(config(fake, from_number=None, messaging_service_sid="MG" + "1" * 32), db)
    (req,) = fake.message_requests()
    assert req.form["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in req.form
    assert result.status == "accepted"


def test_500_twice_then_201_is_retried_and_delivered(fake, db):
    fake.fail_next(2, 500)
    result = send(config(fake), db)
    reqs = fake.message_requests()
    assert [r.answer for r in reqs] == [500, 500, 201]
    assert len({r.form["Body"] for r in reqs}) == 1
    assert (result.status, result.message_id, result.attempts) == ("queued", reqs[-1].sid, 3)
    assert [(m, s) for _, m, s, *_ in sms_rows(db)] == [(reqs[-1].sid, "queued")]


def test_always_failing_twilio_marks_the_message_failed(fake, db):
    fake.always_fail(500)
    result = send(config(fake, send_attempts=4), db, "会失败的短信")
    assert [r.answer for r in fake.message_requests()] == [500] * 4
    assert (result.status, result.attempts) == ("failed", 4)
    assert sms_rows(db) == [("会失败的短信", None, "failed", "E2E-1", "twilio_sms", "out")]


def test_a_hanging_twilio_times_out_and_is_retried(fake, db):
    fake.hang_next(1, seconds=5)
    result = send(config(fake, request_timeout=0.3), db)
    assert result.status == "queued" and result.attempts == 2
    assert [r.form["Body"] for r in fake.message_requests()] == ["您好", "您好"]


def test_always_hanging_twilio_gives_up_and_marks_failed(fake, db):
    fake.always_hang(seconds=5)
    result = send(config(fake, request_timeout=0.2, send_attempts=2), db)
    assert (result.status, result.attempts) == ("failed", 2)
    assert "Timeout" in result.error
    assert [s for _, _, s, *_ in sms_rows(db)] == ["failed"]


def test_a_4xx_answer_is_not_retried(fake, db):
    fake.fail_next(1, 400, code=21211)  # invalid 'To' number
    result = send(config(fake), db)
    assert [r.answer for r in fake.message_requests()] == [400]
    assert result.status == "failed" and "21211" in result.error


def test_twilio_unsubscribed_error_records_the_opt_out(fake, db):
    fake.fail_next(1, 400, code=21610)
    assert send(config(fake), db).status == "failed"
    with session_scope(db) as s:
        assert repository.is_opted_out(s, PHONE, "twilio_sms")
    # and the next SMS is not even attempted
    assert send(config(fake), db).status == "blocked_opt_out"
    assert len(fake.message_requests()) == 1


def test_opted_out_number_gets_nothing_and_the_block_is_logged(fake, db):
    with session_scope(db) as s:
        repository.record_opt_out(s, PHONE, "twilio_sms")
    result = send(config(fake), db, "提醒")
    assert result.status == "blocked_opt_out" and not result.sent
    assert fake.message_requests() == []
    assert sms_rows(db) == [("提醒", None, "blocked_opt_out", "E2E-1", "twilio_sms", "out")]
    # the one confirmation of an opt-out passes
    assert send(config(fake), db, "已退订", bypass_opt_out=True).status == "queued"


def test_without_credentials_sms_go_to_the_outbox_not_the_network(fake, db):
    cfg = config(fake, account_sid=None)
    assert not cfg.uses_twilio
    result = send(cfg, db, "本地短信")
    assert fake.message_requests() == []
    assert (result.status, result.message_id) == ("outbox", "outbox-1")
    with session_scope(db) as s:
        (row,) = s.execute(select(SmsOutbox)).scalars().all()
        assert (row.to_number, row.body, row.from_number, row.status_callback) == (
            PHONE, "本地短信", TWILIO_NUMBER, CALLBACK,
        )
    assert sms_rows(db) == [("本地短信", "outbox-1", "outbox", "E2E-1", "twilio_sms", "out")]


def test_database_down_means_nothing_is_sent(fake, tmp_path, pinned_now):
    # No tables: the opt-out cannot be checked, so the SMS must not go out.
    result = send(config(fake), f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.status == "failed" and result.error == "database unavailable"
    assert fake.message_requests() == []


def test_backoff_is_exponential_and_bounded(monkeypatch):
    monkeypatch.setattr("bot.settings.random.uniform", lambda a, b: 1.0)
    cfg = TwilioSmsConfig(retry_base_seconds=1.0, retry_max_seconds=5.0)
    assert [cfg.backoff(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_settings_from_the_environment():
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MG1",
        "TWILIO_PUBLIC_URL": "https://sms.example.test/",
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
        "SMS_MAX_SEGMENTS": "2",
    }
    cfg = TwilioSmsConfig.from_env(env)
    assert cfg.uses_twilio and cfg.public_url == "https://sms.example.test"
    assert (cfg.max_segments, cfg.max_inbound_chars, cfg.send_attempts) == (2, 1000, 4)
    defaults = TwilioSmsConfig.from_env({})
    assert not defaults.uses_twilio and defaults.max_segments == 3
    assert TwilioSmsConfig.from_env(env, overrides={"max_segments": 1, "auth_token": None}).max_segments == 1
    with pytest.raises(ValueError):
        TwilioSmsConfig.from_env({"SMS_MAX_SEGMENTS": "0"})


def test_phones_are_masked_in_logs():
    assert mask_phone("+8613900000001") == "+86139****0001"
