"""Plan options as a menu (issue 14): cards with every figure in the web
chat, numbered lines over SMS, and a reply mapped back only to a plan that
was offered."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal

from bot.core import plan_menu, policy, sms
from bot.core.money import fmt_yuan
from channels.webchat import WebChatOutput

CFG = policy.PolicyConfig()
QUOTES = [policy.installment_quote(Decimal("12000.00"), m, CFG) for m in (3, 6, 12, 24)]


def test_each_option_carries_its_figures_in_the_title_and_on_its_card():
    twelve = plan_menu.option_button(QUOTES[2])
    assert twelve["title"] == "12期：每期1,072.00元，手续费864.00元，合计12,864.00元"
    assert twelve["payload"] == '/request_installment{"months":"12期"}'
    assert twelve["card"] == {
        "heading": "分12期",
        "figures": [["每期", "1,072.00元"], ["手续费", "864.00元"], ["合计还款", "12,864.00元"]],
    }
    payloads = [plan_menu.option_button(q)["payload"] for q in QUOTES]
    assert len(set(payloads)) == len(payloads)  # a tap names exactly one plan (and the console its title)


def test_the_options_over_sms_are_numbered_lines_with_the_figures():
    text = sms.with_buttons("请选择：", [plan_menu.option_button(q)["title"] for q in QUOTES])
    lines = text.splitlines()
    assert lines[1] == sms.BUTTONS_HINT
    assert lines[2].startswith("1. 3期：每期") and lines[4].startswith("3. 12期：每期1,072.00元")
    assert fmt_yuan(QUOTES[3].total_repayment) in lines[5]


def test_the_offer_is_kept_in_the_order_shown_and_read_back_strictly():
    record = plan_menu.offered_record([QUOTES[2], QUOTES[0]])  # a segment may reorder them
    assert plan_menu.offered_terms(record) == [12, 3]
    for junk in (None, "", "not json", '{"months": 3}', '["3"]', "[true]"):
        assert plan_menu.offered_terms(junk) == []


def test_a_number_picks_the_offered_plan_in_its_place_on_numbered_channels_only():
    offered = [12, 3, 6]
    for text in ("1", "１", " 1 ", "1.", "第1个", "选1"):
        assert plan_menu.picked_term(offered, text, "twilio_sms") == 12, text
    assert plan_menu.picked_term(offered, "３", "voice") == 6
    # Beyond the list, not a bare number, or typed where no numbers were shown.
    assert plan_menu.picked_term(offered, "4", "twilio_sms") is None
    assert plan_menu.picked_term(offered, "12期", "twilio_sms") is None
    assert plan_menu.picked_term(offered, "1", "webchat") is None
    assert plan_menu.picked_term([], "1", "twilio_sms") is None


def test_the_sms_menu_understands_a_full_width_number():
    assert sms.choice_number("２") == 2
    assert sms.choice_number("2") == 2
    assert sms.choice_number("22") is None


class FakeSio:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, namespace=None):
        self.emitted.append((event, data, room))


def test_the_web_chat_passes_a_plan_card_to_the_widget():
    sio = FakeSio()
    output = WebChatOutput(sio, "bot_uttered")
    buttons = [plan_menu.option_button(q) for q in QUOTES[:2]] + [{"title": "转人工", "payload": "/request_human"}]
    asyncio.run(output.send_text_with_buttons("s-1", "您的欠款可申请以下分期。", buttons))
    ((event, data, room),) = sio.emitted
    assert (event, room) == ("bot_uttered", "s-1")
    assert data["text"] == "您的欠款可申请以下分期。"
    replies = data["quick_replies"]
    assert [r["title"] for r in replies] == [b["title"] for b in buttons]
    assert replies[0]["card"]["heading"] == "分3期" and replies[0]["payload"] == buttons[0]["payload"]
    assert "card" not in replies[2]
    json.dumps(data)  # what socket.io sends must serialise
