"""The supervisors' pages in headless Chromium (issue 12): /reports draws
the trend lines, the funnel, the stage x outcome heat map and the
first-reply distribution from the hand-counted fixture
(tests/console/report_charts_support.py), with nothing from outside and no
script error; the approvals page lists a held final notice, and the
supervisor approves one and rejects another with a reason, confirming each.
Screenshots of the page and of each chart go to test-artifacts/.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.console import report_charts_support as fx
from tests.console.support import PASSWORD, environ, make_users, running_console

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
F9_DUE = date(2026, 8, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-report-charts")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=fx.NOW):
        from decimal import Decimal

        from bot.campaign.runner import cycle_of
        from bot.db.models import Account, CampaignSend, Cardholder
        from bot.db.session import session_scope

        fx.seed(db_url)
        make_users(db_url)
        with session_scope(db_url) as s:
            # F-9 is 117 days past due (final-notice stage); K-2's notice is held too.
            holder = Cardholder(name="孙丽", phone="+8613700000199", id_last4="1234")
            s.add(holder)
            s.flush()
            s.add(Account(account_id="F-9", cardholder_id=holder.id, card_last4="0000", balance=Decimal("9000.00"),
                          minimum_due=Decimal("900.00"), due_date=F9_DUE, follow_up=False))
            s.flush()
            for account_id, due, phone in (("F-9", F9_DUE, "+8613700000199"), ("K-2", fx.DUE["K-2"], fx.PHONE["K-2"])):
                s.add(CampaignSend(account_id=account_id, stage="final_notice", cycle=cycle_of(due),
                                   status="awaiting_approval", channel="twilio_sms", to_number=phone))
        with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": fx.NOW,
                                       "RASA_URL": "http://127.0.0.1:9", "RASA_API_TOKEN": "x"}) as url:
            yield {"url": url, "db": db_url}


def sign_in(page, url: str, path: str) -> None:
    page.goto(url + path)
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(".*" + re.escape(path.split("?")[0]) + r"(\?.*)?$"))


def test_supervisor_sees_the_charts(chromium, world):
    errors, outside = [], []
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(world["url"]) else None)
    try:
        sign_in(page, world["url"], f"/reports?from={fx.START}&to={fx.END}")
        for cls in ("contacts", "rates", "funnel", "heatmap", "replies"):
            page.locator(f"svg.chart.{cls}").wait_for(timeout=WAIT_MS)
            assert page.locator(f"svg.chart.{cls}").is_visible()
        assert page.locator("svg.rates polyline.line").count() == 3
        assert [int(page.locator("svg.funnel rect.step").nth(i).get_attribute("data-count")) for i in range(4)] == \
            fx.EXPECTED_FUNNEL
        assert page.locator("svg.heatmap rect.cell").count() >= 9
        box = page.locator("svg.funnel").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100  # drawn, not collapsed
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "reports-charts-page.png"), full_page=True)
        for cls in ("contacts", "rates", "funnel", "heatmap", "replies"):
            page.locator(f"svg.chart.{cls}").screenshot(path=str(ARTIFACTS / f"reports-chart-{cls}.png"))
        assert errors == [] and outside == []
    finally:
        context.close()


def test_supervisor_approves_and_rejects_final_notices(chromium, world):
    from bot.db.models import CampaignSend
    from bot.db.session import session_scope
    from sqlalchemy import select

    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    try:
        sign_in(page, world["url"], "/approvals")
        rows = page.locator("#notices-body tr")
        rows.first.wait_for(timeout=WAIT_MS)
        assert rows.count() == 2
        f9 = page.locator('#notices-body tr[data-account-id="F-9"]')
        assert f"{(date(2026, 11, 26) - F9_DUE).days}天" in f9.inner_text() and "孙*" in f9.inner_text()
        page.screenshot(path=str(ARTIFACTS / "approvals-final-notices.png"), full_page=True)
        # Reject without a reason: asked for one, nothing sent to the server.
        k2 = page.locator('#notices-body tr[data-account-id="K-2"]')
        k2.locator("button.reject").click()
        page.locator("#notices-status", has_text="请填写原因").wait_for(timeout=WAIT_MS)
        k2.locator("input.reason").fill("客户已提交困难方案，暂缓")
        k2.locator("button.reject").click()
        page.locator("#notices-status", has_text="已驳回账户 K-2").wait_for(timeout=WAIT_MS)
        f9.locator("button.approve").click()
        page.locator("#notices-status", has_text="已批准账户 F-9").wait_for(timeout=WAIT_MS)
        page.locator("#notices-empty").wait_for(state="visible", timeout=WAIT_MS)
        assert len(dialogs) == 2 and "驳回" in dialogs[0] and "批准" in dialogs[1]
        page.screenshot(path=str(ARTIFACTS / "approvals-final-notices-decided.png"), full_page=True)
    finally:
        context.close()
    with session_scope(world["db"]) as s:
        status = {r.account_id: r.status for r in s.execute(select(CampaignSend)).scalars()}
    assert status == {"K-2": "dropped", "F-9": "awaiting_approval"}  # F-9 approved: the next run sends it
    with session_scope(world["db"]) as s:
        from bot.db import campaign as campaign_db

        assert {a for a, _ in campaign_db.final_notice_approvals(s)} == {"F-9"}
