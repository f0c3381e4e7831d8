"""Each compliance-guard rule with a fixed clock."""
from datetime import datetime, time, timezone

import pytest

from bot.core.guard import (
    DAILY_CAP, FORBIDDEN_WORDING, MISSING_OPT_OUT, OPEN_DISPUTE, OPTED_OUT, QUIET_HOURS, SHANGHAI, THIRD_PARTY,
    WEEKLY_CAP, ContactFacts, GuardConfig, Outbound, as_sent, check_outbound,
)

REMINDER = Outbound("您好，您的账单已到期，请及时还款。回T退订", channel="twilio_sms")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def at(hour, minute=0, day=25):
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_a_plain_reminder_at_noon_is_allowed():
    assert check_outbound(REMINDER, ContactFacts(), NOON).allowed


@pytest.mark.parametrize("when,blocked", [
    (at(20, 59), False), (at(21, 0), True), (at(23, 30), True), (at(0, 0), True),
    (at(7, 59), True), (at(8, 0), False),
])
def test_quiet_hours_boundaries(when, blocked):
    decision = check_outbound(REMINDER, ContactFacts(), when)
    assert (not decision.allowed) == blocked
    if blocked:
        assert decision.reason == QUIET_HOURS


def test_quiet_hours_queue_until_eight_the_next_morning():
    decision = check_outbound(REMINDER, ContactFacts(), at(22, 15))
    assert decision.retry_at == at(8, 0, day=26)
    assert check_outbound(REMINDER, ContactFacts(), at(6, 0)).retry_at == at(8, 0)


def test_quiet_hours_use_shanghai_time_whatever_the_server_zone():
    # 13:30 UTC is 21:30 in Shanghai.
    utc = datetime(2026, 11, 25, 13, 30, tzinfo=timezone.utc)
    assert check_outbound(REMINDER, ContactFacts(), utc).reason == QUIET_HOURS


def test_quiet_hours_are_configurable():
    cfg = GuardConfig(quiet_start=time(20, 0), quiet_end=time(9, 0))
    assert check_outbound(REMINDER, ContactFacts(), at(20, 30), cfg).reason == QUIET_HOURS
    assert check_outbound(REMINDER, ContactFacts(), at(20, 30)).allowed


def test_daily_and_weekly_caps():
    assert check_outbound(REMINDER, ContactFacts(contacts_today=3), NOON).reason == DAILY_CAP
    assert check_outbound(REMINDER, ContactFacts(contacts_today=2), NOON).allowed
    assert check_outbound(REMINDER, ContactFacts(contacts_this_week=10), NOON).reason == WEEKLY_CAP
    cfg = GuardConfig(max_contacts_per_day=1)
    assert check_outbound(REMINDER, ContactFacts(contacts_today=1), NOON, cfg).reason == DAILY_CAP


def test_replies_to_a_cardholder_who_wrote_are_not_new_contacts():
    reply = Outbound("好的，已为您登记。回T退订", channel="twilio_sms", starts_contact=False)
    assert check_outbound(reply, ContactFacts(contacts_today=9), at(23, 0)).allowed


def test_opted_out_channel_and_all_channels():
    assert check_outbound(REMINDER, ContactFacts(opted_out_channels=frozenset({"twilio_sms"})), NOON).reason == OPTED_OUT
    assert check_outbound(REMINDER, ContactFacts(opted_out_channels=frozenset({"all"})), NOON).reason == OPTED_OUT
    assert check_outbound(REMINDER, ContactFacts(opted_out_channels=frozenset({"webchat"})), NOON).allowed


def test_open_dispute_blocks_collection_but_not_service_messages():
    facts = ContactFacts(open_dispute=True)
    assert check_outbound(REMINDER, facts, NOON).reason == OPEN_DISPUTE
    service = Outbound("您的异议已受理，专员将与您联系。回T退订", channel="twilio_sms", is_collection=False)
    assert check_outbound(service, facts, NOON).allowed


def test_third_party_number_is_never_contacted():
    assert check_outbound(REMINDER, ContactFacts(third_party_number=True), NOON).reason == THIRD_PARTY


def test_threatening_wording_is_blocked_with_the_terms():
    threat = Outbound("再不还钱就通知你家人，让你坐 牢", channel="twilio_sms")
    decision = check_outbound(threat, ContactFacts(), NOON)
    assert decision.reason == FORBIDDEN_WORDING
    assert "坐牢" in decision.forbidden_terms


def test_final_blocks_win_over_quiet_hours():
    # Dropped now rather than queued for the morning and dropped then.
    assert check_outbound(REMINDER, ContactFacts(open_dispute=True), at(23, 0)).reason == OPEN_DISPUTE


# --- the SMS opt-out line (issue 14) ------------------------------------------------------------


@pytest.mark.parametrize("channel", ["twilio_sms", "sms"])
def test_an_sms_without_the_opt_out_line_is_refused_with_the_line_it_needs(channel):
    decision = check_outbound(Outbound("您好，您的账单已到期，请及时还款。", channel=channel), ContactFacts(), NOON)
    assert not decision.allowed
    assert decision.reason == MISSING_OPT_OUT and decision.detail == "回T退订"
    # Final: refused at night too, not queued for the morning.
    night = check_outbound(Outbound("您好，请及时还款。", channel=channel), ContactFacts(), at(23, 0))
    assert night.reason == MISSING_OPT_OUT and night.retry_at is None


def test_agent_replies_are_checked_too():
    reply = Outbound("好的，已为您登记。", channel="twilio_sms", is_collection=False, starts_contact=False)
    assert check_outbound(reply, ContactFacts(), NOON).reason == MISSING_OPT_OUT


@pytest.mark.parametrize("text", [
    "您好，请及时还款。回T退订", "您好，请及时还款。退订回T", "您好，请及时还款。回t退订 ",
])
def test_the_line_at_the_end_is_enough(text):
    assert check_outbound(Outbound(text, channel="twilio_sms"), ContactFacts(), NOON).allowed


def test_the_line_in_the_middle_is_not_the_end():
    text = "回T退订。您好，您的账单已到期，请及时还款。"
    assert check_outbound(Outbound(text, channel="twilio_sms"), ContactFacts(), NOON).reason == MISSING_OPT_OUT


def test_web_chat_needs_no_opt_out_line():
    assert check_outbound(Outbound("好的，已为您登记。", channel="webchat", starts_contact=False),
                          ContactFacts(), NOON).allowed


def test_as_sent_appends_the_line_to_sms_only_and_never_twice():
    assert as_sent("好的，已为您登记。", "twilio_sms") == "好的，已为您登记。回T退订"
    assert as_sent("好的，稍后联系您", "twilio_sms") == "好的，稍后联系您。回T退订"
    assert as_sent("好的，已为您登记。回T退订", "twilio_sms") == "好的，已为您登记。回T退订"
    assert as_sent("好的。退订回T", "twilio_sms") == "好的。退订回T"
    assert as_sent("好的，已为您登记。", "webchat") == "好的，已为您登记。"
    sent = as_sent("好的，已为您登记。", "twilio_sms")
    assert check_outbound(Outbound(sent, channel="twilio_sms", starts_contact=False), ContactFacts(), NOON).allowed
