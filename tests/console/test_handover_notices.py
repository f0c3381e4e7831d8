"""What the web chat cardholder sees of the agents (issue 14): a claim tells
them who joined (the name from the console's user record), a release that
the agent left, a transfer who took over; an agent's reply carries their
name; nothing of this goes out by SMS. The console runs as a real process
with the fake Rasa HTTP API."""
from __future__ import annotations

import pytest

from bot.core import handover
from tests.console.test_console_api import console_fixtures, browser, hand_over


env, _database = console_fixtures("console-notices")


def widget_saw(env, cid):
    """What the relay action sent the conversation, with its hand-over tag."""
    return [
        (e["text"], (e.get("metadata") or {}).get(handover.METADATA_KEY))
        for e in env["fake"].trackers[cid]["events"] if e.get("event") == "bot"
    ]


def test_a_web_chat_cardholder_sees_who_joins_writes_and_leaves(env):
    hand_over(env, "notice-web", "C-1")
    agent1, agent2 = browser(env, "agent1"), browser(env, "agent2")
    assert agent1.claim("notice-web").status == 200
    assert agent1.claim("notice-web").status == 200  # claiming again announces nothing new
    assert agent1.reply("notice-web", "您好，我来帮您看一下").status == 200
    assert agent1.post(agent1.cpath("notice-web", "/release"), {}).status == 200
    assert agent2.claim("notice-web").status == 200
    assert agent2.post(agent2.cpath("notice-web", "/transfer"), {"to": "agent1"}).status == 200
    assert widget_saw(env, "notice-web") == [
        ("专员 张专员已接入，正在为您服务。", {"state": "agent", "agent": "专员 张专员", "notice": "joined"}),
        ("您好，我来帮您看一下", {"state": "agent", "agent": "专员 张专员"}),
        ("专员 张专员已离开会话，正在为您转接其他专员，请稍候。", {"state": "queued", "notice": "left"}),
        ("专员 李专员已接入，正在为您服务。", {"state": "agent", "agent": "专员 李专员", "notice": "joined"}),
        ("专员 张专员已接入，正在为您服务。", {"state": "agent", "agent": "专员 张专员", "notice": "joined"}),
    ]


def test_an_sms_cardholder_gets_no_join_notice(env):
    hand_over(env, "+8613700000009", "C-2", channel="twilio_sms")
    agent = browser(env, "agent1")
    assert agent.claim("+8613700000009").status == 200
    assert widget_saw(env, "+8613700000009") == []
    assert not [m for m in env["fake"].sent if m["conversation_id"] == "+8613700000009"]


def test_the_typing_signal_is_only_for_the_agent_holding_the_chat(env):
    hand_over(env, "notice-typing", "C-3")
    agent1, agent2 = browser(env, "agent1"), browser(env, "agent2")
    assert agent1.post(agent1.cpath("notice-typing", "/typing"), {"typing": True}).status == 409
    assert agent1.claim("notice-typing").status == 200
    assert agent2.post(agent2.cpath("notice-typing", "/typing"), {"typing": True}).status == 409
    answer = agent1.post(agent1.cpath("notice-typing", "/typing"), {"typing": True})
    # The fake Rasa has no web chat to show it in: nothing shown, nothing broken.
    assert answer.status == 200 and answer.json() == {"shown": False}
