"""The console's database side: passwords, sessions, claims (one winner in
a race, on SQLite and PostgreSQL), resolutions, and `collectbot create-user`."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

import console.models  # noqa: F401  (tables on Base.metadata for create_all)
from bot.db import repository
from bot.db.session import session_scope
from console import auth, store
from console.models import Claim
from console.store import ConsoleError


def test_passwords_are_salted_scrypt_hashes():
    first, second = auth.hash_password("correct horse battery"), auth.hash_password("correct horse battery")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("correct horse battery", first)
    assert not auth.verify_password("correct horse batterY", first)
    assert not auth.verify_password("x", "garbage")
    with pytest.raises(auth.PasswordPolicyError):
        auth.check_password_policy("short")


def test_roles_and_permissions():
    assert auth.allowed("agent", "act") and not auth.allowed("agent", "approve")
    assert auth.allowed("trainer", "view") and not auth.allowed("trainer", "act")
    assert all(auth.allowed("supervisor", p) for p in auth.PERMISSIONS)


def _users(url):
    with session_scope(url) as s:
        return [store.create_user(s, f"agent{i}", "agent", "long-enough-password") for i in range(8)]


def _escalation(url, cid="race"):
    with session_scope(url) as s:
        repository.open_escalation(s, conversation_id=cid, account_id=None, channel="webchat",
                                   reason="customer_request", priority=2, summary="转人工")


def _race(url, users, cid="race"):
    barrier = threading.Barrier(len(users))
    results = []

    def claim(user):
        barrier.wait()
        try:
            with session_scope(url) as s:
                store.claim(s, cid, user)
            results.append(("won", user.username))
        except ConsoleError as exc:
            results.append(("lost", exc.status))

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _live(url, cid="race"):
    from sqlalchemy import select

    with session_scope(url) as s:
        return s.execute(select(Claim.user_id).where(Claim.conversation_id == cid, Claim.released_at.is_(None))).all()


def test_sessions_expire_and_can_be_revoked(db_url, pinned_now):
    with session_scope(db_url) as s:
        user = store.create_user(s, "alice", "agent", "long-enough-password", "张三")
        token, csrf = store.create_session(s, user.id, timedelta(hours=1))
        expired, _ = store.create_session(s, user.id, timedelta(seconds=-1))
    with session_scope(db_url) as s:
        view = store.load_session(s, token)
        assert view.user.display_name == "张三" and view.csrf_token == csrf
        assert store.load_session(s, expired) is None
        assert store.load_session(s, "not-a-token") is None
        store.revoke_session(s, view.id)
    with session_scope(db_url) as s:
        assert store.load_session(s, token) is None


def test_eight_agents_claiming_at_once_on_sqlite_one_wins(db_url, pinned_now):
    users = _users(db_url)
    _escalation(db_url)
    results = _race(db_url, users)
    assert sorted(r[0] for r in results) == ["lost"] * 7 + ["won"]
    assert {r[1] for r in results if r[0] == "lost"} == {409}
    assert len(_live(db_url)) == 1


def test_eight_agents_claiming_at_once_on_postgresql_one_wins(pg_url):
    users = _users(pg_url)
    _escalation(pg_url)
    results = _race(pg_url, users)
    assert sorted(r[0] for r in results) == ["lost"] * 7 + ["won"]
    assert len(_live(pg_url)) == 1


def test_the_live_claim_index_refuses_a_second_holder(db_url, pinned_now):
    from sqlalchemy.exc import IntegrityError

    users = _users(db_url)
    with session_scope(db_url) as s:
        s.add(Claim(conversation_id="x", user_id=users[0].id))
    with pytest.raises(IntegrityError):
        with session_scope(db_url) as s:
            s.add(Claim(conversation_id="x", user_id=users[1].id))
    with session_scope(db_url) as s:  # a released claim does not count
        s.query(Claim).update({"released_at": repository.clock.now(), "release_reason": "released"})
        s.add(Claim(conversation_id="x", user_id=users[1].id))


def test_resolving_needs_the_claim_and_closes_every_hand_over(db_url, pinned_now):
    users = _users(db_url)
    _escalation(db_url, "c1")
    with session_scope(db_url) as s:
        repository.open_escalation(s, conversation_id="c1", account_id=None, channel="webchat",
                                   reason="crisis", priority=0, summary="危机")
    with pytest.raises(ConsoleError):
        with session_scope(db_url) as s:
            store.resolve(s, "c1", users[0], "referred", "", None)
    with session_scope(db_url) as s:
        store.claim(s, "c1", users[0])
    with session_scope(db_url) as s:
        result = store.resolve(s, "c1", users[0], "referred", "已转介心理援助热线", None)
    assert len(result["escalation_ids"]) == 2
    with session_scope(db_url) as s:
        assert {e["status"] for e in store.escalations_of(s, "c1")} == {"resolved"}
        assert store.live_claim(s, "c1") is None
        assert store.queue(s, repository.clock.now(), __import__("bot.core.staffing", fromlist=["x"]).StaffedHours(), 5) == []


def test_create_user_command(tmp_path, monkeypatch):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'users.db'}"
    cmd = [sys.executable, "-m", "bot.cli", "--database-url", url, "create-user", "wang", "--role", "supervisor",
           "--display-name", "王主管", "--password-stdin"]
    ok = subprocess.run(cmd, input="a-very-long-password\n", capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "已创建用户 wang（主管）" in ok.stdout
    again = subprocess.run(cmd, input="a-very-long-password\n", capture_output=True, text=True)
    assert again.returncode == 2 and "已存在" in again.stderr
    weak = subprocess.run(cmd[:6] + ["li", "--role", "agent", "--password-stdin"], input="short\n",
                          capture_output=True, text=True)
    assert weak.returncode == 2 and "至少" in weak.stderr
    with session_scope(url) as s:
        assert store.authenticate(s, "wang", "a-very-long-password").role == "supervisor"
        assert store.authenticate(s, "wang", "wrong-password-x") is None
