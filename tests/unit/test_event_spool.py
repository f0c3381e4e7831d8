"""The relay's local spool (bot/event_relay.EventSpool) and the consumer's
idempotent contact-log writes (bot/event_consumer.EventConsumer.write_events),
without RabbitMQ (those are in tests/integration/test_event_relay.py)."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.rasa_server.event_relay import EventSpool, SpoolInUse, connection_kwargs


def test_spool_keeps_order_and_removes_only_what_was_sent(tmp_path):
    spool = EventSpool(tmp_path / "spool.sqlite")
    spool.append([(f"k{i}", json.dumps({"n": i})) for i in range(5)])
    spool.append([("k5", json.dumps({"n": 5}))])
    rows = spool.peek(3)
    assert [json.loads(body)["n"] for _, _, body in rows] == [0, 1, 2]
    spool.remove_through(rows[-1][0])
    assert [key for _, key, _ in spool.peek()] == ["k3", "k4", "k5"]
    assert len(spool) == 3
    spool.close()


def test_spool_survives_a_restart_of_the_process_object(tmp_path):
    path = tmp_path / "sub" / "spool.sqlite"
    first = EventSpool(path)
    first.append([("a", "1"), ("b", "2")])
    first.remove_through(first.peek(1)[0][0])
    first.append([("c", "3")])
    first.close()  # the process goes away

    second = EventSpool(path)
    assert [(key, body) for _, key, body in second.peek()] == [("b", "2"), ("c", "3")]
    second.append([("d", "4")])
    seqs = [seq for seq, _, _ in second.peek()]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3  # new rows go behind the old ones
    second.close()


def test_one_process_per_spool_file(tmp_path):
    path = tmp_path / "spool.sqlite"
    first = EventSpool(path)
    with pytest.raises(SpoolInUse):
        EventSpool(path)
    first.close()
    EventSpool(path).close()  # free again


def test_connection_settings_from_host_port_or_url():
    assert connection_kwargs("rabbitmq", "u", "p") == {
        "host": "rabbitmq", "port": 5672, "login": "u", "password": "p", "virtualhost": "/"}
    assert connection_kwargs("127.0.0.1:5999", "u", "p")["port"] == 5999
    assert connection_kwargs("amqps://mq.example:5671/prod", "u", "p")["url"] == "amqps://mq.example:5671/prod"


def test_relay_with_rabbitmq_unreachable_spools_and_returns_at_once(tmp_path):
    from bot.rasa_server.event_relay import RelayEventBroker

    broker = RelayEventBroker(f"127.0.0.1:{_closed_port()}", spool_path=tmp_path / "s.sqlite",
                              retry_seconds=[0.1])
    started = time.monotonic()
    for i in range(50):
        broker.publish({"event": "bot", "sender_id": "c1", "text": f"m{i}", "timestamp": i})
    assert time.monotonic() - started < 0.1
    deadline = time.monotonic() + 5
    while len(broker.spool) < 50 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(broker.spool) == 50 and not broker.connected and broker.is_ready()
    import asyncio

    asyncio.run(broker.close())
    again = EventSpool(tmp_path / "s.sqlite")  # still there for the next start
    assert [json.loads(b)["text"] for _, _, b in again.peek(100)] == [f"m{i}" for i in range(50)]
    again.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _events():
    return [
        {"event": "user", "sender_id": "+8613800000001", "text": "你好", "timestamp": 1.0,
         "input_channel": "rest", "message_id": "m-1", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "sender_id": "+8613800000001", "name": "utter_greet", "timestamp": 1.1},
        {"event": "bot", "sender_id": "+8613800000001", "text": "您好", "timestamp": 1.2},
        {"event": "bot", "sender_id": "+8613800000001", "text": "您好", "timestamp": 1.3},  # same text, new event
        {"event": "slot", "sender_id": "web-1", "name": "account_id", "value": "DEMO-0002", "timestamp": 2.0},
        {"event": "user", "sender_id": "web-1", "text": "分期", "timestamp": 2.1, "input_channel": "webchat"},
        {"event": "bot", "sender_id": "web-1", "text": "可以分3期", "timestamp": 2.2},
    ]


def _contact_rows(url):
    from sqlalchemy import select

    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(
            select(ContactLog.conversation_id, ContactLog.account_id, ContactLog.channel,
                   ContactLog.direction, ContactLog.text).order_by(ContactLog.id))]


def test_consumer_writes_each_message_once_even_when_delivered_again(db_url, pinned_now, today):
    from bot.db.importer import seed_demo
    from bot.db.session import session_scope
    from bot.event_consumer import EventConsumer

    with session_scope(db_url) as s:
        seed_demo(s, today)
    consumer = EventConsumer({}, "unused", db_url)
    assert consumer.write_events(_events()) == 5
    expected = [
        ("+8613800000001", "DEMO-0001", "rest", "in", "你好"),
        ("+8613800000001", "DEMO-0001", "rest", "out", "您好"),
        ("+8613800000001", "DEMO-0001", "rest", "out", "您好"),
        ("web-1", "DEMO-0002", "webchat", "in", "分期"),
        ("web-1", "DEMO-0002", "webchat", "out", "可以分3期"),
    ]
    assert _contact_rows(db_url) == expected
    # The same batch again (redelivery), and again by a restarted consumer
    # that remembers nothing: no new rows.
    consumer.write_events(_events())
    EventConsumer({}, "unused", db_url).write_events(_events()[2:])
    assert _contact_rows(db_url) == expected


def test_restarted_consumer_recalls_channel_and_account_from_earlier_rows(db_url, pinned_now, today):
    from bot.db.importer import seed_demo
    from bot.db.session import session_scope
    from bot.event_consumer import EventConsumer

    with session_scope(db_url) as s:
        seed_demo(s, today)
    events = _events()
    EventConsumer({}, "unused", db_url).write_events([e for e in events if e["sender_id"] == "web-1"][:2])
    # A new process sees only the bot reply: the channel and account come from the log.
    EventConsumer({}, "unused", db_url).write_events([events[-1]])
    assert _contact_rows(db_url) == [
        ("web-1", "DEMO-0002", "webchat", "in", "分期"),
        ("web-1", "DEMO-0002", "webchat", "out", "可以分3期"),
    ]


def test_production_endpoints_configure_the_relay_from_the_environment(monkeypatch, tmp_path):
    import asyncio

    from rasa.core.brokers.broker import EventBroker
    from rasa.core.utils import AvailableEndpoints

    from bot.rasa_server.event_relay import RelayEventBroker
    from bot.settings import REPO_ROOT

    env = {"ACTION_ENDPOINT_URL": "http://actions:5055/webhook", "TRACKER_STORE_URL": "sqlite://",
           "REDIS_HOST": "redis", "REDIS_PORT": "6379", "REDIS_LOCK_DB": "1", "REDIS_PASSWORD": "r3dis",
           "RABBITMQ_HOST": f"127.0.0.1:{_closed_port()}", "RABBITMQ_USER": "collectbot",
           "RABBITMQ_PASSWORD": "s3cret", "RABBITMQ_QUEUE": "collectbot_events",
           "EVENT_SPOOL_PATH": str(tmp_path / "spool-{hostname}.sqlite"), "ACTION_SERVER_TOKEN": "t0ken"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(REPO_ROOT / "deploy" / "endpoints.production.yml"))
    assert endpoints.action.url == env["ACTION_ENDPOINT_URL"]
    assert endpoints.action.headers["Authorization"] == "Bearer t0ken"
    # Several Rasa instances need the atomic lock store, with Redis' password.
    assert endpoints.lock_store.type == "bot.rasa_server.lock_store.AtomicRedisLockStore"
    assert endpoints.lock_store.kwargs["password"] == "r3dis"

    async def create():
        started = time.monotonic()
        broker = await EventBroker.create(endpoints.event_broker)
        elapsed = time.monotonic() - started  # RabbitMQ is not there: no waiting for it
        await broker.close()
        return broker, elapsed

    broker, elapsed = asyncio.run(create())
    assert isinstance(broker, RelayEventBroker) and elapsed < 2
    assert broker.queue == "collectbot_events"
    assert broker._connect_kwargs["login"] == "collectbot" and broker._connect_kwargs["password"] == "s3cret"
    assert broker.spool.path.parent == tmp_path and "{hostname}" not in broker.spool.path.name


def test_in_process_broker_writes_the_same_rows_as_the_consumer(db_url, pinned_now, today):
    """The laptop's ContactLogBroker and the consumer share ContactLogWriter."""
    import asyncio

    from bot.rasa_server.contact_log import ContactLogBroker
    from bot.db.importer import seed_demo
    from bot.db.session import session_scope

    with session_scope(db_url) as s:
        seed_demo(s, today)
    broker = ContactLogBroker()
    for event in _events():
        broker.publish(event)
    assert broker.flush(10)
    asyncio.run(broker.close())
    assert _contact_rows(db_url) == [
        ("+8613800000001", "DEMO-0001", "rest", "in", "你好"),
        ("+8613800000001", "DEMO-0001", "rest", "out", "您好"),
        ("+8613800000001", "DEMO-0001", "rest", "out", "您好"),
        ("web-1", "DEMO-0002", "webchat", "in", "分期"),
        ("web-1", "DEMO-0002", "webchat", "out", "可以分3期"),
    ]


def test_in_process_broker_writes_a_burst_in_one_transaction(db_url, pinned_now, today, monkeypatch):
    import asyncio

    from bot.rasa_server import contact_log
    from bot.db.importer import seed_demo
    from bot.db.session import session_scope

    with session_scope(db_url) as s:
        seed_demo(s, today)
    monkeypatch.setattr(contact_log, "BATCH_WAIT_SECONDS", 0.5)
    broker = contact_log.ContactLogBroker()
    writes = []
    real_write = broker._write
    monkeypatch.setattr(broker, "_write", lambda rows: (writes.append(len(rows)), real_write(rows)))
    for i in range(30):  # fifteen exchanges arriving together, as under load
        broker.publish({"event": "user", "sender_id": "+8613800000001", "text": f"第{i}条", "timestamp": i})
    assert broker.flush(10)  # returns only once the rows are committed
    assert len(_contact_rows(db_url)) == 30 and writes == [30]
    asyncio.run(broker.close())


def test_the_consumer_answers_health_and_readiness():
    from bot.event_consumer import EventConsumer, serve_health

    consumer = EventConsumer({"host": "127.0.0.1", "port": _closed_port()}, "q")

    async def ask(port: int, path: str):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw = await reader.read()
        writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body)

    async def scenario():
        server = await serve_health(consumer, 0, "127.0.0.1")
        port = server.sockets[0].getsockname()[1]
        try:
            alive = await ask(port, "/healthz")
            not_ready = await ask(port, "/readyz")
            consumer.connected = True  # what _consume sets once it reads the queue
            ready = await ask(port, "/readyz")
            missing = await ask(port, "/nope")
        finally:
            server.close()
        return alive, not_ready, ready, missing

    alive, not_ready, ready, missing = asyncio.run(scenario())
    assert alive == (200, {"status": "ok"})
    assert not_ready[0] == 503 and not_ready[1]["rabbitmq"] is False
    assert ready[0] == 200 and ready[1]["status"] == "ready"
    assert missing[0] == 404
