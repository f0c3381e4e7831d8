"""Hand-over in two real browser pages: a cardholder in the web chat widget
and an agent in the console, with headless Chromium (Debian's, driven by
Playwright) against the real Rasa server, action server and console.

The cardholder asks for a person (转人工); the agent sees the conversation
arrive in the queue, claims it, watches the cardholder's next message come
in live, replies, books a deferral, hands back; the bot answers the
cardholder again. Screenshots go to test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import re

import pytest

from bot.core import replies
from tests.browser.console_stack import console_stack
from tests.browser.pages import DESK, PHONE, WAIT_MS, WEBCHAT_CREDENTIALS, bot_said, open_chat, say, shot, sign_in

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "browser-handoff-rasa-token-0123456789"
WEBCHAT_SECRET = "browser-handoff-webchat-secret-0123"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-handoff")
    env = {"WEBCHAT_TOKEN_SECRET": WEBCHAT_SECRET}
    with console_stack(workdir, NOW, WEBCHAT_CREDENTIALS, RASA_TOKEN, extra_env=env) as (stack, console_url):
        yield {"stack": stack, "console": console_url}


def test_cardholder_and_agent_in_two_browser_pages(chromium, world):
    stack = world["stack"]
    errors = []
    holder_ctx, agent_ctx = chromium.new_context(**PHONE), chromium.new_context(**DESK)
    holder, desk = holder_ctx.new_page(), agent_ctx.new_page()
    for page in (holder, desk):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # --- the cardholder opens the chat from the bank's app and asks for a person
        open_chat(holder, stack.rasa_url, "E2E-4", WEBCHAT_SECRET)
        say(holder, "你好")
        bot_said(holder, "5,000.00元")
        say(holder, "转人工")
        bot_said(holder, "预计约5分钟内接入")
        shot(holder, "handoff-1-cardholder-asks-for-a-person.png")

        # --- the agent signs in and finds it in the queue
        desk.goto(world["console"] + "/queue")
        assert desk.url.startswith(world["console"] + "/login")
        sign_in(desk, "zhang", "/queue")
        row = desk.locator("#queue-body tr.item", has_text="客户要求人工")
        row.wait_for(timeout=WAIT_MS)
        assert "E2E-4" in row.inner_text() and "在线聊天" in row.inner_text() and "待领取" in row.inner_text()
        shot(desk, "handoff-2-agent-queue.png")
        row.locator("a", has_text="打开").click()
        desk.wait_for_url(re.compile(r".*/conversations/.+"))
        desk.locator("#transcript .msg.cardholder .bubble", has_text="转人工").wait_for(timeout=WAIT_MS)
        assert desk.locator("#paused-badge").inner_text().startswith("人工处理中")
        desk.click("#claim-btn")
        desk.locator("#claim-status", has_text="您正在处理此会话").wait_for(timeout=WAIT_MS)

        # --- what the cardholder writes now reaches the agent live, as text
        typed = "<b>我明天还钱</b>"
        say(holder, typed)
        desk.locator("#transcript .msg.cardholder .bubble", has_text=typed).wait_for(timeout=WAIT_MS)
        assert desk.locator("#transcript .msg.cardholder .bubble b").count() == 0
        assert holder.locator(".row.bot .bubble").last.inner_text() != typed  # the bot stayed quiet
        assert desk.locator("#account-facts").inner_text().count("5,000.00元") == 1

        # --- the agent replies; the cardholder sees it
        desk.locator("#phrases button", has_text="您好，我是人工专员").click()
        desk.click("#reply-send")
        bot_said(holder, "您好，我是人工专员，现在由我为您服务。")
        desk.locator("#transcript .msg.agent .bubble", has_text="现在由我为您服务").wait_for(timeout=WAIT_MS)

        # --- books a deferral through the policy and tells the cardholder
        desk.select_option("#book-kind", "deferral")
        desk.fill("#book-days", "14")
        desk.click("#book-submit")
        desk.locator("#book-result", has_text="已办理成功").wait_for(timeout=WAIT_MS)
        desk.locator("#arrangements tr", has_text="新还款日 2026-12-09").wait_for(timeout=WAIT_MS)
        assert "2026年12月9日" in desk.input_value("#reply-text")
        desk.click("#reply-send")
        bot_said(holder, "新的还款日为2026年12月9日")
        shot(desk, "handoff-3-agent-conversation.png")

        # --- hands back; the bot answers the next message itself
        desk.click("#hand-back-btn")
        bot_said(holder, "已为您恢复智能服务")
        desk.locator("#paused-badge", has_text="智能助手服务中").wait_for(timeout=WAIT_MS)
        say(holder, "能不能再宽限两周")
        bot_said(holder, "已办理过延期")
        shot(holder, "handoff-4-cardholder-bot-again.png")
        desk.locator("#transcript .msg.bot .bubble", has_text="已办理过延期").wait_for(timeout=WAIT_MS)

        # --- and closes the case
        desk.select_option("#resolve-outcome", "arranged")
        desk.click("#resolve-submit")
        desk.locator("#finish-result", has_text="已结案").wait_for(timeout=WAIT_MS)
        desk.locator("#resolutions li", has_text="已达成还款安排").wait_for(timeout=WAIT_MS)
        shot(desk, "handoff-5-agent-resolved.png")
        assert errors == []
        account = stack.show_account("E2E-4")
        assert [(e["reason"], e["status"]) for e in account["escalations"]] == [("customer_request", "resolved")]
        assert [a["new_due_date"] for a in account["arrangements"] if a["kind"] == "deferral"] == ["2026-12-09"]
        assert replies.HANDED_BACK in [m["text"] for m in account["contact_log"] if m["direction"] == "out"]
    except Exception:
        shot(holder, "handoff-failed-cardholder.png")
        shot(desk, "handoff-failed-agent.png")
        raise
    finally:
        holder_ctx.close()
        agent_ctx.close()
