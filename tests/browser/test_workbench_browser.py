"""The trainer workbench in headless Chromium (Playwright): a trainer opens
the inbox of least confident messages, ignores noise with the keyboard,
fixes the intent of a misread message by its number, marks an amount by
selecting text, and exports the annotations to the training data.

The console runs as a real process on a tracker store written by Rasa's
SQLTrackerStore (no Rasa server is needed to review). Screenshots go to
test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import re

import pytest
import yaml

from tests.browser.pages import select_text, shot, sign_in
from tests.console.workbench_support import action, running_workbench, slot, ts, user

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
MISREAD = "我想分期慢慢还"
PROMISE = "李明华下周五还三千"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-workbench")
    day = "2026-11-24"
    conversations = {
        "+8613700000001": [
            user("你好", "greet", 0.93, ts(day, "10:00", 0)),
            action("verify_form", ts(day, "10:00", 1)),
            slot("account_id", "C-1", ts(day, "10:00", 1)),
            action("action_listen", ts(day, "10:00", 2)),
            user("嗯嗯嗯。。。", "nlu_fallback", 0.12, ts(day, "10:01", 0)),
            action("action_default_fallback", ts(day, "10:01", 1)),
            action("action_listen", ts(day, "10:01", 2)),
            user(MISREAD, "ask_balance", 0.31, ts(day, "10:02", 0),
                 ranking=[("ask_balance", 0.31), ("request_installment", 0.29), ("promise_to_pay", 0.12)]),
            action("action_state_balance", ts(day, "10:02", 1), policy="MemoizationPolicy", confidence=0.9),
            action("action_listen", ts(day, "10:02", 2)),
            user(PROMISE, "promise_to_pay", 0.45, ts(day, "10:03", 0),
                 ranking=[("promise_to_pay", 0.45), ("request_deferral", 0.3)]),
            action("action_listen", ts(day, "10:03", 1)),
        ],
    }
    with running_workbench(workdir, conversations) as world:
        yield world


def test_trainer_fixes_a_misread_message_in_the_inbox_and_exports_it(chromium, world):
    errors = []
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(world["url"] + "/workbench/inbox")
        assert page.url.startswith(world["url"] + "/login")
        sign_in(page, "trainer1", "/workbench/inbox")
        items = page.locator("#inbox-list li.inbox-item")
        items.first.wait_for(timeout=WAIT_MS)
        # least confident first; personal data masked for the trainer
        texts = [t.strip() for t in page.locator("#inbox-list li .text").all_inner_texts()]
        assert texts[:3] == ["嗯嗯嗯。。。", MISREAD, "***下周五还三千"]
        assert page.locator("#masked-note").is_visible()
        assert "李明华" not in page.content()
        shot(page, "workbench-1-inbox.png", full_page=True)

        # noise: ignore it with "x"; the editor moves on to the next message
        page.locator("#editor-text", has_text="嗯嗯嗯").wait_for(timeout=WAIT_MS)
        page.keyboard.press("x")
        page.locator("#editor-text", has_text=MISREAD).wait_for(timeout=WAIT_MS)
        assert "已忽略" in items.nth(0).inner_text()

        # the misread message: predicted ask_balance; 2 is request_installment in its ranking
        editor = page.locator("#editor")
        assert "识别：ask_balance" in editor.inner_text()
        second = page.locator("ol.intent-choices button").nth(1)
        assert second.inner_text().startswith("2 · request_installment 29.0%")  # the ranking's score
        assert "分期" in second.locator(".desc").inner_text()  # and what the intent means
        shot(page, "workbench-2-misread-message.png", full_page=True)
        page.keyboard.press("2")
        page.locator("#inbox-list li.inbox-item", has_text=MISREAD).filter(
            has_text="已标注：request_installment").wait_for(timeout=WAIT_MS)

        # the promise: mark 三千 as an amount by selecting it, then accept the prediction
        page.locator("#editor-text", has_text="下周五还三千").wait_for(timeout=WAIT_MS)
        select_text(page, "三千")
        page.select_option("#entity-type", "amount")
        page.keyboard.press("e")
        page.locator("#editor .chip.entity", has_text="三千 → amount").wait_for(timeout=WAIT_MS)
        page.keyboard.press("a")
        page.locator("#inbox-list li.inbox-item", has_text="下周五还三千").filter(
            has_text="已标注：promise_to_pay").wait_for(timeout=WAIT_MS)
        shot(page, "workbench-3-labelled.png", full_page=True)

        # export to the training data
        page.click("text=导出与训练")
        page.wait_for_url(re.compile(r".*/workbench/training$"))
        page.click("#export-btn")
        page.locator("#export-report .ok", has_text="已导出").wait_for(timeout=WAIT_MS)
        report = page.locator("#export-report").inner_text()
        assert "导出 2 条" in report
        yaml_text = page.locator("#export-yaml").inner_text()
        assert "- intent: request_installment" in yaml_text and f"- {MISREAD}" in yaml_text
        shot(page, "workbench-4-exported.png", full_page=True)

        written = (world["data"] / "nlu" / "annotated.yml").read_text(encoding="utf-8")
        examples = {b["intent"]: b["examples"].splitlines() for b in yaml.safe_load(written)["nlu"]}
        assert examples["request_installment"] == [f"- {MISREAD}"]
        assert examples["promise_to_pay"] == ["- ***下周五还[三千](amount)"]
        assert "嗯嗯嗯" not in written and "李明华" not in written

        # the conversation list (filtered to low confidence) and the conversation view
        page.click("text=会话评审")
        page.wait_for_url(re.compile(r".*/workbench$"))
        page.fill("#f-max-confidence", "0.5")
        page.click("#f-apply")
        row = page.locator("#conv-body tr.item").first
        row.wait_for(timeout=WAIT_MS)
        assert "+86137****0001" in row.inner_text() and "含兜底回复" in row.inner_text()
        assert "max_confidence=0.5" in page.url
        shot(page, "workbench-5-conversations.png", full_page=True)
        row.locator("a", has_text="查看").click()
        page.wait_for_url(re.compile(r".*/workbench/conversations/\d+$"))
        page.locator(".wb-action", has_text="action_state_balance").wait_for(timeout=WAIT_MS)
        assert "MemoizationPolicy" in page.locator(".wb-action", has_text="action_state_balance").inner_text()
        corrected = page.locator(".wb-user", has_text=MISREAD)
        assert "已标注：request_installment" in corrected.inner_text()
        page.fill("#tag-input", "意图识别错误")
        page.click("#tag-add")
        page.locator("#tags .chip", has_text="意图识别错误").wait_for(timeout=WAIT_MS)
        page.check("#reviewed")
        page.locator("#review-status", has_text="已标记为已评审").wait_for(timeout=WAIT_MS)
        shot(page, "workbench-6-conversation.png", full_page=True)
        assert errors == []
    finally:
        context.close()
