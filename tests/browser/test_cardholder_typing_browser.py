"""The agent sees that the cardholder is typing (issue 14), in two real
browser pages: a cardholder in the web chat widget (a 390x844 phone) and an
agent in the console, headless Chromium against the real Rasa server, action
server and console (separate processes: the signal crosses through the
database).

After the hand-over the cardholder types without sending: the agent's
conversation page shows 对方正在输入…, and once the cardholder stops it goes
away. Before the hand-over (the bot answers) nothing is signalled.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.pages import WAIT_MS, holder_and_desk, open_chat, shot, sign_in, webchat_console

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "browser-typing-rasa-token-0123456789"
WEBCHAT_SECRET = "browser-typing-webchat-secret-0123"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with webchat_console(tmp_path_factory.mktemp("browser-typing"), NOW, RASA_TOKEN, WEBCHAT_SECRET,
                         agents=(("lisi", "agent", "李四"),)) as world:
        yield world


def test_the_agent_sees_the_cardholder_typing_and_then_not(chromium, world):
    stack = world["stack"]
    with holder_and_desk(chromium, "typing") as (holder, desk, errors):
        typing_sent = []
        holder.on("websocket", lambda ws: ws.on(
            "framesent", lambda frame: typing_sent.append(frame) if "user_typing" in str(frame) else None))
        holder.on("request", lambda req: typing_sent.append(req.post_data)
                  if req.method == "POST" and "user_typing" in (req.post_data or "") else None)
        open_chat(holder, stack.rasa_url, "E2E-4", WEBCHAT_SECRET)

        # The bot answers: typing says nothing to anyone.
        holder.type("#input", "你好", delay=50)
        holder.fill("#input", "")
        assert typing_sent == []

        holder.fill("#input", "转人工")
        holder.click("#send")
        holder.locator("#handover-banner", has_text="正在为您转接人工客服").wait_for(timeout=WAIT_MS)

        desk.goto(world["console"] + "/login")
        sign_in(desk, "lisi", "/queue")
        desk.locator("#queue-body tr.item", has_text="E2E-4").locator("a", has_text="打开").click()
        desk.wait_for_url(re.compile(r".*/conversations/.+"))
        desk.click("#claim-btn")
        desk.locator("#claim-status", has_text="您正在处理此会话").wait_for(timeout=WAIT_MS)
        holder.locator("#status", has_text="专员 李四为您服务").wait_for(timeout=WAIT_MS)
        line = desk.locator("#cardholder-typing")
        assert line.is_hidden()

        # The cardholder types (and does not send): the agent sees it.
        holder.click("#input")
        holder.type("#input", "我这个月工资还没发，能不能", delay=120)
        line.wait_for(state="visible", timeout=WAIT_MS)
        assert line.inner_text() == "对方正在输入…"
        assert typing_sent  # the capture that saw nothing while the bot answered does see them
        shot(desk, "typing-1-agent-sees-typing.png")
        shot(holder, "typing-1-cardholder-types.png")

        # They stop: the line goes once the last signal is a few seconds old.
        line.wait_for(state="hidden", timeout=WAIT_MS)
        shot(desk, "typing-2-agent-typing-gone.png")
        assert errors == []
