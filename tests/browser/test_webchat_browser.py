"""The web chat widget in a real browser: Debian's headless Chromium driven by
Playwright, against the real Rasa and action servers.

Needs `apt-get install chromium` (never `playwright install`: nothing can be
downloaded here). If Chromium cannot start, these tests fail and say why.
Screenshots go to test-artifacts/ (git-ignored).
"""
from __future__ import annotations

import json
import re
import secrets
import time
import urllib.parse
import urllib.request

import pytest

from bot.core import tokens
from tests.browser.conftest import ARTIFACTS
from tests.e2e.servers import running_stack


pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
SECRET = "browser-webchat-" + secrets.token_hex(16)
API_TOKEN = "browser-api-" + secrets.token_hex(16)
XSS = "<script>window.__pwned=1</script><b>x</b>"
WECHAT_GREEN = "rgb(149, 236, 105)"
REPLY_MS = 90_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-webchat")
    with running_stack(
        workdir, NOW,
        extra_env={"WEBCHAT_TOKEN_SECRET": SECRET, "WEBCHAT_DEMO": "1"},
        rasa_args=["--enable-api", "--auth-token", API_TOKEN],
    ) as s:
        seeded = s.collectbot("seed-demo")
        assert seeded.returncode == 0, seeded.stderr
        yield s


@pytest.fixture
def phone(chromium):
    """A 375 px wide phone screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )
    page = context.new_page()
    page.errors = []
    page.websockets = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("websocket", lambda ws: page.websockets.append(ws.url))
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def api(stack, method: str, path: str, body=None, **query):
    query["token"] = API_TOKEN
    request = urllib.request.Request(
        f"{stack.rasa_url}{path}?{urllib.parse.urlencode(query)}",
        data=json.dumps(body).encode("utf-8") if body is not None else None,
        method=method, headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        raw = r.read().decode("utf-8")
        return json.loads(raw) if raw else None


def user_texts(stack, session_id: str):
    events = api(stack, "GET", f"/conversations/{session_id}/tracker")["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def bot_bubbles(page):
    return page.locator(".row.bot:not(.typing) .bubble")


def open_widget(page, url: str) -> None:
    page.goto(url)
    page.locator("#status").filter(has_text="在线").wait_for(timeout=30_000)


def test_anonymous_visitor_on_a_phone_screen(chromium, stack, phone):
    from playwright.sync_api import expect

    page = phone
    open_widget(page, f"{stack.rasa_url}/webhooks/webchat/")
    assert page.title().endswith("在线客服")
    assert page.locator('meta[name="viewport"]').get_attribute("content").startswith("width=device-width")
    expect(page.locator("#send")).to_have_text("发送")
    shot(page, "webchat-01-open.png")
    # socket.io upgrades from long polling to a WebSocket on Rasa's Sanic.
    wait_until(lambda: _assert_equal(any("/socket.io/" in u and "transport=websocket" in u for u in page.websockets), True), 10)

    # Record that the typing indicator appears while waiting for the bot.
    page.evaluate("""() => {
        window.__typingSeen = false;
        new MutationObserver(() => {
            if (document.querySelector('.typing')) { window.__typingSeen = true; }
        }).observe(document.getElementById('messages'), {childList: true, subtree: true});
    }""")
    bots_before = bot_bubbles(page).count()
    page.fill("#input", XSS)
    page.click("#send")

    mine = page.locator(".row.user .bubble").last
    expect(mine).to_have_text(XSS)
    assert mine.locator("b, script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert mine.evaluate("e => getComputedStyle(e).backgroundColor") == WECHAT_GREEN
    # user on the right, with an avatar; input cleared
    row_box = page.locator(".row.user").last.bounding_box()
    bubble_box = mine.bounding_box()
    avatar_box = page.locator(".row.user .avatar").last.bounding_box()
    assert avatar_box["x"] > bubble_box["x"] and avatar_box["x"] + avatar_box["width"] <= row_box["x"] + row_box["width"] + 1
    expect(page.locator("#input")).to_have_value("")

    bot_bubbles(page).nth(bots_before).wait_for(timeout=REPLY_MS)
    assert page.evaluate("window.__typingSeen") is True
    reply = bot_bubbles(page).nth(bots_before)
    assert reply.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    assert reply.inner_text().strip()
    assert page.locator(".row.bot .avatar").count() >= 1
    assert page.locator(".time").count() >= 1  # a timestamp above the conversation
    assert re.fullmatch(r"(昨天 )?\d\d:\d\d|.*\d\d:\d\d", page.locator(".time").first.inner_text())
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(237, 237, 237)"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # Nothing sticks out of a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "webchat-02-message-as-text.png")

    # A message the server pushes later (an agent's reply), with quick replies.
    session_id = page.evaluate("localStorage.getItem('collectbot.webchat.session')")
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert user_texts(stack, session_id) == [XSS]
    # HTML from the bot's side is text as well.
    bot_html = '<img src="x" onerror="window.__pwned=2"><i>客服</i>'
    api(stack, "POST", f"/conversations/{session_id}/tracker/events",
        [{"event": "bot", "text": bot_html}], output_channel="latest", execute_side_effects="true")
    pushed = bot_bubbles(page).filter(has_text="onerror")
    pushed.wait_for(timeout=30_000)
    expect(pushed).to_have_text(bot_html)
    assert pushed.locator("img, i").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"

    api(stack, "POST", f"/conversations/{session_id}/tracker/events",
        [{"event": "bot", "text": "您好，请问您想办理哪项业务？",
          "data": {"buttons": [{"title": "我想分期", "payload": "/request_installment"},
                               {"title": "联系人工", "payload": "/request_human"}]}}],
        output_channel="latest", execute_side_effects="true")
    button = page.locator(".quick-reply", has_text="我想分期")
    button.wait_for(timeout=30_000)
    shot(page, "webchat-03-quick-replies.png")

    bots_before = bot_bubbles(page).count()
    button.click()
    expect(page.locator(".row.user .bubble").last).to_have_text("我想分期")  # the title is shown
    expect(button).to_be_disabled()
    wait_until(lambda: _assert_equal(user_texts(stack, session_id), [XSS, "/request_installment"]))  # the payload is sent
    bot_bubbles(page).nth(bots_before).wait_for(timeout=REPLY_MS)
    shot(page, "webchat-04-after-quick-reply.png")

    # A reload keeps the conversation (session id in localStorage).
    page.reload()
    page.locator("#status").filter(has_text="在线").wait_for(timeout=30_000)
    assert page.evaluate("localStorage.getItem('collectbot.webchat.session')") == session_id
    expect(page.locator(".row.user .bubble").first).to_have_text(XSS)
    page.fill("#input", "在吗")
    page.click("#send")
    wait_until(lambda: _assert_equal(user_texts(stack, session_id)[-1], "在吗"))
    assert page.evaluate("typeof window.__pwned") == "undefined"
    shot(page, "webchat-05-after-reload.png")
    assert page.errors == []


def _assert_equal(actual, expected):
    assert actual == expected, actual
    return actual


def test_the_demo_page_opens_an_identified_chat_and_hides_the_token(chromium, stack, phone):
    page = phone
    page.goto(f"{stack.rasa_url}/webhooks/webchat/demo")
    assert page.locator(".demo-accounts .account").count() == 6
    assert "王*明" in page.inner_text("body") and "王小明" not in page.inner_text("body")
    shot(page, "webchat-06-demo-page.png")

    page.locator(".demo-accounts .account", has_text="王*明").click()
    page.locator(".notice", has_text="已通过手机银行App确认您的身份").wait_for(timeout=30_000)
    assert "token=" not in page.url  # kept out of the address bar and its history
    session_id = page.evaluate("localStorage.getItem('collectbot.webchat.session.app')")
    assert re.fullmatch(r"[0-9a-f]{64}", session_id)
    page.fill("#input", "我欠多少钱")
    page.click("#send")
    bot_bubbles(page).first.wait_for(timeout=REPLY_MS)
    events = api(stack, "GET", f"/conversations/{session_id}/tracker")["events"]
    identities = [e["metadata"].get("collectbot_identity") for e in events if e["event"] == "user"]
    assert identities == [{"account_id": "DEMO-0001", "method": "app_token"}]
    shot(page, "webchat-07-app-identified.png")
    assert page.errors == []


def test_an_expired_link_says_so_and_the_chat_goes_on_anonymously(chromium, stack, phone):
    page = phone
    expired = tokens.issue("DEMO-0001", 15 * 60, SECRET, time.time() - 3600)
    open_widget(page, f"{stack.rasa_url}/webhooks/webchat/?token={expired}")
    page.locator(".notice", has_text="链接已过期，请在App内重新打开").wait_for(timeout=30_000)
    assert page.locator(".notice", has_text="已通过手机银行App确认您的身份").count() == 0
    assert "token=" not in page.url
    page.fill("#input", "你好")
    page.click("#send")
    bot_bubbles(page).first.wait_for(timeout=REPLY_MS)
    shot(page, "webchat-08-expired-link.png")
    # The anonymous conversation survives a reload of the (now token-less) page.
    session_id = page.evaluate("localStorage.getItem('collectbot.webchat.session')")
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    page.reload()
    page.locator("#status").filter(has_text="在线").wait_for(timeout=30_000)
    assert page.evaluate("localStorage.getItem('collectbot.webchat.session')") == session_id
    assert page.locator(".row.user .bubble", has_text="你好").count() == 1
    assert page.errors == []


def test_an_identified_cardholder_books_an_installment_plan_by_tapping(chromium, stack, phone):
    """A whole conversation in the widget, ending in a booked plan in the database."""
    page = phone
    page.goto(f"{stack.rasa_url}/webhooks/webchat/demo")
    page.locator(".demo-accounts .account", has_text="李*").first.click()
    page.locator(".notice", has_text="已通过手机银行App确认您的身份").wait_for(timeout=30_000)

    page.fill("#input", "我想分期还款")
    page.click("#send")
    # Verified by the app: the facts come first, then the request goes on.
    facts = bot_bubbles(page).filter(has_text="最低还款额2,350.05元")
    facts.wait_for(timeout=REPLY_MS)
    assert "应还总额23,500.50元" in facts.inner_text()
    # The plans are cards, one per plan, each with its figures (issue 14).
    twelve = page.locator(".plan-card", has_text="分12期")
    twelve.wait_for(timeout=REPLY_MS)
    cards = page.locator(".plan-card")
    assert cards.count() == 4
    for heading in ("分3期", "分6期", "分12期", "分24期"):
        assert page.locator(".plan-card", has_text=heading).count() == 1
    assert "2,099.38元" in twelve.inner_text() and "合计还款" in twelve.inner_text()
    shot(page, "webchat-08-installment-options.png")

    twelve.click()
    # The tap reads as the plan it chose, never as a payload.
    tapped = page.locator(".row.user .bubble").last.inner_text()
    assert tapped.startswith("12期：每期2,099.38元") and "/" not in tapped, tapped
    confirm = page.locator(".quick-reply", has_text="是，确认办理")
    confirm.wait_for(timeout=REPLY_MS)
    assert "1,692.00元" in bot_bubbles(page).last.inner_text()  # the total fee, before saying yes
    confirm.click()
    booked = bot_bubbles(page).filter(has_text="分期已办理成功")
    booked.wait_for(timeout=REPLY_MS)
    assert "业务编号：HK-" in booked.inner_text() and "还款方式：" in booked.inner_text()
    # Dates, amounts and the reference number each stay on one line on a phone screen.
    kept = booked.locator(".nowrap")
    assert kept.count() >= 3
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('.bubble .nowrap, .plan-card .nowrap'))"
        ".every(function (n) { return n.getClientRects().length === 1; })"
    )
    shot(page, "webchat-09-installment-booked.png")

    account = stack.show_account("DEMO-0002")
    plans = [a for a in account["arrangements"] if a["kind"] == "installment"]
    assert [(a["months"], a["monthly_payment"], a["total_fee"], a["status"]) for a in plans] == [
        (12, "2099.38", "1692.00", "booked")
    ]
    assert page.errors == []
