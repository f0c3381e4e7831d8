"""Hardship approvals in real browser pages (issue 12): two cardholders in
the web chat widget submit personalised plans within their budgets; a
supervisor approves one and rejects the other (with a reason) on the
console's approvals page, confirming each; each cardholder's widget
receives the outcome and the assistant is back. Headless Chromium against
the real Rasa server, action server and console. Screenshots go to
test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import pytest

from bot.core import replies
from tests.browser.pages import DESK, PHONE, WAIT_MS, bot_said, open_chat, say, shot, sign_in, webchat_console

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "browser-approvals-rasa-token-0123456789"
WEBCHAT_SECRET = "browser-approvals-webchat-secret-0123"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with webchat_console(tmp_path_factory.mktemp("browser-approvals"), NOW, RASA_TOKEN, WEBCHAT_SECRET,
                         agents=(("zhao", "supervisor", "赵主管"),)) as world:
        yield world


def submit_plan(holder, stack, account_id: str, balance: str, budget: str) -> None:
    """A cardholder in hardship submits the plan within their budget."""
    open_chat(holder, stack.rasa_url, account_id, WEBCHAT_SECRET)
    say(holder, "你好")
    bot_said(holder, balance)
    holder.locator(".quick-reply", has_text="我有困难").last.click()
    bot_said(holder, "每月最多能还多少")
    say(holder, f"每个月最多还{budget}")
    # The personalised plan is a card; its tap opens the confirmation step.
    holder.locator(".quick-reply.plan-card", has_text="个性化方案").last.click()
    bot_said(holder, "请确认您要申请的个性化还款方案")
    holder.locator(".quick-reply", has_text="是，提交申请").last.click()
    bot_said(holder, "已为您提交个性化还款方案申请")


def test_a_supervisor_approves_one_plan_and_rejects_another(chromium, world):
    stack = world["stack"]
    errors = []
    contexts = [chromium.new_context(**PHONE) for _ in range(2)]
    desk_ctx = chromium.new_context(**DESK)
    approved, rejected = contexts[0].new_page(), contexts[1].new_page()
    desk = desk_ctx.new_page()
    for page in (approved, rejected, desk):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    dialogs = []

    def confirm(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    desk.on("dialog", confirm)
    try:
        submit_plan(approved, stack, "E2E-1", "12,000.00元", "400")
        submit_plan(rejected, stack, "E2E-4", "5,000.00元", "200")
        shot(approved, "approvals-1-cardholder-submitted.png")

        # --- the supervisor finds both on the approvals page
        desk.goto(world["console"] + "/approvals")
        sign_in(desk, "zhao", "/approvals")
        first = desk.locator("#approvals-body tr", has_text="E2E-1")
        second = desk.locator("#approvals-body tr", has_text="E2E-4")
        first.wait_for(timeout=WAIT_MS)
        second.wait_for(timeout=WAIT_MS)
        assert "400.00元" in first.inner_text() and "每期400.00元" in first.inner_text()
        assert "200.00元" in second.inner_text()
        shot(desk, "approvals-2-pending.png")

        # --- approves the first after confirming; the cardholder is told and the bot is back
        first.locator("button.approve").click()
        desk.locator("#approvals-status", has_text="已批准").wait_for(timeout=WAIT_MS)
        assert dialogs and "确认批准" in dialogs[-1]
        bot_said(approved, "已审批通过")
        bot_said(approved, replies.HANDED_BACK[:12])
        shot(approved, "approvals-3-cardholder-approved.png")

        # --- a rejection needs a reason; the cardholder reads it
        second.locator("button.reject").click()
        desk.locator("#approvals-status", has_text="请填写原因").wait_for(timeout=WAIT_MS)
        second.locator("input.reason").fill("需补充收入证明")
        second.locator("button.reject").click()
        desk.locator("#approvals-status", has_text="已驳回").wait_for(timeout=WAIT_MS)
        assert "确认驳回" in dialogs[-1] and "需补充收入证明" in dialogs[-1]
        bot_said(rejected, "原因：需补充收入证明")
        bot_said(rejected, replies.HANDED_BACK[:12])
        shot(rejected, "approvals-4-cardholder-rejected.png")
        desk.locator("#approvals-empty").wait_for(state="visible", timeout=WAIT_MS)
        shot(desk, "approvals-5-none-pending.png")
        assert errors == []

        for account_id, status in (("E2E-1", "booked"), ("E2E-4", "cancelled")):
            account = stack.show_account(account_id)
            assert [a["status"] for a in account["arrangements"] if a["kind"] == "hardship_plan"] == [status]
            assert [(e["reason"], e["status"]) for e in account["escalations"]] == [("hardship_plan", "resolved")]
    except Exception:
        shot(approved, "approvals-failed-approved.png")
        shot(rejected, "approvals-failed-rejected.png")
        shot(desk, "approvals-failed-desk.png")
        raise
    finally:
        for ctx in (*contexts, desk_ctx):
            ctx.close()
