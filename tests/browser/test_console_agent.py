"""The agent's conversation page in headless Chromium (issue 14): an open
crisis is a banner at the top, a compliance refusal goes away as soon as
the agent edits the text, Enter sends and Shift+Enter starts a new line, a
button click reads as the button's title, and the tab's title names the
cardholder (masked) and the channel instead of a session id.

The console runs as a real process on a real SQLite database with the fake
Rasa HTTP API (no model needed). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.console.support import PASSWORD
from tests.console.test_console_api import NOW, console_fixtures, audit_actions, hand_over

pytestmark = pytest.mark.e2e

WAIT_MS = 20_000
CID = "web-crisis-1"


env, _database = console_fixtures("browser-console-agent")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_crisis_banner_enter_to_send_and_the_compliance_error_clearing(env, chromium):
    hand_over(env, CID, "C-4", reason="crisis", priority=0, summary="危机（自伤风险）：活着没意思")
    fake = env["fake"]
    with fake._lock:
        fake.trackers[CID]["events"].append({
            "event": "bot", "text": "需要为您转接人工吗？", "timestamp": time.time(),
            "data": {"buttons": [{"title": "是，请帮我转人工", "payload": "/affirm"}, {"title": "不用", "payload": "/deny"}]},
        })
    fake.user_says(CID, "/affirm", intent="affirm")

    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(env["url"] + "/conversations/" + CID)
        page.fill("#username", "agent1")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/conversations/" + CID, timeout=WAIT_MS)

        assert page.title().startswith("会话 · 陈* · 在线聊天")
        banner = page.locator("#crisis-banner")
        banner.wait_for(state="visible", timeout=WAIT_MS)
        assert "危机" in banner.inner_text() and "活着没意思" in banner.inner_text()
        assert banner.bounding_box()["y"] < page.locator("#transcript").bounding_box()["y"]  # at the top
        clicked = page.locator("#transcript .msg.cardholder .bubble").last
        clicked.wait_for(timeout=WAIT_MS)
        assert "是，请帮我转人工" in clicked.inner_text() and "/affirm" not in page.locator("#transcript").inner_text()
        shot(page, "console-agent-crisis-banner.png")

        page.click("#claim-btn")
        box = page.locator("#reply-text")
        expect(box).to_be_enabled(timeout=WAIT_MS)

        # Enter sends: a forbidden wording comes back refused, with the reason.
        box.fill("再不还钱就让你坐牢")
        box.press("Enter")
        error = page.locator("#reply-error")
        expect(error).to_contain_text("坐牢", timeout=WAIT_MS)  # (page scripts only: the CSP forbids eval)
        shot(page, "console-agent-compliance-error.png")
        # Editing the text clears the refusal at once.
        box.press("End")
        box.press("Backspace")
        assert error.inner_text() == ""

        # Shift+Enter is a new line, nothing is sent.
        sent_before = len(fake.sent)
        box.fill("您好，我是人工专员张专员。")
        box.press("Shift+Enter")
        box.type("请问您现在安全吗？")
        assert box.input_value() == "您好，我是人工专员张专员。\n请问您现在安全吗？"
        assert len(fake.sent) == sent_before
        # Enter sends it.
        box.press("Enter")
        page.locator("#transcript .msg.agent .bubble", has_text="请问您现在安全吗？").wait_for(timeout=WAIT_MS)
        # The live transcript can show the reply before the page has handled
        # the send's own answer, which is what empties the box: wait for it.
        expect(box).to_have_value("", timeout=WAIT_MS)
        shot(page, "console-agent-enter-sent.png")
    finally:
        context.close()

    actions = [a for _, a, _ in audit_actions(env, CID)]
    assert "reply_blocked" in actions and "reply" in actions and "claim" in actions


def test_the_queue_puts_a_crisis_first_and_drops_a_handed_back_chat_live(env, chromium):
    from tests.console.test_console_api import browser

    hand_over(env, "web-queue-ordinary", "C-5", summary="客户要求人工：/request_installment / 转人工")
    hand_over(env, "web-queue-crisis", "C-6", reason="crisis", priority=0, summary="危机（自伤风险）：不想活了")
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(env["url"] + "/queue")
        page.fill("#username", "agent2")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/queue", timeout=WAIT_MS)
        rows = page.locator("#queue-body tr.item")
        expect(rows.first).to_have_class("item crisis", timeout=WAIT_MS)
        assert "自消息起" in rows.first.locator("td.timer").inner_text()
        ordinary = page.locator("#queue-body tr.item", has_text="申请分期")
        expect(ordinary).to_have_count(1, timeout=WAIT_MS)
        assert "/request_installment" not in page.locator("#queue-body").inner_text()
        shot(page, "console-agent-queue.png")

        # Another agent takes the ordinary chat and hands it back to the bot:
        # it leaves this agent's queue without a reload.
        other = browser(env, "agent1")
        assert other.claim("web-queue-ordinary").status == 200
        assert other.hand_back("web-queue-ordinary").status == 200
        expect(ordinary).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator("#handed-back-body tr", has_text="申请分期")).to_have_count(1, timeout=WAIT_MS)
        shot(page, "console-agent-queue-handed-back.png")
    finally:
        context.close()
