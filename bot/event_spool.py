"""A durable, ordered spool in a local SQLite file (one writer process per file).

Shared by the production relay (bot/rasa_server/event_relay.py: events waiting for
RabbitMQ) and the laptop contact-log broker (bot/rasa_server/contact_log.py: rows waiting
for the account database): what was queued when the process stopped is
delivered by the next process on the same file.

Bodies are text; callers store JSON written with ``ensure_ascii=True`` (see
``dumps``) so that any Python string, lone surrogates included, can be
stored: SQLite refuses to encode a string that is not valid UTF-8, and one
such event used to block the spool for everyone behind it (issue 16).
"""
from __future__ import annotations

import fcntl
import glob
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List, Sequence, Tuple, Union

BATCH_SIZE = 200


def dumps(value: Any) -> str:
    """JSON text of ``value`` that always encodes as UTF-8: the compact form
    (non-ASCII as is) when that is valid, else with ASCII escapes (lone
    surrogates become ``\\udXXX`` escapes instead of an encoding error)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=str)
    return text


class SpoolInUse(RuntimeError):
    """Another process holds this spool file."""


class EventSpool:
    """Items waiting to be delivered, in order, in a SQLite file.

    One process per file (an exclusive lock on ``<file>.lock``): give each
    process its own path. Survives a restart: a new ``EventSpool`` on the
    same path sees what the last one left.
    """

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(str(self.path) + ".lock", "a+")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise SpoolInUse(
                f"spool {self.path} is used by another process; give each Rasa server "
                "its own path (e.g. EVENT_SPOOL_PATH with {hostname})"
            ) from None
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._mutex = threading.Lock()
        with self._mutex:
            self._db.execute("PRAGMA journal_mode=WAL")
            # A spooled event is on disk when append returns, power cut included.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS spool ("
                " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                " event_key TEXT NOT NULL,"
                " body TEXT NOT NULL,"
                " spooled_at REAL NOT NULL)"
            )

    def append(self, items: Sequence[Tuple[str, str]]) -> None:
        """Add ``(event_key, json body)`` pairs at the end, in one transaction."""
        if not items:
            return
        now = time.time()
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO spool (event_key, body, spooled_at) VALUES (?, ?, ?)",
                    [(key, body, now) for key, body in items],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def peek(self, limit: int = BATCH_SIZE) -> List[Tuple[int, str, str]]:
        """The oldest ``(seq, event_key, body)`` rows, oldest first."""
        with self._mutex:
            return self._db.execute(
                "SELECT seq, event_key, body FROM spool ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()

    def remove_through(self, seq: int) -> None:
        """Forget every row up to and including ``seq`` (delivered)."""
        with self._mutex:
            self._db.execute("DELETE FROM spool WHERE seq <= ?", (seq,))

    def __len__(self) -> int:
        with self._mutex:
            return self._db.execute("SELECT COUNT(*) FROM spool").fetchone()[0]

    def close(self) -> None:
        with self._mutex:
            self._db.close()
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
        finally:
            self._lock_file.close()


def orphans(pattern: str, own: Union[str, Path]) -> Iterator[EventSpool]:
    """The spool files matching ``pattern`` that no live process holds
    (other than ``own``), each opened (and so locked) while the caller uses
    it; closed afterwards. A process that is gone left them behind."""
    own_path = Path(own).resolve()
    for path in sorted(glob.glob(pattern)):
        if Path(path).resolve() == own_path:
            continue
        try:
            orphan = EventSpool(path)
        except SpoolInUse:
            continue  # a running process's own spool
        try:
            yield orphan
        finally:
            orphan.close()


def delete_files(spool: EventSpool) -> None:
    """Remove a closed spool's database, journal and lock files."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(spool.path) + suffix).unlink(missing_ok=True)
