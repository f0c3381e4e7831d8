"""Campaign steps made by phone (bot/voice/campaign.py): `collectbot campaign
run` with ``voice_steps: [agent_call]`` places guarded calls through the fake
Twilio API instead of creating agent tasks."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.campaign.config import CampaignConfigError, settings_from_mapping
from bot.cli import main
from bot.db.importer import import_accounts_csv
from bot.db.migrate import upgrade
from bot.db.models import AgentTask, CampaignSend, ContactLog, OptOut, OutboundBlock
from bot.db.session import session_scope
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio

TODAY = date(2026, 11, 25)
HEADER = "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date"
PUBLIC = "https://voice.example.test"


@pytest.fixture
def fake():
    with FakeTwilio() as f:
        yield f


@pytest.fixture
def env(monkeypatch, fake, tmp_path):
    for name in ("RASA_URL", "RASA_API_TOKEN", "TWILIO_MESSAGING_SERVICE_SID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", TWILIO_NUMBER)
    monkeypatch.setenv("TWILIO_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("TWILIO_API_BASE_URL", fake.base_url)
    config = tmp_path / "campaign.yml"
    config.write_text("voice_steps: [agent_call]\n", encoding="utf-8")
    monkeypatch.setenv("COLLECTBOT_CAMPAIGN_FILE", str(config))


def seed(url, tmp_path):
    upgrade(url)
    lines = [HEADER]
    for i in range(3):
        due = TODAY - timedelta(days=65)
        lines.append(f"V{i},张伟,+8613900000{i:03d},1234,{i:04d},5000.00,500.00,{due.isoformat()}")
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(url) as s:
        assert not import_accounts_csv(s, path, today=TODAY).rejected
        s.add(OptOut(phone="+8613900000002", channel="twilio_sms"))  # SMS opt-out stops calls too


def test_the_agent_call_step_is_made_by_phone_through_the_guard(capsys, tmp_path, sqlite_url, monkeypatch, env, fake):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T10:00:00+08:00")
    seed(sqlite_url, tmp_path)
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress"]) == 0
    called = sorted(r.form["To"] for r in fake.call_requests() if r.answer == 201)
    assert called == ["+8613900000000", "+8613900000001"]
    assert all(r.form["MachineDetection"] == "Enable" for r in fake.call_requests())
    with session_scope(sqlite_url) as s:
        sends = {(r.account_id, r.channel, r.status) for r in s.execute(select(CampaignSend)).scalars()}
        assert ("V0", "voice", "sent") in sends and ("V1", "voice", "sent") in sends
        assert s.execute(select(AgentTask)).first() is None
        assert Counter(b.reason for b in s.execute(select(OutboundBlock)).scalars()) == {"opted_out": 1}
        queued = s.execute(select(ContactLog.status).where(ContactLog.channel == "voice")).scalars().all()
        assert sorted(queued) == ["queued", "queued"]
    # The summary counts calls apart from SMS, and says why one was not made.
    out = capsys.readouterr().out
    assert "电话：已外呼 2 通；免打扰时段顺延 0 通；拦截不呼 1 通；呼叫失败 0 通。" in out
    assert "短信：已发送 0 条" in out and "拦截丢弃 0 条" in out
    assert "拦截原因：客户已退订该渠道 1" in out
    # Run again: the step is done for this cycle, nobody is called twice.
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress"]) == 0
    assert len(fake.call_requests()) == 2
    assert "电话：" not in capsys.readouterr().out.split("拦截原因")[0]


def test_no_call_in_quiet_hours_and_the_step_stays_due(capsys, tmp_path, sqlite_url, monkeypatch, env, fake):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T21:30:00+08:00")
    seed(sqlite_url, tmp_path)
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress"]) == 0
    assert fake.call_requests() == []
    with session_scope(sqlite_url) as s:
        sends = [(r.account_id, r.status) for r in s.execute(select(CampaignSend)).scalars()]
        assert sends == [("V2", "dropped")]  # opted out: final; the others stay due
        reasons = Counter(b.reason for b in s.execute(select(OutboundBlock)).scalars())
        assert reasons == {"quiet_hours": 2, "opted_out": 1}
    out = capsys.readouterr().out
    assert "电话：已外呼 0 通；免打扰时段顺延 2 通；拦截不呼 1 通" in out
    assert "免打扰时段 2" in out and "客户已退订该渠道 1" in out
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-26T09:00:00+08:00")
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress"]) == 0
    assert len([r for r in fake.call_requests() if r.answer == 201]) == 2


def test_a_dry_run_counts_the_calls_it_would_make(capsys, tmp_path, sqlite_url, monkeypatch, env, fake):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T10:00:00+08:00")
    seed(sqlite_url, tmp_path)
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress", "--dry-run"]) == 0
    assert fake.call_requests() == []
    assert "电话：将外呼 2 通；免打扰时段顺延 0 通；拦截不呼 1 通；呼叫失败 0 通。" in capsys.readouterr().out


def test_the_unanswered_attempt_cap_and_missing_settings_are_named_in_chinese(capsys, tmp_path, sqlite_url,
                                                                              monkeypatch, env, fake):
    from bot.db import repository

    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T10:00:00+08:00")
    seed(sqlite_url, tmp_path)
    with session_scope(sqlite_url) as s:  # six calls nobody answered today
        for i in range(6):
            repository.log_contact(s, conversation_id="+8613900000000", channel="voice", direction="out",
                                   text="电话：无人接听", message_id=f"CA{i:032d}:no-answer", status="no-answer")
    monkeypatch.delenv("TWILIO_ACCOUNT_SID")  # and no voice settings: nobody else is dialled either
    assert main(["--database-url", sqlite_url, "campaign", "run", "--no-progress"]) == 0
    assert fake.call_requests() == []
    out = capsys.readouterr().out
    assert "电话：已外呼 0 通；免打扰时段顺延 0 通；拦截不呼 3 通" in out
    assert "今日未接通电话已达上限 1" in out and "未配置电话外呼（缺少Twilio语音设置） 1" in out
    assert "客户已退订该渠道 1" in out


def test_voice_steps_are_checked():
    assert settings_from_mapping({"voice_steps": ["agent_call"]}).voice_steps == ("agent_call",)
    with pytest.raises(CampaignConfigError):
        settings_from_mapping({"voice_steps": ["final_notice"]})
