"""Engines and sessions.

Nothing here touches the filesystem or the network at import time: the Rasa
action server imports every module on start-up, and a missing database must
fail the first request that needs it, not the whole server.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, Tuple, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from bot import settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "collectbot.db"
DATABASE_URL_ENV = settings.DATABASE_URL_ENV

# Execution option of the connections of read-only units of work.
READ_ONLY_OPTION = "collectbot_read_only"

T = TypeVar("T")

_lock = threading.Lock()
_engines: Dict[str, Engine] = {}
_sessionmakers: Dict[Tuple[str, bool], sessionmaker] = {}


def database_url() -> str:
    """URL from ``DATABASE_URL``, else a SQLite file under ``<repo>/var/``."""
    url = settings.database_url()
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _is_memory_sqlite(database: Optional[str]) -> bool:
    return database in (None, "", ":memory:") or (database or "").startswith(
        "file::memory:"
    )


def _install_sqlite_hooks(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        # pysqlite opens transactions lazily and only before DML, so a
        # SAVEPOINT issued first would itself start (and on RELEASE commit)
        # the outer transaction. Taking over BEGIN makes SAVEPOINTs nest
        # properly; book_arrangement() and friends depend on that.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            # SQLite ignores foreign keys unless asked, per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            if not memory:
                # WAL lets the action server read while an import writes.
                # NORMAL syncs at checkpoints instead of every commit: a crash
                # of any process loses nothing, a power cut may lose the last
                # commits. That is the laptop trade; production runs
                # PostgreSQL. (fsync per commit was the largest single cost
                # of a message in the benchmark profile.)
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        # IMMEDIATE takes the write lock up front. With a deferred BEGIN, two
        # action threads that both read and then write fail with "database
        # is locked" (WAL cannot upgrade a stale read snapshot); IMMEDIATE
        # makes them queue for busy_timeout instead. SQLite is the dev/demo
        # backend, so serialising writers is the right trade. A unit of work
        # that only reads (``session_scope(read_only=True)``) takes no lock:
        # in WAL it reads its snapshot beside any writer instead of queueing
        # behind the contact log and the bookings (bench/history.md).
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = _is_memory_sqlite(parsed.database)
        kwargs = {
            "future": True,
            # The action server runs handlers on worker threads.
            "connect_args": {"check_same_thread": False},
        }
        if memory:
            # One shared connection, otherwise each checkout sees an empty DB.
            kwargs["poolclass"] = StaticPool
        else:
            Path(parsed.database).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
            # SQLAlchemy 1.4 opens a new SQLite connection per session for
            # files (NullPool), re-running the pragmas each time; a small pool
            # keeps them open.
            kwargs["poolclass"] = QueuePool
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 10
        engine = create_engine(url, **kwargs)
        _install_sqlite_hooks(engine, memory)
        return engine
    # Long-lived action servers see idle connections dropped by PgBouncer or
    # firewalls; pre-ping replaces them instead of failing a conversation.
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine(url: Optional[str] = None) -> Engine:
    """Engine for ``url`` (default: :func:`database_url`), cached per URL."""
    key = url or database_url()
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create_engine(key)
            _engines[key] = engine
        return engine


def _get_sessionmaker(url: Optional[str], read_only: bool = False) -> sessionmaker:
    key = url or database_url()
    engine = get_engine(key)
    with _lock:
        factory = _sessionmakers.get((key, read_only))
        if factory is None:
            bind = engine.execution_options(**{READ_ONLY_OPTION: True}) if read_only else engine
            factory = sessionmaker(bind=bind, future=True)
            _sessionmakers[(key, read_only)] = factory
        return factory


@contextmanager
def session_scope(url: Optional[str] = None, read_only: bool = False) -> Iterator[Session]:
    """One session per unit of work: commit on success, roll back on error.

    ``read_only=True`` promises the unit of work only reads: on SQLite it
    then does not take the write lock (see ``_on_begin``); a write in it
    still works when no one else is writing and fails with "database is
    locked" otherwise, so a broken promise shows up instead of corrupting."""
    session = _get_sessionmaker(url, read_only)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_once(s: Session, row: Any, find_existing: Callable[[], Optional[int]]) -> Tuple[int, bool]:
    """Insert ``row`` in a SAVEPOINT; on a unique violation return the
    winner: ``(id, created)``. The idempotent writers of bot/db look their
    natural key up first and call this when it is not there yet; if a
    concurrent transaction won the race meanwhile, only the SAVEPOINT rolls
    back and the caller's transaction survives.

    ``find_existing`` must look the row up by the same unique key. Any other
    IntegrityError (bad foreign key, failed CHECK) is re-raised.
    """
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        existing = find_existing()
        if existing is None:
            raise
        return existing, False
    return row.id, True


def update_or_insert(s: Session, model: Any, key: Dict[str, Any], values: Dict[str, Any]) -> None:
    """One row per ``key`` (its primary key), holding ``values``: updated
    if there, else inserted in a SAVEPOINT; if a concurrent transaction
    inserted it meanwhile, updated after all. For small "latest state"
    rows written by several processes (bot/db/typing_signals.py, the
    agents' statuses)."""
    from sqlalchemy import and_, update

    where = and_(*(getattr(model, k) == v for k, v in key.items()))
    if s.execute(update(model).where(where).values(**values)).rowcount:
        return
    try:
        with s.begin_nested():
            s.add(model(**key, **values))
            s.flush()
    except IntegrityError:
        s.execute(update(model).where(where).values(**values))


async def run_in_thread(
    fn: Callable[..., T], *args: Any, db_url: Optional[str] = None, read_only: bool = False, **kwargs: Any
) -> T:
    """``fn(session, *args, **kwargs)`` as one unit of work in a worker thread.

    The action server, the console and the channels serve many conversations
    on one event loop; a blocking SQL call there would stall all of them, so
    each unit of work gets a thread of the loop's default executor (as
    ``asyncio.to_thread``) and its own session (``session_scope``: commit on
    success, roll back on error). ``db_url`` and ``read_only`` go to
    ``session_scope``; every other argument goes to ``fn``."""

    def unit_of_work() -> T:
        with session_scope(db_url, read_only=read_only) as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(unit_of_work)


def dispose_engines() -> None:
    """Close every cached pool (tests use a fresh database file each)."""
    with _lock:
        engines = list(_engines.values())
        _engines.clear()
        _sessionmakers.clear()
    for engine in engines:
        engine.dispose()


def ping(target: "Optional[str] | Engine" = None) -> None:
    """``SELECT 1`` on the database (a URL, an engine, or DATABASE_URL);
    raises when it is not reachable. The readiness probes' one query."""
    from sqlalchemy import text

    engine = target if isinstance(target, Engine) else get_engine(target)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
