"""The willing-and-able account panel in a real browser page (issue 13): an
agent signs in and opens an account whose number verified before and then
said "wrong person", after two broken promises; the panel shows both
scores with their bands, the reasons, and the evasion signals with their
dates and reasons, marked as not a decision. A supervisor's overview draws
the segment mix. Headless Chromium against the console as a real process
(tests/console/test_assessment_view.py starts it). Screenshots go to
test-artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.console.support import PASSWORD
from tests.console.test_assessment_view import env  # noqa: F401  (the running console)

pytestmark = pytest.mark.e2e
WAIT_MS = 20_000


def sign_in(page, url, user):
    page.goto(url + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/queue", timeout=WAIT_MS)


def test_agent_reads_scores_reasons_and_an_evasion_signal(chromium, env):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, env["url"], "agent1")
    page.goto(env["url"] + "/assessment/account/C-1")
    panel = page.locator("#assessment-panel")
    panel.wait_for(state="visible", timeout=WAIT_MS)
    assert page.locator("#score-willingness .band").inner_text() == "低"
    assert page.locator("#score-ability .band").inner_text() == "未知"
    assert "承诺未履约 2 次" in page.locator("#assessment-reasons").inner_text()
    signal = page.locator("#assessment-signals li[data-code=wrong_person_after_verified]")
    assert signal.locator(".date").inner_text() == "2026-11-20"
    assert signal.locator(".label").inner_text() == "已核实号码声称非本人"
    assert "曾于 2026-10-01 通过本账户身份核实" in signal.locator(".reason").inner_text()
    assert "不得向客户提及" in page.locator("#assessment-notice").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assessment_panel.png"), full_page=True)
    assert errors == []
    context.close()


def test_supervisor_sees_the_segment_mix_chart(chromium, env):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, env["url"], "boss")
    page.goto(env["url"] + "/assessment")
    page.locator("#overview-chart svg rect").first.wait_for(timeout=WAIT_MS)
    assert "情况不明" in page.locator("#overview-legend").inner_text()
    assert "已核实号码声称非本人" in page.locator("#overview-signals").inner_text()
    page.screenshot(path=str(ARTIFACTS / "assessment_overview.png"), full_page=True)
    context.close()
