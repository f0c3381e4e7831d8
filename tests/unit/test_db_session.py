"""bot.clock and bot.db.session: pinned clock, URL handling, engines, sessions."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot import clock
from bot.db import session as db_session

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- clock


def test_now_is_aware_and_in_shanghai(monkeypatch):
    monkeypatch.delenv("COLLECTBOT_NOW", raising=False)
    now = clock.now()
    assert now.utcoffset() == timedelta(hours=8)
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_pinned_clock(monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T10:00:00+08:00")
    assert clock.now() == datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
    assert clock.now().utcoffset() == timedelta(hours=8)
    assert clock.today() == date(2026, 11, 25)


def test_pinned_clock_other_offsets_and_z(monkeypatch):
    # 20:00 UTC is already the next day in Shanghai.
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T20:00:00Z")
    assert clock.today() == date(2026, 11, 26)
    assert clock.now().isoformat() == "2026-11-26T04:00:00+08:00"


def test_pinned_clock_naive_means_shanghai(monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T23:30:00")
    assert clock.now().isoformat() == "2026-11-25T23:30:00+08:00"


def test_pinned_clock_garbage_is_an_error(monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "tomorrow")
    with pytest.raises(ValueError, match="COLLECTBOT_NOW"):
        clock.now()


# ---------------------------------------------------------------- session


def test_database_url_from_env(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert db_session.database_url() == "postgresql://u@h/db"


def test_database_url_default_is_var_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = db_session.database_url()
    assert url == f"sqlite:///{REPO / 'var' / 'collectbot.db'}"
    assert (REPO / "var").is_dir()


def test_engine_cached_per_url(tmp_path):
    a = db_session.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    b = db_session.get_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert a is db_session.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert a is not b


def test_sqlite_pragmas(tmp_path):
    engine = db_session.get_engine(f"sqlite:///{tmp_path / 'sub' / 'p.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: no fsync per commit
    assert (tmp_path / "sub" / "p.db").exists()
    assert type(engine.pool).__name__ == "QueuePool"  # connections stay open between sessions


def test_session_scope_commits_and_rolls_back(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with db_session.get_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with db_session.session_scope(url) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(RuntimeError):
        with db_session.session_scope(url) as s:
            s.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("boom")
    with db_session.session_scope(url) as s:
        assert s.execute(text("SELECT x FROM t")).scalars().all() == [1]


def test_a_read_only_unit_of_work_reads_while_another_holds_the_write_lock(tmp_path):
    import sqlite3
    import time

    url = f"sqlite:///{tmp_path / 'ro.db'}"
    with db_session.session_scope(url) as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
        s.execute(text("INSERT INTO t VALUES (1)"))
    writer = sqlite3.connect(tmp_path / "ro.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a booking in another process, mid-transaction
    writer.execute("INSERT INTO t VALUES (2)")
    try:
        started = time.monotonic()
        with db_session.session_scope(url, read_only=True) as s:
            assert s.execute(text("SELECT x FROM t")).scalars().all() == [1]  # the committed snapshot
        # Did not queue for the write lock (a writer would wait the 5 s busy
        # timeout, then fail with "database is locked").
        assert time.monotonic() - started < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_sqlite_savepoint_does_not_commit_outer_transaction(tmp_path):
    # pysqlite's default transaction handling would let RELEASE SAVEPOINT
    # commit the outer transaction; the idempotent writers rely on this.
    url = f"sqlite:///{tmp_path / 'sp.db'}"
    with db_session.get_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError):
        with db_session.session_scope(url) as s:
            with s.begin_nested():
                s.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("roll back everything")
    with db_session.session_scope(url) as s:
        assert s.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_importing_modules_creates_and_connects_nothing(tmp_path):
    # The Rasa action server imports everything at start-up; a missing or
    # slow database must not break that.
    target = tmp_path / "nope" / "never.db"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{target}")
    env.pop("COLLECTBOT_NOW", None)
    code = (
        "import sys\n"
        "import bot.clock, bot.db, bot.db.session, bot.db.models, bot.db.migrate\n"
        "import bot.db.repository, bot.db.importer, bot.cli\n"
        "from bot.db import session\n"
        "assert session._engines == {}, session._engines\n"
        "assert not any(m == 'rasa' or m.startswith('rasa.') for m in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert not target.parent.exists()


def test_ping_answers_for_a_reachable_database_and_raises_for_one_that_is_not(tmp_path):
    from sqlalchemy.exc import OperationalError

    from bot.db.session import get_engine, ping

    url = f"sqlite:///{tmp_path / 'up.db'}"
    ping(url)
    ping(get_engine(url))
    (tmp_path / "a-directory").mkdir()
    with pytest.raises(OperationalError):  # SQLite cannot open a directory as its file
        ping(f"sqlite:///{tmp_path / 'a-directory'}")
