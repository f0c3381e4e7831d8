"""Hand-over end to end: the real Rasa server (``--enable-api --auth-token``),
the real action server, the agent console as its own process, and the
cardholder on the web chat (a socket.io client), by SMS (Twilio's API played
by tests/fakes/fake_twilio.py) and on the REST channel.

The model is bot/models unless COLLECTBOT_E2E_MODEL names another one (a
model trained into a temporary directory while bot/models is being retrained).
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import pytest
import socketio

from bot.core import replies, tokens
from tests.console.support import PASSWORD, Browser, running_console
from tests.e2e import servers
from tests.e2e.servers import REPO, VENV_BIN, eventually, running_stack
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio, inbound_params, signed_post

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
RASA_TOKEN = "e2e-rasa-api-token-0123456789"
WEBCHAT_SECRET = "e2e-webchat-secret-0123456789"
MODEL = os.environ.get("COLLECTBOT_E2E_MODEL", "bot/models")
PUBLIC = "https://sms.example.test"
WEBHOOK = "/webhooks/twilio_sms/webhook"
CREDENTIALS = """rest:
channels.twilio_sms.TwilioSmsInput:
channels.webchat.WebChatInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  socketio_path: /socket.io
  metadata_key: metadata
"""
GREETING = "您好，我是人工专员，现在由我为您服务。"


@pytest.fixture(scope="module")
def twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(scope="module")
def world(tmp_path_factory, twilio):
    workdir = tmp_path_factory.mktemp("e2e-handoff")
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")
    env = {
        "WEBCHAT_TOKEN_SECRET": WEBCHAT_SECRET,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_NUMBER,
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_PUBLIC_URL": PUBLIC,
        "TWILIO_API_BASE_URL": twilio.base_url,
        "SMS_RETRY_BASE_SECONDS": "0.2",
    }
    rasa_args = ("--enable-api", "--auth-token", RASA_TOKEN, "--model", MODEL)
    # The action server sends the crisis/opt-out replies of a paused
    # conversation through Rasa's HTTP API, so it must know Rasa's port:
    # choose it here (running_stack takes its ports from servers.free_port).
    rasa_port, actions_port = servers.free_port(), servers.free_port()
    env.update(RASA_URL=f"http://127.0.0.1:{rasa_port}", RASA_API_TOKEN=RASA_TOKEN)
    ports = iter([rasa_port, actions_port])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(servers, "free_port", lambda: next(ports))
        stack_cm = running_stack(workdir, NOW, extra_env=env, rasa_args=rasa_args, credentials=credentials)
        stack = stack_cm.__enter__()
    try:
        imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        for name, role in (("agent1", "agent"), ("trainer1", "trainer")):
            created = subprocess.run(
                [str(VENV_BIN / "collectbot"), "create-user", name, "--role", role, "--password-stdin"],
                input=PASSWORD + "\n", env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60,
            )
            assert created.returncode == 0, created.stderr
        console_env = {
            "DATABASE_URL": stack.env["DATABASE_URL"], "COLLECTBOT_NOW": NOW,
            "RASA_URL": stack.rasa_url, "RASA_API_TOKEN": RASA_TOKEN,
        }
        with running_console(workdir, console_env) as console_url:
            yield {"stack": stack, "console": console_url, "twilio": twilio}
    finally:
        stack_cm.__exit__(None, None, None)


def agent(world, name="agent1") -> Browser:
    b = Browser(world["console"])
    assert b.login(name).status == 302
    return b


def rasa_tracker(world, conversation_id: str) -> Dict[str, Any]:
    url = f"{world['stack'].rasa_url}/conversations/{quote(conversation_id, safe='+')}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


# --- the web chat, as the widget speaks it -----------------------------------------------


class Chat:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: "asyncio.Queue[Any]" = asyncio.Queue()
        self.session: Optional[str] = None
        self.sio.on("bot_uttered", self._bot)
        self._confirmed: "asyncio.Queue[Any]" = asyncio.Queue()
        self.sio.on("session_confirm", self._confirm)

    async def _bot(self, data=None):
        await self.received.put(data)

    async def _confirm(self, data=None):
        await self._confirmed.put(data)

    async def open(self, token: str) -> str:
        # wait_timeout: not python-socketio's one second (see tests/webchat_client.py).
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        await self.sio.emit("session_request", {"session_id": None, "customData": {"token": token}})
        self.session = await asyncio.wait_for(self._confirmed.get(), 20)
        return self.session

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session, "metadata": {}})

    async def until(self, needle: str, timeout: float = 30) -> List[str]:
        """Bot messages until one contains ``needle``."""
        texts: List[str] = []
        deadline = time.monotonic() + timeout
        while not any(needle in t for t in texts):
            try:
                data = await asyncio.wait_for(self.received.get(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise AssertionError(f"no bot message with {needle!r}; got {texts!r}") from None
            texts.append((data or {}).get("text") or "")
        return texts

    async def silent_for(self, seconds: float) -> bool:
        try:
            data = await asyncio.wait_for(self.received.get(), seconds)
        except asyncio.TimeoutError:
            return True
        raise AssertionError(f"the bot answered while paused: {data!r}")

    async def close(self) -> None:
        # Disconnect without waiting for the pending long-poll to return.
        if self.sio.connected:
            for namespace in list(self.sio.namespaces):
                await self.sio._send_packet(self.sio.packet_class(socketio.packet.DISCONNECT, namespace=namespace))
            await self.sio.eio.disconnect(abort=True)
            await asyncio.sleep(0.05)


def test_web_chat_hand_over_reply_booking_and_hand_back(world):
    async def scenario():
        stack = world["stack"]
        chat = Chat(stack.rasa_url)
        sid = await chat.open(tokens.issue("E2E-4", 900, WEBCHAT_SECRET, time.time()))
        try:
            await chat.say("你好")
            assert any("5,000.00元" in t for t in await chat.until("5,000.00元"))
            await chat.say("转人工")
            said = "\n".join(await chat.until("预计约5分钟内接入"))
            assert "正在为您转接人工专员" in said

            # Paused: the bot stays quiet, the message still reaches the agent.
            await chat.say("我明天还钱")
            assert await chat.silent_for(4)
            a = agent(world)
            queue = await asyncio.to_thread(lambda: a.get("/api/queue").json()["items"])
            item = next(i for i in queue if i["conversation_id"] == sid)
            assert item["account_id"] == "E2E-4" and item["channel"] == "webchat" and item["reasons"] == ["customer_request"]
            detail = await asyncio.to_thread(a.detail, sid)
            assert detail["state"]["paused"] and detail["state"]["identity_confirmed"]
            assert detail["transcript"][-1]["from"] == "cardholder" and detail["transcript"][-1]["text"] == "我明天还钱"

            def contact_logged():
                log = stack.show_account("E2E-4")["contact_log"]
                assert any(e["direction"] == "in" and e["text"] == "我明天还钱" for e in log)

            await asyncio.to_thread(eventually, contact_logged)

            # The agent claims and replies; the cardholder sees it in the widget.
            assert (await asyncio.to_thread(a.claim, sid)).status == 200
            answer = await asyncio.to_thread(a.reply, sid, GREETING)
            assert answer.status == 200, answer.body
            assert GREETING in await chat.until(GREETING)
            tracker = await asyncio.to_thread(rasa_tracker, world, sid)
            assert tracker["paused"] is True
            events = tracker["events"]
            relay = max(i for i, e in enumerate(events) if e.get("event") == "action" and e.get("name") == "action_relay_agent_message")
            assert any(e.get("event") == "bot" and e.get("text") == GREETING for e in events[relay:])

            # A deferral through the policy, then hand back.
            booked = await asyncio.to_thread(a.book, sid, kind="deferral", days=14)
            assert booked.status == 200, booked.body
            assert booked.json()["summary"]["new_due_date"] == "2026-12-09"
            confirm = booked.json()["suggested_reply"]
            assert (await asyncio.to_thread(a.reply, sid, confirm)).status == 200
            await chat.until("2026年12月9日")
            back = await asyncio.to_thread(a.hand_back, sid)
            assert back.status == 200 and back.json()["warning"] is None, back.body
            assert replies.HANDED_BACK in await chat.until("恢复智能服务")
            assert (await asyncio.to_thread(rasa_tracker, world, sid))["paused"] is False

            # The bot answers again, with its context (verified) and the agent's booking.
            await chat.say("能不能再宽限两周")
            again = "\n".join(await chat.until("延期"))
            assert "已办理过延期" in again, again

            resolved = await asyncio.to_thread(a.resolve, sid, "arranged", "已办理延期14天")
            assert resolved.status == 200, resolved.body
            account = stack.show_account("E2E-4")
            assert [(e["reason"], e["status"]) for e in account["escalations"]] == [("customer_request", "resolved")]
            deferrals = [x for x in account["arrangements"] if x["kind"] == "deferral"]
            assert [(d["new_due_date"], d["conversation_id"]) for d in deferrals] == [("2026-12-09", sid)]
        finally:
            await chat.close()

    asyncio.run(scenario())


# --- SMS ----------------------------------------------------------------------------------------


def sms(world, phone: str, body: str):
    params = inbound_params(phone, body)
    answer = signed_post(world["stack"].rasa_url + WEBHOOK, params, signed_url=PUBLIC + WEBHOOK)
    assert answer.status == 200, answer.body


def sms_containing(world, phone: str, text: str, timeout: float = 60):
    world["twilio"].wait_for(
        lambda reqs: any(r.answer == 201 and r.form.get("To") == phone and text in r.form.get("Body", "") for r in reqs),
        timeout,
    )


def test_sms_hand_over_the_agents_reply_goes_out_as_an_sms(world):
    me = "+8613900000002"
    twilio = world["twilio"]
    sms(world, me, "转人工")
    sms_containing(world, me, "预计约5分钟内接入")
    count = len(twilio.sent_to(me))
    sms(world, me, "在吗")
    time.sleep(4)
    assert len(twilio.sent_to(me)) == count  # paused: no answer from the bot

    # Crisis talk while paused still gets the hotlines, by SMS.
    sms(world, me, "我真的不想活了")
    sms_containing(world, me, "12356")

    a = agent(world)
    assert a.claim(me).status == 200
    assert "在吗" in [m["text"] for m in a.detail(me)["transcript"] if m["from"] == "cardholder"]
    answer = a.reply(me, GREETING)
    assert answer.status == 200 and answer.json()["channel"] == "twilio_sms", answer.body
    sms_containing(world, me, GREETING)
    # As sent: with how to stop SMS, appended for the agent (issue 14).
    request = next(r for r in twilio.sent_to(me) if r.form["Body"] == GREETING + "回T退订")
    assert request.form["To"] == me and request.form["From"] == TWILIO_NUMBER

    # Forbidden wording never leaves.
    blocked = a.reply(me, "再不还钱就让你坐牢")
    assert blocked.status == 422
    assert all("坐牢" not in r.form.get("Body", "") for r in twilio.sent_to(me))

    assert a.hand_back(me).status == 200
    sms_containing(world, me, "恢复智能服务")
    assert rasa_tracker(world, me)["paused"] is False
    assert a.resolve(me, "no_contact").status == 200


# --- REST: the safety nets while paused, and roles against the real stack -------------------------------


def test_while_paused_crisis_and_opt_out_still_work(world):
    stack = world["stack"]
    me = "+8613900000003"
    assert "人工专员" in "\n".join(stack.say(me, "转人工"))
    assert stack.say(me, "我明天还钱") == []
    # A REST client has its (empty) answer already; the replies are sent
    # right after through the channel's output, and kept in the tracker.
    stack.say(me, "我真的不想活了")
    stack.say(me, "退订")

    def replied():
        texts = [e.get("text") or "" for e in rasa_tracker(world, me)["events"] if e.get("event") == "bot"]
        assert any("12356" in t for t in texts) and any("已为您办理退订" in t for t in texts), texts

    eventually(replied)
    account = stack.show_account("E2E-3")
    assert [(e["reason"], e["priority"]) for e in account["escalations"]] == [("customer_request", 2), ("crisis", 0)]
    assert [o["channel"] for o in account["opt_outs"]] == ["rest"]
    queue = agent(world).get("/api/queue").json()["items"]
    assert queue[0]["conversation_id"] == me and queue[0]["crisis"] is True
    assert rasa_tracker(world, me)["paused"] is True


def test_a_trainer_cannot_talk_to_a_cardholder(world):
    trainer = agent(world, "trainer1")
    assert trainer.get("/api/queue").status == 200
    assert trainer.reply("+8613900000003", "您好").status == 403


def test_rasas_http_api_is_not_open(world):
    url = f"{world['stack'].rasa_url}/conversations/{'+8613900000003'}/tracker"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 401


def test_rasa_never_loads_a_model_from_a_remote_address(world):
    # Even with the API token: loading a model unpickles it (CVE-2024-49375 class).
    for body in ({"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}},
                 {"remote_storage": "aws", "model_file": "models/x.tar.gz"}):
        request = urllib.request.Request(
            f"{world['stack'].rasa_url}/model?token={RASA_TOKEN}", method="PUT",
            data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        assert json.loads(refused.value.read())["error"] == "remote_model_refused"
    # The running model still answers.
    status = urllib.request.urlopen(f"{world['stack'].rasa_url}/status?token={RASA_TOKEN}", timeout=30)
    assert json.loads(status.read())["model_file"]
