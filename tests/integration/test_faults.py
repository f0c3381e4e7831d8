"""Faults (issue 7): what the cardholder sees, and what is stored, when a
part of the stack goes away in the middle of a conversation and comes back.

One real stack for all scenarios (tests/e2e/servers.running_stack): the
action server, one Rasa server with the SQLite tracker store, the account
data on a fresh PostgreSQL database (``COLLECTBOT_TEST_PG_URL``, dropped
afterwards) reached through a TCP proxy, and the conversation lock store
``bot.rasa_server.lock_store.AtomicRedisLockStore`` on this machine's Redis, also
through a TCP proxy (tests/fakes/tcp_proxy.py). Cutting a proxy closes its
connections and refuses new ones; the real PostgreSQL and Redis keep running.

- action server killed (SIGKILL) after verification and again inside the
  promise form: the next message gets ``replies.SYSTEM_BUSY`` within
  seconds (bot/rasa_server/resilience.py); after a restart the cardholder repeats
  and the promise is booked once; every message is in the tracker;
- PostgreSQL cut: ``SYSTEM_BUSY`` (the action's SQLAlchemyError, or the
  action server's 500 that bot/rasa_server/resilience.py answers), no arrangement
  half-written; after the restore the same confirmation books;
- Redis cut: 503 with a JSON error from the REST channel, the server stays
  up, the message is not processed (not in the tracker); after the restore
  the conversation continues and the stored events are consistent.

Runs with ``make test-integration`` (needs ``COLLECTBOT_TEST_PG_URL`` and
Redis) and a trained model in bot/models.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import time
import urllib.error
import urllib.request
from typing import Iterator, List, Tuple

import pytest

from bot.core import replies
from bot.core.identity import rest_conversation_id
from tests.e2e.servers import REPO, running_stack
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.stack import Databases, clean_redis, require_model, require_pg, require_redis

pytestmark = pytest.mark.integration

# A Wednesday: 下周五 is 2026-12-04 (as in tests/e2e/test_conversation.py).
NOW = "2026-11-25T10:00:00+08:00"
LOCK_DB = 11
HOLDING_WITHIN = 5.0  # seconds
BOOKED = "已为您登记还款承诺"
CONFIRM = ("2026年12月4日", "2,000.00元")
# tests/fixtures/e2e_accounts.csv: phone → (account, last four of the ID)
CARDHOLDERS = {
    "+8613900000001": ("E2E-1", "3521"),
    "+8613900000002": ("E2E-2", "8810"),
    "+8613900000003": ("E2E-3", "1207"),
}


def text(replies_: List[str]) -> str:
    return "\n".join(replies_)


class Faults:
    def __init__(self, stack, dbs: Databases, pg_proxy: TcpProxy, redis_proxy: TcpProxy,
                 redis_url: str, lock_prefix: str) -> None:
        self.stack = stack
        self.redis_url = redis_url
        self.lock_prefix = lock_prefix
        self.dbs = dbs
        self.pg_proxy = pg_proxy
        self.redis_proxy = redis_proxy
        self.sent: dict = {}

    def say(self, sender: str, message: str) -> List[str]:
        self.sent.setdefault(sender, []).append(message)
        return self.stack.say(sender, message)

    def timed_say(self, sender: str, message: str) -> Tuple[List[str], float]:
        started = time.monotonic()
        answer = self.say(sender, message)
        return answer, time.monotonic() - started

    def verify(self, sender: str) -> None:
        _, id_last4 = CARDHOLDERS[sender]
        assert "本人吗" in text(self.say(sender, "你好"))
        assert "身份证号码的后四位" in text(self.say(sender, "是的"))
        assert "逾期" in text(self.say(sender, id_last4))

    def stored(self, sender: str) -> List[Tuple[str, dict]]:
        with sqlite3.connect(self.stack.workdir / "tracker.db") as conn:
            rows = conn.execute(
                # The REST channel keeps its own conversations (channels/rest.py).
                "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (rest_conversation_id(sender),)
            ).fetchall()
        return [(t, json.loads(d)) for t, d in rows]

    def promises(self, sender: str) -> List[Tuple]:
        account, _ = CARDHOLDERS[sender]
        return self.dbs.query(
            "accounts",
            "SELECT amount, pay_date, status FROM arrangements WHERE account_id = :a AND kind = 'promise_to_pay'",
            a=account,
        )

    def check_tracker(self, sender: str, expected_user: List[str]) -> None:
        events = self.stored(sender)
        users = [d.get("text") for t, d in events if t == "user"]
        assert users == expected_user
        kinds = [t for t, _ in events if t in ("user", "bot")]
        for i, kind in enumerate(kinds):
            if kind == "user":
                assert i + 1 < len(kinds) and kinds[i + 1] == "bot", f"user message #{i} unanswered: {kinds}"
        stamps = [d.get("timestamp") or 0 for _, d in events]
        assert stamps == sorted(stamps)


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> Iterator[Faults]:
    pg_url = require_pg()
    require_model()
    redis_url = require_redis(LOCK_DB)
    workdir = tmp_path_factory.mktemp("faults")
    dbs = Databases(pg_url, prefix="collectbot_faults", which=("accounts",))
    pg_proxy = TcpProxy(f"{dbs.base.host or '127.0.0.1'}:{dbs.base.port or 5432}").start()
    import urllib.parse

    redis_parts = urllib.parse.urlsplit(redis_url)
    redis_proxy = TcpProxy(f"{redis_parts.hostname or '127.0.0.1'}:{redis_parts.port or 6379}").start()
    lock_prefix = f"collectbotfaults{secrets.token_hex(4)}"
    accounts_url = str(dbs.base.set(database=dbs.names["accounts"], host="127.0.0.1", port=pg_proxy.port))
    endpoints_extra = f"""
lock_store:
  type: bot.rasa_server.lock_store.AtomicRedisLockStore
  url: 127.0.0.1
  port: {redis_proxy.port}
  db: {LOCK_DB}
  key_prefix: {lock_prefix}
"""
    dbs.create()
    try:
        with running_stack(workdir, NOW, extra_env={"DATABASE_URL": accounts_url},
                           endpoints_extra=endpoints_extra) as stack:
            imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
            assert imported.returncode == 0, imported.stderr
            yield Faults(stack, dbs, pg_proxy, redis_proxy, redis_url, lock_prefix)
    finally:
        pg_proxy.cut()
        redis_proxy.cut()
        dbs.drop()
        clean_redis(redis_url, LOCK_DB, lock_prefix)


def test_action_server_killed_mid_conversation(faults):
    me = "+8613900000001"
    faults.verify(me)

    # Killed after verification: the promise form cannot even start.
    faults.stack.stop_actions()
    answer, took = faults.timed_say(me, "我下周五还两千")
    assert answer == [replies.SYSTEM_BUSY]
    assert took < HOLDING_WITHIN
    faults.stack.start_actions()
    confirm = text(faults.say(me, "我下周五还两千"))
    assert all(part in confirm for part in CONFIRM), confirm

    # Killed inside the form, at the confirmation: the unvalidated "yes" is
    # not kept, nothing is booked.
    faults.stack.stop_actions()
    answer, took = faults.timed_say(me, "是的")
    assert answer == [replies.SYSTEM_BUSY]
    assert took < HOLDING_WITHIN
    assert faults.promises(me) == []
    faults.stack.start_actions()
    assert BOOKED in text(faults.say(me, "是的"))

    rows = faults.promises(me)
    assert [(str(a), d.isoformat(), s) for a, d, s in rows] == [("2000.00", "2026-12-04", "booked")]
    faults.check_tracker(me, faults.sent[me])


def test_postgresql_cut_during_the_conversation(faults):
    me = "+8613900000002"
    faults.verify(me)
    confirm = text(faults.say(me, "我下周五还两千"))
    assert all(part in confirm for part in CONFIRM), confirm

    faults.pg_proxy.cut()
    try:
        # The confirmation reaches the booking, which cannot read the account.
        answer, took = faults.timed_say(me, "是的")
        assert answer == [replies.SYSTEM_BUSY]
        assert took < 15
        # A new request while the database is still away: validation fails too.
        answer, _ = faults.timed_say(me, "我下周五还两千")
        assert answer == [replies.SYSTEM_BUSY]
    finally:
        faults.pg_proxy.start()

    assert faults.promises(me) == []  # nothing half-written
    confirm = text(faults.say(me, "我下周五还两千"))
    assert all(part in confirm for part in CONFIRM), confirm
    assert BOOKED in text(faults.say(me, "是的"))
    rows = faults.promises(me)
    assert [(str(a), d.isoformat(), s) for a, d, s in rows] == [("2000.00", "2026-12-04", "booked")]
    faults.check_tracker(me, faults.sent[me])


def test_redis_lock_store_cut(faults):
    me = "+8613900000003"
    faults.verify(me)
    accepted = list(faults.sent[me])

    faults.redis_proxy.cut()
    try:
        for _ in range(2):
            with pytest.raises(urllib.error.HTTPError) as refused:
                faults.stack.say(me, "我下周五还两千")
            assert refused.value.code == 503
            body = json.loads(refused.value.read().decode("utf-8"))
            assert body["error"] == "conversation_store_unavailable"
            assert body["message"] == replies.SYSTEM_BUSY
        # The server itself is fine.
        with urllib.request.urlopen(f"{faults.stack.rasa_url}/webhooks/health/healthz", timeout=10) as r:
            assert r.status == 200
        # Nothing of the refused messages reached the conversation.
        faults.check_tracker(me, accepted)
    finally:
        faults.redis_proxy.start()

    confirm = text(faults.say(me, "我下周五还两千"))
    assert all(part in confirm for part in ("2026年12月4日", "800.00元")), confirm  # capped at the balance
    assert BOOKED in text(faults.say(me, "是的"))
    assert len(faults.promises(me)) == 1
    faults.check_tracker(me, faults.sent[me])
    # No conversation lock left behind in Redis by the failed requests.
    import redis

    client = redis.Redis.from_url(f"{faults.redis_url}/{LOCK_DB}", socket_timeout=5)
    try:
        assert list(client.scan_iter(match=f"{faults.lock_prefix}*")) == []
    finally:
        client.close()
