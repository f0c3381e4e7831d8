"""Issue 16, the console's part: attacks that once worked, now refused.

The console runs as a real process (``python -m console``) with a real
SQLite account database, a tracker store written by Rasa's own
SQLTrackerStore, and a fake Rasa HTTP API that answers in ASCII-escaped
JSON as Rasa's Sanic (ujson) does, so a lone surrogate a cardholder once
sent arrives as ``"\\ud800"``.

- finding 7: trainers saw full phone numbers (queue) and the ID digits a
  cardholder typed (conversation API); every trainer-readable route is
  checked for phone numbers and ID digits, agents still see them;
- finding 3: sign-in lock-out per user name let anyone lock an agent out;
- finding 2: one stored lone surrogate made readers answer 500;
- finding 9: ids beyond 64 bits, far dates and fuzzed input gave 5xx.
"""
from __future__ import annotations

import http.client
import json
import re
from datetime import datetime, timezone
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote, urlsplit

import pytest

from tests.console import support
from tests.console.support import PASSWORD, Browser, environ, running_console
from tests.console.workbench_support import (
    NOW,
    account_database,
    action,
    active_loop,
    bot,
    console_environment,
    slot,
    ts,
    user,
    write_tracker_store,
)
from tests.fakes.fake_rasa import FakeRasa

A, P = "+8613700000001", "+8613700000002"  # C-1 (ID 3521, card 6688), C-2
A_DIGITS = "13700000001"
ID_DIGITS = "3521"
POISON = "坏\ud800字\x00符"  # a lone surrogate and a NUL, as stored before cleaning at the door
# What SQL text columns can hold of it (the driver cannot encode a lone surrogate).
POISON_ROW = "坏字\x00符"
PHONE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class AsciiFakeRasa(FakeRasa):
    """Answers like Rasa's Sanic does: ujson escapes every non-ASCII
    character, so a stored lone surrogate travels as ``\\ud800``."""

    def _reply(self, handler, status, body) -> None:
        data = json.dumps(body, ensure_ascii=True).encode("ascii")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def tracker_conversations():
    d = "2026-11-24"
    return {
        A: [
            user("你好", "greet", 0.9, ts(d, "10:00", 0), channel="twilio_sms"),
            action("verify_form", ts(d, "10:00", 1)),
            active_loop("verify_form", ts(d, "10:00", 1)),
            slot("account_id", "C-1", ts(d, "10:00", 1)),
            slot("requested_slot", "id_last4", ts(d, "10:00", 1)),
            bot("请提供您身份证号码的后四位。", ts(d, "10:00", 2)),
            action("action_listen", ts(d, "10:00", 2)),
            # A bare answer: no cue before it, and the NLU found no entity.
            user(ID_DIGITS, "inform_identity", 0.41, ts(d, "10:01", 0), channel="twilio_sms"),
            action("verify_form", ts(d, "10:01", 1)),
            slot("requested_slot", None, ts(d, "10:01", 1)),
            active_loop(None, ts(d, "10:01", 1)),
            user(f"我的手机是{A_DIGITS}", "inform", 0.3, ts(d, "10:02", 0), channel="twilio_sms"),
            action("action_listen", ts(d, "10:02", 1)),
        ],
        P: [
            user(POISON, "nlu_fallback", 0.1, ts(d, "11:00", 0), channel="twilio_sms"),
            action("action_default_fallback", ts(d, "11:00", 1)),
            action("action_listen", ts(d, "11:00", 2)),
        ],
    }


def rasa_events(conversation_id: str) -> List[Dict]:
    """The same conversations as Rasa's HTTP API returns them."""
    if conversation_id == A:
        return [
            {"event": "user", "text": "你好", "timestamp": 1.0, "parse_data": {"intent": {"name": "greet"}}},
            {"event": "active_loop", "name": "verify_form", "timestamp": 1.1},
            {"event": "slot", "name": "requested_slot", "value": "id_last4", "timestamp": 1.2},
            {"event": "bot", "text": "请提供您身份证号码的后四位。", "timestamp": 1.3},
            {"event": "user", "text": ID_DIGITS, "timestamp": 2.0,
             "parse_data": {"intent": {"name": "inform_identity"}, "entities": []}},
            {"event": "slot", "name": "requested_slot", "value": None, "timestamp": 2.1},
            {"event": "active_loop", "name": None, "timestamp": 2.1},
            {"event": "user", "text": f"我的手机是{A_DIGITS}", "timestamp": 3.0,
             "parse_data": {"intent": {"name": "inform"}}},
            {"event": "pause", "timestamp": 3.1},
        ]
    return [
        {"event": "user", "text": POISON, "timestamp": 1.0, "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "pause", "timestamp": 1.1},
    ]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hardening")
    db_url = account_database(workdir)
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW):
        yield from _running(workdir, db_url)


def _running(workdir, db_url):
    tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
    write_tracker_store(tracker_url, tracker_conversations())
    from bot.db import repository
    from bot.db.models import ContactLog
    from bot.db.session import session_scope

    escalations = {}
    with session_scope(db_url) as s:
        escalations[A], _ = repository.open_escalation(
            s, conversation_id=A, account_id="C-1", channel="twilio_sms", reason="customer_request", priority=2,
            summary=f"客户要求人工：我是李明华，手机{A_DIGITS}，身份证后四位{ID_DIGITS}")
        escalations[P], _ = repository.open_escalation(
            s, conversation_id=P, account_id="C-2", channel="twilio_sms", reason="fallback", priority=3,
            summary="客户说：" + POISON_ROW)
        # The contact log as the writer left it before cleaning at the door.
        s.add(ContactLog(conversation_id=P, account_id="C-2", channel="twilio_sms", direction="in", text=POISON_ROW))
        s.add(ContactLog(conversation_id=A, account_id="C-1", channel="twilio_sms", direction="in", text=ID_DIGITS))
    fake = AsciiFakeRasa()
    for cid, account in ((A, "C-1"), (P, "C-2")):
        fake.conversation(cid, channel="twilio_sms", slots={"verified": True, "account_id": account})
        fake.trackers[cid]["events"] = rasa_events(cid)
    fake.start()
    console_env = console_environment(workdir, db_url, tracker_url, fake.url, fake.token)
    try:
        with running_console(workdir, console_env) as url:
            yield {"url": url, "db": db_url, "tracker": tracker_url, "fake": fake, "escalations": escalations,
                   "workdir": workdir}
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def _database(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", env["db"])
    monkeypatch.setenv("COLLECTBOT_NOW", NOW)


def signed_in(env, username: str) -> Browser:
    return support.signed_in(env["url"], username)


def refs(env) -> Dict[str, int]:
    from console.training import tracker

    return tracker.refs_of(env["tracker"], [A, P])


def sse_first(b: Browser, path: str) -> Dict:
    return b.sse(path, until=lambda events: len(events) >= 1)[0]["data"]


def assert_nothing_personal(body: str) -> None:
    assert not PHONE_RE.search(body), body[:2000]
    assert ID_DIGITS not in body, body[:2000]
    assert "6688" not in body  # the card's last digits
    assert "李明华" not in body and "明华" not in body


# --- finding 7: trainers see no phone number and no ID digits ----------------------


def trainer_views(env, b: Browser) -> Dict[str, str]:
    """Every answer a trainer can read that shows conversations (bodies)."""
    r = refs(env)
    queue = b.get("/api/queue")
    assert queue.status == 200, queue.body
    items = {i["account_id"]: i for i in queue.json()["items"]}
    a_ref = items["C-1"].get("ref") or items["C-1"]["conversation_id"]
    views = {
        "queue": queue.body,
        "queue page": b.get("/queue").body,
        "queue stream": json.dumps(sse_first(b, "/api/queue/stream"), ensure_ascii=False),
        "conversation page": b.get("/conversations/" + quote(a_ref, safe="")).body,
        "conversation": b.get(Browser.cpath(a_ref)).body,
        "conversation stream": json.dumps(sse_first(b, Browser.cpath(a_ref, "/stream")), ensure_ascii=False),
        "workbench list": b.get("/api/workbench/conversations").body,
        "workbench conversation": b.get(f"/api/workbench/conversations/{r[A]}").body,
        "workbench inbox": b.get("/api/workbench/inbox?include_done=1").body,
    }
    return views


def test_trainer_reads_no_phone_number_and_no_id_digits_on_any_route(env):
    trainer = signed_in(env, "trainer1")
    views = trainer_views(env, trainer)
    for name, body in views.items():
        try:
            assert_nothing_personal(body)
        except AssertionError:
            raise AssertionError(f"{name} shows personal data to a trainer: {body[:1500]}") from None
    # What a trainer needs is still there: the conversation, masked.
    conversation = json.loads(views["conversation"])
    said = [e["text"] for e in conversation["transcript"] if e["from"] == "cardholder"]
    assert said == ["你好", "****", "我的手机是***********"]
    assert conversation["conversation_id"] == "+86137****0001"
    queue = json.loads(views["queue"])["items"]
    assert {i["conversation_id"] for i in queue} == {"+86137****0001", "+86137****0002"}


def test_trainer_reference_opens_only_that_conversation(env):
    trainer = signed_in(env, "trainer1")
    ref = f"esc-{env['escalations'][A]}"
    assert trainer.get(Browser.cpath(ref)).json()["account_id"] == "C-1"
    assert trainer.get(Browser.cpath("esc-999999")).status == 404
    assert trainer.get(Browser.cpath("esc-99999999999999999999999")).status == 404
    # Not by phone number: a trainer cannot probe which numbers owe money.
    for path in (Browser.cpath(A), Browser.cpath(A, "/stream"), "/conversations/" + quote(A, safe="")):
        answer = trainer.get(path)
        assert answer.status == 404 and "C-1" not in answer.body and "12000" not in answer.body
    # Agents open the same conversation by either.
    agent = signed_in(env, "agent1")
    assert agent.detail(ref)["conversation_id"] == agent.detail(A)["conversation_id"] == A


def test_the_console_listens_on_loopback_unless_told_otherwise():
    from bot.settings import ConsoleSettings

    assert ConsoleSettings.from_env({}).host == "127.0.0.1"
    assert ConsoleSettings().host == "127.0.0.1"
    assert ConsoleSettings.from_env({}).proxies_count == 0  # X-Forwarded-For ignored unless a proxy is declared


def test_agents_still_see_what_they_need(env):
    agent = signed_in(env, "agent1")
    queue = agent.get("/api/queue").json()["items"]
    assert A in {i["conversation_id"] for i in queue}
    detail = agent.detail(A)
    said = [e["text"] for e in detail["transcript"] if e["from"] == "cardholder"]
    assert ID_DIGITS in said and f"我的手机是{A_DIGITS}" in said
    assert detail["account"]["cardholder"]["id_last4"] == ID_DIGITS
    r = refs(env)
    turns = agent.get(f"/api/workbench/conversations/{r[A]}").json()["turns"]
    assert ID_DIGITS in [t.get("text") for t in turns]
    # The labelling inbox leaves out messages that are nothing but a
    # verification answer (issue 12: "****" cannot usefully be labelled), for
    # agents as for trainers; the agent reads the digits in the conversation.
    inbox = agent.get("/api/workbench/inbox?include_done=1").json()["items"]
    texts = [i["text"] for i in inbox]
    assert f"我的手机是{A_DIGITS}" in texts and ID_DIGITS not in texts


def test_a_trainers_annotation_stores_the_bare_id_answer_masked(env):
    from console.training import tracker

    event_id = next(e.id for e in tracker.events_of(env["tracker"], [A], types=("user",))
                    if e.data["text"] == ID_DIGITS)
    trainer = signed_in(env, "trainer1")
    saved = trainer.post(f"/api/workbench/messages/{event_id}/annotation",
                         {"status": "labelled", "intent": "inform_identity", "version": 0})
    assert saved.status == 200, saved.body
    assert saved.json()["text"] == "****"


# --- finding 2: stored lone surrogates do not break any reader --------------------


def test_readers_survive_a_stored_lone_surrogate_for_every_role(env):
    r = refs(env)
    for username in ("agent1", "trainer1", "boss"):
        b = signed_in(env, username)
        answers = {
            "conversation": b.get(Browser.cpath(P if username != "trainer1" else f"esc-{env['escalations'][P]}")),
            "queue": b.get("/api/queue"),
            "workbench list": b.get("/api/workbench/conversations"),
            "workbench conversation": b.get(f"/api/workbench/conversations/{r[P]}"),
            "workbench inbox": b.get("/api/workbench/inbox?include_done=1"),
        }
        for name, answer in answers.items():
            assert answer.status == 200, (username, name, answer.body[:500])
            assert "\\u0000" not in answer.body and "\\ud800" not in answer.body, (username, name)
            if name != "queue":
                assert "坏\ufffd字符" in answer.body, (username, name, answer.body[:800])
        assert "客户说：坏字符" in answers["queue"].body
        detail = answers["conversation"].json()
        assert detail["transcript"][0]["text"] == "坏\ufffd字符"
        stream = sse_first(b, Browser.cpath(P if username != "trainer1" else f"esc-{env['escalations'][P]}", "/stream"))
        assert stream["transcript"][0]["text"] == "坏\ufffd字符"
    boss = signed_in(env, "boss")
    # The contact log row (account snapshot) is repaired the same way.
    texts = [c["text"] for c in boss.detail(P)["account"]["contact_log"]]
    assert "坏字符" in texts


def test_text_sent_to_the_console_is_cleaned_at_the_door(env):
    agent = signed_in(env, "agent1")
    raw = b'{"text": "\\u5907\\u6ce8\\ud800\\u0000\\u5b8c"}'  # 备注<lone surrogate><NUL>完
    answer = raw_request(env, agent, "POST", Browser.cpath(P, "/notes"), raw)
    assert answer[0] == 200, answer
    from bot.db.session import session_scope
    from console.models import Note
    from sqlalchemy import select

    with session_scope(env["db"]) as s:
        stored = s.execute(select(Note.text).where(Note.conversation_id == P)).scalars().all()
    assert stored == ["备注\ufffd完"]


# --- finding 3: sign-in throttling per address, with back-off -----------------------


def login_from(env, username: str, password: str, address: str) -> Tuple[int, str, Optional[str]]:
    """Sign in through a proxy that says who the client is (X-Forwarded-For)."""
    b = Browser(env["url"])
    page = b.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
    answer = b.request("POST", "/login", form={"csrf_token": token, "username": username, "password": password},
                       headers={"X-Forwarded-For": address})
    return answer.status, answer.body, answer.headers.get("Retry-After")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, env):
    """The same console behind a declared proxy (CONSOLE_PROXIES_COUNT=1)."""
    workdir = tmp_path_factory.mktemp("proxied")
    with running_console(workdir, {"DATABASE_URL": env["db"], "COLLECTBOT_NOW": NOW, "RASA_URL": env["fake"].url,
                                   "RASA_API_TOKEN": env["fake"].token, "CONSOLE_PROXIES_COUNT": "1"}) as url:
        yield {**env, "url": url}


def test_failures_from_one_address_do_not_lock_the_agent_out_elsewhere(proxied):
    attacker, agent_desk = "203.0.113.9", "10.1.2.3"
    statuses = [login_from(proxied, "agent2", "wrong-password-123", attacker)[0] for _ in range(8)]
    assert statuses[:4] == [401] * 4 and statuses[-1] == 429
    status, body, retry = login_from(proxied, "agent2", "wrong-password-123", attacker)
    assert status == 429 and "登录失败次数过多" in body and "后再试" in body
    assert retry is not None and int(retry) > 0
    # Even the right password waits at the attacker's address …
    assert login_from(proxied, "agent2", PASSWORD, attacker)[0] == 429
    # … but the real agent at their own desk signs in at once.
    assert login_from(proxied, "agent2", PASSWORD, agent_desk)[0] == 302
    from bot.db.session import session_scope
    from console import store

    with session_scope(proxied["db"]) as s:
        trail = [e for e in store.audit_entries(s, limit=500) if e["username"] == "agent2"]
    actions = [e["action"] for e in trail]
    assert actions.count("login_failed") >= 5 and "login_throttled" in actions and "login" in actions


def test_one_address_spraying_many_names_is_slowed_down(proxied):
    sprayer = "198.51.100.7"
    statuses = [login_from(proxied, f"guess{i}", "wrong-password-123", sprayer)[0] for i in range(22)]
    assert 429 in statuses and statuses[0] == 401
    # Another address is not affected.
    assert login_from(proxied, "agent1", PASSWORD, "10.1.2.4")[0] == 302


def test_sign_in_with_malformed_fields_is_refused_not_crashed(env):
    b = Browser(env["url"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', b.get("/login").body).group(1)
    forms = [
        f"csrf_token={token}&username=%ED%A0%80&password=%ED%A0%80",
        f"csrf_token={token}&username=agent1%00&password=%00{PASSWORD}",
        f"csrf_token={token}&username={'x' * 5000}&password={'y' * 30000}",
    ]
    for form in forms:
        status, text = raw_request(env, b, "POST", "/login", form.encode(),
                                   content_type="application/x-www-form-urlencoded", csrf=False)
        assert status == 401 and "用户名或密码不正确" in text, (status, text[:300])
    boundary = "x-boundary"
    multipart = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"
    ).encode() + b"\xed\xa0\x80\xff" + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"
    ).encode() + b"\xed\xa0\x80" + f"\r\n--{boundary}--\r\n".encode()
    status, text = raw_request(env, b, "POST", "/login", multipart,
                               content_type=f"multipart/form-data; boundary={boundary}", csrf=False)
    assert 400 <= status < 500, (status, text[:300])


def test_back_off_doubles_and_expires():
    from datetime import timedelta

    from console.throttle import LoginThrottle, Rule, wait_text

    t0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
    throttle = LoginThrottle(user_rule=Rule(3, timedelta(seconds=30), timedelta(minutes=10)),
                             address_rule=Rule(100, timedelta(seconds=30), timedelta(minutes=10)),
                             forget_after=timedelta(hours=1))
    now = t0
    for _ in range(3):
        assert throttle.retry_after("agent1", "1.2.3.4", now) is None
        throttle.failed("agent1", "1.2.3.4", now)
    waits = []
    for _ in range(6):
        wait = throttle.retry_after("agent1", "1.2.3.4", now)
        waits.append(wait)
        now += wait
        assert throttle.retry_after("agent1", "1.2.3.4", now) is None
        throttle.failed("agent1", "1.2.3.4", now)
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600)]  # capped at 10 minutes
    assert throttle.retry_after("agent1", "5.6.7.8", now) is None  # another address: free
    assert throttle.retry_after("agent1", "1.2.3.4", now + timedelta(hours=2)) is None  # expired
    assert wait_text(timedelta(seconds=30)) == "30秒" and wait_text(timedelta(seconds=61)) == "2分钟"


# --- finding 9: no 5xx on bad input ---------------------------------------------------


def raw_request(env, b: Optional[Browser], method: str, path: str, body: Optional[bytes] = None,
                content_type: str = "application/json", csrf: bool = True) -> Tuple[int, str]:
    """One request on loopback; a live stream is closed after its status."""
    parts = urlsplit(env["url"])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {}
    if b is not None and b.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in b.cookies.items())
    if b is not None and csrf and b.csrf:
        headers["X-CSRF-Token"] = b.csrf
    if body is not None:
        headers["Content-Type"] = content_type
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        resp = conn.getresponse()
        if (resp.getheader("Content-Type") or "").startswith("text/event-stream"):
            return resp.status, ""
        return resp.status, resp.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


def test_ids_too_large_for_sqlite_and_far_dates_are_refused_with_4xx(env):
    boss = signed_in(env, "boss")
    huge = "99999999999999999999999"
    for method, path, body in (
        ("GET", f"/api/workbench/conversations/{huge}", None),
        ("GET", f"/api/workbench/runs/{huge}", None),
        ("POST", f"/api/workbench/messages/{huge}/annotation", b'{"status":"ignored","version":0}'),
        ("POST", f"/api/arrangements/{huge}/approve", b"{}"),
        ("POST", f"/api/tasks/{huge}/done", b"{}"),
        ("GET", "/api/workbench/conversations?date_to=9999-12-31", None),
        ("GET", "/api/workbench/conversations?date_from=0001-01-01", None),
        ("GET", "/reports.csv?from=9999-12-25&to=9999-12-31", None),
        ("GET", "/reports?from=0001-01-01&to=0001-01-02", None),
    ):
        status, text = raw_request(env, boss, method, path, body)
        assert 200 <= status < 500, (path, status, text[:300])
        if status >= 400:
            assert "error" in json.loads(text), (path, text[:300])
    from console.training import tracker

    event_id = next(e.id for e in tracker.events_of(env["tracker"], [A], types=("user",)))
    status, text = raw_request(env, boss, "POST", f"/api/workbench/messages/{event_id}/annotation",
                               json.dumps({"status": "ignored", "version": 10**30}).encode())
    assert status == 400 and "版本" in json.loads(text)["error"]
    status, text = raw_request(env, boss, "POST", f"/api/workbench/conversations/{refs(env)[A]}/reviewed",
                               json.dumps({"reviewed": True, "version": 10**30}).encode())
    assert status == 400, text


ID_VALUES = ["0", "-1", "99999999999999999999999", "9223372036854775808", "1e5", "%00", "%ED%A0%80", "x" * 3000]
STR_VALUES = ["", "%00", "%ED%A0%80", "%F0%28", "x" * 3000, "..%2F..%2Fconsole%2Fsettings.py", "esc-0",
              "esc-99999999999999999999", "%27%20OR%201%3D1--", quote(A, safe="")]
BODIES = [
    b"{",
    b"[]",
    b'"text"',
    b"1e999",
    b'{"text": "\\ud800\\u0000", "note": "\\udfff", "version": 99999999999999999999999}',
    b'{"version": -1, "status": "labelled", "intent": {"x": 1}, "entities": "none", "tag": ["a"]}',
    b'{"kind": "installment", "months": "99999999999999999999", "days": 1e308, "amount": "NaN", '
    b'"pay_date": "9999-12-31", "outcome": "\\ud800", "reviewed": "yes", "remove": 1}',
    b"[" * 200 + b"]" * 200,
    "{\"text\": \"".encode() + "长" .encode() * 30000 + b'"}',
]
QUERIES = ["?date_to=9999-12-31", "?date_from=0001-01-01&date_to=0001-01-01", "?max_confidence=nan",
           "?max_confidence=1e999", "?escalated=%ED%A0%80", "?conversation_id=%00&account_id=" + "x" * 3000,
           "?from=9999-12-31&to=9999-12-31", "?include_done=%00", "?next=%ED%A0%80"]


def fuzz_paths(pattern: str) -> List[str]:
    out = []
    if "<" not in pattern:
        return [pattern] + [pattern + q for q in QUERIES]
    name_type = re.search(r"<([a-z_]+):([a-z]+)>", pattern)
    values = ID_VALUES if name_type.group(2) == "int" else STR_VALUES
    for value in values:
        out.append(pattern.replace(name_type.group(0), value))
    return out


def console_routes(env) -> List[Tuple[str, str]]:
    """Every (method, path pattern) the console's router knows."""
    from console.app import create_app
    from bot.settings import ConsoleSettings

    app = create_app(ConsoleSettings(rasa_token="unused"))
    routes = set()
    for route in app.router.routes:
        for method in route.methods:
            routes.add((method, "/" + route.path.lstrip("/")))
    return sorted(routes)


# Routes whose valid request starts real work (a training run) or ends the
# session the fuzzing goes on with: only the refusals in front are fuzzed.
ONLY_REFUSALS = {("POST", "/api/workbench/runs"), ("POST", "/logout")}


def test_fuzzing_every_route_as_every_role_gives_no_5xx(env):
    routes = console_routes(env)
    assert len(routes) >= 45, routes
    browsers = {"anonymous": None, **{u: signed_in(env, u) for u in ("agent1", "trainer1", "boss")}}
    results: List[Tuple[int, str, str, str]] = []
    for role, b in browsers.items():
        for method, pattern in routes:
            paths = fuzz_paths(pattern)
            if (method, pattern) in ONLY_REFUSALS:
                for body in (b"{", b"[" * 200 + b"]" * 200):  # both refused before the handler
                    results.append((raw_request(env, b, method, pattern, body)[0], role, method, pattern))
                results.append((raw_request(env, b, method, pattern, b"{}", csrf=False)[0], role, method, pattern))
                continue
            # Every malformed path of a reading route; a quarter of them, in
            # turn per role, for a writing one (bounded).
            chosen = paths if method == "GET" else paths[len(results) % 4 :: 4]
            for path in chosen:
                if method == "GET":
                    results.append((raw_request(env, b, "GET", path)[0], role, method, path))
                else:
                    for body in BODIES[(len(results)) % 3 :: 3]:
                        results.append((raw_request(env, b, method, path, body)[0], role, method, path))
                    results.append((raw_request(env, b, method, path, b"{}", csrf=False)[0], role, method, path))
                    results.append((raw_request(env, b, method, path, b"a=%ED%A0%80&csrf_token=x",
                                                content_type="application/x-www-form-urlencoded")[0],
                                    role, method, path))
            # A wrong method on the same route.
            wrong = "PUT" if method != "PUT" else "DELETE"
            results.append((raw_request(env, b, wrong, paths[0], b"{}")[0], role, wrong, paths[0]))
    assert len(results) >= 200, len(results)
    from collections import Counter

    print(Counter((r[1], r[0]) for r in results))
    errors = [r for r in results if r[0] >= 500]
    assert errors == [], errors[:20]
    # The console is still serving normally.
    assert raw_request(env, browsers["agent1"], "GET", "/api/queue")[0] == 200
