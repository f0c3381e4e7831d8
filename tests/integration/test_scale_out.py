"""Scale-out (issue 7): two Rasa server processes and one action server on one
PostgreSQL and one Redis, the layout of docker-compose.yml without Docker.

- PostgreSQL: a freshly created database for the account data
  (``DATABASE_URL``) and another for Rasa's tracker store
  (``bot.rasa_server.tracker_store.BrokeredSQLTrackerStore``); both dropped afterwards.
- Redis: the conversation lock store (``bot.rasa_server.lock_store.AtomicRedisLockStore``,
  Rasa's ``RedisLockStore`` with atomic ticket updates; its own db number and a
  unique ``key_prefix``, cleaned up) and the web chat's socket.io client manager
  (``WEBCHAT_REDIS_URL``, a unique pub/sub channel).

50 simulated cardholders talk over the REST channel, each conversation's
messages alternating between the two instances; for every fifth one the
confirmation is sent to both instances at the same moment. Then a socket.io
client on instance B receives messages produced by instance A.

Runs with ``make test-integration`` (needs ``COLLECTBOT_TEST_PG_URL``; Redis
from ``COLLECTBOT_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379``) and a
trained model in bot/models.
"""
from __future__ import annotations

import asyncio
import csv
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml

from tests.e2e.servers import REPO, VENV_BIN, free_port, wait_for
from tests.integration.stack import Databases, clean_redis, require_model, require_pg, require_redis

pytestmark = pytest.mark.integration

LOCK_DB = 12  # Redis db for the lock store of this test (keys removed afterwards)
SOCKETIO_DB = 13  # pub/sub is server-wide; the unique channel name isolates it

# A Wednesday: 下周五 is 2026-12-04 (as in tests/e2e/test_conversation.py).
NOW = "2026-11-25T10:00:00+08:00"
ACCOUNTS = 50
CONCURRENT_CARDHOLDERS = 12
DUPLICATE_EVERY = 3  # conversations 0, 3, 6 … send the confirmation to both instances at once
API_TOKEN = "scale-api-" + secrets.token_hex(16)
SECRET = "scale-webchat-" + secrets.token_hex(16)

BOOKED = "已为您登记还款承诺"
# The second of two identical confirmations, processed after the booking:
# one message, either "already done" or (what the current dialogue says to a
# 是的 no rule expects once the form has ended) a request to rephrase.
SECOND_CONFIRMATION = ("无需重复办理", "换个说法")


def text(replies: List[str]) -> str:
    return "\n".join(replies)


# ------------------------------------------------------------------ set-up
def _prerequisites() -> Tuple[str, str]:
    pg = require_pg()
    require_model()
    return pg, require_redis(LOCK_DB)


@dataclass
class Account:
    index: int
    account_id: str
    name: str
    phone: str
    id_last4: str
    balance: str


SURNAMES = "李王张刘陈杨赵黄周吴"
GIVEN = ["明华", "建国", "丽娟", "志强", "秀英"]


def make_accounts(path: Path) -> List[Account]:
    accounts = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["account_id", "name", "phone", "id_last4", "card_last4", "balance", "minimum_due", "due_date"])
        for i in range(ACCOUNTS):
            account = Account(
                index=i,
                account_id=f"SCALE-{i:03d}",
                name=SURNAMES[i % 10] + GIVEN[i // 10],
                phone=f"+86139555{i:05d}",
                id_last4=f"{7000 + i * 37 % 3000:04d}",
                balance="8000.00",
            )
            writer.writerow([account.account_id, account.name, account.phone, account.id_last4,
                             f"{1000 + i:04d}", account.balance, "800.00", "2026-10-20"])
            accounts.append(account)
    return accounts


class Cluster:
    def __init__(self, workdir: Path, env: Dict[str, str], dbs: Databases, rasa_urls: List[str],
                 accounts: List[Account]) -> None:
        self.workdir = workdir
        self.env = env
        self.dbs = dbs
        self.rasa_urls = rasa_urls
        self.accounts = accounts

    def say(self, instance: int, sender: str, message: str) -> List[str]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(
            f"{self.rasa_urls[instance]}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            return [m.get("text", "") for m in json.loads(r.read().decode("utf-8"))]

    def api(self, instance: int, method: str, path: str, body: Any = None, **query: str) -> Any:
        query["token"] = API_TOKEN
        url = f"{self.rasa_urls[instance]}{path}?{urllib.parse.urlencode(query)}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read().decode("utf-8")
            return json.loads(raw) if raw else None

    def collectbot(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV_BIN / "collectbot"), *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    pg_url, redis_url = _prerequisites()
    workdir = tmp_path_factory.mktemp("scale-out")
    logs = workdir / "logs"
    logs.mkdir()
    dbs = Databases(pg_url)
    lock_prefix = f"collectbotscale{secrets.token_hex(4)}"
    procs: List[subprocess.Popen] = []
    dbs.create()
    try:
        actions_port = free_port()
        rasa_ports = [free_port(), free_port()]
        env = dict(os.environ)
        env.update(
            DATABASE_URL=dbs.url("accounts"),
            COLLECTBOT_NOW=NOW,
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            TF_CPP_MIN_LOG_LEVEL="3",
            SANIC_KEEP_ALIVE_TIMEOUT="30",
            WEBCHAT_TOKEN_SECRET=SECRET,
            ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
            WEBCHAT_REDIS_URL=f"{redis_url}/{SOCKETIO_DB}",
            WEBCHAT_REDIS_CHANNEL=f"collectbot-webchat-scale-{secrets.token_hex(4)}",
        )
        endpoints = workdir / "endpoints.yml"
        redis_host = urllib.parse.urlsplit(redis_url)
        endpoints.write_text(yaml.safe_dump({
            "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook", "enable_selective_domain": True,
                                # The action server's caller token (bot/action_server.py).
                                "headers": {"Authorization": f"Bearer {env['ACTION_SERVER_TOKEN']}"}},
            "tracker_store": {"type": "bot.rasa_server.tracker_store.BrokeredSQLTrackerStore", "url": dbs.url("tracker")},
            # Rasa's own type: redis lets two instances take the same ticket
            # (bot/rasa_server/lock_store.py); with it this test loses a duplicate message
            # now and then.
            "lock_store": {"type": "bot.rasa_server.lock_store.AtomicRedisLockStore", "url": redis_host.hostname or "127.0.0.1",
                           "port": redis_host.port or 6379, "db": LOCK_DB, "key_prefix": lock_prefix},
            "event_broker": {"type": "bot.rasa_server.contact_log.ContactLogBroker"},
        }), encoding="utf-8")
        repo_credentials = yaml.safe_load((REPO / "credentials.yml").read_text(encoding="utf-8"))
        credentials = workdir / "credentials.yml"
        credentials.write_text(yaml.safe_dump(
            {"rest": None, "channels.webchat.WebChatInput": repo_credentials["channels.webchat.WebChatInput"]},
            allow_unicode=True,
        ), encoding="utf-8")

        accounts = make_accounts(workdir / "accounts.csv")
        cluster = Cluster(workdir, env, dbs, [f"http://127.0.0.1:{p}" for p in rasa_ports], accounts)
        migrated = cluster.collectbot("migrate")
        assert migrated.returncode == 0, migrated.stderr
        imported = cluster.collectbot("import-accounts", str(workdir / "accounts.csv"))
        assert imported.returncode == 0, imported.stderr

        procs.append(subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "--port", str(actions_port)],
            cwd=REPO, env=env, stdout=open(logs / "actions.log", "w"), stderr=subprocess.STDOUT,
        ))
        for name, port in zip("ab", rasa_ports):
            procs.append(subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "--model", "bot/models", "--endpoints", str(endpoints),
                 "--credentials", str(credentials), "--port", str(port), "--interface", "127.0.0.1",
                 "--enable-api", "--auth-token", API_TOKEN],
                cwd=REPO, env=env, stdout=open(logs / f"rasa-{name}.log", "w"), stderr=subprocess.STDOUT,
            ))
        wait_for(f"http://127.0.0.1:{actions_port}/health", procs)
        for url in cluster.rasa_urls:
            wait_for(f"{url}/webhooks/rest/", procs)
        # The first message of a fresh server loads the model's graph.
        for instance in (0, 1):
            assert cluster.say(instance, f"+8613999990{instance:03d}", "你好")
        yield cluster
    except Exception:
        for log in sorted(logs.glob("*.log")):
            print(f"--- {log.name}\n" + log.read_text(errors="replace")[-6000:])
        raise
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        dbs.drop()
        clean_redis(redis_url, LOCK_DB, lock_prefix)


# ------------------------------------------------------------ conversations
@dataclass
class Turn:
    message: str
    instances: Tuple[int, ...]
    replies: List[List[str]] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


def script(account: Account) -> List[str]:
    return ["你好", "是的", account.id_last4, "我下周五还两千", "是的"]


def converse(cluster: Cluster, account: Account) -> List[Turn]:
    """One cardholder: each message to the other instance than the last;
    the confirmation of every fifth conversation to both at once."""
    turns = []
    messages = script(account)
    for step, message in enumerate(messages):
        instance = (account.index + step) % 2
        last = step == len(messages) - 1
        duplicate = last and account.index % DUPLICATE_EVERY == 0
        turn = Turn(message, (0, 1) if duplicate else (instance,))
        if duplicate:
            results: Dict[int, Any] = {}
            barrier = threading.Barrier(2)

            def send(i: int) -> None:
                barrier.wait()
                try:
                    results[i] = cluster.say(i, account.phone, message)
                except Exception as e:  # reported below with the conversation
                    results[i] = e

            threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for i in (0, 1):
                if isinstance(results[i], Exception):
                    turn.errors.append(f"instance {i}: {results[i]!r}")
                    turn.replies.append([])
                else:
                    turn.replies.append(results[i])
        else:
            try:
                turn.replies.append(cluster.say(instance, account.phone, message))
            except Exception as e:
                turn.errors.append(f"instance {instance}: {e!r}")
                turn.replies.append([])
        turns.append(turn)
    return turns


def check_conversation(account: Account, turns: List[Turn]) -> List[str]:
    """What went wrong in one conversation (empty: nothing)."""
    problems = []
    who = f"{account.account_id} ({account.phone})"
    for turn in turns:
        for error in turn.errors:
            problems.append(f"{who} {turn.message!r}: {error}")
        for replies in turn.replies:
            if not text(replies).strip():
                problems.append(f"{who} {turn.message!r} on {turn.instances}: no answer")
    if problems:
        return problems
    hello, yes, digits, promise, confirm = turns
    expectations = [
        (hello, "本人吗"),
        (yes, "身份证号码的后四位"),
        (digits, "8,000.00元"),
        (promise, "2026年12月4日"),
        (promise, "2,000.00元"),
    ]
    for turn, expected in expectations:
        if expected not in text(turn.replies[0]):
            problems.append(f"{who} {turn.message!r}: expected {expected!r}, got {text(turn.replies[0])!r}")
    answers = [text(r) for r in confirm.replies]
    if len(confirm.instances) == 1:
        if BOOKED not in answers[0]:
            problems.append(f"{who} confirmation not booked: {answers!r}")
    else:
        # Both were answered; the lock store serialised them: one booked, the
        # other saw the booking already done.
        first = next((i for i, a in enumerate(answers) if BOOKED in a), None)
        if first is None:
            problems.append(f"{who} duplicate confirmation: neither answer books: {answers!r}")
        else:
            other = confirm.replies[1 - first]
            if BOOKED in text(other):
                problems.append(f"{who} duplicate confirmation: both answers say it was booked: {answers!r}")
            if len(other) != 1 or not any(w in other[0] for w in SECOND_CONFIRMATION):
                problems.append(f"{who} duplicate confirmation: unexpected second answer {other!r}")
    return problems


def stored_events(cluster: Cluster, sender: str) -> List[Tuple[int, str, float, Dict[str, Any]]]:
    rows = cluster.dbs.query(
        "tracker", "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id", s=sender,
    )
    return [(i, t, ts, json.loads(d)) for i, t, ts, d in rows]


def check_events(account: Account, events: List[Tuple[int, str, float, Dict[str, Any]]],
                 expected_user: List[str]) -> List[str]:
    problems = []
    who = account.account_id
    stamps = [ts for _, _, ts, _ in events]
    if any(b < a for a, b in zip(stamps, stamps[1:])):
        problems.append(f"{who}: event timestamps go backwards: {stamps}")
    users = [d.get("text") for _, t, _, d in events if t == "user"]
    if users != expected_user:
        problems.append(f"{who}: user messages stored {users!r}, sent {expected_user!r}")
    # Each message is answered before the next one is read: a user event is
    # followed by at least one bot message before the next user event.
    kinds = [t for _, t, _, _ in events if t in ("user", "bot")]
    for i, kind in enumerate(kinds):
        if kind == "user" and (i + 1 == len(kinds) or kinds[i + 1] != "bot"):
            problems.append(f"{who}: user message #{kinds[:i + 1].count('user')} not followed by a bot message: {kinds}")
    return problems


def test_fifty_cardholders_alternating_between_two_instances(cluster):
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENT_CARDHOLDERS) as pool:
        conversations = list(pool.map(lambda a: converse(cluster, a), cluster.accounts))
    elapsed = time.monotonic() - started
    messages = sum(len(t.instances) for turns in conversations for t in turns)
    print(f"{messages} messages from {ACCOUNTS} cardholders in {elapsed:.1f} s")

    problems: List[str] = []
    for account, turns in zip(cluster.accounts, conversations):
        problems += check_conversation(account, turns)
    assert not problems, "\n".join(problems[:30]) + f"\n(logs in {cluster.workdir / 'logs'})"

    # The tracker store, as written by both instances.
    for account, turns in zip(cluster.accounts, conversations):
        expected = [t.message for t in turns for _ in t.instances]
        problems += check_events(account, stored_events(cluster, account.phone), expected)
    assert not problems, "\n".join(problems[:30])

    # Both instances read the same conversation.
    for account in cluster.accounts[:: DUPLICATE_EVERY]:
        seen = [[(e["event"], e.get("timestamp")) for e in cluster.api(i, "GET", f"/conversations/{account.phone}/tracker")["events"]]
                for i in (0, 1)]
        assert seen[0] == seen[1], account.account_id
        assert [k for k, _ in seen[0]].count("user") == 6

    # Exactly one promise per account, with the figures confirmed.
    rows = cluster.dbs.query(
        "accounts",
        "SELECT account_id, amount, pay_date, status, conversation_id FROM arrangements "
        "WHERE kind = 'promise_to_pay' ORDER BY account_id",
    )
    by_account: Dict[str, List[Tuple]] = {}
    for row in rows:
        by_account.setdefault(row[0], []).append(row)
    for account in cluster.accounts:
        booked = by_account.get(account.account_id, [])
        assert len(booked) == 1, (account.account_id, booked)
        _, amount, pay_date, status, conversation = booked[0]
        assert (str(amount), pay_date.isoformat(), status, conversation) == (
            "2000.00", "2026-12-04", "booked", account.phone)
    assert len(rows) == ACCOUNTS


# ---------------------------------------------------------------- web chat
class SocketClient:
    """A widget connected to one instance (python-socketio, long polling as in tests/e2e/test_webchat.py)."""

    def __init__(self, url: str) -> None:
        import socketio

        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: "asyncio.Queue[tuple]" = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "webchat_status"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):
        async def record(data: Any = None) -> None:
            await self.events.put((name, data))
        return record

    async def __aenter__(self) -> "SocketClient":
        # wait_timeout: python-socketio waits one second for the namespace
        # handshake, which a busy CI machine can overrun (see tests/webchat_client.py).
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self.sio.connected:
            import socketio

            for namespace in list(self.sio.namespaces):
                await self.sio._send_packet(self.sio.packet_class(socketio.packet.DISCONNECT, namespace=namespace))
            await self.sio.eio.disconnect(abort=True)
            await asyncio.sleep(0.05)

    async def next(self, name: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name} within {timeout} s")
            try:
                event, data = await asyncio.wait_for(self.events.get(), left)
            except asyncio.TimeoutError:
                raise AssertionError(f"no {name} within {timeout} s") from None
            if event == name:
                return data

    async def drain(self, quiet: float = 2.0) -> List[Any]:
        seen = []
        while True:
            try:
                seen.append(await asyncio.wait_for(self.events.get(), quiet))
            except asyncio.TimeoutError:
                return seen


def test_web_chat_socket_on_b_receives_what_instance_a_sends(cluster):
    a, b = 0, 1

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        async with SocketClient(cluster.rasa_urls[b]) as widget:
            await widget.sio.emit("session_request", {"session_id": None})
            session_id = await widget.next("session_confirm", 20)
            await widget.sio.emit("user_uttered", {"message": "你好", "session_id": session_id})
            assert str((await widget.next("bot_uttered")).get("text", "")).strip()
            await widget.drain()

            # A bot reply produced on instance A (an intent triggered there).
            await loop.run_in_executor(None, lambda: cluster.api(
                a, "POST", f"/conversations/{session_id}/trigger_intent",
                {"name": "greet", "entities": {}}, output_channel="latest",
            ))
            assert str((await widget.next("bot_uttered", 30)).get("text", "")).strip()
            await widget.drain()

            # An agent's reply appended through instance A's HTTP API.
            event = {"event": "bot", "text": "专员已回复：我们已收到您的情况说明"}
            await loop.run_in_executor(None, lambda: cluster.api(
                a, "POST", f"/conversations/{session_id}/tracker/events", [event],
                output_channel="latest", execute_side_effects="true",
            ))
            pushed = await widget.next("bot_uttered", 30)
            assert pushed["text"] == "专员已回复：我们已收到您的情况说明"

    asyncio.run(scenario())
