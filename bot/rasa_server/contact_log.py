"""Rasa event broker that writes every message in and out to the account
database's contact log.

Rasa publishes each tracker event to the configured broker; this one keeps
the `user` and `bot` events. Writing happens on a background thread so
the Rasa server's event loop never waits for the database; rows wait in a
durable local spool until they are committed (a restart loses none), a
write that fails because the database is away is retried, and a row that
cannot be written at all is set aside in ``dead_letters`` instead of
stopping the contact log for everyone.
"""
from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Sequence, Text, Tuple, Union

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot import clock
# ALREADY_LOGGED: a bot message written to the contact log by whoever sent it
# (the campaign runner appends its SMS to the transcript this way).
from bot.core.identity import ALREADY_LOGGED, conversation_phone
from bot.db import contact_log as contact_log_db
from bot.db import repository
from bot.db.session import session_scope
from bot.dead_letters import describe, set_aside, write_or_set_aside
from bot.event_spool import EventSpool, delete_files, dumps, orphans

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# After the first row of a batch, wait this long for more: one transaction
# per batch instead of per message pair, and fewer turns of this thread
# holding the GIL beside the Rasa server's event loop (bench/history.md).
# The console reads the contact log; a tenth of a second does not show.
BATCH_WAIT_SECONDS = 0.1
RETRY_SECONDS = (0.5, 1, 2, 5, 10)
# Channels that write their outbound messages to the contact log themselves,
# with the provider's message id and delivery status (one row per send).
CHANNELS_LOGGING_THEIR_OWN_SENDS = frozenset({"twilio_sms"})
# Contact-log text is capped: the tracker store keeps the full message.
MAX_TEXT = 4000
# Message id of a logged bot message (it has none of its own): the event's key.
EVENT_KEY_PREFIX = "evt:"


def contact_rows(event: Dict[str, Any], last_channel: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """The contact-log row for one Rasa event, or None if it is not a message."""
    kind = event.get("event")
    sender = event.get("sender_id")
    if kind not in ("user", "bot") or not sender:
        return None
    if kind == "user":
        channel = event.get("input_channel") or "rest"
        last_channel[sender] = channel
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        return {
            "conversation_id": sender,
            "channel": channel,
            "direction": "in",
            "text": (event.get("text") or "")[:MAX_TEXT],
            "intent": intent,
            "message_id": event.get("message_id"),
        }
    if last_channel.get(sender) in CHANNELS_LOGGING_THEIR_OWN_SENDS:
        return None
    if (event.get("metadata") or {}).get(ALREADY_LOGGED):
        return None
    text = event.get("text") or ""
    buttons = ((event.get("data") or {}).get("buttons")) or []
    if buttons:
        text += "\n" + " | ".join(str(b.get("title")) for b in buttons)
    return {
        "conversation_id": sender,
        "channel": last_channel.get(sender, "rest"),
        "direction": "out",
        "text": text[:MAX_TEXT],
        "intent": None,
        "message_id": None,
    }


def event_key(event: Dict[str, Any]) -> str:
    """A stable id for one Rasa event, the same however often it is delivered:
    the conversation, the event type, its timestamp and its text."""
    parts = [str(event.get(k) or "") for k in ("sender_id", "event", "timestamp", "text")]
    # surrogatepass: a lone surrogate in the text must not make the key
    # itself fail (issue 16); valid text encodes exactly as before.
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class ContactLogWriter:
    """Turns a stream of Rasa events into contact-log rows and writes them.

    Shared by the in-process broker below and by the RabbitMQ consumer
    (bot/event_consumer.py). It remembers, per conversation, the channel of
    the last cardholder message (bot replies go out on it) and the account
    (from the phone, or from the ``account_id`` slot verification sets for
    web sessions). ``observe`` needs no database; ``write`` runs in the
    caller's session and falls back to what earlier rows say when the
    memory is empty (a restarted process).
    """

    def __init__(self) -> None:
        self.last_channel: Dict[str, str] = {}
        self.accounts: Dict[str, Optional[str]] = {}

    def observe(self, event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """The row for ``event`` (None if it is not a message to log)."""
        if event.get("event") == "slot" and event.get("name") == "account_id" and event.get("value"):
            # Web sessions have no phone: verification tells us the account.
            self.accounts[event.get("sender_id")] = event["value"]
        return contact_rows(event, self.last_channel)

    def recall_channel(self, session, sender: str) -> None:
        """After a restart: the channel of the conversation's last inbound row."""
        if sender in self.last_channel:
            return
        channel = contact_log_db.last_inbound_channel(session, sender)
        if channel:
            self.last_channel[sender] = channel

    def account_for(self, session, sender: str) -> Optional[str]:
        if sender not in self.accounts:
            phone = conversation_phone(sender)
            account = repository.primary_account_for_phone(session, phone, clock.today()) if phone else None
            account_id = account.account_id if account is not None else None
            if account_id is None:
                # A web session whose account_id slot this process did not see.
                account_id = contact_log_db.last_logged_account(session, sender)
            if account_id is None:
                return None  # not cached: the account may be imported later
            self.accounts[sender] = account_id
        return self.accounts[sender]

    def write(self, session, rows: List[Dict[str, Any]]) -> None:
        contact_log_db.log_contacts(
            session, [{**row, "account_id": self.account_for(session, row["conversation_id"])} for row in rows]
        )


def default_spool_dir(database_url: Optional[str] = None) -> Path:
    """Where the broker's spool files live when endpoints.yml names none:
    next to a SQLite account database (each e2e stack and laptop checkout has
    its own), else ``var/contact-log-spool/`` in the repository."""
    from sqlalchemy.engine import make_url

    from bot.db.session import REPO_ROOT, database_url as configured_url

    url = make_url(database_url or configured_url())
    if url.get_backend_name() == "sqlite" and url.database and not url.database.startswith(("file:", ":memory:")):
        db = Path(url.database).expanduser()
        return db.parent / f"{db.stem}-contact-log-spool"
    return REPO_ROOT / "var" / "contact-log-spool"


class ContactLogBroker(EventBroker):
    """Writes the contact log from Rasa's events, through a durable spool.

    ``publish`` (on Rasa's event loop) turns the event into its row and
    queues it in memory; the writer thread appends what is queued to a local
    SQLite spool (bot/event_spool.py, the relay's), then writes the spool to
    the account database in batches and deletes what was committed. Rows
    queued when the process stops are written by the next one: each process
    has its own spool file (``<host>-<pid>.sqlite`` in ``spool_dir``) and at
    start takes over the files no live process holds. Every row carries a
    message id (Rasa's, or ``evt:<event_key>`` for bot messages), so a row
    written twice (a stop between commit and delete) is logged once.

    A batch that fails because the database is away is retried with
    back-off; one that fails for any other reason is split and the row that
    cannot be written is set aside in ``dead_letters`` (bot/dead_letters.py),
    so one bad message never stops the contact log for everyone (issue 16).
    """

    SOURCE = "contact_log"

    def __init__(
        self,
        spool_path: Union[str, Path, None] = None,
        spool_dir: Union[str, Path, None] = None,
        database_url: Optional[str] = None,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
    ) -> None:
        self.database_url = database_url
        adopt_glob = None
        if spool_path is None:
            directory = Path(spool_dir) if spool_dir else default_spool_dir(database_url)
            spool_path = directory / f"{socket.gethostname()}-{os.getpid()}.sqlite"
            adopt_glob = str(directory / "*.sqlite")
        self.spool = EventSpool(spool_path)
        self._adopt_glob = adopt_glob
        self._retry_seconds = tuple(retry_seconds) or RETRY_SECONDS
        self._writer = ContactLogWriter()
        self._pending: Deque[Tuple[str, Dict[str, Any]]] = collections.deque()
        self._moving = False  # rows taken from _pending, not yet in the spool
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.set_aside = 0  # rows put in dead_letters (tests, logs)
        self._thread = threading.Thread(target=self._drain, name="contact-log", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> "ContactLogBroker":
        kwargs = {k: v for k, v in (broker_config.kwargs or {}).items() if k in ("spool_path", "spool_dir")}
        return cls(**kwargs)

    def publish(self, event: Dict[Text, Any]) -> None:
        row = self._writer.observe(event)
        if row is not None:
            key = row.get("message_id") or EVENT_KEY_PREFIX + event_key(event)
            row["message_id"] = key
            self._pending.append((key, row))
            self._wake.set()

    def is_ready(self) -> bool:
        return self._thread.is_alive()

    async def close(self) -> None:
        self._stop.set()
        self._wake.set()
        await asyncio.to_thread(self._thread.join, 10)
        if not self._thread.is_alive():
            empty = len(self.spool) == 0
            self.spool.close()
            if empty and self._adopt_glob:
                delete_files(self.spool)  # nothing for the next process to take over

    # -- writer thread --------------------------------------------------

    def _write(self, rows: List[Dict[str, Any]]) -> None:
        with session_scope(self.database_url) as session:
            self._writer.write(session, rows)

    def _set_aside_row(self, item: Tuple[int, str, Dict[str, Any]], exc: BaseException) -> None:
        _, key, row = item
        set_aside(self.SOURCE, row, exc, item_key=key, conversation_id=row.get("conversation_id"),
                  database_url=self.database_url)
        self.set_aside += 1

    def _spool_pending(self) -> None:
        self._moving = True
        try:
            items = []
            while self._pending:
                items.append(self._pending.popleft())
            if not items:
                return
            try:
                self.spool.append([(key, dumps(row)) for key, row in items])
            except Exception:
                # Disk full or the like: keep them in memory, in order.
                self._pending.extendleft(reversed(items))
                logger.exception("contact-log spool %s not writable; %d rows held in memory",
                                 self.spool.path, len(items))
        finally:
            self._moving = False

    def _adopt_orphans(self) -> None:
        """Take over the rows of spool files no live process holds."""
        if not self._adopt_glob:
            return
        for orphan in orphans(self._adopt_glob, self.spool.path):
            rows = orphan.peek(limit=-1)
            if rows:
                logger.warning("%d contact-log rows left in %s from before; writing them first",
                               len(rows), orphan.path)
                self.spool.append([(key, body) for _, key, body in rows])
            delete_files(orphan)

    def _write_spooled(self) -> None:
        while True:
            spooled = self.spool.peek(BATCH_SIZE)
            if not spooled:
                return
            items = []
            for seq, key, body in spooled:
                try:
                    items.append((seq, key, json.loads(body)))
                except ValueError as exc:  # a damaged spool row: keep it, as text
                    self._set_aside_row((seq, key, {"spooled_body": body}), exc)
            write_or_set_aside(items, lambda batch: self._write([row for _, _, row in batch]), self._set_aside_row)
            self.spool.remove_through(spooled[-1][0])

    def _drain(self) -> None:
        try:
            self._adopt_orphans()
        except Exception:
            logger.exception("could not take over the contact-log spools in %s", self._adopt_glob)
        attempt, next_try = 0, 0.0
        while True:
            stopping = self._stop.is_set()
            self._spool_pending()
            if len(self.spool) and (time.monotonic() >= next_try or stopping):
                try:
                    self._write_spooled()
                    attempt = 0
                except Exception as exc:  # the database is away: keep the rows, retry
                    delay = self._retry_seconds[min(attempt, len(self._retry_seconds) - 1)]
                    attempt += 1
                    next_try = time.monotonic() + delay
                    logger.error("contact log write failed (%s); %d rows kept in %s; retry in %.1fs",
                                 describe(exc), len(self.spool), self.spool.path, delay)
            if stopping:
                left = len(self.spool)
                if left:
                    logger.warning("contact log stopping with %d rows in %s; written at the next start",
                                   left, self.spool.path)
                return
            timeout = max(0.01, next_try - time.monotonic()) if len(self.spool) else 1.0
            if self._wake.wait(timeout) and not self._stop.is_set():
                # Gather a burst: one transaction for what arrives together.
                self._stop.wait(BATCH_WAIT_SECONDS)
            self._wake.clear()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything published so far is written (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._pending and not self._moving and len(self.spool) == 0:
                return True
            time.sleep(0.02)
        return False
