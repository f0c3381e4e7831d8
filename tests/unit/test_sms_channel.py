"""The Twilio SMS channel on a real Sanic server (in a thread), with a
scripted bot in place of Rasa's agent and the fake Twilio REST API.

Every inbound request is signed like Twilio signs it:
``RequestValidator(token).compute_signature(public_url, params)``.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import Callable, List, Optional

import pytest
from sqlalchemy import func, select

from bot.core import replies
from bot.core import sms as sms_text
from bot.db import repository
from bot.db.contact_log import log_contact
from bot.db.models import ContactLog, SmsInbound
from bot.db.session import session_scope
from bot.sms.sender import TwilioSmsConfig
from channels.twilio_sms import EMPTY_TWIML, TwilioSmsInput
from tests.fakes.fake_twilio import (
    ACCOUNT_SID,
    TWILIO_NUMBER,
    FakeTwilio,
    inbound_params,
    sign,
    signed_post,
    status_params,
)
from tests.unit import channel_support
from tests.unit.channel_support import PHONE, seed_cardholder, twilio_sms_config

PUBLIC = "https://sms.example.test"
WEBHOOK = "/webhooks/twilio_sms/webhook"
STATUS = "/webhooks/twilio_sms/status"
STATUS_CALLBACK = PUBLIC + STATUS


def in_memory_tracker_store():
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    return InMemoryTrackerStore(Domain.empty())


class ScriptedBot:
    """Stands in for Rasa's agent: records each UserMessage and answers
    through the message's output channel, like agent.handle_message does,
    keeping the conversation in a real Rasa tracker store as Rasa does
    (the SMS channel reads its menus back from there)."""

    def __init__(self, tracker_store=None) -> None:
        self.messages = []
        self.delay = 0.0
        self.fail = False
        self.answer: Callable[[str], List[dict]] = lambda text: [{"text": f"收到：{text}"}]
        self.tracker_store = tracker_store if tracker_store is not None else in_memory_tracker_store()
        self.bot_age = 0.0  # seconds the bot's messages are back-dated by (an expired menu)

    async def __call__(self, message) -> None:
        from rasa.shared.core.events import BotUttered, UserUttered

        self.messages.append(message)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, input_channel=message.input_channel))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model crashed")
        for reply in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, dict(reply))
            data = {"buttons": reply["buttons"]} if reply.get("buttons") else {}
            tracker.update(BotUttered(reply.get("text"), data=data, timestamp=time.time() - self.bot_age))
        await self.tracker_store.save(tracker)

    @property
    def texts(self) -> List[str]:
        return [m.text for m in self.messages]


class ChannelServer(channel_support.ChannelServer):
    def __init__(self, channel: TwilioSmsInput, bot: ScriptedBot) -> None:
        super().__init__(channel, bot, "/webhooks/twilio_sms")

    def drain(self) -> None:
        """Wait until every message taken in is fully handled."""
        self.call(self.channel.drain(timeout=20))

    def post(self, path: str, params: dict, *, signed_url: Optional[str] = None, **kw):
        return signed_post(self.url + path, params, signed_url=signed_url or PUBLIC + path, **kw)

    def sms(self, body: Optional[str], from_: str = PHONE, **kw):
        return self.post(WEBHOOK, inbound_params(from_, body, **kw))


@pytest.fixture
def db(db_url, pinned_now, today):
    return seed_cardholder(db_url, today, "E2E-1", balance="12000.00", minimum_due="1200.00")


@pytest.fixture
def fake():
    with FakeTwilio() as f:
        yield f


def make_config(fake: Optional[FakeTwilio], **kw) -> TwilioSmsConfig:
    return twilio_sms_config(fake, **{"public_url": PUBLIC, "request_timeout": 1.0, "max_inbound_chars": 1000, **kw})


@pytest.fixture
def bot():
    return ScriptedBot()


@pytest.fixture
def make_server(db, fake, bot):
    servers = []

    def make(**config) -> ChannelServer:
        channel = TwilioSmsInput(make_config(fake, **config), db_url=db, tracker_store=bot.tracker_store)
        server = ChannelServer(channel, bot).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server):
    return make_server()


def count(db_url, model) -> int:
    with session_scope(db_url) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def contact_rows(db_url, direction="out"):
    with session_scope(db_url) as s:
        return [
            (r.text, r.message_id, r.status)
            for r in s.execute(
                select(ContactLog).where(ContactLog.direction == direction).order_by(ContactLog.id)
            ).scalars()
        ]


def assert_empty_twiml(answer):
    assert answer.status == 200, answer.body
    assert answer.body == EMPTY_TWIML and "<Response/>" in answer.body
    assert answer.headers["content-type"].startswith("text/xml")


# --------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------


def test_valid_signature_is_acknowledged_and_the_message_handled(server, bot, fake, db):
    params = inbound_params(PHONE, "你好")
    answer = server.post(WEBHOOK, params)
    assert_empty_twiml(answer)
    server.drain()

    (message,) = bot.messages
    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "你好", PHONE, "twilio_sms", params["MessageSid"],
    )
    assert message.metadata["twilio_sms"]["message_sid"] == params["MessageSid"]
    assert message.metadata["twilio_sms"]["to"] == TWILIO_NUMBER
    (sent,) = fake.sent_to(PHONE)
    assert sent.form == {"To": PHONE, "From": TWILIO_NUMBER, "Body": "收到：你好", "StatusCallback": STATUS_CALLBACK}
    assert contact_rows(db) == [("收到：你好", sent.sid, "queued")]
    with session_scope(db) as s:
        assert s.execute(select(SmsInbound.status)).scalars().all() == ["processed"]


def test_blank_parameters_are_part_of_the_signature(server, bot):
    # Twilio sends FromCity= etc.; Sanic's request.form drops blank values,
    # the channel must not (the signature covers them).
    params = inbound_params(PHONE, "你好")
    assert "" in params.values()
    assert server.post(WEBHOOK, params).status == 200


@pytest.mark.parametrize(
    "how",
    ["wrong_token", "tampered_body", "local_url_signed", "garbage", "missing"],
)
def test_forged_or_missing_signature_is_refused_and_nothing_stored(server, bot, fake, db, how):
    params = inbound_params(PHONE, "我要还款")
    kwargs = {}
    if how == "wrong_token":
        kwargs["auth_token"] = "not-the-token"
    elif how == "tampered_body":
        kwargs["signature"] = sign(PUBLIC + WEBHOOK, dict(params, Body="别的内容"))
    elif how == "local_url_signed":
        kwargs["signed_url"] = server.url + WEBHOOK  # not the URL Twilio was given
    elif how == "garbage":
        kwargs["signature"] = "bm90IGEgc2lnbmF0dXJl"
    else:
        kwargs["signature"] = None
    answer = server.post(WEBHOOK, params, **kwargs)
    assert answer.status == 403
    assert ("missing" if how == "missing" else "invalid") in answer.body
    server.drain()
    assert bot.messages == []
    assert fake.requests == []
    assert count(db, SmsInbound) == 0 and count(db, ContactLog) == 0


def test_without_a_public_url_the_forwarded_proto_and_host_are_honoured(make_server, bot, fake):
    server = make_server(public_url=None)
    params = inbound_params(PHONE, "你好")
    public = "https://bot.example.cn" + WEBHOOK
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.cn"}
    assert server.post(WEBHOOK, params, signed_url=public, headers=proxied).status == 200
    server.drain()
    (sent,) = fake.sent_to(PHONE)
    assert sent.form["StatusCallback"] == "https://bot.example.cn" + STATUS
    # the same signature without the proxy headers does not match
    other = inbound_params(PHONE, "再来")
    assert server.post(WEBHOOK, other, signed_url="https://bot.example.cn" + WEBHOOK).status == 403
    # and a direct call signed for the address it reached is fine
    assert server.post(WEBHOOK, inbound_params(PHONE, "直接"), signed_url=server.url + WEBHOOK).status == 200


def test_no_auth_token_configured_refuses_everything(make_server, bot):
    server = make_server(auth_token=None, account_sid=None)
    assert server.sms("你好").status == 403
    server.drain()
    assert bot.messages == []


# --------------------------------------------------------------------------
# Acknowledge first, idempotency, bad requests
# --------------------------------------------------------------------------


def test_acknowledged_at_once_while_the_model_is_slow(server, bot, fake):
    bot.delay = 2.0
    answer = server.sms("你好")
    assert_empty_twiml(answer)
    assert answer.seconds < 1.0
    assert fake.requests == []  # the reply comes later, through the REST API
    (sent,) = fake.wait_for_count(1, timeout=10)
    assert sent.form["Body"] == "收到：你好"


def test_redelivered_message_sid_is_processed_once(server, bot, fake, db):
    params = inbound_params(PHONE, "3521")
    first = server.post(WEBHOOK, params)
    second = server.post(WEBHOOK, params)
    server.drain()
    assert_empty_twiml(first)
    assert_empty_twiml(second)
    assert bot.texts == ["3521"]
    assert len(fake.sent_to(PHONE)) == 1
    assert count(db, SmsInbound) == 1


def test_missing_body_is_a_400(server, bot, db):
    answer = server.sms(None)
    assert answer.status == 400 and "Body" in answer.body
    empty = server.sms("   ")
    assert empty.status == 400 and "empty Body" in empty.body
    server.drain()
    assert bot.messages == [] and count(db, SmsInbound) == 0


def test_missing_body_with_a_forged_signature_is_a_403(server):
    assert server.post(WEBHOOK, inbound_params(PHONE, None), auth_token="wrong").status == 403


def test_a_5000_character_body_is_truncated_and_handled(server, bot, fake, caplog):
    body = "我" * 5000
    with caplog.at_level("WARNING", logger="channels.twilio_sms"):
        answer = server.sms(body)
        server.drain()
    assert_empty_twiml(answer)
    (message,) = bot.messages
    assert message.text == "我" * 1000
    assert message.metadata["twilio_sms"]["truncated"] is True
    assert message.metadata["twilio_sms"]["original_length"] == 5000
    assert any("truncated to 1000" in r.getMessage() for r in caplog.records)
    assert fake.sent_to(PHONE)  # answered by SMS as usual


def test_one_senders_messages_are_handled_in_arrival_order(server, bot, fake):
    bot.delay = 0.3
    for text in ("一", "二", "三"):
        server.sms(text)
    server.sms("别人", from_="+8613900000002")
    server.drain()
    mine = [t for t, m in zip(bot.texts, bot.messages) if m.sender_id == PHONE]
    assert mine == ["一", "二", "三"]
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == ["收到：一", "收到：二", "收到：三"]
    # another sender is not queued behind them
    assert bot.texts.index("别人") < bot.texts.index("三")


def test_a_crash_while_handling_is_recorded_not_lost(server, bot, db):
    bot.fail = True
    params = inbound_params(PHONE, "你好")
    assert server.post(WEBHOOK, params).status == 200
    server.drain()
    with session_scope(db) as s:
        assert s.execute(select(SmsInbound.status)).scalars().all() == ["failed"]


# --------------------------------------------------------------------------
# Opt-out and opt-in
# --------------------------------------------------------------------------


def test_opt_out_sends_one_confirmation_then_nothing(server, bot, fake, db):
    assert server.sms("退订").status == 200
    server.drain()
    assert bot.texts == ["退订"]  # still in the transcript
    (confirmation,) = fake.sent_to(PHONE)
    assert confirmation.form["Body"] == sms_text.OPT_OUT_CONFIRMATION
    with session_scope(db) as s:
        assert repository.is_opted_out(s, PHONE, "twilio_sms")

    assert server.sms("我明天还钱").status == 200
    assert server.sms("STOP").status == 200  # again: no second confirmation
    server.drain()
    assert bot.texts == ["退订", "我明天还钱", "STOP"]
    assert len(fake.message_requests()) == 1
    statuses = [status for _, _, status in contact_rows(db)]
    assert statuses == ["queued", "blocked_opt_out", "blocked_opt_out", "blocked_opt_out"]


def test_a_safety_reply_reaches_a_number_that_opted_out_and_nothing_else_does(server, bot, fake, db):
    """"别打了，以后别打了，我什么都不想说了": the channel records the opt-out
    the words ask for, and the crisis lines the bot answers with (a crisis
    only the classifier heard, marked as a safety reply by
    action_handle_crisis) still reach the cardholder; an ordinary reply after
    the opt-out does not. ("这个号以后没人用了" is a sign the net reads itself
    since its twenty-fifth round, so the crisis wins the turn there.)"""
    hotline = "听到您这么说，我有点担心您。您现在安全吗？热线12356"
    bot.answer = lambda text: ([{"text": hotline, replies.SAFETY_REPLY_KEY: True}] if "不想说" in text
                               else [{"text": f"收到：{text}"}])
    server.sms("别打了，以后别打了，我什么都不想说了")
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == [sms_text.OPT_OUT_CONFIRMATION, hotline]
    with session_scope(db) as s:
        assert repository.is_opted_out(s, PHONE, "twilio_sms")

    server.sms("我明天还钱")
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == [sms_text.OPT_OUT_CONFIRMATION, hotline]
    assert [status for _, _, status in contact_rows(db)][-1] == "blocked_opt_out"


@pytest.mark.parametrize("keyword", ["STOP", "TD", "取消", "stop"])
def test_opt_out_keyword_variants(server, fake, keyword):
    server.sms(keyword)
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == [sms_text.OPT_OUT_CONFIRMATION]


def test_start_re_enables_sms(server, bot, fake, db):
    server.sms("TD")
    server.drain()
    server.sms("START")
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == [
        sms_text.OPT_OUT_CONFIRMATION,
        sms_text.OPT_IN_CONFIRMATION,
    ]
    with session_scope(db) as s:
        assert not repository.is_opted_out(s, PHONE, "twilio_sms")
    # the bot's own answer to "START" was replaced by the confirmation
    assert ("收到：START", None, "suppressed") in contact_rows(db)

    server.sms("订阅")  # not opted out any more: an ordinary message
    server.sms("你好")  # handled after the previous one, in order
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)][2:] == ["收到：订阅", "收到：你好"]


def test_chinese_opt_in_keyword(server, fake):
    server.sms("取消")
    server.drain()
    server.sms("订阅")
    server.drain()
    assert [r.form["Body"] for r in fake.sent_to(PHONE)] == [
        sms_text.OPT_OUT_CONFIRMATION,
        sms_text.OPT_IN_CONFIRMATION,
    ]


# --------------------------------------------------------------------------
# Status callbacks
# --------------------------------------------------------------------------


def test_status_callbacks_update_the_contact_log(server, fake, db):
    server.sms("你好")
    server.drain()
    (sent,) = fake.sent_to(PHONE)
    for status in ("sent", "delivered"):
        assert_empty_twiml(server.post(STATUS, status_params(sent.sid, status)))
    assert contact_rows(db) == [("收到：你好", sent.sid, "delivered")]

    # forged: refused, nothing changes
    forged = server.post(STATUS, status_params(sent.sid, "failed"), auth_token="wrong")
    assert forged.status == 403
    assert server.post(STATUS, status_params(sent.sid, "failed"), signature=None).status == 403
    # a late "sent" does not undo "delivered"
    server.post(STATUS, status_params(sent.sid, "sent"))
    assert contact_rows(db) == [("收到：你好", sent.sid, "delivered")]
    # incomplete callback
    assert server.post(STATUS, {"MessageSid": sent.sid, "AccountSid": ACCOUNT_SID}).status == 400


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_failed_and_undelivered_callbacks(server, fake, db, status):
    server.sms("你好")
    server.drain()
    (sent,) = fake.sent_to(PHONE)
    server.post(STATUS, status_params(sent.sid, status, ErrorCode="30003"))
    assert contact_rows(db)[-1][2] == status


def test_a_callback_that_overtakes_the_send_result_is_applied_later(server, db):
    sid = "SM" + uuid.uuid4().hex
    assert server.post(STATUS, status_params(sid, "delivered")).status == 200
    with session_scope(db) as s:  # the send result lands after the callback
        log_contact(
            s, conversation_id=PHONE, channel="twilio_sms", direction="out", text="迟到", message_id=sid, status="queued"
        )
    server.drain()
    assert ("迟到", sid, "delivered") in contact_rows(db)


# --------------------------------------------------------------------------
# Replies as SMS
# --------------------------------------------------------------------------


def test_long_replies_are_split_within_the_segment_limit(make_server, bot, fake):
    server = make_server(max_segments=1)
    facts = (
        "您尾号6688的信用卡当前应还总额12,000.00元，最低还款额1,200.00元，到期还款日为2026年10月10日，"
        "目前已逾期46天。请问您近期方便安排还款吗？"
    )
    bot.answer = lambda text: [{"text": facts}]
    server.sms("3521")
    server.drain()
    bodies = [r.form["Body"] for r in fake.sent_to(PHONE)]
    assert len(bodies) >= 2
    assert all(sms_text.segment_count(b) == 1 for b in bodies)
    assert "".join(bodies) == facts
    assert sum("12,000.00元" in b for b in bodies) == 1


def test_buttons_become_a_numbered_list_and_a_number_picks_one(server, bot, fake):
    buttons = [{"title": "我要还款", "payload": "/promise_to_pay"}, {"title": "申请分期", "payload": "/request_installment"}]
    bot.answer = lambda text: [{"text": "请问您方便还款吗？", "buttons": buttons}] if text == "3521" else [{"text": "好的"}]
    server.sms("3521")
    server.drain()
    (menu,) = fake.sent_to(PHONE)
    assert menu.form["Body"] == "请问您方便还款吗？\n回复序号即可选择：\n1. 我要还款\n2. 申请分期"
    server.sms("2")
    server.drain()
    assert bot.texts == ["3521", "/request_installment"]
    assert bot.messages[-1].metadata["twilio_sms"]["menu_choice"] == {"number": 2, "title": "申请分期"}
    server.sms("2")  # the menu was used up: "2" is just "2" now
    server.drain()
    assert bot.texts[-1] == "2"


def sql_tracker_store(path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


PLAN_BUTTONS = [
    {"title": "分6期，每期2,080.00元", "payload": '/request_installment{"months":"6期"}'},
    {"title": "分12期，每期1,060.00元", "payload": '/request_installment{"months":"12期"}'},
]


def test_a_second_process_maps_the_number_to_the_menu_the_first_one_sent(db, fake, tmp_path):
    """Two Rasa processes behind one number (or one restarted): nothing of
    the menu lives in a process; each reads the tracker store, here two
    separate stores over one database as two processes would have."""
    first, second = ScriptedBot(sql_tracker_store(tmp_path / "t.db")), ScriptedBot(sql_tracker_store(tmp_path / "t.db"))
    for b in (first, second):
        b.answer = lambda text: [{"text": "请选择方案", "buttons": PLAN_BUTTONS}] if text == "分期" else [{"text": "好的"}]
    servers = [
        ChannelServer(TwilioSmsInput(make_config(fake), db_url=db, tracker_store=b.tracker_store), b).start()
        for b in (first, second)
    ]
    try:
        servers[0].sms("分期")
        servers[0].drain()
        assert "2. 分12期，每期1,060.00元" in fake.sent_to(PHONE)[-1].form["Body"]
        servers[1].sms("2")
        servers[1].drain()
        assert second.texts == ['/request_installment{"months":"12期"}']
        assert second.messages[-1].metadata["twilio_sms"]["menu_choice"] == {"number": 2, "title": PLAN_BUTTONS[1]["title"]}
        servers[0].sms("1")  # the first process sees that the menu was answered
        servers[0].drain()
        assert first.texts[-1] == "1"
    finally:
        for server in servers:
            server.stop()


def test_an_expired_menu_maps_no_number(make_server, bot, fake):
    from channels.twilio_sms import MENU_TTL_SECONDS

    server = make_server()
    bot.answer = lambda text: [{"text": "请选择方案", "buttons": PLAN_BUTTONS}] if text == "分期" else [{"text": "好的"}]
    bot.bot_age = MENU_TTL_SECONDS + 60  # sent longer ago than a menu lives
    server.sms("分期")
    server.drain()
    server.sms("2")
    server.drain()
    assert bot.texts == ["分期", "2"]
    assert "menu_choice" not in bot.messages[-1].metadata["twilio_sms"]
    bot.bot_age = MENU_TTL_SECONDS - 60  # just within its life
    server.sms("分期")
    server.drain()
    server.sms("2")
    server.drain()
    assert bot.texts[-1] == '/request_installment{"months":"12期"}'


def test_without_credentials_replies_go_to_the_outbox(make_server, bot, fake, db):
    server = make_server(account_sid=None)  # the auth token still checks signatures
    server.sms("你好")
    server.drain()
    assert fake.requests == []
    assert contact_rows(db) == [("收到：你好", "outbox-1", "outbox")]


def test_output_channel_for_server_initiated_messages_checks_the_opt_out(server, fake, db):
    with session_scope(db) as s:
        repository.record_opt_out(s, PHONE, "twilio_sms")
    out = server.channel.get_output_channel()
    server.call(out.send_text_message(PHONE, "还款提醒"))
    assert fake.requests == []
    assert contact_rows(db) == [("还款提醒", None, "blocked_opt_out")]


def test_health_route(server):
    import json
    import urllib.request

    with urllib.request.urlopen(server.url + "/webhooks/twilio_sms/") as r:
        assert json.loads(r.read()) == {"status": "ok"}


# --------------------------------------------------------------------------
# Input limits and the per-sender rate limit
# --------------------------------------------------------------------------


def test_a_sender_over_the_rate_limit_gets_empty_twiml_and_nothing_is_stored(make_server, bot, db):
    server = make_server(rate_burst=2, rate_per_minute=0.001)
    answers = [server.sms(text) for text in ("一", "二", "三")]
    other = server.sms("别人", from_="+8613900000002")
    server.drain()
    for answer in answers + [other]:
        assert_empty_twiml(answer)  # 200: Twilio never redelivers it
    assert [a.headers.get("x-collectbot-rate-limited") for a in answers] == [None, None, "1"]
    assert other.headers.get("x-collectbot-rate-limited") is None
    assert sorted(m.text for m in bot.messages) == ["一", "二", "别人"]
    assert count(db, SmsInbound) == 3


def test_an_oversized_request_is_a_413_before_the_signature_is_checked(make_server, bot, db):
    server = make_server(max_request_bytes=2000)
    answer = server.sms("我" * 1000)  # about 9 000 bytes percent-encoded
    assert answer.status == 413
    forged = server.post(WEBHOOK, inbound_params(PHONE, "我" * 1000), auth_token="wrong")
    assert forged.status == 413
    server.drain()
    assert bot.messages == [] and count(db, SmsInbound) == 0


@pytest.mark.parametrize("field,value", [("From", "+86" + "1" * 80), ("From", "<script>"), ("MessageSid", "SM" + "x" * 80),
                                          ("MessageSid", "SM 1")])
def test_parameters_no_twilio_request_carries_are_a_400(server, bot, db, field, value):
    params = inbound_params(PHONE, "你好")
    params[field] = value
    if field == "MessageSid":
        params.pop("SmsSid", None)
        params.pop("SmsMessageSid", None)
    answer = server.post(WEBHOOK, params)
    assert answer.status == 400, answer.body
    server.drain()
    assert bot.messages == [] and count(db, SmsInbound) == 0


def test_a_drain_waits_for_work_started_while_it_waits():
    """A message's handling starts its reply's send as a task of its own; a
    shutdown drain that only waited for what was running when it began would
    drop that reply."""
    import asyncio

    from channels.twilio_sms import drain_tasks

    done = []

    async def scenario():
        tasks = set()

        async def send():
            await asyncio.sleep(0.05)
            done.append("reply sent")

        async def handle():
            await asyncio.sleep(0.05)
            tasks.add(asyncio.create_task(send()))  # spawned during the drain
            done.append("handled")

        tasks.add(asyncio.create_task(handle()))
        await drain_tasks(tasks, 5, "test")

    asyncio.run(scenario())
    assert done == ["handled", "reply sent"]
