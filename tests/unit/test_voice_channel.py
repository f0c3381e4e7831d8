"""The voice channel (channels/voice.py) on a real Sanic server, a scripted
bot in place of Rasa's agent, driven by the call simulator (bot/voice/sim.py).

TwiML is parsed as XML and its elements and attributes checked, never
compared as strings.
"""
from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Callable, List

import pytest
from sanic import Sanic
from sqlalchemy import select

from bot.core import call_guard, guard
from bot.db import repository
from bot.db.models import ContactLog
from bot.db.session import session_scope
from bot.voice.sim import CallSim
from channels.voice import VoiceConfig, VoiceInput, keypad_text
from tests.unit.channel_support import PHONE, ChannelServer, seed_cardholder

PUBLIC = "https://voice.example.test"
TOKEN = "voice-test-token-0123456789"
ONCALL = "+8610000000110"
AGENT = "+8610000000200"


class ScriptedBot:
    def __init__(self) -> None:
        self.messages = []
        self.delay = 0.0
        self.answer: Callable[[str], List[dict]] = lambda text: [{"text": f"收到：{text}"}]

    async def __call__(self, message) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        for reply in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> List[str]:
        return [m.text for m in self.messages]


class Server(ChannelServer):
    def __init__(self, channel: VoiceInput, bot: ScriptedBot, agent=None) -> None:
        super().__init__(channel, bot, "/webhooks/voice", agent=agent)

    def sim(self, **kw) -> CallSim:
        return CallSim(self.url, kw.pop("phone", PHONE), auth_token=kw.pop("auth_token", TOKEN),
                       public_url=PUBLIC, **kw)


@pytest.fixture
def db(db_url, pinned_now, today):
    return seed_cardholder(db_url, today, "V-1", balance="18650.40", minimum_due="1865.04")


@pytest.fixture
def bot():
    return ScriptedBot()


@pytest.fixture
def make_server(db, bot):
    servers = []

    def make(**kw) -> Server:
        values = dict(auth_token=TOKEN, public_url=PUBLIC, oncall_number=ONCALL, agent_number=AGENT,
                      max_silences=2, turn_seconds=5.0)
        values.update(kw)
        server = Server(VoiceInput(VoiceConfig(**values), db_url=db), bot).start()
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def server(make_server):
    return make_server()


def twiml(answer) -> ET.Element:
    assert answer.status == 200, answer.body
    return ET.fromstring(answer.body)


def test_inbound_call_greets_in_mandarin_and_gathers_speech_and_keys(server, bot):
    bot.answer = lambda text: [{"text": "您好，请问您是李*华本人吗？", "buttons": [
        {"title": "是本人", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]}]
    sim = server.sim().start()
    assert bot.texts == ["/greet"]
    assert bot.messages[0].sender_id == PHONE and bot.messages[0].input_channel == "voice"
    root = twiml(sim.answers[-1])
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "zh-CN"
    assert "分期" in gather.get("hints") and "本人" in gather.get("hints")
    assert gather.get("action").startswith("/webhooks/voice/gather?turn=1")
    say = gather.find("Say")
    assert say.get("language") == "zh-CN" and say.get("voice") == "Polly.Zhiyu-Neural"
    assert "按1，是本人；按2，不是" in say.text
    assert root.find("Redirect").text.startswith("/webhooks/voice/silence")

    sim.press("1")  # the menu: first button's payload
    assert bot.texts[-1] == "/affirm"
    sim.say("我想分期")
    assert bot.texts[-1] == "我想分期"
    assert bot.messages[-1].metadata["voice"]["input"] == "speech"
    sim.press("352*")  # ID digits: * is X
    assert bot.texts[-1] == "352X"


def test_voice_is_configurable(make_server, bot):
    server = make_server(voice="Polly.Zhiyu")
    sim = server.sim().start()
    for say in twiml(sim.answers[-1]).iter("Say"):
        assert say.get("voice") == "Polly.Zhiyu"


def test_replies_are_spoken_figures_not_chat_text(server, bot):
    bot.answer = lambda text: [{"text": "您当前应还总额18,650.40元，到期还款日为2026年12月11日。"}]
    sim = server.sim().start()
    assert "一万八千六百五十元四角" in sim.last_said()
    assert "二零二六年十二月十一日" in sim.last_said()
    assert "18,650.40" not in sim.last_said()


def test_forged_or_missing_signature_is_refused_and_nothing_processed(server, bot):
    sim = server.sim(forge=True).start()
    assert sim.answers[-1].status == 403
    sim = server.sim(auth_token="not-the-token").start()
    assert sim.answers[-1].status == 403
    assert bot.messages == []


def test_without_a_token_every_request_is_refused(make_server, bot):
    server = make_server(auth_token=None)
    sim = server.sim().start()
    assert sim.answers[-1].status == 403
    assert bot.messages == []


def test_a_redelivered_step_is_processed_once(server, bot):
    sim = server.sim().start()
    action = sim.gather_action
    first = sim.post(action, sim.params(SpeechResult="我想还款"))
    again = sim.post(action, sim.params(SpeechResult="我想还款"))
    assert bot.texts.count("我想还款") == 1
    assert ET.fromstring(first.body).find("Gather").find("Say").text == \
        ET.fromstring(again.body).find("Gather").find("Say").text


def test_answering_machine_gets_a_neutral_message_only(server, bot, db):
    sim = server.sim(outbound=True, answered_by="machine_start").start()
    assert bot.messages == []  # nothing from the conversation
    speech = "".join(sim.said())
    assert "回电" in speech
    for private in ("李", "明华", "欠款", "逾期", "还款", "信用卡", "元"):
        assert private not in speech
    assert sim.ended and sim.steps[-1].kind == "hangup"
    with session_scope(db) as s:
        statuses = s.execute(select(ContactLog.status).where(ContactLog.channel == "voice")).scalars().all()
    assert statuses == ["machine"]


def test_outbound_call_greets_when_it_arrives_in_progress(server, bot):
    sim = server.sim(outbound=True, answered_by="human").start()
    assert bot.texts == ["/greet"] and bot.messages[0].sender_id == PHONE


def test_repeated_silence_ends_the_call_politely(server, bot):
    sim = server.sim().start()
    sim.silence()
    assert "没有听清" in sim.last_said() and not sim.ended
    sim.silence()
    assert not sim.ended
    sim.silence()
    assert sim.ended and "再见" in sim.last_said()
    assert bot.texts == ["/greet"]


def test_crisis_is_put_through_to_the_on_call_number_at_once(server, bot):
    bot.answer = lambda text: [{"text": "听到您这么说，我很担心您。"}]
    sim = server.sim().start()
    sim.say("我不想活了")
    assert sim.transfers() == [ONCALL]


def test_stop_calling_records_an_opt_out_from_every_channel_and_hangs_up(server, bot, db):
    sim = server.sim().start()
    sim.say("别再打了")
    assert sim.ended
    with session_scope(db) as s:
        assert repository.is_opted_out(s, PHONE, "voice")
        assert repository.is_opted_out(s, PHONE, "twilio_sms")


def test_a_slow_turn_answers_with_a_holding_phrase_and_a_redirect(make_server, bot):
    server = make_server(turn_seconds=0.3)
    bot.answer = lambda text: [{"text": "好的，已为您查到。"}]
    sim = server.sim().start()
    bot.delay = 1.0
    sim.say("查一下账单")
    said = sim.said()
    assert any("请稍等" in s for s in said)
    assert said[-1].startswith("好的，已为您查到")
    assert bot.texts.count("查一下账单") == 1


def test_status_callbacks_are_logged_once_per_call_and_status(server, db):
    sim = server.sim(outbound=True)
    sim.status("no-answer")
    sim.status("no-answer")
    sim.status("completed", 0)
    with session_scope(db) as s:
        rows = s.execute(select(ContactLog.status, ContactLog.direction, ContactLog.account_id)
                         .where(ContactLog.channel == "voice")).all()
    assert sorted(r.status for r in rows) == ["completed", "no-answer"]
    assert all(r.direction == "out" and r.account_id == "V-1" for r in rows)


def test_keypad_text():
    assert keypad_text("1234#") == "1234"
    assert keypad_text("352*") == "352X"


# -- the guard for calls ---------------------------------------------------------------


def test_call_guard_rules(pinned_now):
    facts = guard.ContactFacts()
    assert call_guard.check_call(facts, 5, pinned_now).allowed
    refused = call_guard.check_call(facts, 6, pinned_now)
    assert not refused.allowed and refused.reason == call_guard.UNANSWERED_CALL_CAP
    late = pinned_now.replace(hour=21, minute=30)
    refused = call_guard.check_call(facts, 0, late)
    assert refused.reason == guard.QUIET_HOURS and refused.retry_at is not None
    for channel in ("twilio_sms", "voice", "all"):
        refused = call_guard.check_call(guard.ContactFacts(opted_out_channels=frozenset({channel})), 0, pinned_now)
        assert refused.reason == guard.OPTED_OUT
    assert call_guard.check_call(guard.ContactFacts(open_dispute=True), 0, pinned_now).reason == guard.OPEN_DISPUTE
    assert call_guard.check_call(guard.ContactFacts(third_party_number=True), 0, pinned_now).reason == \
        guard.THIRD_PARTY


def test_unanswered_calls_are_counted_per_call_and_day(pinned_now):
    from datetime import timedelta

    outcomes = [
        ("CA1", "no-answer", pinned_now), ("CA1", "completed", pinned_now),
        ("CA2", "busy", pinned_now), ("CA3", "machine", pinned_now), ("CA3", "completed", pinned_now),
        ("CA4", "completed", pinned_now), ("CA5", "no-answer", pinned_now - timedelta(days=1)),
    ]
    assert call_guard.unanswered_calls_today(outcomes, pinned_now) == 3


class _Tracker:
    def __init__(self, escalated: bool, intent: str) -> None:
        self.escalated = escalated
        self.latest_message = type("M", (), {"intent": {"name": intent}})()

    def get_slot(self, name):
        return self.escalated if name == "escalated" else None

    def is_paused(self) -> bool:
        return self.escalated


class _Store:
    def __init__(self) -> None:
        self.tracker = _Tracker(False, "greet")

    async def retrieve(self, sender_id):
        return self.tracker


def _with_agent(server: Server) -> _Store:
    store = _Store()
    agent = type("Agent", (), {"tracker_store": store})()

    async def attach():
        server.channel._agent = agent

    asyncio.run_coroutine_threadsafe(attach(), server.loop).result(5)
    # every request sets _agent from app.ctx: give the app the same agent
    for app in list(Sanic._app_registry.values()):
        app.ctx.agent = agent
    return store


def test_a_hand_over_in_staffed_hours_dials_the_agent_line(server, bot):
    store = _with_agent(server)
    bot.answer = lambda text: [{"text": "好的，正在为您转接人工专员。"}]
    sim = server.sim().start()
    store.tracker = _Tracker(True, "request_human")
    sim.say("转人工")
    assert sim.transfers() == [AGENT]
    root = ET.fromstring(sim.answers[-1].body)
    assert root.find("Dial").text == AGENT


def test_a_hand_over_can_go_to_a_queue(make_server, bot):
    server = make_server(agent_queue="collections")
    store = _with_agent(server)
    sim = server.sim().start()
    store.tracker = _Tracker(True, "request_human")
    sim.say("转人工")
    assert ET.fromstring(sim.answers[-1].body).find("Enqueue").text == "collections"


def test_goodbye_hangs_up(server, bot):
    store = _with_agent(server)
    bot.answer = lambda text: [{"text": "感谢您的配合，再见！"}]
    sim = server.sim().start()
    store.tracker = _Tracker(False, "goodbye")
    sim.say("再见")
    assert sim.ended and sim.steps[-1].kind == "hangup"


def test_out_of_staffed_hours_a_hand_over_ends_the_call_with_when_to_call_back(server, bot, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T22:30:00+08:00")
    store = _with_agent(server)
    bot.answer = lambda text: [{"text": "好的，正在为您转接人工专员，专员接入后会在这里继续为您服务。"},
                               {"text": "现在是非人工服务时间，专员将于明天09:00上班后尽快回复您，请留意这里的消息。"}]
    sim = server.sim().start()
    store.tracker = _Tracker(True, "request_human")
    sim.say("转人工")
    assert sim.transfers() == []
    said = sim.last_said()
    assert sim.ended and sim.steps[-1].kind == "hangup"
    # When a person calls back, and when the caller can call: the staffed hours, the hotline.
    assert "明天九点上班后尽快联系您" in said and "请保持电话畅通" in said
    assert "人工服务时间，每天九点到二十一点，拨打四零零" in said
    assert "正在为您转接" not in said and "已为您登记人工服务" in said  # nobody is put through now


def test_the_call_simulator_command_runs_a_scripted_call(server, bot, monkeypatch, capsys):
    import argparse

    from bot.voice import sim as sim_module

    bot.answer = lambda text: [{"text": "您好，请问您是李*华本人吗？"}] if text == "/greet" else [
        {"text": "好的，还款3000元。"}]
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    parser = argparse.ArgumentParser()
    sim_module.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["call-sim", PHONE, "--url", server.url, "--public-url", PUBLIC,
                              "--script", "是的", "--script", "#3521"])
    assert sim_module.run(args) == 0
    out = capsys.readouterr().out
    assert "[助手] 您好，请问您是李某华本人吗？" in out
    assert "[来电者] 是的" in out and "[按键] 3521" in out
    assert "还款三千元" in out
    assert "[状态回调] completed" in out
    assert bot.texts == ["/greet", "是的", "3521"]


def test_production_refuses_to_start_the_voice_channel_without_a_token(monkeypatch):
    from bot.secrets import MissingSecret

    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(MissingSecret):
        VoiceInput.from_credentials(None)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    assert VoiceInput.from_credentials(None).config.auth_token == TOKEN


def test_a_call_is_not_placed_without_twilio_settings(db, monkeypatch):
    from bot.voice.calls import VoiceApiConfig, place_call

    result = place_call(PHONE, cfg=VoiceApiConfig(), db_url=db)
    assert not result.placed and result.decision.reason == "not_configured"


# -- nothing a call needs lives in one process's memory ---------------------------------


class SharedConversation:
    """Rasa's part that two processes share: the tracker store (real Rasa
    events, as the SQL tracker store keeps them), written by the scripted bot."""

    def __init__(self, bot: ScriptedBot) -> None:
        from rasa.shared.core.trackers import DialogueStateTracker

        self.tracker = DialogueStateTracker(PHONE, slots=[])
        self.tracker_store = self
        inner = bot.__call__

        async def recording(message) -> None:
            from rasa.shared.core.events import BotUttered, UserUttered

            self.tracker.update(UserUttered(message.text, message_id=message.message_id,
                                            input_channel=message.input_channel))
            await inner(message)
            for reply in message.output_channel.messages:
                data = {k: reply.get(k) for k in ("buttons", "custom") if reply.get(k)}
                self.tracker.update(BotUttered(reply.get("text"), data))

        self.handler = recording

    async def retrieve(self, sender_id):
        return self.tracker if sender_id == PHONE else None


@pytest.fixture
def two_processes(db, bot):
    """Two Rasa processes (two voice channels, two servers) on one database
    and one tracker store, as behind a load balancer."""
    shared = SharedConversation(bot)
    values = dict(auth_token=TOKEN, public_url=PUBLIC, oncall_number=ONCALL, agent_number=AGENT,
                  max_silences=2, turn_seconds=5.0)
    servers = []
    for _ in range(2):
        server = Server(VoiceInput(VoiceConfig(**values), db_url=db), shared.handler, agent=shared)
        servers.append(server.start())
    yield servers
    for s in servers:
        s.stop()


def _said(answer) -> List[str]:
    return [say.text for say in twiml(answer).iter("Say")]


def test_a_step_redelivered_to_another_process_gets_the_same_answer_and_is_processed_once(two_processes, bot):
    a, b = two_processes
    bot.answer = lambda text: [{"text": f"您当前应还总额18,650.40元。收到：{text}", "buttons": [
        {"title": "分期", "payload": "/ask_installment"}, {"title": "延期", "payload": "/ask_deferral"}]}]
    sim = a.sim().start()
    first = sim.post(sim.gather_action, sim.params(SpeechResult="我想还款"))
    # Twilio's retry of the same step lands on the other process.
    again = CallSim(b.url, PHONE, auth_token=TOKEN, public_url=PUBLIC, call_sid=sim.call_sid)
    second = again.post(sim.gather_action, again.params(SpeechResult="我想还款"))
    assert bot.texts.count("我想还款") == 1
    assert _said(second) == _said(first) and "一万八千六百五十元四角" in _said(second)[0]
    assert twiml(second).find("Gather").get("action") == twiml(first).find("Gather").get("action")


def test_the_keypad_menu_survives_a_restart_and_another_process(two_processes, bot):
    a, b = two_processes
    bot.answer = lambda text: [{"text": "请问您是李*华本人吗？", "buttons": [
        {"title": "是本人", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]}]
    sim = a.sim().start()
    a.stop()  # the process that offered the menu is gone
    two_processes.remove(a)
    sim.base_url = b.url
    sim.press("2")
    assert bot.texts == ["/greet", "/deny"]
    assert bot.messages[-1].metadata["voice"]["menu_choice"] == {"number": 2, "title": "不是"}


def test_a_forged_menu_in_the_action_url_is_refused(server, bot):
    bot.answer = lambda text: [{"text": "请问您是李*华本人吗？", "buttons": [{"title": "是本人", "payload": "/affirm"}]}]
    sim = server.sim().start()
    action = sim.gather_action.replace("%2Faffirm", "%2Fstop_contact")
    assert action != sim.gather_action
    forged = CallSim(server.url, PHONE, auth_token="someone-else", public_url=PUBLIC, call_sid=sim.call_sid)
    assert forged.post(action, forged.params(Digits="1")).status == 403
    assert bot.texts == ["/greet"]


def _wait_until_received(db_url: str, step: str) -> None:
    import time

    from bot.db import sms as sms_db

    for _ in range(400):
        with session_scope(db_url) as s:
            if sms_db.inbound_status(s, step):
                return
        time.sleep(0.05)
    raise AssertionError(f"step {step} never recorded")


def test_a_redelivery_while_another_process_is_still_working_holds_then_answers(two_processes, bot):
    a, b = two_processes
    bot.answer = lambda text: [{"text": f"收到：{text}"}]
    sim = a.sim().start()
    action = sim.gather_action
    bot.delay = 3.0
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(sim.post, action, sim.params(SpeechResult="查一下账单"))
        other = CallSim(b.url, PHONE, auth_token=TOKEN, public_url=PUBLIC, call_sid=sim.call_sid)
        _wait_until_received(b.channel.db_url, f"{sim.call_sid}:1")
        held = other.post(action, other.params(SpeechResult="查一下账单"))
        root = twiml(held)
        assert root.find("Gather") is None and "请稍等" in root.find("Say").text
        assert root.find("Redirect").text.startswith("/webhooks/voice/result?turn=1")
        assert slow.result(30).status == 200
    # Twilio follows the redirect, to whichever process: the answer of the first delivery.
    other._follow(held)
    assert other.last_said().startswith("收到：查一下账单")
    assert bot.texts.count("查一下账单") == 1


def test_settings_come_from_bot_settings_and_credentials_win(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_PUBLIC_URL", PUBLIC + "/")
    monkeypatch.setenv("VOICE_TTS_VOICE", "Polly.Zhiyu")
    monkeypatch.setenv("VOICE_AGENT_NUMBER", AGENT)
    monkeypatch.setenv("VOICE_MAX_SILENCES", "3")
    cfg = VoiceConfig.from_env(overrides={"voice": "Google.cmn-CN-Wavenet-A", "agent_queue": "collections"})
    assert (cfg.auth_token, cfg.public_url, cfg.voice) == (TOKEN, PUBLIC, "Google.cmn-CN-Wavenet-A")
    assert (cfg.agent_number, cfg.agent_queue, cfg.max_silences, cfg.language) == (AGENT, "collections", 3, "zh-CN")
    monkeypatch.setenv("VOICE_MAX_SILENCES", "0")
    with pytest.raises(ValueError):
        VoiceConfig.from_env()


def test_outbound_call_settings(monkeypatch):
    from bot.voice.calls import VoiceApiConfig

    env = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": "+15005550006",
           "TWILIO_PUBLIC_URL": PUBLIC, "VOICE_MAX_UNANSWERED_PER_DAY": "4"}
    cfg = VoiceApiConfig.from_env(env)
    assert cfg.configured and cfg.from_number == "+15005550006" and cfg.max_unanswered_per_day == 4
    assert VoiceApiConfig.from_env(dict(env, VOICE_FROM_NUMBER="+8610000000300")).from_number == "+8610000000300"
    assert not VoiceApiConfig.from_env({k: v for k, v in env.items() if k != "TWILIO_ACCOUNT_SID"}).configured
