"""A phone call followed live in the agent console, then transferred to the
agent (issue 17): the real Rasa server with the voice channel and the action
server, the call played by the call simulator (bot/voice/sim.py: signed
webhooks, TwiML followed), the console in headless Chromium.

The agent opens the conversation while the call is on and sees what the
caller said (recognised speech), keyed (keypad, never spoken back) and what
the assistant said, live; the caller asks for a person and is put through to
the agent line (``<Dial>``) in staffed hours; in the console the conversation
is a call: no text box (a typed reply could not reach the caller; the API
refuses one), but booking, notes and resolving work as on any channel.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from bot.voice.sim import CallSim
from tests.browser.conftest import ARTIFACTS
from tests.browser.console_stack import console_stack
from tests.console.support import PASSWORD, Browser

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"  # staffed hours (09:00-21:00)
RASA_TOKEN = "browser-voice-rasa-token-0123456789"
AUTH_TOKEN = "browser-voice-twilio-token-0123456789"
PUBLIC = "https://voice.example.test"
AGENT = "+8610000000200"
ONCALL = "+8610000000110"
CREDENTIALS = "rest:\nchannels.voice.VoiceInput:\n"
WAIT_MS = 60_000
CALLER = "+8613900000001"  # E2E-1, 李明华, ID tail 3521, 12,000.00元


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    env = {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_PUBLIC_URL": PUBLIC, "VOICE_AGENT_NUMBER": AGENT,
           "COLLECTBOT_ONCALL_PHONE": ONCALL, "VOICE_TURN_SECONDS": "12"}
    with console_stack(tmp_path_factory.mktemp("browser-voice"), NOW, CREDENTIALS, RASA_TOKEN, env) as (stack, url):
        yield {"stack": stack, "console": url}


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def cardholder_turn(page, text: str):
    bubble = page.locator("#transcript .msg.cardholder .bubble", has_text=text).last
    bubble.wait_for(timeout=WAIT_MS)
    return bubble


def test_an_agent_follows_a_call_live_and_picks_up_the_transfer_with_context(chromium, world):
    stack, console = world["stack"], world["console"]
    errors = []
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    desk = ctx.new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # --- the cardholder calls in, confirms who they are, keys the ID digits
        sim = CallSim(stack.rasa_url, CALLER, auth_token=AUTH_TOKEN, public_url=PUBLIC, timeout=60).start()
        assert "本人" in sim.last_said()
        sim.say("是的")
        sim.press("3521")
        assert "一万两千元" in sim.last_said()

        # --- a colleague signs in and opens the conversation while the call is on
        desk.goto(console + "/queue")
        desk.fill("#username", "zhang")
        desk.fill("#password", PASSWORD)
        desk.click("#login-submit")
        desk.wait_for_url(re.compile(r".*/queue$"))
        desk.goto(console + "/conversations/" + quote(CALLER, safe=""))
        desk.locator("#transcript .msg.system .bubble", has_text="电话接通").wait_for(timeout=WAIT_MS)
        said = cardholder_turn(desk, "是的")
        assert "语音识别" in said.inner_text()
        keyed = cardholder_turn(desk, "3521")
        assert "按键" in keyed.inner_text()
        desk.locator("#transcript .msg.bot .bubble", has_text="12,000.00元").first.wait_for(timeout=WAIT_MS)
        assert desk.locator("#channel-badge").inner_text() == "渠道：电话"
        assert desk.locator("#call-notice").is_visible() and not desk.locator("#reply-form").is_visible()

        # --- live: the caller asks for a person; the page shows it without a reload
        sim.say("转人工")
        assert sim.transfers() == [AGENT]  # staffed hours: put through to the agent line
        assert "语音识别" in cardholder_turn(desk, "转人工").inner_text()
        desk.locator("#paused-badge", has_text="人工处理中").wait_for(timeout=WAIT_MS)
        desk.locator("#reasons li", has_text="客户要求人工").wait_for(timeout=WAIT_MS)
        shot(desk, "voice-1-console-follows-the-call.png")

        # --- the queue has it as a call; the agent claims it, with the call's context
        desk.goto(console + "/queue")
        row = desk.locator("#queue-body tr.item", has_text="客户要求人工")
        row.wait_for(timeout=WAIT_MS)
        assert "E2E-1" in row.inner_text() and "电话" in row.inner_text()
        row.locator("a", has_text="打开").click()
        desk.wait_for_url(re.compile(r".*/conversations/.+"))
        cardholder_turn(desk, "转人工")
        desk.click("#claim-btn")
        desk.locator("#claim-status", has_text="您正在处理此会话").wait_for(timeout=WAIT_MS)
        assert desk.locator("#call-notice").is_visible() and not desk.locator("#reply-form").is_visible()
        # On the phone the agent agrees a 12-month installment and books it here.
        desk.select_option("#book-kind", "installment")
        desk.fill("#book-months", "12")
        desk.click("#book-submit")
        desk.locator("#book-result", has_text="请在电话中向客户确认").wait_for(timeout=WAIT_MS)
        desk.fill("#note-text", "已电话沟通，客户同意分12期")
        desk.click("#note-submit")
        desk.locator("#notes li", has_text="已电话沟通").wait_for(timeout=WAIT_MS)
        shot(desk, "voice-2-agent-on-the-call.png")
        sim.hang_up()
        assert errors == []

        # A typed reply cannot reach a call: the API refuses it too.
        api = Browser(console)
        api.login("zhang", PASSWORD)
        refused = api.request("POST", f"/api/conversations/{quote(CALLER, safe='')}/reply", {"text": "您好"})
        assert refused.status == 409 and "电话" in refused.json()["error"]

        account = stack.show_account("E2E-1")
        assert [e["reason"] for e in account["escalations"]] == ["customer_request"]
        assert [a["months"] for a in account["arrangements"] if a["kind"] == "installment"] == [12]
        voice = [r for r in account["contact_log"] if r["channel"] == "voice"]
        assert any(r["direction"] == "in" and r["text"] == "转人工" for r in voice)
    except Exception:
        shot(desk, "voice-failed-agent.png")
        raise
    finally:
        ctx.close()
