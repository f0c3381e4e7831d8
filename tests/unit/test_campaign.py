"""Stage selection, templates and contact counting (bot/core/campaign.py), fixed clock."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bot.campaign.config import settings_from_mapping
from bot.core import campaign as c
from bot.core.compliance import find_forbidden
from bot.core.guard import SHANGHAI
from bot.core.sms import segment_count

TODAY = date(2026, 11, 25)
CFG = c.CampaignConfig()


def facts(dpd, **kw):
    base = dict(account_id="A", days_past_due=dpd, balance=Decimal("5000.00"), cycle="2026-10-01")
    base.update(kw)
    return c.AccountFacts(**base)


@pytest.mark.parametrize(
    "dpd, step, action",
    [
        (0, None, "not_due"),
        (2, None, "not_due"),
        (3, c.REMINDER, "send"),
        (30, c.REMINDER, "send"),
        (31, c.NOTICE, "send"),
        (60, c.NOTICE, "send"),
        (61, c.AGENT_CALL, "task"),
        (90, c.AGENT_CALL, "task"),
        (91, c.FINAL_NOTICE, "await_approval"),
        (400, c.FINAL_NOTICE, "await_approval"),
    ],
)
def test_step_by_days_past_due(dpd, step, action):
    assert c.due_step(facts(dpd), CFG) == c.StepDecision(step, action)


def test_final_notice_only_after_approval():
    assert c.due_step(facts(95, final_approved=True), CFG).action == "send"


def test_same_step_never_twice_in_a_cycle_but_next_step_is_due():
    assert c.due_step(facts(10, done_steps=frozenset({c.REMINDER})), CFG).action == "already_done"
    assert c.due_step(facts(40, done_steps=frozenset({c.REMINDER})), CFG) == c.StepDecision(c.NOTICE, "send")
    assert c.due_step(facts(65, done_steps=frozenset({c.AGENT_CALL})), CFG).action == "already_done"


def test_paid_and_active_arrangement_are_left_alone():
    assert c.due_step(facts(10, balance=Decimal("0.00")), CFG).action == "paid"
    assert c.due_step(facts(10, has_active_arrangement=True), CFG).action == "active_arrangement"
    relaxed = c.CampaignConfig(skip_active_arrangements=False)
    assert c.due_step(facts(10, has_active_arrangement=True), relaxed).action == "send"


def test_thresholds_are_configurable_from_yaml_mapping():
    s = settings_from_mapping(
        {"reminder_dpd": 1, "notice_dpd": 10, "agent_call_dpd": 20, "final_notice_dpd": 30,
         "guard": {"quiet_start": "22:00", "quiet_end": 480, "max_contacts_per_day": 1},
         "reconcile": {"grace_days": 0}}
    )
    assert c.due_step(facts(1), s.campaign).step == c.REMINDER
    assert c.due_step(facts(10), s.campaign).step == c.NOTICE
    assert c.due_step(facts(25), s.campaign).step == c.AGENT_CALL
    assert s.guard.quiet_start.hour == 22 and s.guard.quiet_end.hour == 8
    assert s.guard.max_contacts_per_day == 1 and s.reconcile.grace_days == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reminder_dpd": 40}, "thresholds must increase"),
        ({"reminder_dpy": 3}, "unknown campaign keys"),
        ({"templates": {"reminder_verified": "【{bank}】再不还就等着坐牢"}}, "forbidden wording"),
        ({"templates": {"reminder_unverified": "【{bank}】您欠款{balance}"}}, "not allowed"),
        ({"templates": {"nonsense": "x"}}, "unknown template keys"),
        ({"templates": {"reminder_unverified": "【{bank}】您好，请致电{hotline}。已处理请忽略。"}},
         "reminder_unverified must end with how to stop SMS reminders: “回T退订”"),
        ({"templates": {"notice_unverified": "【{bank}】" + "您的信用卡账户已逾期，请尽快处理。" * 8 + "回T退订"}},
         "notice_unverified takes 3 SMS segments"),
        ({"sms_max_segments": 1}, "reminder_verified takes 2 SMS segments"),
        ({"sms_max_segments": 0}, "sms_max_segments must be a positive integer"),
        ({"guard": {"quiet_from": "21:00"}}, "unknown guard keys"),
    ],
)
def test_bad_config_fails_loudly(data, message):
    with pytest.raises(c.CampaignConfigError, match=message):
        settings_from_mapping(data)


def message_facts(verified):
    return c.MessageFacts(
        bank="星河银行", hotline="400-800-9588", phone_verified=verified, name="欧阳娜娜", card_last4="7415",
        balance=Decimal("56000.00"), minimum_due=Decimal("5600.00"), due_date=date(2026, 9, 11),
        days_past_due=75, pay_method="手机银行App“还款”页面",
    )


@pytest.mark.parametrize("step", c.SMS_STEPS)
def test_verified_number_gets_amount_due_date_and_how_to_pay(step):
    text = c.render_sms(step, message_facts(True), CFG, TODAY)
    assert find_forbidden(text) == []
    assert segment_count(text) <= 3
    assert "欧阳娜娜" in text and "7415" in text
    if step == c.REMINDER:
        assert "5,600.00元" in text and "2026年9月11日" in text and "手机银行App" in text
    else:
        assert "56,000.00元" in text
    if step == c.NOTICE:
        assert "征信" in text and "分期" in text and "延期" in text
    if step == c.FINAL_NOTICE:
        assert "法律" in text and "2026年12月10日" in text  # 15 days to pay


@pytest.mark.parametrize("step", c.SMS_STEPS)
def test_unverified_number_gets_no_amount_name_or_card(step):
    text = c.render_sms(step, message_facts(False), CFG, TODAY)
    assert find_forbidden(text) == []
    for secret in ("欧阳", "7415", "56,000", "5,600", "元", "75天"):
        assert secret not in text
    assert "400-800-9588" in text


def test_every_default_template_is_clean():
    for key, template in c.DEFAULT_TEMPLATES.items():
        assert find_forbidden(template) == [], key


def test_agent_call_sends_no_sms():
    with pytest.raises(ValueError):
        c.render_sms(c.AGENT_CALL, message_facts(True), CFG, TODAY)


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_count_contacts_today_and_rolling_week():
    now = at(25, 10)
    events = [
        c.ContactEvent(at(25, 9), "out"),  # contact today
        c.ContactEvent(at(25, 9, 10), "out"),  # same contact (within 30 min)
        c.ContactEvent(at(24, 15), "out"),  # yesterday
        c.ContactEvent(at(19, 9), "out"),  # 6 days ago: this week
        c.ContactEvent(at(17, 9), "out"),  # 8 days ago: not counted
    ]
    assert c.count_contacts(events, now) == (1, 3)


def test_replies_to_the_cardholder_are_not_new_contacts():
    now = at(25, 10)
    events = [
        c.ContactEvent(at(25, 8, 30), "in"),
        c.ContactEvent(at(25, 8, 31), "out"),
        c.ContactEvent(at(25, 9, 45), "out"),
    ]
    assert c.count_contacts(events, now) == (0, 0)
    # A day later the same number is a new contact again.
    assert c.count_contacts(events + [c.ContactEvent(at(26, 9), "out")], at(26, 10)) == (1, 1)
