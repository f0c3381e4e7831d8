"""Which Rasa events become contact-log rows (bot/contact_log.contact_rows)."""
from bot.rasa_server.contact_log import ALREADY_LOGGED, contact_rows


def test_user_and_bot_messages_become_rows_on_the_users_channel():
    last = {}
    inbound = contact_rows({"event": "user", "sender_id": "c1", "text": "你好", "input_channel": "webchat",
                            "parse_data": {"intent": {"name": "greet"}}}, last)
    outbound = contact_rows({"event": "bot", "sender_id": "c1", "text": "您好",
                             "data": {"buttons": [{"title": "申请分期"}]}}, last)
    assert (inbound["direction"], inbound["channel"], inbound["intent"]) == ("in", "webchat", "greet")
    assert (outbound["direction"], outbound["channel"], outbound["text"]) == ("out", "webchat", "您好\n申请分期")


def test_messages_their_sender_already_logged_are_not_logged_twice():
    # The campaign runner logs its SMS itself, then appends it to the transcript.
    event = {"event": "bot", "sender_id": "+8613800000001", "text": "【星河银行】温馨提示……",
             "metadata": {ALREADY_LOGGED: True, "campaign_stage": "reminder"}}
    assert contact_rows(event, {}) is None


def test_sms_replies_are_logged_by_the_sms_channel_not_the_broker():
    last = {}
    contact_rows({"event": "user", "sender_id": "+8613800000001", "text": "TD", "input_channel": "twilio_sms"}, last)
    assert contact_rows({"event": "bot", "sender_id": "+8613800000001", "text": "已退订"}, last) is None


def test_other_events_are_not_messages():
    assert contact_rows({"event": "slot", "sender_id": "c1", "name": "verified", "value": True}, {}) is None
