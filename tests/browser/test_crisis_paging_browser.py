"""A crisis at 23:00 never waits for the morning (issue 14), with headless
Chromium against the real Rasa server, action server and console, the clock
pinned (COLLECTBOT_NOW) to 23:00 Shanghai time, outside staffed hours.

The agent's queue page is open (desktop notifications allowed through the
page's own button; window.Notification and the audio are stubbed so the
test sees the calls). A cardholder writes "我不想活了" in the web chat: the
on-call supervisor's number gets the page in the SMS outbox at once, with
nothing about the cardholder or the debt; the queue shows the crisis item
with the page and its clock running from the message; the notification and
the alarm go off; the conversation opens with the crisis banner on top.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.browser.pages import WAIT_MS, bot_said, holder_and_desk, open_chat, say, shot, sign_in, webchat_console

pytestmark = pytest.mark.e2e

NIGHT = "2026-11-25T23:00:00+08:00"
ONCALL = "+8613811112222"
RASA_TOKEN = "browser-crisis-paging-rasa-token-0123456789"
WEBCHAT_SECRET = "browser-crisis-paging-webchat-secret-0123"
# The page's Notification and AudioContext, recorded instead of shown/played.
STUBS = """
window.__notes = []; window.__alarms = 0;
function FakeNotification(title, options) {
  window.__notes.push({ title: title, body: (options || {}).body, sticky: !!(options || {}).requireInteraction });
}
FakeNotification.permission = 'default';
FakeNotification.requestPermission = function () { FakeNotification.permission = 'granted'; return Promise.resolve('granted'); };
window.Notification = FakeNotification;
window.AudioContext = function () {
  window.__alarms += 1;
  var node = function () { return { frequency: {}, gain: {}, connect: function () {}, start: function () {}, stop: function () {} }; };
  return { currentTime: 0, destination: {}, createOscillator: node, createGain: node };
};
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    oncall = {"COLLECTBOT_ONCALL_PHONE": ONCALL}
    with webchat_console(tmp_path_factory.mktemp("browser-crisis-paging"), NIGHT, RASA_TOKEN, WEBCHAT_SECRET,
                         agents=(("night", "supervisor", "值班主管"),), extra_env=oncall,
                         console_extra_env=oncall) as world:
        yield world


def outbox_to(stack, phone):
    result = stack.collectbot("outbox", "--to", phone, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_crisis_at_23_00_pages_the_on_call_number_and_alerts_the_console(chromium, world):
    stack = world["stack"]
    with holder_and_desk(chromium, "crisis-paging") as (holder, desk, errors):
        desk.add_init_script(STUBS)
        # --- the supervisor's queue is open, notifications allowed by the page's button
        desk.goto(world["console"] + "/login")
        sign_in(desk, "night", "/queue")
        desk.locator("#queue-empty").wait_for(timeout=WAIT_MS)
        assert desk.locator("#oncall-warning").is_hidden()  # a number is configured
        desk.click("#notify-btn")
        desk.locator("#notify-btn").wait_for(state="hidden", timeout=WAIT_MS)
        assert desk.evaluate("window.__notes.length") == 0

        # --- 23:00: a cardholder in crisis
        open_chat(holder, stack.rasa_url, "E2E-4", WEBCHAT_SECRET)
        say(holder, "我不想活了")
        bot_said(holder, "12356")
        shot(holder, "crisis-paging-1-cardholder.png")

        # --- the on-call number was paged at once, through the SMS outbox
        pages = outbox_to(stack, ONCALL)
        assert len(pages) == 1, pages
        body = pages[0]["body"]
        assert "P0危机转接" in body and "23:00" in body and "坐席台" in body
        account = stack.show_account("E2E-4")
        holder_name = account["cardholder"]["name"] if "cardholder" in account else ""
        for detail in [d for d in ("E2E-4", "5,000", "5000", holder_name, "不想活") if d]:
            assert detail not in body, detail
        crisis = [e for e in account["escalations"] if e["reason"] == "crisis"]
        assert len(crisis) == 1 and f"转接编号{crisis[0]['id']}" in body

        # --- the console: the item, the page on it, its clock from the message; notification and alarm
        row = desk.locator("#queue-body tr.item.crisis")
        row.wait_for(timeout=WAIT_MS)
        row.locator(".badge.paged", has_text="已短信呼叫值班主管 23:00").wait_for(timeout=WAIT_MS)
        assert "（自消息起）" in row.inner_text()
        desk.wait_for_function("window.__notes.length > 0", timeout=WAIT_MS)
        notes = desk.evaluate("window.__notes")
        assert notes[0]["title"].startswith("危机转接") and notes[0]["sticky"] is True
        assert "E2E-4" not in json.dumps(notes, ensure_ascii=False)
        assert desk.evaluate("window.__alarms") >= 1
        shot(desk, "crisis-paging-2-queue.png")

        # --- the conversation opens with the crisis banner on top
        row.locator("a", has_text="打开").click()
        desk.wait_for_url(re.compile(r".*/conversations/.+"))
        desk.locator("#crisis-banner").wait_for(timeout=WAIT_MS)
        box = desk.locator("#crisis-banner").bounding_box()
        assert box is not None and box["y"] < 200
        shot(desk, "crisis-paging-3-conversation.png")
        assert errors == []
