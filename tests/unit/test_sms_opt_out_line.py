"""Every SMS the bank sends says how to stop them (issue 14): the campaign
templates end with 回T退订 within their segment budget, the guard refuses an
SMS without it, and an agent's SMS reply gets it appended - once - on its way
to the outbox and the contact log. Web chat replies stay as typed."""
from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.actions.handoff import ActionRelayAgentMessage
from bot.campaign.config import settings_from_mapping
from bot.campaign.runner import CampaignRunner
from bot.core import campaign as c
from bot.core.guard import MISSING_OPT_OUT, SHANGHAI, ContactFacts, Outbound, as_sent, check_outbound
from bot.core.sms import OPT_OUT_LINE, is_opt_out, segment_count, split_message, with_opt_out_line
from bot.db.models import ContactLog, SmsOutbox
from bot.db.session import session_scope
from bot.sms.sender import SmsSender, TwilioSmsConfig
from channels.twilio_sms import TwilioSmsOutput
from tests.unit.actions_support import make_tracker, run_action

TODAY = date(2026, 11, 25)
PHONE = "+8613900000001"
NOON = __import__("datetime").datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def long_facts(verified: bool) -> c.MessageFacts:
    """Long but realistic values: compound surname, seven-figure balance."""
    return c.MessageFacts(
        bank="星河银行", hotline="400-800-9588", phone_verified=verified, name="欧阳娜娜", card_last4="7415",
        balance=Decimal("1234567.89"), minimum_due=Decimal("123456.78"), due_date=date(2026, 9, 30),
        days_past_due=365, pay_method="手机银行App“还款”页面",
    )


# --- the line, and what it promises -------------------------------------------------------------


def test_the_line_is_hui_t_tui_ding():
    assert OPT_OUT_LINE == "回T退订"


@pytest.mark.parametrize("reply", ["T", "t", "Ｔ", "T。", "回T", "T退订", "回T退订", "退订回T", "TD", "退订"])
def test_what_the_line_tells_the_cardholder_to_send_is_an_opt_out(reply):
    # The SMS channel honours these before Rasa sees the message.
    assert is_opt_out(reply)


# --- campaign templates -------------------------------------------------------------------------


@pytest.mark.parametrize("verified", [True, False])
@pytest.mark.parametrize("step", c.SMS_STEPS)
def test_every_stage_ends_with_the_line_and_fits_its_budget(step, verified):
    cfg = c.CampaignConfig()
    text = c.render_sms(step, long_facts(verified), cfg, TODAY)
    assert text.endswith("。回T退订"), text
    assert text.count("退订") == 1
    assert segment_count(text) <= cfg.sms_max_segments == 2, (len(text), text)


def test_the_first_reminder_to_an_unconfirmed_number_is_one_sms():
    text = c.render_sms(c.REMINDER, long_facts(False), c.CampaignConfig(), TODAY)
    assert segment_count(text) == 1 and len(text) <= 70, (len(text), text)


def test_every_default_template_is_guarded_and_passes():
    cfg = c.CampaignConfig()
    for verified in (True, False):
        for step in c.SMS_STEPS:
            text = c.render_sms(step, long_facts(verified), cfg, TODAY)
            assert check_outbound(Outbound(text, channel=cfg.channel), ContactFacts(), NOON).allowed


def test_the_guard_refuses_a_template_without_the_line_at_send_time_too():
    # A template that slipped past the config check (or an old queued body).
    text = "【星河银行】您好，您的信用卡账户有一笔还款待处理，请致电400-800-9588。已处理请忽略。"
    decision = check_outbound(Outbound(text, channel="twilio_sms"), ContactFacts(), NOON)
    assert not decision.allowed and decision.reason == MISSING_OPT_OUT and decision.detail == "回T退订"


def test_a_custom_template_with_the_line_is_accepted_and_sent_with_it():
    template = "【{bank}】您好，您的信用卡有一笔还款待处理，详情请致电{hotline}。退订回T"
    cfg = settings_from_mapping({"templates": {"reminder_unverified": template}}).campaign
    text = c.render_sms(c.REMINDER, long_facts(False), cfg, TODAY)
    assert text.endswith("退订回T")


def test_the_runner_measures_the_templates_with_the_banks_own_name():
    settings = settings_from_mapping({})
    CampaignRunner(settings, bank_name="星河银行", hotline="400-800-9588")
    with pytest.raises(c.CampaignConfigError, match="final_notice_verified takes 3 SMS segments"):
        CampaignRunner(settings, bank_name="星河银行股份有限公司信用卡中心", hotline="400-800-9588")


# --- agent replies ------------------------------------------------------------------------------


def test_the_line_is_appended_once_and_only_on_sms():
    assert with_opt_out_line("好的，稍后联系您") == "好的，稍后联系您。回T退订"
    assert with_opt_out_line("好的，已为您登记。") == "好的，已为您登记。回T退订"
    assert with_opt_out_line("好的，已为您登记。回T退订") == "好的，已为您登记。回T退订"
    assert as_sent("好的，已为您登记。", "webchat") == "好的，已为您登记。"


def relay(text: str, channel: str):
    tracker = make_tracker(PHONE, slots={"agent_message": text}, channel=channel)
    return run_action(ActionRelayAgentMessage(), tracker)[1]


def sent_by_sms(db_url: str, texts, max_segments: int = 3):
    """Deliver the relayed texts as the SMS channel does, into the local outbox."""
    output = TwilioSmsOutput(SmsSender(TwilioSmsConfig(), db_url=db_url), max_segments)
    for text in texts:
        asyncio.run(output.send_text_message(PHONE, text))
    with session_scope(db_url) as s:
        outbox = [r.body for r in s.execute(select(SmsOutbox).order_by(SmsOutbox.id)).scalars()]
        logged = [r.text for r in s.execute(
            select(ContactLog).where(ContactLog.direction == "out").order_by(ContactLog.id)).scalars()]
    return outbox, logged


def test_an_agents_sms_reply_lands_in_the_outbox_and_contact_log_with_the_line(db_url):
    outbox, logged = sent_by_sms(db_url, relay("您好，我是人工专员，现在由我为您服务", "twilio_sms"))
    assert outbox == logged == ["您好，我是人工专员，现在由我为您服务。回T退订"]


def test_a_reply_that_already_has_the_line_is_not_doubled(db_url):
    outbox, logged = sent_by_sms(db_url, relay(as_sent("已为您登记，请留意还款日。", "twilio_sms"), "twilio_sms"))
    assert outbox == logged == ["已为您登记，请留意还款日。回T退订"]


def test_a_long_agent_reply_carries_the_line_on_every_sms_within_the_budget(db_url):
    text = "".join(f"第{i}点：您的还款安排已登记，请在约定日期前完成还款，如有疑问请直接回复。" for i in range(1, 9))
    outbox, logged = sent_by_sms(db_url, relay(text, "twilio_sms"), max_segments=2)
    assert len(outbox) > 1 and outbox == logged
    for body in outbox:
        assert body.endswith("回T退订") and body.count("回T退订") == 1, body
        assert segment_count(body) <= 2, (len(body), body)
    # Nothing of what the agent wrote is lost.
    assert "".join(b[: -len("回T退订")] for b in outbox).replace("。。", "。") == text


def test_split_keeps_the_segment_count_with_the_line():
    text = with_opt_out_line("请您核对。" * 30)  # 150 characters + the line: more than one SMS of 2 segments
    parts = split_message(text, max_segments=2)
    assert len(parts) == 2
    assert all(p.endswith("回T退订") and segment_count(p) <= 2 for p in parts)
    assert split_message("好的。回T退订", 1) == ["好的。回T退订"]


def test_a_web_chat_reply_is_sent_as_typed():
    assert relay("您好，我是人工专员。", "webchat") == ["您好，我是人工专员。"]
