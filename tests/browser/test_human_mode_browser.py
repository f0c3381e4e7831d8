"""Human mode the cardholder can see (issue 14), in two real browser pages:
a cardholder in the web chat widget (a 390x844 phone) and an agent in the
console, headless Chromium against the real Rasa server, action server and
console.

Queued (the banner says when a person will answer; no typing dots), agent
joined (专员 张三, by the name in the console's user record, with their own
avatar, which survives a reload), the agent typing, the agent's reply under
their name, the bot back after the hand-back; a message over the rate limit
is marked 未发送 with 重发. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.pages import WAIT_MS, holder_and_desk, open_chat, say, shot, sign_in, webchat_console

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "browser-human-mode-rasa-token-0123456789"
WEBCHAT_SECRET = "browser-human-mode-webchat-secret-0123"
BURST = 8  # messages a conversation may send at once before the widget is told to slow down


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    env = {"WEBCHAT_RATE_BURST": str(BURST), "WEBCHAT_RATE_PER_MINUTE": "0.01"}
    with webchat_console(tmp_path_factory.mktemp("browser-human-mode"), NOW, RASA_TOKEN, WEBCHAT_SECRET,
                         agents=(("zhangsan", "agent", "张三"),), extra_env=env) as world:
        yield world


def test_queued_agent_joined_and_bot_back_in_the_widget(chromium, world):
    stack = world["stack"]
    with holder_and_desk(chromium, "human-mode") as (holder, desk, errors):
        open_chat(holder, stack.rasa_url, "E2E-4", WEBCHAT_SECRET)
        assert holder.locator("#handover-banner").is_hidden()

        # --- queued: the banner says when a person will answer, no dots
        say(holder, "转人工")
        banner = holder.locator("#handover-banner")
        banner.locator("text=正在为您转接人工客服").wait_for(timeout=WAIT_MS)
        assert "预计约5分钟内接入" in banner.inner_text()
        holder.locator("#status", has_text="排队中").wait_for(timeout=WAIT_MS)
        assert "人工客服" in holder.locator(".topbar .title").inner_text()
        say(holder, "有人吗")
        assert holder.locator(".row.typing").count() == 0  # a person answers at a person's pace
        shot(holder, "human-mode-1-queued.png")

        # --- the agent claims: the cardholder sees who joined
        desk.goto(world["console"] + "/login")
        sign_in(desk, "zhangsan", "/queue")
        desk.locator("#queue-body tr.item", has_text="E2E-4").locator("a", has_text="打开").click()
        desk.wait_for_url(re.compile(r".*/conversations/.+"))
        desk.click("#claim-btn")
        desk.locator("#claim-status", has_text="您正在处理此会话").wait_for(timeout=WAIT_MS)
        holder.locator(".notice", has_text="专员 张三已接入").wait_for(timeout=WAIT_MS)
        holder.locator("#status", has_text="专员 张三为您服务").wait_for(timeout=WAIT_MS)
        assert "专员 张三 正在为您服务" in banner.inner_text()

        # --- the agent types: the cardholder sees the dots with the agent's avatar
        desk.fill("#reply-text", "")
        desk.type("#reply-text", "您好")
        holder.locator(".row.typing.agent .avatar.agent", has_text="张").wait_for(timeout=WAIT_MS)
        desk.fill("#reply-text", "您好，我是专员张三，我来帮您看看还款安排。")
        desk.click("#reply-send")
        reply = holder.locator(".row.agent", has_text="我来帮您看看还款安排")
        reply.wait_for(timeout=WAIT_MS)
        assert reply.locator(".sender-name").inner_text() == "专员 张三"
        assert reply.locator(".avatar.agent").inner_text() == "张"
        assert reply.locator(".avatar.bot").count() == 0  # never the bot's face
        assert holder.locator(".row.typing").count() == 0
        shot(holder, "human-mode-2-agent-joined.png")

        # --- a reload keeps the state (the server reads it from the conversation)
        holder.reload()
        holder.locator("#status", has_text="专员 张三为您服务").wait_for(timeout=WAIT_MS)
        assert "专员 张三 正在为您服务" in holder.locator("#handover-banner").inner_text()

        # --- the agent hands back: the bot again
        desk.click("#hand-back-btn")
        holder.locator(".notice", has_text="人工服务已结束").wait_for(timeout=WAIT_MS)
        holder.locator(".row.bot:not(.agent) .bubble", has_text="已为您恢复智能服务").wait_for(timeout=WAIT_MS)
        holder.locator("#status", has_text="在线").wait_for(timeout=WAIT_MS)
        assert holder.locator("#handover-banner").is_hidden()
        assert "智能客服" in holder.locator(".topbar .title").inner_text()
        shot(holder, "human-mode-3-bot-back.png")

        # --- over the rate limit: marked not sent, with a retry
        for _ in range(BURST + 2):
            say(holder, "你好")
            if holder.locator(".row.user.failed").count():
                break
        failed = holder.locator(".row.user.failed").first
        failed.wait_for(timeout=WAIT_MS)
        assert "未发送" in failed.inner_text()
        holder.locator(".notice.warning", has_text="速度过快").first.wait_for(timeout=WAIT_MS)
        notices = holder.locator(".notice.warning", has_text="速度过快").count()
        failed.locator("button.retry", has_text="重发").click()
        # Sent again - and, still too fast, refused again: said again, still marked.
        holder.wait_for_function(
            "n => document.querySelectorAll('.notice.warning').length > n", arg=notices, timeout=WAIT_MS
        )
        assert holder.locator(".row.user.failed").count() >= 1
        shot(holder, "human-mode-4-not-sent.png")
        assert errors == []
