"""The web chat channel served by a real Sanic app in this process (no model):
HTTP routes, the socket.io protocol, identity metadata and pushed messages.

The message handler stands in for Rasa's agent: it records each UserMessage
and answers through the message's output channel.
"""
from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, List, Optional

import pytest
import socketio
from sanic import Sanic

from bot.core import tokens
from channels.webchat import IDENTITY_KEY, WebChatInput
from tests.webchat_client import WebChatClient, close

SECRET = "channel-unit-test-secret"

# Several Sanic apps start in this process (this module's and the typing
# tests' that import Server): test mode lets Sanic's start-up optimiser
# (touchup) run more than once.
Sanic.test_mode = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.channel = WebChatInput(secret=SECRET, session_persistence=True)
        self.received: List[Any] = []
        self.app = Sanic(f"webchat_unit_{uuid.uuid4().hex[:8]}")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop: Optional[asyncio.AbstractEventLoop] = None

        async def on_new_message(message) -> None:
            self.received.append(message)
            await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text}")

        self.app.blueprint(self.channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")

        @self.app.listener("after_server_start")
        async def remember_loop(app, loop) -> None:
            self.loop = loop

    def start(self) -> None:
        thread = threading.Thread(
            target=self.app.run,
            kwargs=dict(host="127.0.0.1", port=self.port, register_sys_signals=False, access_log=False),
            daemon=True,
        )
        thread.start()
        self.thread = thread
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/webhooks/webchat/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("the web chat test server did not start")

    def stop(self) -> None:
        if self.loop is not None:
            async def stop_pings() -> None:
                # engine.io's per-socket ping sleepers outlive closed sockets
                # briefly; cancel them so the stopped loop has nothing pending.
                for task in asyncio.all_tasks():
                    if getattr(task.get_coro(), "__qualname__", "").endswith("_send_ping"):
                        task.cancel()

            asyncio.run_coroutine_threadsafe(stop_pings(), self.loop).result(5)
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def run(self, coro, timeout: float = 20):
        """Run a coroutine on the server's loop (e.g. channel.push)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@pytest.fixture(scope="module")
def server():
    s = Server()
    s.start()
    yield s
    s.stop()


def get(server: Server, path: str):
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


class Client(WebChatClient):
    """A python-socketio client on the test server's web chat."""

    def __init__(self, server: Server) -> None:
        super().__init__(server.url)
        self.server = server


def run(coro):
    return asyncio.run(coro)


# --- HTTP -----------------------------------------------------------------------

def test_the_demo_page_is_off_without_webchat_demo(server, monkeypatch):
    monkeypatch.delenv("WEBCHAT_DEMO", raising=False)
    status, _, body = get(server, "/webhooks/webchat/demo")
    assert status == 404
    assert "token" not in body
    monkeypatch.setenv("WEBCHAT_DEMO", "0")
    assert get(server, "/webhooks/webchat/demo")[0] == 404


def test_the_demo_page_lists_masked_demo_accounts_with_fresh_tokens(server, monkeypatch):
    monkeypatch.setenv("WEBCHAT_DEMO", "1")
    status, headers, body = get(server, "/webhooks/webchat/demo")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert "王*明" in body and "欧**娜" in body and "李*" in body
    assert "王小明" not in body and "欧阳娜娜" not in body
    links = re.findall(r'href="\./\?token=([^"]+)"', body)
    assert len(links) == 5
    accounts = [tokens.verify(t, SECRET, time.time()) for t in links]
    assert accounts == ["DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004", "DEMO-0005"]
    assert 'href="./"' in body  # the anonymous way in
    assert tokens.verify(links[0], SECRET, time.time() + 15 * 60) is None  # 15 minutes


def test_the_widget_page_is_served_with_a_strict_policy(server):
    status, headers, body = get(server, "/webhooks/webchat/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert 'name="viewport"' in body and 'lang="zh-CN"' in body
    assert 'data-socket-path="/socket.io"' in body and 'data-persistence="true"' in body
    assert "<script>" not in body  # no inline script
    assert "{{" not in body


def test_the_widget_page_without_a_trailing_slash_redirects_with_the_query(server):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(f"{server.url}/webhooks/webchat?token=abc", timeout=10)
    assert e.value.code in (301, 302)
    assert e.value.headers["Location"] == "/webhooks/webchat/?token=abc"


def test_static_files_are_served_and_nothing_outside_them(server):
    status, headers, body = get(server, "/webhooks/webchat/static/webchat.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", body, flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink  # message text only ever goes through textContent
    assert get(server, "/webhooks/webchat/static/socket.io.min.js")[0] == 200
    assert get(server, "/webhooks/webchat/static/webchat.css")[0] == 200
    for path in ("/webhooks/webchat/static/../webchat.py", "/webhooks/webchat/static/%2e%2e/webchat.py",
                 "/webhooks/webchat/static/nope.js"):
        assert get(server, path)[0] == 404, path


def test_health(server):
    status, _, body = get(server, "/webhooks/webchat/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


# --- socket.io --------------------------------------------------------------------

def test_session_request_confirm_and_a_reply(server):
    async def scenario():
        async with Client(server) as c:
            session_id, status = await c.session()
            assert re.fullmatch(r"[0-9a-f]{32}", session_id)
            assert status == {"identified": False, "session_proof": server.channel.binder.proof(session_id)}
            await c.say(session_id, "你好")
            assert await c.next("bot_uttered") == {"text": "收到：你好"}
            return session_id

    session_id = run(scenario())
    message = server.received[-1]
    assert (message.sender_id, message.text, message.input_channel) == (session_id, "你好", "webchat")


def test_a_claimed_identity_never_reaches_the_bot(server):
    claim = {IDENTITY_KEY: {"account_id": "E2E-2", "method": "app_token"}, "page": "pay"}

    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            await c.say(session_id, "我是E2E-2", claim)
            await c.next("bot_uttered")

    run(scenario())
    assert server.received[-1].metadata == {"page": "pay"}


def test_a_token_session_carries_the_verified_identity_on_every_message(server):
    link = tokens.issue("E2E-1", 900, SECRET, time.time())
    claim = {IDENTITY_KEY: {"account_id": "E2E-2", "method": "app_token"}}

    async def scenario():
        async with Client(server) as c:
            session_id, status = await c.session(customData={"token": link})
            assert status["identified"] is True
            assert re.fullmatch(r"[0-9a-f]{64}", session_id)
            await c.say(session_id, "你好")
            await c.next("bot_uttered")
            await c.say(session_id, "其实我是E2E-2", claim)
            await c.next("bot_uttered")
            return session_id

    session_id = run(scenario())
    first, second = server.received[-2:]
    for message in (first, second):
        assert message.sender_id == session_id
        assert message.metadata[IDENTITY_KEY] == {"account_id": "E2E-1", "method": "app_token"}


def test_an_expired_token_gets_the_notice_and_an_anonymous_session(server):
    old = tokens.issue("E2E-1", 900, SECRET, time.time() - 3600)

    async def scenario():
        async with Client(server) as c:
            session_id, status = await c.session(customData={"token": old})
            assert (status["identified"], status["notice"]) == (False, "链接已过期，请在App内重新打开")
            await c.say(session_id, "你好")
            await c.next("bot_uttered")

    run(scenario())
    assert IDENTITY_KEY not in server.received[-1].metadata


def test_a_message_for_another_session_is_ignored(server):
    async def scenario():
        async with Client(server) as victim, Client(server) as attacker:
            victim_session, _ = await victim.session(token=tokens.issue("E2E-1", 900, SECRET, time.time()))
            own, _ = await attacker.session()
            before = len(server.received)
            await attacker.say(victim_session, "我欠多少钱")
            await attacker.say(own, "你好")
            assert await attacker.next("bot_uttered") == {"text": "收到：你好"}
            return before

    before = run(scenario())
    assert [m.text for m in server.received[before:]] == ["你好"]


def test_reconnecting_with_the_session_id_continues_the_conversation(server):
    async def scenario():
        async with Client(server) as c:
            session_id, status = await c.session()
            await c.say(session_id, "第一句")
            await c.next("bot_uttered")
        async with Client(server) as again:
            confirmed, _ = await again.session(session_id, session_proof=status["session_proof"])
            assert confirmed == session_id
            await again.say(session_id, "第二句")
            assert await again.next("bot_uttered") == {"text": "收到：第二句"}
        return session_id

    session_id = run(scenario())
    assert [m.sender_id for m in server.received[-2:]] == [session_id, session_id]


def test_push_reaches_every_open_widget_of_the_session(server):
    async def scenario():
        async with Client(server) as tab1, Client(server) as tab2:
            session_id, status = await tab1.session()
            await tab2.session(session_id, session_proof=status["session_proof"])
            delivered = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: server.run(server.channel.push(
                    session_id, "专员已回复：请稍候", [{"title": "好的", "payload": "/affirm"}]
                )),
            )
            assert delivered is True
            expected = {
                "text": "专员已回复：请稍候",
                "quick_replies": [{"content_type": "text", "title": "好的", "payload": "/affirm"}],
            }
            assert await tab1.next("bot_uttered") == expected
            assert await tab2.next("bot_uttered") == expected
            nobody = await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.run(server.channel.push("0" * 32, "没有人在线"))
            )
            assert nobody is False

    run(scenario())


def test_a_session_id_without_its_proof_opens_nothing(server):
    """Issue 16: an anonymous session id (seen in the tracker store, the
    console, the logs) was a key: a second socket presenting it read what the
    bot told the visitor, and could talk in the conversation."""
    async def scenario():
        async with Client(server) as visitor, Client(server) as attacker:
            session_id, status = await visitor.session()
            for proof in (None, "", "0" * 32, status["session_proof"][:-1] + "x"):
                extra = {} if proof is None else {"session_proof": proof}
                taken, _ = await attacker.session(session_id, **extra)
                assert taken != session_id
            before = len(server.received)
            await attacker.say(session_id, "我欠多少钱")  # not its session: ignored
            await visitor.say(session_id, "你好")
            assert await visitor.next("bot_uttered") == {"text": "收到：你好"}
            await server_push(server, session_id, "您的欠款为128,900.00元")
            assert await visitor.next("bot_uttered") == {"text": "您的欠款为128,900.00元"}
            with pytest.raises(asyncio.TimeoutError):
                await attacker.next("bot_uttered", timeout=1)
            return before, session_id

    before, session_id = run(scenario())
    assert [(m.sender_id, m.text) for m in server.received[before:]] == [(session_id, "你好")]


def test_a_socket_that_never_sent_session_request_cannot_talk(server):
    async def scenario():
        async with Client(server) as visitor, Client(server) as intruder:
            session_id, _ = await visitor.session()
            before = len(server.received)
            await intruder.say(session_id, "我欠多少钱")
            await intruder.say("ab" * 16, "你好")
            with pytest.raises(asyncio.TimeoutError):
                await intruder.next("bot_uttered", timeout=1)
            return before

    before = run(scenario())
    assert server.received[before:] == []


def test_message_text_and_metadata_are_cleaned_at_the_door(server):
    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            await c.say(session_id, "我\ud800想还款\x00", {"page": "pay\udfff"})
            await c.next("bot_uttered")

    run(scenario())
    message = server.received[-1]
    assert message.text == "我\ufffd想还款"
    assert message.metadata == {"page": "pay\ufffd"}
    message.text.encode("utf-8")  # storable


def test_a_static_name_too_long_for_the_file_system_is_404(server):
    assert get(server, "/webhooks/webchat/static/" + "a" * 5000)[0] == 404
    assert get(server, "/webhooks/webchat/static/a%00b.js")[0] == 404


async def server_push(server, session_id, text):
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: server.run(server.channel.push(session_id, text)))


def test_the_output_channel_for_server_messages_is_the_web_chat(server):
    output = server.channel.get_output_channel()
    assert output is not None and output.name() == "webchat"


def test_custom_payloads_are_sent_as_the_message(server):
    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            output = server.channel.get_output_channel()
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.run(output.send_custom_json(session_id, {"kind": "reminder", "text": "明天还款日"}))
            )
            assert await c.next("bot_uttered") == {"kind": "reminder", "text": "明天还款日"}

    run(scenario())


# --- settings -----------------------------------------------------------------------

def test_rasa_socketio_settings_are_read_from_credentials(monkeypatch):
    monkeypatch.setenv("WEBCHAT_TOKEN_SECRET", "from-env")
    channel = WebChatInput.from_credentials({
        "user_message_evt": "u", "bot_message_evt": "b", "session_persistence": False,
        "socketio_path": "/chat.io", "jwt_key": "k", "jwt_method": "HS512", "metadata_key": "customData",
        "token_ttl_seconds": 300,
    })
    assert (channel.user_message_evt, channel.bot_message_evt, channel.session_persistence) == ("u", "b", False)
    assert (channel.socketio_path, channel.jwt_key, channel.jwt_algorithm) == ("/chat.io", "k", "HS512")
    assert (channel.metadata_key, channel.token_ttl_seconds, channel.token_secret) == ("customData", 300, "from-env")
    assert WebChatInput.name() == "webchat"


def test_defaults_keep_sessions_and_generate_the_dev_secret(monkeypatch, tmp_path):
    from bot import secrets

    monkeypatch.delenv("WEBCHAT_TOKEN_SECRET", raising=False)
    monkeypatch.delenv("COLLECTBOT_ENV", raising=False)
    monkeypatch.setattr(secrets, "VAR_DIR", tmp_path)
    channel = WebChatInput.from_credentials(None)
    assert channel.session_persistence is True
    assert channel.socketio_path == "/socket.io"
    assert (channel.user_message_evt, channel.bot_message_evt) == ("user_uttered", "bot_uttered")
    assert channel.token_ttl_seconds == 15 * 60
    assert channel.token_secret == (tmp_path / "webchat_token_secret").read_text().strip()


def test_a_too_long_or_blank_message_is_refused_with_a_notice(server):
    before = len(server.received)

    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            await c.say(session_id, "   ")
            await c.say(session_id, "长" * 1001)
            refused = await c.next("webchat_status")
            await c.say(session_id, "长" * 1000)
            await c.next("bot_uttered")
            return refused

    refused = run(scenario())
    assert refused["error"] == "message_too_long" and "1000" in refused["notice"]
    assert [m.text for m in server.received[before:]] == ["长" * 1000]


def test_a_conversation_over_the_rate_limit_is_told_to_slow_down(server):
    from bot.core.ratelimit import TokenBucketLimiter

    saved = server.channel.limiter
    server.channel.limiter = TokenBucketLimiter(burst=2, per_minute=0.001)
    before = len(server.received)
    try:
        async def scenario():
            async with Client(server) as c:
                session_id, _ = await c.session()
                for text in ("一", "二", "三"):
                    await c.say(session_id, text)
                return await c.next("webchat_status")

        refused = run(scenario())
    finally:
        server.channel.limiter = saved
    assert refused == {"error": "rate_limited", "notice": "您发送消息的速度过快，请稍等片刻再发。"}
    assert [m.text for m in server.received[before:]] == ["一", "二"]


# --- origins ----------------------------------------------------------------------

def test_a_socket_from_another_site_is_refused(server):
    """Issue 16: any web page could open a socket (Rasa's channel checks no origin)."""
    async def scenario():
        foreign = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await foreign.connect(server.url, socketio_path="/socket.io", transports=["polling"],
                                  headers={"Origin": "https://evil.example"})
        own = socketio.AsyncClient(reconnection=False)
        # wait_timeout: not python-socketio's one second (see tests/webchat_client.py).
        await own.connect(server.url, socketio_path="/socket.io", transports=["polling"],
                          headers={"Origin": server.url}, wait_timeout=20)
        connected = own.connected
        await close(own)
        return connected

    assert run(scenario()) is True


def test_origins_allowed_are_the_page_its_proxy_and_the_configured_ones():
    from channels.webchat import origin_check

    allowed = origin_check({"COLLECTBOT_CORS_ORIGINS": "https://app.bank.example *"})
    direct = {"HTTP_HOST": "127.0.0.1:5005", "wsgi.url_scheme": "http"}
    proxied = {"HTTP_HOST": "chat.bank.example", "wsgi.url_scheme": "http", "HTTP_X_FORWARDED_PROTO": "https"}
    assert allowed("http://127.0.0.1:5005", direct)
    assert allowed("https://chat.bank.example", proxied)
    assert allowed("https://app.bank.example", direct)
    for origin in ("https://evil.example", "http://127.0.0.1:5006", "null", None):
        assert not allowed(origin, direct)
    assert not allowed("https://anything.example", {})  # "*" in the setting is ignored


# --- rotation on verification in chat ---------------------------------------------

def test_verifying_in_chat_rotates_the_proof(server):
    """A proof handed out before the visitor verified (phone + ID digits in
    chat) opens nothing afterwards; the widget gets the new one."""
    verified = set()

    async def lookup(session_id):
        return session_id in verified

    saved = server.channel.verified_lookup
    server.channel.verified_lookup = lookup
    try:
        async def scenario():
            async with Client(server) as visitor:
                session_id, status = await visitor.session()
                old_proof = status["session_proof"]
                verified.add(session_id)  # what the verification action's slot says after this turn
                await visitor.say(session_id, "3521")
                await visitor.next("bot_uttered")
                rotated = await visitor.next("webchat_status")
                assert rotated["session_proof"] != old_proof
                await visitor.say(session_id, "我欠多少钱")  # no second rotation
                await visitor.next("bot_uttered")
            async with Client(server) as stale:
                taken, _ = await stale.session(session_id, session_proof=old_proof)
                assert taken != session_id
            async with Client(server) as reloaded:
                again, status = await reloaded.session(session_id, session_proof=rotated["session_proof"])
                assert again == session_id and status["session_proof"] == rotated["session_proof"]
                await reloaded.say(session_id, "在吗")
                assert await reloaded.next("bot_uttered") == {"text": "收到：在吗"}
                with pytest.raises(asyncio.TimeoutError):
                    await reloaded.next("webchat_status", timeout=1)

        run(scenario())
    finally:
        server.channel.verified_lookup = saved


# --- hand-over states, refusals by message, agent typing (issue 14) ---------------

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402

from bot.core import handover  # noqa: E402
from bot.core.ratelimit import TokenBucketLimiter  # noqa: E402
from channels.webchat import handover_state  # noqa: E402

API_TOKEN = "webchat-handover-unit-token-0123456789"


def test_the_hand_over_tag_reaches_the_widget_clean(server):
    tag = {handover.METADATA_KEY: {"state": "agent", "agent": "专员 张三", "evil": "<script>"}}

    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            output = server.channel.get_output_channel()
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.run(output.send_text_message(session_id, "您好，我来帮您", **tag))
            )
            first = await c.next("bot_uttered")
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: server.run(output.send_text_message(session_id, "普通回复"))
            )
            return first, await c.next("bot_uttered")

    tagged, plain = run(scenario())
    assert tagged == {"text": "您好，我来帮您", "handover": {"state": "agent", "agent": "专员 张三"}}
    assert plain == {"text": "普通回复"}


def test_a_refused_message_is_named_so_the_widget_marks_it_not_sent(server):
    saved = server.channel.limiter
    server.channel.limiter = TokenBucketLimiter(burst=1, per_minute=0.001)
    try:
        async def scenario():
            async with Client(server) as c:
                session_id, _ = await c.session()
                await c.sio.emit("user_uttered", {"message": "一", "session_id": session_id, "client_id": "m1"})
                received = await c.next("webchat_status")
                await c.sio.emit("user_uttered", {"message": "二", "session_id": session_id, "client_id": "m2"})
                refused = await c.next("webchat_status")
                # An id that is not the widget's shape is not echoed back.
                await c.sio.emit("user_uttered", {"message": "三", "session_id": session_id, "client_id": "<x>"})
                return received, refused, await c.next("webchat_status")

        received, refused, odd = run(scenario())
    finally:
        server.channel.limiter = saved
    assert received == {"received": "m1"}
    assert refused == {"error": "rate_limited", "notice": "您发送消息的速度过快，请稍等片刻再发。", "client_id": "m2"}
    assert "client_id" not in odd and odd["error"] == "rate_limited"


def post_json(server, path, body, token=None):
    url = server.url + path + (f"?token={token}" if token else "")
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def test_the_agent_typing_reaches_the_widget_only_from_the_console(server, monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", API_TOKEN)

    async def scenario():
        async with Client(server) as c:
            session_id, _ = await c.session()
            loop = asyncio.get_running_loop()
            refused = await loop.run_in_executor(
                None, lambda: post_json(server, "/webhooks/webchat/agent_typing", {"session_id": session_id, "typing": True}, "wrong")
            )
            answer = await loop.run_in_executor(
                None, lambda: post_json(server, "/webhooks/webchat/agent_typing", {"session_id": session_id, "typing": True}, API_TOKEN)
            )
            return refused, answer, await c.next("webchat_status")

    refused, answer, status = run(scenario())
    assert refused[0] == 403
    assert answer == (200, {"ok": True, "connected": 1})
    assert status == {"agent_typing": True, "seconds": 8}
    assert post_json(server, "/webhooks/webchat/agent_typing", {"session_id": "+8613900000001"}, API_TOKEN)[0] == 400


def test_a_reconnecting_widget_is_told_who_answers(server):
    async def state(_session_id):
        return {"state": "agent", "agent": "专员 张三"}

    saved = server.channel.handover_lookup
    server.channel.handover_lookup = state
    try:
        async def scenario():
            async with Client(server) as c:
                session_id, first = await c.session()
            async with Client(server) as c:
                _, again = await c.session(session_id, session_proof=first["session_proof"])
            return first, again

        first, again = run(scenario())
    finally:
        server.channel.handover_lookup = saved
    assert "handover" not in first  # a new conversation: the bot
    assert again["handover"] == {"state": "agent", "agent": "专员 张三"}


def test_the_state_is_read_from_the_conversation():
    queued = BotUttered("专员将尽快接入", metadata=handover.state_metadata(handover.QUEUED))
    joined = BotUttered("专员 张三已接入", metadata=handover.state_metadata(handover.AGENT, "专员 张三", handover.JOINED))
    back = BotUttered("已恢复", metadata=handover.state_metadata(handover.BOT))
    events = [UserUttered("转人工"), queued, ActionExecuted("action_listen"), joined, BotUttered("普通")]
    assert handover_state(events, paused=True) == {"state": "agent", "agent": "专员 张三"}
    assert handover_state(events + [back], paused=False) is None
    assert handover_state(events[:3], paused=True) == {"state": "queued"}
    # Paused again after a hand-back (an agent re-claimed): waiting for them.
    assert handover_state(events + [back], paused=True) == {"state": "queued"}
    assert handover_state([], paused=True) == {"state": "queued"}
