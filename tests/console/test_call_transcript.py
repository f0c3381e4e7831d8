"""A phone call in the console's transcript (issue 17): what the caller said
as recognised from speech, what was keyed (a menu choice by its title), what
the assistant said; and a call is no channel an agent can type into."""
from __future__ import annotations

from bot.core.channels import PUSH_CHANNELS, VOICE
from console.rasa_api import state, transcript


def _user(text, **voice):
    return {"event": "user", "text": text, "input_channel": VOICE, "timestamp": 1.0,
            "parse_data": {"intent": {"name": "x"}}, "metadata": {VOICE: {"call_sid": "CA1", **voice}}}


def test_a_call_reads_as_what_was_recognised_keyed_and_said():
    tracker = {"events": [
        _user("/greet"),
        {"event": "bot", "text": "请问您是李*华本人吗？", "timestamp": 2.0,
         "data": {"buttons": [{"title": "是本人", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]}},
        _user("/affirm", input="dtmf", menu_choice={"number": 1, "title": "是本人"}),
        {"event": "bot", "text": "请用电话按键输入身份证号码后四位。", "timestamp": 3.0},
        _user("能分12期吗", input="speech", confidence="0.91"),
        {"event": "bot", "text": "分12期，每期1,072.00元。", "timestamp": 4.0},
    ], "latest_input_channel": VOICE}
    entries = [(e["from"], e["text"], e.get("input")) for e in transcript(tracker)]
    assert entries[0] == ("system", "电话接通", None)  # the call's first turn, said by nobody
    assert entries[2] == ("cardholder", "按1：是本人", "dtmf")
    assert entries[4] == ("cardholder", "能分12期吗", "speech")
    assert entries[5] == ("bot", "分12期，每期1,072.00元。", None)
    st = state(tracker)
    assert st["channel"] == VOICE and not st["can_push"] and VOICE not in PUSH_CHANNELS


def test_chat_entries_carry_no_call_input():
    tracker = {"events": [{"event": "user", "text": "你好", "input_channel": "twilio_sms", "metadata": {}}]}
    assert "input" not in transcript(tracker)[0]
