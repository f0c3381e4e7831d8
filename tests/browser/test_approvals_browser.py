"""Hardship approvals in real browser pages (issue 12): two cardholders in
the web chat widget submit personalised plans within their budgets; a
supervisor approves one and rejects the other (with a reason) on the
console's approvals page, confirming each; each cardholder's widget
receives the outcome and the assistant is back. Headless Chromium against
the real Rasa server, action server and console. Screenshots go to
test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import re
import subprocess
import time

import pytest

from bot.core import replies, tokens
from tests.browser.test_handoff_browser import (  # the same stack as the hand-over test
    CREDENTIALS, MODEL, NOW, RASA_TOKEN, WAIT_MS, WEBCHAT_SECRET, bot_said, say, shot,
)
from tests.console.support import PASSWORD, running_console
from tests.e2e import servers
from tests.e2e.servers import REPO, VENV_BIN, running_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-approvals")
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")
    rasa_port, actions_port = servers.free_port(), servers.free_port()
    env = {"WEBCHAT_TOKEN_SECRET": WEBCHAT_SECRET, "RASA_URL": f"http://127.0.0.1:{rasa_port}",
           "RASA_API_TOKEN": RASA_TOKEN}
    ports = iter([rasa_port, actions_port])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(servers, "free_port", lambda: next(ports))
        stack_cm = running_stack(workdir, NOW, extra_env=env, credentials=credentials,
                                 rasa_args=("--enable-api", "--auth-token", RASA_TOKEN, "--model", MODEL))
        stack = stack_cm.__enter__()
    try:
        imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        created = subprocess.run(
            [str(VENV_BIN / "collectbot"), "create-user", "zhao", "--role", "supervisor", "--display-name",
             "赵主管", "--password-stdin"],
            input=PASSWORD + "\n", env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60,
        )
        assert created.returncode == 0, created.stderr
        console_env = {"DATABASE_URL": stack.env["DATABASE_URL"], "COLLECTBOT_NOW": NOW,
                       "RASA_URL": stack.rasa_url, "RASA_API_TOKEN": RASA_TOKEN}
        with running_console(workdir, console_env) as console_url:
            yield {"stack": stack, "console": console_url}
    finally:
        stack_cm.__exit__(None, None, None)


def submit_plan(holder, stack, account_id: str, balance: str, budget: str) -> None:
    """A cardholder in hardship submits the plan within their budget."""
    token = tokens.issue(account_id, 900, WEBCHAT_SECRET, time.time())
    holder.goto(f"{stack.rasa_url}/webhooks/webchat/?token={token}")
    holder.locator("#status", has_text="在线").wait_for(timeout=WAIT_MS)
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
    contexts = [chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                     locale="zh-CN") for _ in range(2)]
    desk_ctx = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
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
        desk.fill("#username", "zhao")
        desk.fill("#password", PASSWORD)
        desk.click("#login-submit")
        desk.wait_for_url(re.compile(r".*/approvals$"))
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
