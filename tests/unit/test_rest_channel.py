"""channels/rest.py: the REST channel is for development and tests only,
authenticated, namespaced and rate-limited (issue 16, finding 1)."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from bot.core.identity import conversation_phone, is_carrier_verified, rest_conversation_id
from channels.rest import ProductionRefused, RestChannel

TOKEN = "t0k3n-for-tests"


def channel(**env):
    return RestChannel(env={"REST_CHANNEL_TOKEN": TOKEN, **env})


def test_refused_in_production_even_with_a_token():
    with pytest.raises(ProductionRefused, match="development and tests only"):
        channel(COLLECTBOT_ENV="production")


def test_production_credentials_do_not_list_it():
    from bot.settings import REPO_ROOT

    text = (REPO_ROOT / "deploy/credentials.production.yml").read_text("utf-8")
    assert "RestChannel" not in text and "\nrest:" not in "\n" + text


def test_no_token_means_a_generated_one_never_a_default(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.secrets.VAR_DIR", tmp_path, raising=False)
    a = RestChannel(env={})
    assert len(a.token) >= 32 and a.token not in open(__import__("channels.rest").rest.__file__).read()


class Recorder:
    def __init__(self):
        self.messages = []

    async def __call__(self, message):
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, "好的")


def post(ch: RestChannel, body, headers=None, ip="10.9.8.7"):
    """Call the channel's webhook handler directly with a minimal request."""
    recorder = Recorder()
    bp = ch.blueprint(recorder)
    handler = next(r.handler for r in bp._future_routes if r.uri == "/webhook")
    request = SimpleNamespace(
        json=body, headers={k.lower(): v for k, v in (headers or {}).items()}, remote_addr=ip, ip=ip,
    )
    resp = asyncio.run(handler(request))
    return resp.status, json.loads(resp.body), recorder.messages


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_requests_without_the_token_are_refused(headers):
    status, body, seen = post(channel(), {"sender": "+8613800000002", "message": "我欠多少钱"}, headers)
    assert status == 401 and body["error"] == "unauthorized" and seen == []


def test_conversations_are_namespaced_and_client_claims_ignored():
    status, body, seen = post(channel(), {
        "sender": "+8613800000002", "message": "我欠多少钱\ud800",
        "input_channel": "twilio_sms", "metadata": {"collectbot_identity": {"account_id": "DEMO-0002"}},
    }, AUTH)
    assert status == 200 and body[0]["text"] == "好的"
    (message,) = seen
    assert message.sender_id == "rest:+8613800000002"
    assert message.input_channel == "rest" and not message.metadata
    assert message.text == "我欠多少钱\ufffd"


def test_rate_limited_per_sender_and_per_client_address():
    ch = channel(REST_RATE_BURST="3", REST_RATE_PER_MINUTE="1", REST_CLIENT_RATE_BURST="5",
                 REST_CLIENT_RATE_PER_MINUTE="1")
    statuses = [post(ch, {"sender": "a", "message": "你好"}, AUTH)[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Other senders from the same address: the address has used 4 of its 5.
    statuses = [post(ch, {"sender": f"s{i}", "message": "你好"}, AUTH)[0] for i in range(3)]
    assert statuses == [200, 429, 429]
    status, body, _ = post(ch, {"sender": "fresh", "message": "你好"}, AUTH, ip="10.0.0.1")
    assert status == 200


def test_the_rest_id_stands_in_for_a_phone_but_is_never_carrier_verified():
    rid = rest_conversation_id("+8613800000002")
    assert conversation_phone(rid) == "+8613800000002" and not is_carrier_verified(rid)
    assert conversation_phone("+8613800000002") == "+8613800000002" and is_carrier_verified("+8613800000002")
    assert conversation_phone("rest:someone") is None and conversation_phone("web-session") is None
