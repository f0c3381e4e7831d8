"""Events through RabbitMQ (issue 7): bot/event_relay.RelayEventBroker and
`collectbot consume-events` (bot/event_consumer.py) against the real RabbitMQ
of this machine (``COLLECTBOT_TEST_AMQP``, default 127.0.0.1:5672,
guest/guest) and the account database on SQLite and, with
``COLLECTBOT_TEST_PG_URL``, PostgreSQL.

- every event published through the relay becomes exactly one contact-log
  row, even when the consumer dies after its commit and before its ack (the
  messages are redelivered to a restarted consumer);
- RabbitMQ unreachable (at start, and cut in the middle through a TCP proxy):
  ``publish`` returns at once, the events wait in the spool, and when RabbitMQ
  is reachable again they arrive in order and the spool empties.

Each test uses its own queue (``test_relay_<random>``), deleted afterwards.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid
from typing import Any, Dict, List

import pytest

from bot.event_consumer import EventConsumer
from bot.rasa_server.event_relay import RelayEventBroker, connection_kwargs
from tests.fakes.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration

AMQP_HOST = os.environ.get("COLLECTBOT_TEST_AMQP", "127.0.0.1:5672")
AMQP_USER = os.environ.get("COLLECTBOT_TEST_AMQP_USER", "guest")
AMQP_PASSWORD = os.environ.get("COLLECTBOT_TEST_AMQP_PASSWORD", "guest")
FAST_RETRY = (0.1, 0.2, 0.5)


def _amqp_reachable() -> bool:
    host, port = AMQP_HOST.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def queue_name():
    if not _amqp_reachable():
        pytest.skip(f"RabbitMQ not reachable at {AMQP_HOST}")
    name = f"test_relay_{uuid.uuid4().hex[:12]}"
    yield name

    async def delete() -> None:
        import aio_pika

        connection = await aio_pika.connect(**connection_kwargs(AMQP_HOST, AMQP_USER, AMQP_PASSWORD))
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(name)

    asyncio.run(delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def account_db(request, pinned_now, today):
    """The account database with the demo accounts, on SQLite or PostgreSQL."""
    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    from bot.db.importer import seed_demo
    from bot.db.session import session_scope

    with session_scope(url) as s:
        seed_demo(s, today)
    return url


def _event(n: int, sender: str = "+8613800000001") -> Dict[str, Any]:
    return {"event": "bot", "sender_id": sender, "text": f"消息{n}", "timestamp": 1_700_000_000 + n}


def _wait(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _drain_queue(queue: str) -> List[Dict[str, Any]]:
    """Everything in the queue, in order (acknowledged)."""

    async def drain() -> List[Dict[str, Any]]:
        import aio_pika

        connection = await aio_pika.connect(**connection_kwargs(AMQP_HOST, AMQP_USER, AMQP_PASSWORD))
        out: List[Dict[str, Any]] = []
        async with connection:
            channel = await connection.channel()
            q = await channel.declare_queue(queue, durable=True)
            while True:
                message = await q.get(no_ack=False, fail=False)
                if message is None:
                    return out
                assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
                out.append(json.loads(message.body))
                await message.ack()

    return asyncio.run(drain())


def _close(broker: RelayEventBroker) -> None:
    asyncio.run(broker.close())


def _run_consumer(consumer: EventConsumer, until, timeout: float = 20.0) -> None:
    """Run ``consumer`` until ``until()`` is true (or its own stop)."""

    async def main() -> None:
        stop = asyncio.Event()
        consumer.stop_event = stop
        task = asyncio.create_task(consumer.run(stop))
        deadline = time.monotonic() + timeout
        while not stop.is_set() and not until() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(main())


def _contact_log(url: str):
    from sqlalchemy import select

    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(
            select(ContactLog.conversation_id, ContactLog.account_id, ContactLog.channel,
                   ContactLog.direction, ContactLog.text, ContactLog.intent).order_by(ContactLog.id))]


def _conversation() -> List[Dict[str, Any]]:
    """What Rasa publishes for two short conversations (REST and web chat)."""
    phone, web = "+8613800000001", f"web-{uuid.uuid4().hex[:8]}"
    t = 1_700_000_000.0
    return [
        {"event": "action", "sender_id": phone, "name": "action_session_start", "timestamp": t},
        {"event": "user", "sender_id": phone, "text": "你好", "timestamp": t + 1, "input_channel": "rest",
         "message_id": uuid.uuid4().hex, "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}},
        {"event": "bot", "sender_id": phone, "text": "您好，请问是王*明本人吗？", "timestamp": t + 2,
         "data": {"buttons": [{"title": "是"}, {"title": "不是"}]}},
        {"event": "slot", "sender_id": web, "name": "account_id", "value": "DEMO-0002", "timestamp": t + 3},
        {"event": "user", "sender_id": web, "text": "我想分期", "timestamp": t + 4, "input_channel": "webchat",
         "message_id": uuid.uuid4().hex, "parse_data": {"intent": {"name": "request_installment"}}},
        {"event": "bot", "sender_id": web, "text": "可以分3、6或12期。", "timestamp": t + 5},
        {"event": "bot", "sender_id": phone, "text": "请提供身份证后四位。", "timestamp": t + 6},
    ]


EXPECTED_ROWS = [
    ("+8613800000001", "DEMO-0001", "rest", "in", "你好", "greet"),
    ("+8613800000001", "DEMO-0001", "rest", "out", "您好，请问是王*明本人吗？\n是 | 不是", None),
    ("web", "DEMO-0002", "webchat", "in", "我想分期", "request_installment"),
    ("web", "DEMO-0002", "webchat", "out", "可以分3、6或12期。", None),
    ("+8613800000001", "DEMO-0001", "rest", "out", "请提供身份证后四位。", None),
]


def _normalised(rows):
    return [(("web" if r[0].startswith("web-") else r[0]),) + r[1:] for r in rows]


class DiesBeforeAck(EventConsumer):
    """A consumer process killed after its commit, before its ack."""

    async def _ack(self, messages) -> None:
        self.died_holding = len(messages)
        self.stop_event.set()
        raise ConnectionAbortedError("consumer killed between commit and ack")


def test_events_through_rabbitmq_reach_the_contact_log_exactly_once(queue_name, account_db, tmp_path):
    broker = RelayEventBroker(AMQP_HOST, AMQP_USER, AMQP_PASSWORD, queue=queue_name,
                              spool_path=tmp_path / "spool.sqlite", retry_seconds=FAST_RETRY)
    events = _conversation()
    for event in events:
        broker.publish(event)
    assert broker.flush(15), "the relay did not deliver the events"
    assert broker.published == len(events) and len(broker.spool) == 0
    _close(broker)

    kwargs = connection_kwargs(AMQP_HOST, AMQP_USER, AMQP_PASSWORD)
    first = DiesBeforeAck(kwargs, queue_name, account_db, retry_seconds=FAST_RETRY)
    _run_consumer(first, until=lambda: False)
    assert first.died_holding == len(events) and first.consumed == 0
    assert _normalised(_contact_log(account_db)) == EXPECTED_ROWS  # committed, never acknowledged

    # The restarted consumer (nothing in memory) gets every message again.
    second = EventConsumer(kwargs, queue_name, account_db, retry_seconds=FAST_RETRY)
    _run_consumer(second, until=lambda: second.consumed >= len(events))
    assert second.consumed == len(events)
    assert _normalised(_contact_log(account_db)) == EXPECTED_ROWS  # still once each
    assert _drain_queue(queue_name) == []  # everything acknowledged


def test_rabbitmq_unavailable_events_are_spooled_then_delivered_in_order(queue_name, tmp_path):
    proxy = TcpProxy(AMQP_HOST)  # not listening yet: RabbitMQ "down" at start
    broker = RelayEventBroker(proxy.address, AMQP_USER, AMQP_PASSWORD, queue=queue_name,
                              spool_path=tmp_path / "spool.sqlite", retry_seconds=FAST_RETRY,
                              connect_timeout=1.0, publish_timeout=2.0)
    try:
        started = time.monotonic()
        for n in range(0, 5):
            broker.publish(_event(n))
        assert time.monotonic() - started < 0.2, "publish blocked the caller"
        assert _wait(lambda: len(broker.spool) == 5, 5)
        assert not broker.connected and broker.is_ready()

        proxy.start()  # RabbitMQ reachable: the spool drains
        assert broker.flush(15), "spooled events were not delivered after RabbitMQ came back"
        assert broker.connected

        proxy.cut()  # RabbitMQ goes away in the middle
        time.sleep(0.3)
        worst = 0.0
        for n in range(5, 25):
            t = time.monotonic()
            broker.publish(_event(n))
            worst = max(worst, time.monotonic() - t)
        assert worst < 0.05, f"publish took {worst:.3f}s with RabbitMQ cut"
        assert _wait(lambda: not broker.connected and len(broker.spool) == 20, 10), \
            f"spool holds {len(broker.spool)} events, connected={broker.connected}"
        time.sleep(0.5)
        assert len(broker.spool) == 20  # still waiting, nothing dropped

        proxy.start()
        for n in range(25, 30):  # newer events queue behind the spooled ones
            broker.publish(_event(n))
        assert broker.flush(15), "the spool did not empty after RabbitMQ came back"
        assert len(broker.spool) == 0
    finally:
        _close(broker)
        proxy.cut()

    received = [e["text"] for e in _drain_queue(queue_name)]
    assert received == [f"消息{n}" for n in range(30)]


def test_events_spooled_before_a_restart_are_sent_by_the_next_relay(queue_name, tmp_path):
    proxy = TcpProxy(AMQP_HOST)
    spool = tmp_path / "spool.sqlite"
    down = RelayEventBroker(proxy.address, AMQP_USER, AMQP_PASSWORD, queue=queue_name, spool_path=spool,
                            retry_seconds=FAST_RETRY, connect_timeout=1.0)
    for n in range(3):
        down.publish(_event(n))
    assert _wait(lambda: len(down.spool) == 3, 5)
    _close(down)  # the Rasa server stops while RabbitMQ is away

    up = RelayEventBroker(AMQP_HOST, AMQP_USER, AMQP_PASSWORD, queue=queue_name, spool_path=spool,
                          retry_seconds=FAST_RETRY)
    up.publish(_event(3))
    assert up.flush(15)
    _close(up)
    assert [e["text"] for e in _drain_queue(queue_name)] == [f"消息{n}" for n in range(4)]


def test_spools_left_by_replicas_that_are_gone_are_sent_first(queue_name, tmp_path):
    from bot.rasa_server.event_relay import EventSpool

    gone = EventSpool(tmp_path / "old-container.sqlite")
    gone.append([(f"k{n}", json.dumps(_event(n), ensure_ascii=False)) for n in range(2)])
    gone.close()  # that replica's container was recreated under a new host name
    alive = EventSpool(tmp_path / "other-replica.sqlite")  # a replica still running
    alive.append([("x", json.dumps(_event(99), ensure_ascii=False))])

    broker = RelayEventBroker(AMQP_HOST, AMQP_USER, AMQP_PASSWORD, queue=queue_name,
                              spool_path=tmp_path / "this-replica.sqlite",
                              adopt_glob=str(tmp_path / "*.sqlite"), retry_seconds=FAST_RETRY)
    try:
        broker.publish(_event(2))
        assert broker.flush(15)
        assert _wait(lambda: not (tmp_path / "old-container.sqlite").exists(), 5)
    finally:
        _close(broker)
    assert [e["text"] for e in _drain_queue(queue_name)] == [f"消息{n}" for n in range(3)]
    assert len(alive) == 1  # not touched
    alive.close()


def test_a_tracker_store_save_reaches_the_contact_log(queue_name, db_url, pinned_now, today, tmp_path):
    """The path in production: BrokeredSQLTrackerStore → relay → RabbitMQ → consumer."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.db.importer import seed_demo
    from bot.db.session import session_scope
    from bot.rasa_server.tracker_store import BrokeredSQLTrackerStore

    with session_scope(db_url) as s:
        seed_demo(s, today)
    broker = RelayEventBroker(AMQP_HOST, AMQP_USER, AMQP_PASSWORD, queue=queue_name,
                              spool_path=tmp_path / "spool.sqlite", retry_seconds=FAST_RETRY)
    store = BrokeredSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                    event_broker=broker)
    tracker = DialogueStateTracker.from_events("+8613800000002", [
        ActionExecuted("action_listen"),
        UserUttered("我这个月只能还一点", {"name": "inform_partial_ability", "confidence": 0.8},
                    message_id=uuid.uuid4().hex, input_channel="rest"),
        BotUttered("明白，您每月大概能还多少？"),
    ])
    asyncio.run(store.save(tracker))
    assert broker.flush(15)
    _close(broker)

    consumer = EventConsumer(connection_kwargs(AMQP_HOST, AMQP_USER, AMQP_PASSWORD), queue_name, db_url,
                             retry_seconds=FAST_RETRY)
    _run_consumer(consumer, until=lambda: consumer.consumed >= 3)
    assert _contact_log(db_url) == [
        ("+8613800000002", "DEMO-0002", "rest", "in", "我这个月只能还一点", "inform_partial_ability"),
        ("+8613800000002", "DEMO-0002", "rest", "out", "明白，您每月大概能还多少？", None),
    ]
