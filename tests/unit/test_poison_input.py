"""Text cleaned at the door, poison set aside behind it (issue 16, finding 2).

One lone UTF-16 surrogate (``{"message": "\\ud800"}``) was answered 200, then
stopped the contact-log writer for everyone and failed every action call of
its conversation. Here: the Rasa server's input filter (REST channel and any
JSON body), the action server's filter (plain and deflated calls), the Twilio
SMS webhook, the Rasa server's action-call encoding, the production relay's
spool and the event consumer."""
from __future__ import annotations

import asyncio
import base64
import json
import time
import zlib
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.core.text import REPLACEMENT
from bot.db.dead_letters import dead_letters
from bot.db.models import ContactLog
from bot.db.session import session_scope
from bot.rasa_server.http_limits import InputError, Limits, action_server_middleware, check_rest_message, parse_json, \
    rasa_server_middleware

LIMITS = Limits()


def request(path: str, body: bytes, content_type: str = "application/json", **headers):
    return SimpleNamespace(method="POST", path=path, body=body, parsed_json=None,
                           headers={"content-length": str(len(body)), "content-type": content_type, **headers})


# -- the Rasa server's door --------------------------------------------------


def test_the_rest_webhook_repairs_a_lone_surrogate_in_the_message():
    body = json.dumps({"sender": "x", "message": "\ud800", "metadata": {"note": "a\x00b\ufffe"}}).encode()
    req = request("/webhooks/rest/webhook", body)
    assert asyncio.run(rasa_server_middleware(LIMITS)(req)) is None  # accepted
    assert req.parsed_json["message"] == REPLACEMENT  # what Rasa reads next
    assert req.parsed_json["metadata"] == {"note": "ab" + REPLACEMENT}
    req.parsed_json["message"].encode("utf-8")


def test_the_rest_webhook_refuses_a_sender_id_that_would_need_repair():
    for sender in ("\ud800", "+86138\x0000001", "a\ufdd0"):
        req = request("/webhooks/rest/webhook", json.dumps({"sender": sender, "message": "你好"}).encode())
        answer = asyncio.run(rasa_server_middleware(LIMITS)(req))
        assert answer.status == 400 and json.loads(answer.body)["error"] == "invalid_sender"


def test_a_message_of_nothing_but_control_characters_is_empty():
    with pytest.raises(InputError) as refused:
        check_rest_message({"sender": "x", "message": "\x00\x07"}, LIMITS)
    assert refused.value.code == "empty_message"


def test_ordinary_text_passes_unchanged_and_a_surrogate_pair_is_joined():
    raw = json.dumps({"sender": "x", "message": "我想分12期 🙏", "metadata": {}}).encode()  # \ud83d\ude4f
    assert check_rest_message(parse_json(raw, LIMITS, clean=False), LIMITS)["message"] == "我想分12期 🙏"
    assert parse_json('{"t": "还款\\t\\n"}'.encode(), LIMITS) == {"t": "还款\t\n"}


def test_every_other_json_body_of_the_rasa_server_is_cleaned_too():
    # The HTTP API (the console appends messages and events through it).
    body = json.dumps({"text": "\ud800", "sender": "user"}).encode()
    req = request("/conversations/c1/messages", body)
    assert asyncio.run(rasa_server_middleware(LIMITS)(req)) is None
    assert req.parsed_json == {"text": REPLACEMENT, "sender": "user"}


# -- the action server's door -------------------------------------------------


def _call(text: str) -> dict:
    return {"next_action": "validate_verify_form",
            "tracker": {"sender_id": "+8613900000004", "slots": {},
                        "latest_message": {"text": text},
                        "events": [{"event": "user", "text": text}]}}


def test_the_action_server_cleans_a_tracker_that_holds_a_stored_surrogate():
    req = request("/webhook", json.dumps(_call("是\ud800")).encode())
    assert asyncio.run(action_server_middleware(LIMITS)(req)) is None
    assert req.parsed_json["tracker"]["events"][0]["text"] == "是" + REPLACEMENT
    assert req.parsed_json["tracker"]["latest_message"]["text"] == "是" + REPLACEMENT


def test_a_deflated_action_call_is_cleaned_where_rasa_sdk_reads_it():
    req = request("/webhook", zlib.compress(json.dumps(_call("是\ud800")).encode()), **{"content-encoding": "deflate"})
    assert asyncio.run(action_server_middleware(LIMITS)(req)) is None
    # rasa-sdk inflates request.body itself.
    assert json.loads(zlib.decompress(req.body))["tracker"]["events"][0]["text"] == "是" + REPLACEMENT


def test_the_rasa_server_can_send_a_tracker_holding_a_stored_surrogate():
    from bot.rasa_server.speedups import json_dumps

    text = json_dumps(_call("是\ud800"))
    text.encode("utf-8")  # what aiohttp does with it; failed every action call
    assert json.loads(text)["tracker"]["events"][0]["text"] == "是\ud800"  # carried as an escape
    assert json_dumps({"t": "是的"}) == '{"t":"是的"}'  # the fast path is unchanged


# -- Twilio SMS -----------------------------------------------------------------

from tests.unit.test_sms_channel import PHONE, WEBHOOK, bot, db, fake, make_server, server  # noqa: E402,F401
from tests.fakes.fake_twilio import inbound_params  # noqa: E402


def test_an_sms_body_is_cleaned_after_the_signature_is_checked_over_what_twilio_sent(server, bot):
    params = inbound_params(PHONE, "我\x00要还款\x07")
    answer = server.post(WEBHOOK, params)  # signed over the raw parameters
    assert answer.status == 200, answer.body
    server.drain()
    assert bot.texts == ["我要还款"]


# -- behind the door: the relay's spool and the consumer ------------------------


def test_the_relay_spools_an_event_holding_a_lone_surrogate_and_everything_behind_it(tmp_path):
    import socket

    from bot.rasa_server.event_relay import RelayEventBroker

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    relay = RelayEventBroker(f"127.0.0.1:{closed_port}", spool_path=tmp_path / "spool.sqlite",
                             retry_seconds=(60,), connect_timeout=0.5)
    try:
        relay.publish({"event": "user", "sender_id": "x", "text": "\ud800", "timestamp": 1.0})
        relay.publish({"event": "user", "sender_id": "y", "text": "你好", "timestamp": 2.0})
        deadline = time.monotonic() + 10
        while len(relay.spool) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        bodies = [json.loads(body) for _, _, body in relay.spool.peek()]
    finally:
        asyncio.run(relay.close())
    assert [b["text"] for b in bodies] == ["\ud800", "你好"]  # in order, nothing held back


class Delivery(SimpleNamespace):
    """What the consumer reads of an aio-pika message: its body and id."""


def test_the_consumer_writes_the_good_events_and_sets_the_bad_ones_aside(db_url, pinned_now):
    from bot.event_consumer import EventConsumer

    good = [{"event": "user", "sender_id": "a", "text": "你好", "timestamp": 1.0, "message_id": "m-1",
             "input_channel": "rest"},
            {"event": "bot", "sender_id": "a", "text": "您好", "timestamp": 1.1}]
    poison = {"event": "user", "sender_id": "x", "text": "\ud800", "timestamp": 1.2, "message_id": "m-2"}
    later = {"event": "user", "sender_id": "b", "text": "我要还款", "timestamp": 1.3, "message_id": "m-3"}
    deliveries = [Delivery(body=json.dumps(e).encode(), message_id=f"d-{i}")
                  for i, e in enumerate(good + [poison])]
    deliveries.append(Delivery(body=b"\xff not json", message_id="d-9"))
    deliveries.append(Delivery(body=json.dumps(later).encode(), message_id="d-10"))
    items = []
    for d in deliveries:
        try:
            items.append((d, json.loads(d.body), None))
        except ValueError as exc:
            items.append((d, None, exc))

    consumer = EventConsumer({}, "unused", db_url)
    assert consumer.write_messages(items) == 3
    # Delivered again (no ack reached RabbitMQ): nothing new anywhere.
    EventConsumer({}, "unused", db_url).write_messages(items)

    with session_scope(db_url) as s:
        rows = [tuple(r) for r in s.execute(
            select(ContactLog.conversation_id, ContactLog.direction, ContactLog.text).order_by(ContactLog.id))]
        letters = sorted(dead_letters(s), key=lambda d: d["item_key"])
    assert rows == [("a", "in", "你好"), ("a", "out", "您好"), ("b", "in", "我要还款")]
    assert [(d["source"], d["item_key"], d["conversation_id"]) for d in letters] == [
        ("event_consumer", "d-2", "x"), ("event_consumer", "d-9", None)]
    assert json.loads(letters[0]["payload"])["text"] == "\ud800"
    assert base64.b64decode(json.loads(letters[1]["payload"])["base64"]) == b"\xff not json"


# -- telling poison from an outage ------------------------------------------------


def _error_of(url, statement, params=None):
    from sqlalchemy import text

    from bot.db.session import get_engine

    try:
        with get_engine(url).begin() as conn:
            conn.execute(text(statement), params or {})
    except Exception as exc:  # noqa: BLE001 - the error is what we inspect
        return exc
    raise AssertionError("no error")


def test_outages_and_poison_are_told_apart_on_real_sqlite_errors(db_url, tmp_path):
    import sqlite3

    from bot.dead_letters import is_outage

    # Poison: the data is bad, whatever the database's state.
    surrogate = _error_of(db_url, "INSERT INTO contact_log (conversation_id, channel, direction, text, created_at)"
                                  " VALUES ('x', 'rest', 'in', :t, '2026-01-01')", {"t": "\ud800"})
    check = _error_of(db_url, "INSERT INTO contact_log (conversation_id, channel, direction, text, created_at)"
                              " VALUES ('x', 'rest', 'sideways', 't', '2026-01-01')")
    assert not is_outage(surrogate) and not is_outage(check)
    # Outages: the database (or its schema) is not usable right now.
    missing = _error_of(f"sqlite:///{tmp_path / 'not-migrated.db'}", "INSERT INTO contact_log (text) VALUES ('t')")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url, connect_args={"timeout": 0.1})
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO contact_log (conversation_id, channel, direction, text, created_at)"
                                  " VALUES ('x', 'rest', 'in', 't', '2026-01-01')"))
            raise AssertionError("no lock error")
        except Exception as exc:  # noqa: BLE001
            locked = exc
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert is_outage(missing) and is_outage(locked) and is_outage(ConnectionRefusedError())
