"""The hand-over states the cardholder sees (issue 14): the actions tag their
messages queued / agent (with the agent's name from the console) / bot, and
the web chat output passes the tag to the widget."""
from __future__ import annotations

import asyncio
import json

from rasa_sdk.executor import CollectingDispatcher

from bot.actions import handoff
from bot.actions.handoff import ActionHandBack, ActionRelayAgentMessage
from bot.core import handover, replies
from tests.unit.actions_support import DOMAIN, make_tracker

SESSION = "0123456789abcdef0123456789abcdef"


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def test_the_agent_label_comes_from_the_display_name():
    assert handover.agent_label("张三") == "专员 张三"
    assert handover.agent_label("专员李四") == "专员李四"
    assert handover.agent_label("") == "专员"
    assert handover.agent_label(" 王\n五 ") == "专员 王 五"


def test_a_reply_carries_the_agents_name_to_the_widget():
    slot = handover.encode_agent_message("您好，我来帮您看一下", "张三")
    _, messages = run(ActionRelayAgentMessage(), make_tracker(SESSION, slots={"agent_message": slot}, channel="webchat"))
    assert [m["text"] for m in messages] == ["您好，我来帮您看一下"]
    assert messages[0][handover.METADATA_KEY] == {"state": "agent", "agent": "专员 张三"}


def test_join_and_leave_notices_are_written_here_not_by_the_caller():
    joined = handover.encode_agent_message("ignored", "张三", handover.JOINED)
    _, messages = run(ActionRelayAgentMessage(), make_tracker(SESSION, slots={"agent_message": joined}, channel="webchat"))
    assert messages[0]["text"] == "专员 张三已接入，正在为您服务。"
    assert messages[0][handover.METADATA_KEY] == {"state": "agent", "agent": "专员 张三", "notice": "joined"}
    left = handover.encode_agent_message("", "张三", handover.LEFT)
    _, messages = run(ActionRelayAgentMessage(), make_tracker(SESSION, slots={"agent_message": left}, channel="webchat"))
    assert "已离开" in messages[0]["text"]
    assert messages[0][handover.METADATA_KEY] == {"state": "queued", "notice": "left"}


def test_plain_text_in_the_slot_is_a_reply_from_an_unnamed_agent():
    _, messages = run(ActionRelayAgentMessage(), make_tracker(SESSION, slots={"agent_message": "审批已通过"}, channel="webchat"))
    assert messages[0]["text"] == "审批已通过"
    assert messages[0][handover.METADATA_KEY] == {"state": "agent", "agent": "专员"}
    # JSON that is not ours is text, not a way in.
    assert handover.decode_agent_message('{"x": 1}').text == '{"x": 1}'


def test_hand_back_and_hand_over_say_which_state_follows():
    _, messages = run(ActionHandBack(), make_tracker(SESSION, channel="webchat"))
    assert messages[0]["text"] == replies.HANDED_BACK
    assert messages[0][handover.METADATA_KEY] == {"state": "bot"}
    bot = [e for e in handoff.handed_over("customer_request") if e["event"] == "bot"]
    assert bot[0]["metadata"] == {handover.METADATA_KEY: {"state": "queued"}}


def test_the_state_tag_is_cleaned_for_the_widget():
    assert handover.clean_state({"state": "agent", "agent": "专员 张三", "x": "<b>"}) == {"state": "agent", "agent": "专员 张三"}
    assert handover.clean_state({"state": "owner"}) is None
    assert handover.clean_state("agent") is None
    assert json.loads(handover.encode_agent_message("好", "李四"))["agent"] == "专员 李四"


class FakeClient:
    enabled = True

    def __init__(self):
        self.calls = []

    async def execute(self, conversation_id, action):
        self.calls.append((conversation_id, action))
        return {}

    async def close(self):
        raise AssertionError("a client passed in is the caller's to close")


def test_the_safety_nets_reply_goes_through_the_one_rasa_client():
    client = FakeClient()
    asyncio.run(handoff._execute_later("+8613900000001", "action_opt_out", client=client))
    assert client.calls == [("+8613900000001", "action_opt_out")]
