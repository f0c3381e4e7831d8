"""The laptop contact-log broker (bot/contact_log.ContactLogBroker) on a real
SQLite account database: poison set aside, the database away retried,
nothing queued lost on restart (issue 16, finding 2)."""
from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.rasa_server.contact_log import ContactLogBroker
from bot.db.dead_letters import dead_letters
from bot.db.models import Base, ContactLog
from bot.db.session import get_engine, session_scope
from bot.observability import metrics

FAST_RETRY = (0.05, 0.1)


def user(sender: str, text: str, n: int) -> dict:
    return {"event": "user", "sender_id": sender, "text": text, "timestamp": 1_700_000_000 + n,
            "input_channel": "rest", "message_id": f"m-{sender}-{n}", "parse_data": {"intent": {"name": "greet"}}}


def bot(sender: str, text: str, n: int) -> dict:
    return {"event": "bot", "sender_id": sender, "text": text, "timestamp": 1_700_000_000 + n}


def logged(url):
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(
            select(ContactLog.conversation_id, ContactLog.direction, ContactLog.text).order_by(ContactLog.id))]


def dead(url):
    with session_scope(url) as s:
        return [SimpleNamespace(**d) for d in reversed(dead_letters(s))]


def dead_letter_count(source: str) -> float:
    return metrics.REGISTRY.get_sample_value("collectbot_dead_letters_total", {"source": source}) or 0.0


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def close(broker: ContactLogBroker) -> None:
    asyncio.run(broker.close())


def test_a_poison_message_is_set_aside_and_everyone_elses_are_written(db_url, pinned_now, tmp_path, caplog):
    before = dead_letter_count("contact_log")
    broker = ContactLogBroker(spool_path=tmp_path / "spool.sqlite", database_url=db_url, retry_seconds=FAST_RETRY)
    broker.publish(user("a", "你好", 1))
    broker.publish(user("x", "\ud800", 2))  # the attack: a lone surrogate
    broker.publish(bot("a", "您好", 3))
    try:
        assert broker.flush(10), "the writer is stuck on the poison batch"
        # Afterwards the contact log keeps writing for everyone.
        broker.publish(user("b", "我要还款", 4))
        assert broker.flush(10)
    finally:
        close(broker)

    assert logged(db_url) == [("a", "in", "你好"), ("a", "out", "您好"), ("b", "in", "我要还款")]
    (letter,) = dead(db_url)
    assert (letter.source, letter.conversation_id, letter.item_key) == ("contact_log", "x", "m-x-2")
    payload = json.loads(letter.payload)
    assert payload["text"] == "\ud800" and "\\ud800" in letter.payload  # stored as an escape
    letter.payload.encode("ascii")
    assert letter.error.startswith("UnicodeEncodeError")
    assert dead_letter_count("contact_log") == before + 1
    assert any(r.levelno == logging.ERROR and "dead_letters" in r.getMessage() for r in caplog.records)


def test_a_database_that_is_away_is_retried_not_dead_lettered(sqlite_url, pinned_now, tmp_path):
    # The account database exists but is not migrated yet: every write fails
    # with "no such table", an outage, not poison.
    broker = ContactLogBroker(spool_path=tmp_path / "spool.sqlite", database_url=sqlite_url,
                              retry_seconds=FAST_RETRY)
    try:
        broker.publish(user("a", "你好", 1))
        broker.publish(bot("a", "您好", 2))
        assert not broker.flush(0.5)
        assert len(broker.spool) == 2  # kept, on disk
        Base.metadata.create_all(get_engine(sqlite_url))  # the database is back
        assert broker.flush(10)
    finally:
        close(broker)
    assert logged(sqlite_url) == [("a", "in", "你好"), ("a", "out", "您好")]
    assert dead(sqlite_url) == []


def test_rows_queued_when_the_process_stops_are_written_once_after_restart(sqlite_url, pinned_now, tmp_path):
    spool = tmp_path / "spool.sqlite"
    first = ContactLogBroker(spool_path=spool, database_url=sqlite_url, retry_seconds=(60,))
    first.publish(user("a", "你好", 1))
    first.publish(bot("a", "您好", 2))
    first.publish(bot("a", "您好", 3))  # the same text again: a message of its own
    wait_until(lambda: len(first.spool) == 3)  # on disk; the database is away
    close(first)  # the process stops before it could write anything

    # A copy of the spool stands for a process stopped between the commit
    # and the delete: the same rows come again.
    shutil.copy(spool, tmp_path / "again.sqlite")
    Base.metadata.create_all(get_engine(sqlite_url))
    second = ContactLogBroker(spool_path=spool, database_url=sqlite_url)
    assert second.flush(10)
    close(second)
    third = ContactLogBroker(spool_path=tmp_path / "again.sqlite", database_url=sqlite_url)
    assert third.flush(10)
    close(third)
    assert logged(sqlite_url) == [("a", "in", "你好"), ("a", "out", "您好"), ("a", "out", "您好")]


def test_a_new_broker_takes_over_the_spool_of_a_process_that_is_gone(sqlite_url, pinned_now, tmp_path):
    spools = tmp_path / "spools"
    gone = ContactLogBroker(spool_path=spools / "other-host-4242.sqlite", database_url=sqlite_url,
                            retry_seconds=(60,))
    gone.publish(user("a", "你好", 1))
    wait_until(lambda: len(gone.spool) == 1)
    close(gone)

    Base.metadata.create_all(get_engine(sqlite_url))
    broker = ContactLogBroker(spool_dir=spools, database_url=sqlite_url)
    try:
        wait_until(lambda: logged(sqlite_url) == [("a", "in", "你好")])
    finally:
        close(broker)
    assert not (spools / "other-host-4242.sqlite").exists()
    assert list(spools.glob("*.sqlite")) == []  # ours was empty at close: removed too


def test_a_running_brokers_spool_is_not_taken_over(sqlite_url, pinned_now, tmp_path):
    spools = tmp_path / "spools"
    running = ContactLogBroker(spool_path=spools / "other-host-1.sqlite", database_url=sqlite_url,
                               retry_seconds=(60,))
    running.publish(user("a", "你好", 1))
    wait_until(lambda: len(running.spool) == 1)
    other = ContactLogBroker(spool_dir=spools, database_url=sqlite_url, retry_seconds=(60,))
    try:
        time.sleep(0.3)
        assert len(running.spool) == 1 and len(other.spool) == 0
    finally:
        close(other)
        close(running)


@pytest.mark.parametrize("bad", ["\ud800", "\udfff结尾"])
def test_the_default_spool_sits_next_to_a_sqlite_account_database(db_url, pinned_now, bad):
    broker = ContactLogBroker(database_url=db_url)
    try:
        assert broker.spool.path.parent.name.endswith("-contact-log-spool")
        broker.publish(user("x", bad, 1))
        broker.publish(user("a", "好的", 2))
        assert broker.flush(10)
    finally:
        close(broker)
    assert logged(db_url) == [("a", "in", "好的")]
    assert [d.conversation_id for d in dead(db_url)] == ["x"]
