"""Generated bad input (hypothesis) against every HTTP entry point of the
running stack: the REST channel (with and without its token), the Twilio SMS webhook and status
callback (valid and forged signatures), the web chat (HTTP, engine.io and
socket.io events), the health routes, the console (sign-in and JSON APIs)
and the action server's /webhook.

For every case: no 5xx, the servers keep answering, and a refused request
writes nothing (no contact_log, sms_inbound or tracker rows for it).

One stack for the module (servers start once); ``derandomize=True`` makes
the cases the same on every run, ``deadline=None`` because a real
conversation turn can take longer than hypothesis's default deadline.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import re
import sqlite3
import subprocess
import time
import uuid
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.console.support import PASSWORD, Browser, running_console
from tests.e2e.servers import REPO, VENV_BIN, running_stack
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio, sign

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
PUBLIC = "https://sms.example.test"
RASA_TOKEN = "bad-input-rasa-token"
CREDENTIALS = """channels.rest.RestChannel:
channels.health.HealthInput:
channels.twilio_sms.TwilioSmsInput:
channels.webchat.WebChatInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  socketio_path: /socket.io
  metadata_key: metadata
"""


def cases(n: int):
    return settings(
        max_examples=n, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# -- the stack ----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-bad-input")
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")
    with FakeTwilio() as twilio:
        env = {
            "WEBCHAT_TOKEN_SECRET": "bad-input-webchat-secret",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": TWILIO_NUMBER,
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_PUBLIC_URL": PUBLIC,
            "TWILIO_API_BASE_URL": twilio.base_url,
            "SMS_SEND_ATTEMPTS": "1",
            "SMS_RATE_BURST": "3",
            "SMS_RATE_PER_MINUTE": "1",
        }
        rasa_args = ("--enable-api", "--auth-token", RASA_TOKEN)
        with running_stack(workdir, NOW, extra_env=env, rasa_args=rasa_args, credentials=credentials) as stack:
            imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
            assert imported.returncode == 0, imported.stderr
            created = subprocess.run(
                [str(VENV_BIN / "collectbot"), "create-user", "agent1", "--role", "agent", "--password-stdin"],
                input=PASSWORD + "\n", env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60,
            )
            assert created.returncode == 0, created.stderr
            endpoints = (workdir / "endpoints.yml").read_text(encoding="utf-8")
            actions_url = re.search(r'url: "(http://[^"]+)/webhook"', endpoints).group(1)
            console_env = {
                "DATABASE_URL": stack.env["DATABASE_URL"], "COLLECTBOT_NOW": NOW,
                "RASA_URL": stack.rasa_url, "RASA_API_TOKEN": RASA_TOKEN,
            }
            with running_console(workdir, console_env) as console_url:
                yield {"stack": stack, "workdir": workdir, "actions": actions_url, "console": console_url}


def raw(base: str, method: str, path: str, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
        timeout: float = 60) -> Tuple[int, bytes]:
    """One request with exactly these bytes; (status, body). Never raises on a status."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body if method != "GET" else None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def still_up(world) -> None:
    assert raw(world["stack"].rasa_url, "GET", "/webhooks/health/healthz")[0] == 200
    assert raw(world["actions"], "GET", "/health")[0] == 200
    assert raw(world["console"], "GET", "/healthz")[0] == 200


def rows(db: str, sql: str, args=()) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def accounts_db(world) -> str:
    return str(world["workdir"] / "accounts.db")


def tracker_db(world) -> str:
    return str(world["workdir"] / "tracker.db")


# -- strategies ------------------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# What a JSON client can send that is not valid Unicode: lone surrogates
# (json.dumps writes them as \ud800 escapes), NUL, non-characters (issue 16).
poison_text = st.one_of(
    st.text(st.characters(whitelist_categories=("Cs", "Cc", "Co", "Lo")), min_size=1, max_size=20),
    st.sampled_from(["\ud800", "我欠\udfff多少", "\x00\x00", "\ufffe\uffff", "\U0010ffff", "\ud83d"]),
)
long_text = st.builds(lambda c, n: c * n, st.sampled_from(["我", "a", "\u202e", "<", "💰"]), st.integers(1001, 3000))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
json_values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                           st.dictionaries(text, kids, max_size=4)), max_leaves=12)
deep = st.integers(33, 5000).map(lambda n: ("[" * n + "]" * n))
deep_obj = st.integers(33, 500).map(lambda n: '{"sender":"x","message":"hi","metadata":' + '{"a":' * n + "1" + "}" * n + "}")
junk_bytes = st.one_of(st.binary(max_size=300), st.just(b""), st.just(b"null"), st.just(b"[]"), st.just(b"\xff\xfe"),
                       deep.map(str.encode), deep_obj.map(str.encode))


def rest_body(sender: str):
    return st.one_of(
        junk_bytes,
        json_values.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {},
            optional={
                "sender": st.one_of(st.just(sender), scalars, st.just(""), st.just(" "), st.text(min_size=129, max_size=300)),
                "message": st.one_of(text, poison_text, scalars, long_text, st.just("\x00"), st.just("   ")),
                "metadata": json_values,
                "input_channel": st.one_of(scalars, st.text(min_size=129, max_size=200)),
            },
        ).map(lambda d: json.dumps(d).encode()),
    )


# -- Rasa's REST channel -----------------------------------------------------------


def test_rest_webhook_refuses_bad_input_with_4xx_and_writes_nothing(world):
    refused: List[str] = []
    url = world["stack"].rasa_url
    token = world["stack"].env["REST_CHANNEL_TOKEN"]

    @cases(160)
    @given(data=st.data())
    def check(data):
        sender = "bad-" + uuid.uuid4().hex[:12]
        body = data.draw(rest_body(sender))
        content_type = data.draw(st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
        auth = data.draw(st.sampled_from(["token"] * 4 + ["none", "wrong", "basic"]))
        headers = {"Content-Type": content_type} if content_type else {}
        if auth != "none":
            headers["Authorization"] = {"token": f"Bearer {token}", "wrong": "Bearer nope", "basic": f"Basic {token}"}[auth]
        status, answer = raw(url, "POST", "/webhooks/rest/webhook", body, headers)
        assert status < 500, (body[:200], answer[:300])
        if auth != "token":
            assert status in (400, 401, 413), answer[:300]
        if status >= 400:
            assert json.loads(answer)["error"]
            refused.append(sender)

    check()
    assert len(refused) > 50
    time.sleep(2)  # the contact-log broker writes on a background thread
    for sender in refused:
        for conversation in (sender, "rest:" + sender):
            assert not rows(accounts_db(world), "SELECT 1 FROM contact_log WHERE conversation_id = ?", (conversation,))
            assert not rows(tracker_db(world), "SELECT 1 FROM events WHERE sender_id = ?", (conversation,))
    assert not rows(tracker_db(world), "SELECT 1 FROM events WHERE sender_id = 'default'")
    still_up(world)


def test_rest_webhook_never_lets_a_client_claim_an_app_identity(world):
    sender = "claim-" + uuid.uuid4().hex[:8]
    body = {"sender": sender, "message": "我要查询欠款",
            "metadata": {"collectbot_identity": {"account_id": "E2E-1", "method": "app_token"}}}
    status, answer = raw(world["stack"].rasa_url, "POST", "/webhooks/rest/webhook", json.dumps(body).encode(),
                         world["stack"].rest_headers)
    assert status == 200
    status, tracker = raw(world["stack"].rasa_url, "GET", f"/conversations/rest:{sender}/tracker?token={RASA_TOKEN}")
    assert status == 200
    slots = json.loads(tracker)["slots"]
    assert slots.get("verified") is not True and slots.get("account_id") != "E2E-1"


def test_oversized_body_is_a_413(world):
    body = json.dumps({"sender": "big", "message": "x" * 2_000_000}).encode()
    status, answer = raw(world["stack"].rasa_url, "POST", "/webhooks/rest/webhook", body, world["stack"].rest_headers)
    assert status == 413, answer[:300]
    still_up(world)


# -- Twilio SMS ------------------------------------------------------------------------


def sms_params():
    return st.fixed_dictionaries(
        {"AccountSid": st.just(ACCOUNT_SID), "To": st.just(TWILIO_NUMBER)},
        optional={
            "MessageSid": st.one_of(st.builds(lambda: "SM" + uuid.uuid4().hex), text, st.text(min_size=65, max_size=100)),
            "From": st.one_of(st.sampled_from(["+8613900000001", "+8613900000002", "whatsapp:+8613900000003"]),
                              text, st.text(min_size=65, max_size=100)),
            "Body": st.one_of(text, long_text, st.just(""), st.just("退订"), st.just("START")),
            "NumMedia": text,
        },
    )


def test_twilio_webhook_signed_or_forged_never_5xx_and_refusals_store_nothing(world):
    url = world["stack"].rasa_url
    path = "/webhooks/twilio_sms/webhook"

    @cases(90)
    @given(params=sms_params(), signature=st.sampled_from(["valid", "forged", "missing", "other-url"]))
    def check(params, signature):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "valid":
            headers["X-Twilio-Signature"] = sign(PUBLIC + path, params)
        elif signature == "forged":
            headers["X-Twilio-Signature"] = sign(PUBLIC + path, params, auth_token="wrong-token")
        elif signature == "other-url":
            headers["X-Twilio-Signature"] = sign(PUBLIC + "/elsewhere", params)
        status, answer = raw(url, "POST", path, urlencode(params).encode(), headers)
        assert status < 500, (params, answer[:300])
        if signature != "valid":
            assert status == 403
        sid = params.get("MessageSid")
        if status >= 400 and sid:
            assert not rows(accounts_db(world), "SELECT 1 FROM sms_inbound WHERE message_sid = ?", (sid,))

    check()
    still_up(world)


def test_twilio_status_callback_never_5xx(world):
    url = world["stack"].rasa_url
    path = "/webhooks/twilio_sms/status"

    @cases(30)
    @given(params=st.dictionaries(st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "SmsSid", "SmsStatus"]),
                                  st.one_of(text, st.sampled_from(["delivered", "failed", "sent", "SM" + "0" * 32]))),
           valid=st.booleans())
    def check(params, valid):
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": sign(PUBLIC + path, params, auth_token=AUTH_TOKEN if valid else "x")}
        status, answer = raw(url, "POST", path, urlencode(params).encode(), headers)
        assert status < 500, (params, answer[:300])

    check()


# -- web chat ------------------------------------------------------------------------------


def test_webchat_http_and_engineio_never_5xx(world):
    url = world["stack"].rasa_url

    @cases(40)
    @given(path=st.one_of(
        st.builds(lambda p: "/webhooks/webchat/static/" + p, st.text(st.characters(min_codepoint=33, max_codepoint=126,
                                                                                    blacklist_characters="?#%"), max_size=40)),
        st.builds(lambda n: "/webhooks/webchat/static/" + "a" * n, st.integers(250, 5000)),
        st.builds(lambda q: "/webhooks/webchat/?" + urlencode({"token": q}), text),
        st.builds(lambda q: "/socket.io/?" + urlencode({"EIO": q, "transport": "polling"}), text),
    ), body=junk_bytes, method=st.sampled_from(["GET", "POST"]))
    def check(path, body, method):
        status, answer = raw(url, method, path, body if method == "POST" else b"",
                             {"Content-Type": "text/plain;charset=UTF-8"})
        assert status < 500, (method, path, answer[:300])

    check()
    still_up(world)


def test_webchat_socket_events_with_junk_never_break_the_server(world):
    import socketio

    url = world["stack"].rasa_url
    payloads = st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "message": st.one_of(text, long_text, scalars), "session_id": st.one_of(text, scalars),
        "metadata": json_values, "customData": json_values, "token": st.one_of(text, scalars)}))

    async def session(events: List[Tuple[str, object]]) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        # wait_timeout: not python-socketio's one second (see tests/webchat_client.py).
        await sio.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        try:
            for name, data in events:
                await sio.emit(name, data)
            await asyncio.sleep(0.2)
            assert sio.connected
        finally:
            # As tests/unit/test_webchat_channel.close: do not wait for the
            # pending long poll (up to 25 s) to return.
            for namespace in list(sio.namespaces):
                await sio._send_packet(sio.packet_class(socketio.packet.DISCONNECT, namespace=namespace))
            await sio.eio.disconnect(abort=True)
            await asyncio.sleep(0.05)

    @cases(30)
    @given(events=st.lists(st.tuples(st.sampled_from(["session_request", "user_uttered", "unknown_event"]), payloads),
                           min_size=1, max_size=4))
    def check(events):
        asyncio.run(session(events))
        assert raw(url, "GET", "/webhooks/webchat/health")[0] == 200

    check()
    still_up(world)


# -- console --------------------------------------------------------------------------------


def test_console_sign_in_never_5xx(world):
    @cases(30)
    @given(form=st.dictionaries(st.sampled_from(["username", "password", "csrf_token", "next"]),
                                st.one_of(text, st.text(min_size=500, max_size=2000)), max_size=4),
           with_token=st.booleans())
    def check(form, with_token):
        b = Browser(world["console"])
        if with_token:
            page = b.get("/login")
            form["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
        answer = b.request("POST", "/login", form={k: v.replace("\x00", "") for k, v in form.items()})
        assert answer.status < 500, answer.body[:300]

    check()


def test_console_json_apis_refuse_bad_input_with_4xx(world):
    agent = Browser(world["console"])
    assert agent.login("agent1").status == 302
    cookie = "; ".join(f"{k}={v}" for k, v in agent.cookies.items())
    paths = st.sampled_from(["/reply", "/notes", "/book", "/resolve", "/claim", "/release", "/hand-back"])
    conversation = st.one_of(st.just("+8613900000001"), st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=20))

    @cases(60)
    @given(conv=conversation, path=paths, body=st.one_of(junk_bytes, json_values.map(lambda v: json.dumps(v).encode()),
                                                         st.fixed_dictionaries({}, optional={
                                                             "text": st.one_of(text, long_text, scalars),
                                                             "kind": st.one_of(text, st.sampled_from(["promise", "installment", "deferral"])),
                                                             "amount": scalars, "date": scalars, "months": scalars,
                                                             "outcome": text, "note": text}).map(lambda d: json.dumps(d).encode())),
           signed_in=st.booleans())
    def check(conv, path, body, signed_in):
        headers = {"Content-Type": "application/json"}
        if signed_in:
            headers.update({"Cookie": cookie, "X-CSRF-Token": agent.csrf})
        status, answer = raw(world["console"], "POST", f"/api/conversations/{quote(conv, safe='')}{path}", body, headers)
        assert status < 500, (conv, path, body[:200], answer[:300])
        if not signed_in:
            # Malformed JSON is refused before the session is looked up.
            assert status in (400, 401, 404, 413), answer[:300]

    check()
    status, answer = raw(world["console"], "GET", "/readyz")
    assert status == 200 and json.loads(answer)["checks"]["database"] == "ok"


# -- action server ----------------------------------------------------------------------------


def test_action_server_webhook_refuses_malformed_calls_with_4xx(world):
    envelope = st.fixed_dictionaries({}, optional={
        "next_action": st.one_of(scalars, st.sampled_from(["validate_verify_form", "action_state_balance", "nope"])),
        "tracker": st.one_of(scalars, st.fixed_dictionaries({}, optional={
            "sender_id": scalars, "slots": json_values, "latest_message": json_values, "events": json_values})),
        "domain": json_values,
        "version": scalars,
    })

    token = world["stack"].action_token

    @cases(100)
    @given(body=st.one_of(junk_bytes, envelope.map(lambda d: json.dumps(d).encode())),
           deflate=st.booleans(), authorised=st.sampled_from([True, True, True, False]))
    def check(body, deflate, authorised):
        headers = {"Content-Type": "application/json"}
        if authorised:
            headers["Authorization"] = f"Bearer {token}"
        if deflate:
            headers["Content-Encoding"] = "deflate"  # and the body is not compressed
        status, answer = raw(world["actions"], "POST", "/webhook", body, headers)
        assert status < 500, (body[:200], answer[:300])
        if not authorised:
            assert status == 401, answer[:300]

    check()
    for method, path in (("GET", "/"), ("GET", "/actions"), ("POST", "/nope"), ("GET", "/webhook")):
        assert raw(world["actions"], method, path, b"", {"Authorization": f"Bearer {token}"})[0] < 500
    still_up(world)


def test_action_server_refuses_a_forged_call_without_the_token(world):
    """Issue 16, finding 5: a forged tracker read the balance."""
    call = {"next_action": "action_state_balance", "sender_id": "+8613900000002",
            "tracker": {"sender_id": "+8613900000002", "slots": {"verified": True, "account_id": "E2E-2"},
                        "latest_message": {}, "events": []}, "domain": {}, "version": "3.6.2"}
    status, answer = raw(world["actions"], "POST", "/webhook", json.dumps(call).encode(), {"Content-Type": "application/json"})
    assert status == 401 and b"3,500.00" not in answer
    # An unknown account in a forged (but authenticated) tracker is no 5xx either.
    call["tracker"]["slots"]["account_id"] = "NOPE-1"
    status, _ = raw(world["actions"], "POST", "/webhook", json.dumps(call).encode(),
                    {"Content-Type": "application/json", "Authorization": f"Bearer {world['stack'].action_token}"})
    assert status < 500
