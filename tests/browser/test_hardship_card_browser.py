"""The hardship budget conversation in the web chat widget on a phone screen
(issue 14): the personalised plan for a specialist to approve is a tappable
card like the standard plans, its tap opens a confirmation step with every
figure, and nothing is submitted before the yes to that. Real Rasa and
action servers, headless Chromium; screenshots in test-artifacts/.
"""
from __future__ import annotations

import time

import pytest

from bot.core import tokens
from tests.browser.console_stack import console_stack
from tests.browser.pages import WAIT_MS, WEBCHAT_CREDENTIALS, bot_said, say, shot

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "browser-hardship-card-rasa-token-0123"
WEBCHAT_SECRET = "browser-hardship-card-webchat-secret"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-hardship-card")
    with console_stack(workdir, NOW, WEBCHAT_CREDENTIALS, RASA_TOKEN,
                       extra_env={"WEBCHAT_TOKEN_SECRET": WEBCHAT_SECRET}) as (stack, _console):
        yield stack


def hardship_plans(stack, account_id: str):
    return [a for a in stack.show_account(account_id)["arrangements"] if a["kind"] == "hardship_plan"]


def test_the_personalised_plan_is_a_card_with_its_own_confirmation(chromium, stack):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        token = tokens.issue("E2E-1", 900, WEBCHAT_SECRET, time.time())  # 12,000.00 owed
        page.goto(f"{stack.rasa_url}/webhooks/webchat/?token={token}")
        page.locator("#status", has_text="在线").wait_for(timeout=WAIT_MS)
        say(page, "你好")
        bot_said(page, "12,000.00元")
        say(page, "我失业了")
        bot_said(page, "每月最多能还多少")
        say(page, "每个月最多还400")

        # No standard plan fits 400.00 a month: the personalised one, as a card with its figures.
        card = page.locator(".quick-reply.plan-card", has_text="个性化方案 · 分30期").last
        card.wait_for(timeout=WAIT_MS)
        for figure in ("400.00元", "免手续费", "12,000.00元", "需专员审批"):
            assert figure in card.inner_text(), card.inner_text()
        assert page.locator(".quick-reply", has_text="不用了").count() >= 1
        shot(page, "hardship-card-1-offered.png")
        assert hardship_plans(stack, "E2E-1") == []

        card.click()
        bot_said(page, "请确认您要申请的个性化还款方案")
        bot_said(page, "将12,000.00元分30期，每期400.00元")
        assert card.is_disabled()  # a card is tapped once
        shot(page, "hardship-card-2-confirmation.png")
        assert hardship_plans(stack, "E2E-1") == []  # a tap is not the confirmation

        page.locator(".quick-reply", has_text="是，提交申请").last.click()
        bot_said(page, "已为您提交个性化还款方案申请：分30期，每期400.00元")
        shot(page, "hardship-card-3-submitted.png")
        (plan,) = hardship_plans(stack, "E2E-1")
        assert (plan["status"], plan["months"], plan["monthly_payment"]) == ("pending_approval", 30, "400.00")
        assert errors == []
    except Exception:
        shot(page, "hardship-card-failed.png")
        raise
    finally:
        context.close()
