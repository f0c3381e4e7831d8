"""The Twilio SMS channel end to end: the real Rasa server (trained model in
bot/models) and action server, the channel configured with a fake auth
token, and Twilio's REST API played by tests/fakes/fake_twilio.py.

Cardholders' messages arrive as signed webhooks, exactly as Twilio sends
them; the replies are the requests the fake Twilio receives.
"""
from __future__ import annotations

import time
import uuid

import pytest

from bot.core import replies
from bot.core.sms import segment_count
from tests.e2e.servers import eventually
from tests.e2e.support import SMS_WEBHOOK as WEBHOOK
from tests.e2e.support import accepted, import_one, send_sms, twilio_stack
from tests.fakes.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    TWILIO_NUMBER,
    FakeTwilio,
    inbound_params,
    signed_post,
    status_params,
)

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
PUBLIC = "https://sms.example.test"  # as if behind a TLS-terminating proxy
STATUS = "/webhooks/twilio_sms/status"
SEND_ATTEMPTS = 3
# The assistant is made slower than a webhook answer may take.
ACTION_DELAY = 1.5


@pytest.fixture(scope="module")
def fake():
    with FakeTwilio() as f:
        yield f


@pytest.fixture(scope="module")
def stack(tmp_path_factory, fake):
    env = {"SMS_MAX_SEGMENTS": "3", "SMS_SEND_ATTEMPTS": str(SEND_ATTEMPTS), "SMS_RETRY_BASE_SECONDS": "0.2"}
    with twilio_stack(tmp_path_factory.mktemp("e2e-sms"), NOW, fake, PUBLIC, env=env, slow_actions=True) as s:
        yield s


@pytest.fixture(autouse=True)
def fresh_fake(fake, stack):
    fake.reset()
    stack.action_proxy.delay = 0.0
    yield


def sms(stack, phone: str, body: str, sid: str | None = None):
    """One signed inbound SMS webhook; returns (answer, params)."""
    return send_sms(stack, PUBLIC, phone, body, sid=sid)


def status_callback(stack, sid: str, status: str, phone: str):
    params = status_params(sid, status, to=phone)
    return signed_post(stack.rasa_url + STATUS, params, signed_url=PUBLIC + STATUS)


def replies_containing(fake, phone: str, text: str, timeout: float = 60.0):
    """Wait for an accepted SMS to ``phone`` whose Body contains ``text``."""
    fake.wait_for(lambda reqs: any(text in body for body in accepted(reqs, phone)), timeout)
    return fake.sent_to(phone)


def sms_rows(stack, account_id: str):
    """The contact-log rows of SMS actually sent/attempted (they carry a status)."""
    return [
        e for e in stack.show_account(account_id)["contact_log"]
        if e["channel"] == "twilio_sms" and e["direction"] == "out" and e["status"]
    ]


def test_cardholder_verifies_by_sms_and_gets_the_facts(stack, fake):
    me = "+8613900000001"
    stack.action_proxy.delay = ACTION_DELAY

    answer, hello = sms(stack, me, "你好")
    answered_at = time.monotonic()
    assert answer.status == 200, answer.body
    assert "<Response/>" in answer.body and answer.headers["content-type"].startswith("text/xml")
    assert answer.seconds < 1.0, f"webhook took {answer.seconds:.2f}s"
    first = replies_containing(fake, me, "李*华本人吗")
    # the reply came through the REST API, well after the webhook answered
    assert first[0].received_at - answered_at >= ACTION_DELAY * 0.9

    answer, _ = sms(stack, me, "是的")
    assert answer.status == 200 and answer.seconds < 1.0
    replies_containing(fake, me, "身份证号码的后四位")

    answer, _ = sms(stack, me, "3521")
    assert answer.status == 200 and answer.seconds < 1.0
    sent = replies_containing(fake, me, "12,000.00元")

    for request in sent:
        assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
        assert set(request.form) == {"To", "From", "Body", "StatusCallback"}
        assert request.form["To"] == me
        assert request.form["From"] == TWILIO_NUMBER
        assert request.form["StatusCallback"] == PUBLIC + STATUS
        assert segment_count(request.form["Body"]) <= 3
    facts = next(r for r in sent if "12,000.00元" in r.form["Body"])
    for expected in ("1,200.00元", "2026年10月10日", "已逾期46天", "6688"):
        assert expected in "".join(r.form["Body"] for r in sent)
    assert "1. 我要还款" in "".join(r.form["Body"] for r in sent)  # buttons as a numbered list

    # Twilio reports the delivery; the contact log follows.
    assert status_callback(stack, facts.sid, "sent", me).status == 200
    assert status_callback(stack, facts.sid, "delivered", me).status == 200

    def logged():
        rows = sms_rows(stack, "E2E-1")
        by_sid = {r["message_id"]: r for r in rows}
        assert set(by_sid) == {r.sid for r in sent}, rows
        assert by_sid[facts.sid]["status"] == "delivered"
        assert all(r["status"] == "queued" for sid, r in by_sid.items() if sid != facts.sid)
        log = stack.show_account("E2E-1")["contact_log"]
        assert any(
            e["direction"] == "in" and e["channel"] == "twilio_sms" and e["message_id"] == hello["MessageSid"]
            for e in log
        )

    eventually(logged)


def test_a_rest_client_cannot_take_over_a_verified_sms_conversation(stack, fake):
    """Issue 16, finding 1: the REST channel shared the SMS conversation
    because both used the phone number as the conversation id."""
    me = "+8613900000001"  # E2E-1, 李明华, balance 12,000.00, ID digits 3521
    # Verified over SMS (the conversation may already be, from the test above).
    before = len(fake.sent_to(me))
    sms(stack, me, "我欠多少钱")
    fake.wait_for(lambda reqs: len([r for r in reqs if r.form.get("To") == me and r.answer == 201]) > before, 60)
    if "12,000.00元" not in fake.sent_to(me)[-1].form["Body"]:
        sms(stack, me, "是的")
        replies_containing(fake, me, "身份证号码的后四位")
        sms(stack, me, "3521")
        replies_containing(fake, me, "12,000.00元")

    # Even an authorised REST client naming the phone gets a conversation of
    # its own: not verified, no figures, nothing booked.
    answers = stack.say(me, "我欠多少钱") + stack.say(me, "我想分12期") + stack.say(me, "是")
    joined = "".join(answers)
    assert answers and "12,000.00" not in joined and "1,200.00" not in joined
    assert "李*华本人吗" in joined or "身份证号码的后四位" in joined
    assert stack.show_account("E2E-1")["arrangements"] == []
    # The SMS conversation is untouched: still verified, it still answers.
    def with_balance(reqs):
        return [r for r in reqs if r.answer == 201 and r.form.get("To") == me and "12,000.00元" in r.form.get("Body", "")]

    before = len(with_balance(fake.sent_to(me)))
    sms(stack, me, "我欠多少钱")
    fake.wait_for(lambda reqs: len(with_balance(reqs)) > before, 60)


def test_strangers_guessing_the_id_digits_never_block_the_cardholders_signed_sms(stack, fake, tmp_path):
    """Issue 16, finding 3: wrong answers from conversations claiming a
    phone blocked the real cardholder's correct digits by SMS for 24 h."""
    import_one(stack, tmp_path, "E2E-9,周晓红,+8613900000009,4821,1234,2600.00,260.00,2026-11-01")
    me = "+8613900000009"
    said = []
    for attacker in ("guess-a", "guess-b"):
        said += stack.say(attacker, "我欠多少钱") + stack.say(attacker, "13900000009")
        for _ in range(3):
            said += stack.say(attacker, "0000")
    joined = "".join(said)
    assert "该手机号的身份验证尝试次数较多" in joined and "2,600.00" not in joined
    # Nobody was queued for agents by the strangers.
    assert stack.show_account("E2E-9")["escalations"] == []
    # The cardholder, on the number the carrier vouches for, gets in at once.
    sms(stack, me, "你好")
    replies_containing(fake, me, "周*红本人吗")
    sms(stack, me, "是的")
    replies_containing(fake, me, "身份证号码的后四位")
    sms(stack, me, "4821")
    replies_containing(fake, me, "2,600.00元")


def test_forged_webhook_is_refused_and_redelivery_is_processed_once(stack, fake):
    me = "+8613900000003"
    params = inbound_params(me, "你好")
    forged = signed_post(stack.rasa_url + WEBHOOK, params, signed_url=PUBLIC + WEBHOOK, auth_token="guess")
    assert forged.status == 403
    missing = signed_post(stack.rasa_url + WEBHOOK, inbound_params(me, None), signed_url=PUBLIC + WEBHOOK)
    assert missing.status == 400 and "Body" in missing.body

    sid = "SM" + uuid.uuid4().hex
    for _ in range(2):
        answer, _ = sms(stack, me, "你好", sid=sid)
        assert answer.status == 200
    replies_containing(fake, me, "赵*本人吗")
    time.sleep(2)  # a second processing would have answered by now
    assert len([r for r in fake.sent_to(me) if "本人吗" in r.form["Body"]]) == 1
    inbound = [e for e in stack.show_account("E2E-3")["contact_log"] if e["direction"] == "in"]
    assert [e["message_id"] for e in inbound] == [sid]


def test_twilio_500_twice_then_201_is_retried_and_delivered(stack, fake):
    me = "+8613900000002"
    fake.fail_next(2, 500)
    answer, _ = sms(stack, me, "你好")
    assert answer.status == 200 and answer.seconds < 1.0
    replies_containing(fake, me, "王*本人吗")
    attempts = [r for r in fake.message_requests() if r.form.get("To") == me]
    assert [r.answer for r in attempts] == [500, 500, 201]
    assert len({r.form["Body"] for r in attempts}) == 1
    sid = attempts[-1].sid
    assert status_callback(stack, sid, "delivered", me).status == 200

    def delivered():
        rows = sms_rows(stack, "E2E-2")
        assert [(r["message_id"], r["status"]) for r in rows] == [(sid, "delivered")]

    eventually(delivered)


def test_twilio_always_failing_marks_the_sms_failed(stack, fake):
    me = "+8613900000004"
    fake.always_fail(500)
    answer, _ = sms(stack, me, "在吗")
    assert answer.status == 200 and answer.seconds < 1.0
    fake.wait_for(
        lambda reqs: len([r for r in reqs if r.form.get("To") == me and r.answer == 500]) >= SEND_ATTEMPTS,
        timeout=60,
    )

    def failed():
        rows = sms_rows(stack, "E2E-4")
        assert rows and all(r["status"] == "failed" and r["message_id"] is None for r in rows), rows
        assert any("陈*本人吗" in r["text"] for r in rows)

    eventually(failed)
    assert len([r for r in fake.message_requests() if r.form.get("To") == me]) == SEND_ATTEMPTS * len(
        sms_rows(stack, "E2E-4")
    )


def test_opt_out_by_sms_one_confirmation_then_silence_until_start(stack, fake):
    from bot.core.sms import OPT_IN_CONFIRMATION, OPT_OUT_CONFIRMATION

    me = "+8613900000003"
    sms(stack, me, "退订")
    replies_containing(fake, me, OPT_OUT_CONFIRMATION)

    def blocked():
        rows = sms_rows(stack, "E2E-3")
        # the bot's own opt-out answer was not sent a second time by SMS
        assert any(r["status"] == "blocked_opt_out" and "退订" in r["text"] for r in rows), rows

    eventually(blocked)
    sms(stack, me, "我明天还钱")
    eventually(lambda: _assert(len([r for r in sms_rows(stack, "E2E-3") if r["status"] == "blocked_opt_out"]) >= 2))
    assert [r.form["Body"] for r in fake.sent_to(me)] == [OPT_OUT_CONFIRMATION]
    opt_outs = stack.show_account("E2E-3")["opt_outs"]
    assert [(o["channel"], o["active"]) for o in opt_outs] == [("twilio_sms", True)]

    sms(stack, me, "订阅")
    replies_containing(fake, me, OPT_IN_CONFIRMATION)
    assert [o["active"] for o in stack.show_account("E2E-3")["opt_outs"]] == [False]


def _assert(condition: bool) -> None:
    assert condition


def test_a_crisis_said_with_an_opt_out_gets_the_hotline_and_the_opt_out_is_recorded(stack, fake):
    """"别再发短信了 我不想活了": crisis wins the turn, so the hotline and the
    hand-over reach the cardholder even though the same words opted out,
    which action_handle_crisis recorded (the opt-in keyword is answered as
    the end of an opt-out)."""
    from bot.core.sms import OPT_IN_CONFIRMATION, OPT_OUT_CONFIRMATION

    me = "+8613900000077"  # no account: the crisis lines do not depend on one
    sms(stack, me, "别再发短信了 我不想活了")
    sent = replies_containing(fake, me, "12356")
    assert OPT_OUT_CONFIRMATION not in [r.form["Body"] for r in sent]
    # The bot acknowledges the opt-out it recorded, in one line without money.
    replies_containing(fake, me, replies.OPT_OUT_BESIDE_CRISIS.format(channel_name="短信"))
    sms(stack, me, "订阅")
    replies_containing(fake, me, OPT_IN_CONFIRMATION)


def test_no_more_calls_with_sms_asked_for_keeps_sms_and_the_promise(stack, fake):
    """"别打电话了 发短信就行 周五我还八百" restricts calls and asks for SMS:
    before, the channel recorded an SMS opt-out on it (the very channel the
    cardholder asked for) and the promise beside it was lost. Now calls stop
    (a voice opt-out, once, said once), SMS goes on, and the promise form
    takes the amount and the date."""
    from bot.core.sms import OPT_OUT_CONFIRMATION

    me = "+8613900000002"  # E2E-2, 王芳, ID digits 8810, minimum due 350.00
    # The retry test above may have asked "are you 王*?" already (a greeting
    # then would not answer it): answer it, and once more if it was asked only now.
    sms(stack, me, "是的")
    fake.wait_for(lambda reqs: accepted(reqs, me), 60)
    if not any("身份证号码的后四位" in body for body in accepted(fake.requests, me)):
        replies_containing(fake, me, "王*本人吗")
        sms(stack, me, "是的")
    replies_containing(fake, me, "身份证号码的后四位")
    sms(stack, me, "8810")
    replies_containing(fake, me, "3,500.00元")

    sms(stack, me, "别打电话了 发短信就行 周五我还八百")
    sent = replies_containing(fake, me, replies.CALLS_STOPPED)
    replies_containing(fake, me, "请确认：您承诺于")
    bodies = [r.form["Body"] for r in fake.sent_to(me)]
    assert OPT_OUT_CONFIRMATION not in bodies
    assert any("800.00元" in b for b in bodies), bodies
    opt_outs = stack.show_account("E2E-2")["opt_outs"]
    assert [(o["channel"], o["active"]) for o in opt_outs] == [("voice", True)]

    sms(stack, me, "是")
    replies_containing(fake, me, "已为您登记还款承诺")
    (promise,) = stack.show_account("E2E-2")["promises"]
    assert (promise["amount"], promise["pay_date"]) == ("800.00", "2026-11-27")  # Friday after 11-25
    # Said once: the next message is answered without the line again.
    assert sum(replies.CALLS_STOPPED in r.form["Body"] for r in fake.sent_to(me)) == 1


def test_dont_call_my_mother_contact_me_is_no_opt_out(stack, fake, tmp_path):
    """"别再打给我妈了 她心脏不好 有事直接找我本人" spares the family and asks
    for the cardholder: before, the channel recorded an SMS opt-out on the
    number just asked for. Now nothing is opted out, the cardholder is told
    the family will not be contacted, and the complaint reaches a person with
    that note first in the agent's queue."""
    from bot.core.sms import OPT_OUT_CONFIRMATION

    import_one(stack, tmp_path, "E2E-11,郑秀兰,+8613900000011,2468,5555,1500.00,150.00,2026-11-12")
    me = "+8613900000011"
    sms(stack, me, "别再打给我妈了 她心脏不好 有事直接找我本人")
    replies_containing(fake, me, replies.THIRD_PARTY_NOTED)
    bodies = [r.form["Body"] for r in fake.sent_to(me)]
    assert OPT_OUT_CONFIRMATION not in bodies
    assert not any("1,500.00" in b for b in bodies)  # not verified: no debt disclosed
    snapshot = stack.show_account("E2E-11")
    assert snapshot["opt_outs"] == []
    (escalation,) = snapshot["escalations"]
    assert escalation["reason"] == "complaint"
    assert escalation["summary"].startswith(replies.THIRD_PARTY_NOTE_FOR_AGENTS)


def test_a_promise_beside_an_opt_out_is_kept_for_a_person(stack, fake, tmp_path):
    """"别再发短信了 15号发工资就还2000": the opt-out wins (confirmed once,
    recorded), and the promise, lost before, is a task for a person to check
    the payment; nothing more is sent to the cardholder about it."""
    from bot.core.sms import OPT_OUT_CONFIRMATION

    import_one(stack, tmp_path, "E2E-32,孙丽华,+8613900000032,1144,5555,2600.00,260.00,2026-11-10")
    me = "+8613900000032"
    sms(stack, me, "别再发短信了 15号发工资就还2000")
    replies_containing(fake, me, OPT_OUT_CONFIRMATION)
    assert [o["channel"] for o in stack.show_account("E2E-32")["opt_outs"]] == ["twilio_sms"]

    def task_lines():
        listed = stack.collectbot("campaign", "tasks")
        assert listed.returncode == 0, listed.stderr
        lines = [line for line in listed.stdout.splitlines() if "E2E-32" in line]
        assert lines
        return lines

    (line,) = eventually(task_lines)
    assert "退订时的还款承诺" in line and "15号发工资就还2000" in line


def test_no_need_to_contact_because_paid_is_no_opt_out(stack, fake, tmp_path):
    """"不用联系了 我昨天已经全部还清了" says why no contact is needed: before,
    the channel recorded an SMS opt-out and the conversation ended with the
    payment claim unheard. Now nothing is opted out and the bot goes on to
    verify the cardholder, so that the claim can be checked."""
    from bot.core.sms import OPT_OUT_CONFIRMATION

    import_one(stack, tmp_path, "E2E-31,钱志刚,+8613900000031,1133,5555,2600.00,260.00,2026-11-10")
    me = "+8613900000031"
    sms(stack, me, "不用联系了 我昨天已经全部还清了")
    replies_containing(fake, me, "钱*刚本人吗")
    assert OPT_OUT_CONFIRMATION not in [r.form["Body"] for r in fake.sent_to(me)]
    assert stack.show_account("E2E-31")["opt_outs"] == []
