"""The agent inbox in headless Chromium (issue 14): "/" in the reply box
opens the canned replies, the arrow keys and Enter pick one, Enter sends it
and the cardholder receives exactly that text; a new cardholder message in
the agent's own conversation shows in the tab title and on the page; the
agent transfers the chat to a colleague, whose "我的" view then holds it.

The console runs as a real process on a real SQLite database with the fake
Rasa HTTP API (no model needed). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import time
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.console.support import PASSWORD
from tests.console.test_console_api import NOW, console_fixtures, audit_actions, hand_over

pytestmark = pytest.mark.e2e

WAIT_MS = 20_000
CID = "web-inbox-1"


env, _database = console_fixtures("browser-console-inbox")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def sign_in(chromium, env, username, path):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(env["url"] + path)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**" + path, timeout=WAIT_MS)
    return context, page


def wait_until(condition, message: str, seconds: float = WAIT_MS / 1000) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


def cardholder_writes(env, cid, account_id, text):
    """What the Rasa server leaves behind for a cardholder message: the
    tracker event and the contact-log row."""
    from bot import clock
    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    env["fake"].user_says(cid, text, intent="inform")
    with session_scope(env["db"]) as s:
        s.add(ContactLog(conversation_id=cid, account_id=account_id, channel="webchat", direction="in", text=text,
                         created_at=datetime(2026, 11, 25, 10, 2, tzinfo=clock.SHANGHAI)))


def test_canned_reply_new_message_cue_and_transfer(env, chromium):
    from console import canned

    hand_over(env, CID, "C-7", summary="客户要求人工：转人工")
    replies = canned.replies()
    fake = env["fake"]
    context, page = sign_in(chromium, env, "agent1", "/conversations/" + CID)
    try:
        page.click("#claim-btn")
        box = page.locator("#reply-text")
        expect(page.locator("#claim-status")).to_contain_text("您正在处理此会话", timeout=WAIT_MS)
        expect(box).to_be_enabled(timeout=WAIT_MS)
        # The claim tells the web chat cardholder who joined; wait for that
        # notice so it is not counted as a send below (CI once saw it land
        # between the count and the pick).
        wait_until(lambda: any("已接入" in m["text"] for m in fake.sent), "the joined notice was not sent")

        # "/" opens the list; ArrowDown moves to the second reply, Enter picks it.
        box.type("/")
        menu = page.locator("#canned-menu")
        expect(menu).to_be_visible(timeout=WAIT_MS)
        expect(menu.locator("li.canned")).to_have_count(len(replies))
        box.press("ArrowDown")
        expect(menu.locator("li.selected")).to_contain_text(replies[1]["title"])
        shot(page, "console-inbox-canned-menu.png")
        sent_before = len(fake.sent)
        # A live update (the pause arriving after the claim) never locks the
        # claimant's box: the focus and the list stay put.
        expect(box).to_be_focused(timeout=WAIT_MS)
        expect(menu.locator("li.selected")).to_contain_text(replies[1]["title"])
        box.press("Enter")
        expect(menu).to_be_hidden()
        assert box.input_value() == replies[1]["text"]
        assert len(fake.sent) == sent_before  # picking is not sending

        # Typing after "/" filters the list.
        box.fill("")
        box.type("/结束")
        expect(menu.locator("li.canned")).to_have_count(1)
        box.press("Escape")
        expect(menu).to_be_hidden()
        box.fill("")
        box.type("/")
        expect(menu).to_be_visible()
        box.press("ArrowDown")
        expect(menu.locator("li.selected")).to_contain_text(replies[1]["title"])
        box.press("Enter")
        expect(box).to_have_value(replies[1]["text"])
        # Enter again sends it: the cardholder receives exactly the reply.
        box.press("Enter")
        try:
            page.locator("#transcript .msg.agent .bubble", has_text=replies[1]["text"]).wait_for(timeout=WAIT_MS)
        except Exception:
            raise AssertionError(f"not sent; the page says: {page.locator('#reply-error').inner_text()!r}, "
                                 f"box {box.input_value()!r}, sent {fake.sent[-2:]}")
        expect(box).to_have_value("", timeout=WAIT_MS)
        assert fake.sent[-1] == {"conversation_id": CID, "channel": "webchat", "text": replies[1]["text"]}
        shot(page, "console-inbox-canned-sent.png")

        # A new cardholder message in this (claimed) chat: the tab title and the page say so.
        base_title = page.title()
        cardholder_writes(env, CID, "C-7", "好的，那我下周五先还一部分可以吗？")
        expect(page.locator("#new-message")).to_be_visible(timeout=WAIT_MS)
        assert page.title() == "(1) " + base_title
        shot(page, "console-inbox-new-message.png")
        box.focus()
        box.type("好")
        expect(page.locator("#new-message")).to_be_hidden()
        assert page.title() == base_title
        box.fill("")

        # Transfer to a colleague.
        page.select_option("#transfer-to", "agent2")
        page.click("#transfer-btn")
        expect(page.locator("#claim-status")).to_contain_text("李专员", timeout=WAIT_MS)
        expect(box).to_be_disabled(timeout=WAIT_MS)
        shot(page, "console-inbox-transferred.png")
    finally:
        context.close()

    actions = [a for _, a, _ in audit_actions(env, CID)]
    assert actions.count("reply") == 1 and "transfer" in actions

    # The colleague's "我的" view holds it; "未分配" does not.
    context, page = sign_in(chromium, env, "agent2", "/queue")
    try:
        page.click("#view-mine")
        mine = page.locator("#queue-body tr.item.mine")
        expect(mine).to_have_count(1, timeout=WAIT_MS)
        expect(mine).to_contain_text("处理中：李专员")
        expect(page.locator("#count-mine")).to_have_text("（1）")
        shot(page, "console-inbox-queue-mine.png")
        page.click("#view-unassigned")
        expect(page.locator("#queue-body tr.item.mine")).to_have_count(0, timeout=WAIT_MS)

        # A cardholder message in agent2's chat while the queue is open: a badge and the title.
        page.click("#view-mine")
        expect(mine).to_have_count(1, timeout=WAIT_MS)
        cardholder_writes(env, CID, "C-7", "请问转给谁了？")
        expect(mine.locator(".badge.new")).to_have_text("新消息", timeout=WAIT_MS)
        assert page.title().startswith("(1) ")
        shot(page, "console-inbox-queue-new-message.png")
    finally:
        context.close()
