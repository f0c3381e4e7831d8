"""bot.rasa_server.lock_store.AtomicRedisLockStore against the real Redis: tickets taken
at the same moment by several "instances" (store objects with their own
connections) are unique, and the lock admits one holder at a time.

Rasa's own RedisLockStore changes the lock with GET then SET, which lets two
instances get the same ticket (tests/integration/test_scale_out.py lost a
message that way)."""
from __future__ import annotations

import asyncio
import os
import secrets
import threading

import pytest

pytestmark = pytest.mark.integration

REDIS_URL_ENV = "COLLECTBOT_TEST_REDIS_URL"
DB = 12


@pytest.fixture
def stores():
    import redis

    from bot.rasa_server.lock_store import AtomicRedisLockStore

    url = os.environ.get(REDIS_URL_ENV, "redis://127.0.0.1:6379").rstrip("/")
    try:
        redis.Redis.from_url(f"{url}/{DB}", socket_timeout=3).ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis at {url} not reachable: {e}")
    host = redis.connection.parse_url(f"{url}/{DB}")
    prefix = f"collectbotlocktest{secrets.token_hex(4)}"
    made = [AtomicRedisLockStore(host=host.get("host", "127.0.0.1"), port=host.get("port", 6379), db=DB,
                                 key_prefix=prefix) for _ in range(4)]
    yield made
    keys = list(made[0].red.scan_iter(match=f"{prefix}*"))
    if keys:
        made[0].red.delete(*keys)


def test_tickets_taken_at_once_by_several_instances_are_unique(stores):
    tickets = []
    start = threading.Barrier(len(stores))

    def take(store):
        start.wait()
        for _ in range(25):
            tickets.append(store.issue_ticket("+8613900000001"))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tickets) == list(range(100))


def test_one_holder_at_a_time_across_instances(stores):
    holders, overlaps, done = [], [], []

    async def hold(store, i):
        for _ in range(5):
            async with store.lock("+8613900000002", wait_time_in_seconds=0.01):
                holders.append(i)
                if len(holders) > 1:
                    overlaps.append(list(holders))
                await asyncio.sleep(0.01)
                holders.remove(i)
        done.append(i)

    threads = [threading.Thread(target=asyncio.run, args=(hold(s, i),)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == list(range(len(stores)))
    assert overlaps == []
    assert stores[0].get_lock("+8613900000002") is None  # cleaned up after the last holder
