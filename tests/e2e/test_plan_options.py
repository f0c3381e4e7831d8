"""The cardholder's side of issue 14 end to end, through the real Rasa server
and action server: plan options as cards (REST shows what the web chat
gets) and as a numbered SMS menu answered with a full-width "２"; a booked
plan's reference number and how to pay; a question asked before
verification acknowledged, then answered; a tap stored so the console can
show its title.

The model is bot/models unless COLLECTBOT_E2E_MODEL names another (a model
trained from the working tree, e.g. /tmp/<name>/models).
"""
from __future__ import annotations

import json
import os
import secrets
import urllib.parse
import urllib.request

import pytest

from bot.core import booking
from tests.e2e.support import accepted, import_one, send_sms, twilio_stack
from tests.fakes.fake_twilio import FakeTwilio

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
MODEL = os.environ.get("COLLECTBOT_E2E_MODEL", "bot/models")
API_TOKEN = "plans-api-" + secrets.token_hex(16)
PUBLIC = "https://sms.example.test"
# Words that would tell a stranger there is a debt.
DISCLOSING = ("元", "逾期", "信用卡", "欠款", "还款", "账单", "催收")


@pytest.fixture(scope="module")
def fake():
    with FakeTwilio() as f:
        yield f


@pytest.fixture(scope="module")
def stack(tmp_path_factory, fake):
    with twilio_stack(
        tmp_path_factory.mktemp("e2e-plans"), NOW, fake, PUBLIC, env={"SMS_MAX_SEGMENTS": "3"},
        rasa_args=["--model", MODEL, "--enable-api", "--auth-token", API_TOKEN],
    ) as s:
        yield s


def messages(stack, sender: str, message: str) -> list:
    """Every message the bot answered over REST, buttons included."""
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode("utf-8"),
        headers=stack.rest_headers,
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read().decode("utf-8"))


def said(stack, sender: str, message: str) -> str:
    return "\n".join(m.get("text") or "" for m in messages(stack, sender, message))


def tracker_events(stack, conversation_id: str) -> list:
    url = (f"{stack.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe=':+')}/tracker?"
           + urllib.parse.urlencode({"token": API_TOKEN}))
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read().decode("utf-8"))["events"]


def test_a_question_before_verification_is_acknowledged_then_answered(stack):
    me = "anon-visitor-1"  # a web visitor nobody identified: no phone
    first = said(stack, me, "我欠了多少钱")
    assert "核实通过后我马上为您查询" in first and "手机号码" in first, first
    assert not any(w in first for w in DISCLOSING), first

    again = said(stack, me, "我欠了多少钱")
    assert "好的，核实身份后我马上为您查询。" in again, again
    assert "请回复您在本行预留的11位手机号码" in again
    assert "没能识别" not in again and "您好，我是" not in again  # no second greeting
    assert not any(w in again for w in DISCLOSING), again

    assert "身份证号码的后四位" in said(stack, me, "13900000002")
    meanwhile = said(stack, me, "我欠了多少钱")
    assert "好的，核实身份后我马上为您查询。" in meanwhile and "身份证号码的后四位" in meanwhile, meanwhile
    assert not any(w in meanwhile for w in DISCLOSING), meanwhile

    answer = said(stack, me, "8810")
    assert "应还总额3,500.00元" in answer, answer


def test_plan_options_are_cards_and_a_tap_books_with_a_reference_and_how_to_pay(stack):
    me = "+8613900000001"  # E2E-1: 12,000.00 owed
    assert "李*华本人吗" in said(stack, me, "你好")
    said(stack, me, "是的")
    assert "12,000.00元" in said(stack, me, "3521")

    offer = next(m for m in messages(stack, me, "我想分期") if m.get("buttons"))
    # The figures are on the options, not in a wall of text.
    assert "1,072.00元" not in offer["text"]
    twelve = next(b for b in offer["buttons"] if b["title"].startswith("12期"))
    assert twelve["title"] == "12期：每期1,072.00元，手续费864.00元，合计12,864.00元"
    assert twelve["card"]["heading"] == "分12期"
    assert ["合计还款", "12,864.00元"] in twelve["card"]["figures"]
    assert len(offer["buttons"]) == 4 and all(b.get("card") for b in offer["buttons"])

    # A forged tap naming a plan that was not offered books nothing.
    forged = said(stack, me, '/request_installment{"months":"9期"}')
    assert "请确认" not in forged

    confirm = next(m for m in messages(stack, me, twelve["payload"]) if m.get("buttons"))
    assert "每期还款1,072.00元" in confirm["text"] and "12,864.00元" in confirm["text"]
    yes = next(b for b in confirm["buttons"] if b["payload"] == "/affirm")
    booked = said(stack, me, yes["payload"])
    assert "分期已办理成功" in booked and "还款方式：" in booked, booked

    (plan,) = [a for a in stack.show_account("E2E-1")["arrangements"] if a["kind"] == "installment"]
    assert plan["months"] == 12
    assert f"业务编号：{booking.reference(plan['idempotency_key'])}。" in booked
    assert plan["reference"] == booking.reference(plan["idempotency_key"])

    # What the console needs to show a tap as its title: the tap's payload and,
    # before it, the bot message whose button carries that payload and title.
    events = tracker_events(stack, "rest:" + me)
    taps = [i for i, e in enumerate(events) if e.get("event") == "user" and e.get("text") == twelve["payload"]]
    assert taps, [e.get("text") for e in events if e.get("event") == "user"]
    shown = [
        b for e in events[:taps[-1]] if e.get("event") == "bot"
        for b in ((e.get("data") or {}).get("buttons") or [])
    ]
    assert {"title": twelve["title"], "payload": twelve["payload"]}.items() <= next(
        b for b in shown if b["payload"] == twelve["payload"]).items()


def sms(stack, phone: str, body: str):
    answer, _ = send_sms(stack, PUBLIC, phone, body)
    assert answer.status == 200, answer.body


def sms_containing(fake, phone: str, text: str, after: int = 0) -> str:
    """The SMS sent to ``phone`` after the first ``after`` ones, once one contains ``text``."""
    fake.wait_for(lambda reqs: any(text in b for b in accepted(reqs, phone)[after:]), 90)
    return "\n".join(accepted(fake.sent_to(phone), phone)[after:])


def reply_to(stack, fake, phone: str, body: str, until: str) -> str:
    """Send ``body`` from ``phone``; the SMS sent back, once one contains ``until``."""
    before = len(accepted(fake.sent_to(phone), phone))
    sms(stack, phone, body)
    return sms_containing(fake, phone, until, after=before)


def verified_by_sms(stack, fake, phone: str, masked_name: str, id_last4: str, balance: str) -> None:
    """Greet, say yes to the (masked) name, answer the ID digits: the balance is told."""
    reply_to(stack, fake, phone, "你好", f"{masked_name}本人吗")
    reply_to(stack, fake, phone, "是的", "身份证号码的后四位")
    reply_to(stack, fake, phone, id_last4, balance)


def test_over_sms_the_options_are_numbered_and_a_full_width_number_picks_one(stack, fake):
    me = "+8613900000004"  # E2E-4, 陈静: 5,000.00 owed, ID ending 660X
    verified_by_sms(stack, fake, me, "陈*", "660X", "5,000.00元")

    menu = reply_to(stack, fake, me, "我想分期", "4. ")
    lines = [line for line in menu.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert len(lines) == 4 and all("每期" in line and "合计" in line for line in lines), menu
    months = int(lines[1].split(". ", 1)[1].split("期", 1)[0])  # what "2" stands for, in the order shown

    confirm = reply_to(stack, fake, me, "２", "请确认")  # full width, as many phone keyboards type it
    assert f"分{months}期" in confirm, confirm

    booked = reply_to(stack, fake, me, "1", "分期已办理成功")  # 1. 是，确认办理
    (plan,) = [a for a in stack.show_account("E2E-4")["arrangements"] if a["kind"] == "installment"]
    assert plan["months"] == months
    assert booking.reference(plan["idempotency_key"]) in booked and "还款方式：" in booked


def test_the_personalised_plan_is_a_card_and_only_the_yes_to_its_confirmation_submits(stack):
    me = "+8613900000002"  # E2E-2, 王芳: 3,500.00 owed, ID ending 8810
    said(stack, me, "你好")
    said(stack, me, "是的")
    assert "3,500.00元" in said(stack, me, "8810")
    assert "每月最多能还多少" in said(stack, me, "我失业了")

    # 150.00 a month: no standard plan fits, a 24-month personalised plan does.
    offer = next(m for m in messages(stack, me, "每个月最多还150") if m.get("buttons"))
    assert "145.83元" not in offer["text"]  # the figures are on the card, not in the text
    card, no = offer["buttons"]
    assert card["card"]["heading"] == "个性化方案 · 分24期"
    assert card["card"]["figures"] == [["每期", "145.83元"], ["末期", "145.91元"], ["手续费", "免手续费"],
                                       ["合计还款", "3,500.00元"], ["审批", "需专员审批"]]
    assert card["title"] == "个性化方案24期：每期145.83元，免手续费，合计3,500.00元（需专员审批）"
    assert no == {"title": "不用了", "payload": "/deny"}

    def submitted():
        return [a for a in stack.show_account("E2E-2")["arrangements"] if a["kind"] == "hardship_plan"]

    # A forged tap naming another plan: nothing submitted, the offered card again.
    forged = next(m for m in messages(stack, me, '/affirm{"months":"12期"}') if m.get("buttons"))
    assert "不是为您列出的方案" in forged["text"] and forged["buttons"][0]["title"] == card["title"]
    assert submitted() == []

    # The tap opens the confirmation step: every figure again, and still nothing submitted.
    confirm = next(m for m in messages(stack, me, card["payload"]) if m.get("buttons"))
    assert "将3,500.00元分24期，每期145.83元（最后一期145.91元），免手续费，合计还款3,500.00元" in confirm["text"], confirm
    assert [b["title"] for b in confirm["buttons"]] == ["是，提交申请", "不是"]
    assert submitted() == []

    done = said(stack, me, next(b["payload"] for b in confirm["buttons"] if b["title"] == "是，提交申请"))
    assert "已为您提交个性化还款方案申请：分24期，每期145.83元" in done, done
    (plan,) = submitted()
    assert (plan["status"], plan["months"], plan["monthly_payment"]) == ("pending_approval", 24, "145.83")


def test_over_sms_the_personalised_plan_is_a_numbered_line_and_1_then_1_submits(stack, fake):
    me = "+8613900000003"  # E2E-3, 赵强: 800.00 owed, ID ending 1207
    verified_by_sms(stack, fake, me, "赵*", "1207", "800.00元")
    reply_to(stack, fake, me, "我失业了", "每月最多能还多少")

    menu = reply_to(stack, fake, me, "每个月最多还50", "2. 不用了")
    assert "1. 个性化方案16期：每期50.00元，免手续费，合计800.00元（需专员审批）" in menu, menu

    def submitted():
        return [a for a in stack.show_account("E2E-3")["arrangements"] if a["kind"] == "hardship_plan"]

    confirm = reply_to(stack, fake, me, "1", "请确认您要申请的个性化还款方案")  # the card: nothing submitted yet
    assert "1. 是，提交申请" in confirm and "分16期，每期50.00元" in confirm, confirm
    assert submitted() == []

    reply_to(stack, fake, me, "1", "已为您提交个性化还款方案申请：分16期")  # 1. 是，提交申请
    (plan,) = submitted()
    assert (plan["status"], plan["months"]) == ("pending_approval", 16)


def test_a_bare_figure_in_answer_to_the_budget_question_is_the_budget(stack, tmp_path):
    """"150" alone is read by the NLU as an ID's digits and "1000" as the
    ID's last four: in answer to "how much a month at most?" either is the
    budget (before, the bot said the cardholder was already verified and the
    answer was lost)."""
    import_one(stack, tmp_path, "E2E-12,孙丽,+8613900000012,1357,3333,3500.00,350.00,2026-11-05")
    me = "+8613900000012"
    said(stack, me, "你好")
    said(stack, me, "是的")
    assert "3,500.00元" in said(stack, me, "1357")
    assert "每月最多能还多少" in said(stack, me, "我失业了")
    offer = next(m for m in messages(stack, me, "150") if m.get("buttons"))
    assert offer["buttons"][0]["card"]["heading"] == "个性化方案 · 分24期"
    # No, then a new figure, alone and four digits long: a standard plan fits.
    assert "没有为您提交任何申请" in said(stack, me, "不用了")
    again = said(stack, me, "1000")
    assert "已验证" not in again and "1,000.00元" in again, again
