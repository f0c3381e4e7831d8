"""bot.db.session.run_in_thread: the one "database work off the event loop"
helper the actions, the console and the SMS sender share."""
from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from bot.db import session as db_session


@pytest.fixture()
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    with db_session.get_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield url
    db_session.dispose_engines()


def insert(s, x, *, then_fail=False):
    s.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})
    if then_fail:
        raise RuntimeError("boom")
    return threading.get_ident()


def rows(url):
    with db_session.session_scope(url) as s:
        return s.execute(text("SELECT x FROM t ORDER BY x")).scalars().all()


def test_the_unit_of_work_runs_off_the_loop_thread_and_commits(url):
    async def main():
        return threading.get_ident(), await db_session.run_in_thread(insert, 1, db_url=url)

    loop_thread, worker_thread = asyncio.run(main())
    assert worker_thread != loop_thread
    assert rows(url) == [1]


def test_a_failing_unit_of_work_leaves_nothing_written(url):
    with pytest.raises(RuntimeError):
        asyncio.run(db_session.run_in_thread(insert, 2, then_fail=True, db_url=url))
    assert rows(url) == []


def test_read_only_reaches_the_session(url, monkeypatch):
    seen = []
    real = db_session.session_scope

    def spy(u=None, read_only=False):
        seen.append((u, read_only))
        return real(u, read_only=read_only)

    monkeypatch.setattr(db_session, "session_scope", spy)
    count = asyncio.run(db_session.run_in_thread(lambda s: s.execute(text("SELECT count(*) FROM t")).scalar(),
                                                 db_url=url, read_only=True))
    assert count == 0
    assert seen == [(url, True)]
