"""A payload that no button of the bot's last message sent is shown as what
it is, never as another button's title (issue 14): in the hand-over summary
the bot writes, and in the console's transcript and contact log."""
from __future__ import annotations

from bot.core import clicks
from console import labels

CARDS = [
    {"title": "分12期，每期约7,950.00元", "payload": '/request_installment{"months":"12期"}'},
    {"title": "分24期，每期约4,125.00元", "payload": '/request_installment{"months":"24期"}'},
]
FORGED = '/request_installment{"months":"60期"}'


def bot(text, buttons=()):
    return {"event": "bot", "text": text, "data": {"buttons": list(buttons)}}


def user(text, channel="webchat"):
    return {"event": "user", "text": text, "input_channel": channel}


def test_a_forged_payload_is_never_another_buttons_title():
    assert labels.button_text('/request_installment{"months":"24期"}', CARDS) == CARDS[1]["title"]
    shown = labels.button_text(FORGED, CARDS)
    assert shown == "［未匹配按钮］" + FORGED
    assert all(c["title"] not in shown for c in CARDS)
    # A plain payload the message did not offer is not "是（确认）" either.
    assert labels.button_text("/affirm", CARDS) == "［未匹配按钮］/affirm"
    assert labels.button_text("我要分期", CARDS) is None  # typed text stays as typed


def test_the_raw_text_is_kept_short_and_on_one_line():
    shown = labels.button_text('/inform_income{"amount": "' + "9" * 500 + '",\n"x": "<b>x</b>"}', [])
    assert shown.startswith("［未匹配按钮］/inform_income") and "\n" not in shown and len(shown) < 220


def test_the_summary_the_bot_writes_reads_clicks_against_the_message_before():
    events = [
        bot("请选择方案", CARDS),
        user('/request_installment{"months":"12期"}'),
        bot("请选择方案", CARDS),
        user(FORGED),
        bot("已转人工"),
        user("/affirm"),
        user("/greet", channel="voice"),  # a call starting: nobody said it
    ]
    assert clicks.user_texts_shown(events) == [
        CARDS[0]["title"], "［未匹配按钮］" + FORGED, "［未匹配按钮］/affirm",
    ]
    # The console keeps the marked text as it is, and still reads a summary
    # written before clicks were resolved as the intents' labels.
    marked = "客户要求人工：［未匹配按钮］/affirm / 转人工"
    assert labels.readable_summary(marked) == marked
    assert labels.readable_summary("客户要求人工：/affirm / 转人工") == "客户要求人工：是（确认） / 转人工"


def test_the_contact_log_reads_a_click_against_the_bot_row_just_before_it():
    events = [bot("请选择方案", CARDS), bot("好的")]
    messages = labels.bot_messages(events)
    offered = "请选择方案\n" + " | ".join(c["title"] for c in CARDS)
    rows = [
        {"conversation_id": "w1", "direction": "out", "text": offered},
        {"conversation_id": "w1", "direction": "in", "text": '/request_installment{"months":"24期"}'},
        {"conversation_id": "w1", "direction": "out", "text": offered},
        {"conversation_id": "sms1", "direction": "out", "text": "旧短信"},  # another conversation between
        {"conversation_id": "w1", "direction": "in", "text": FORGED},
        {"conversation_id": "w1", "direction": "out", "text": "好的"},
        {"conversation_id": "w1", "direction": "in", "text": '/request_installment{"months":"12期"}'},
        {"conversation_id": "old", "direction": "out", "text": "上次会话的消息\n是 | 不是"},
        {"conversation_id": "old", "direction": "in", "text": "/affirm"},
    ]
    shown = [r["text"] for r in labels.readable_contact_log(rows, messages) if r["direction"] == "in"]
    assert shown == [
        CARDS[1]["title"],
        "［未匹配按钮］" + FORGED,
        '［未匹配按钮］/request_installment{"months":"12期"}',  # a stale card after a message without buttons
        "是（确认）",  # a bot message the tracker no longer holds: only what it meant
    ]
