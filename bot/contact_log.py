"""Rasa event broker that writes every message in and out to the account
database's contact log.

Rasa publishes each tracker event to the configured broker; this one keeps
the `user` and `bot` events. Writing happens on a background thread so
the Rasa server's event loop never waits for the database, and a failed
write is retried (the batch stays queued) instead of being dropped.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import queue
import threading
import time
from typing import Any, Dict, List, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot import clock
from bot.db import repository
from bot.db.session import session_scope

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
# Metadata flag of bot messages written to the contact log by whoever sent
# them (the campaign runner appends its SMS to the transcript this way).
ALREADY_LOGGED = "collectbot_already_logged"
# Contact-log text is capped: the tracker store keeps the full message.
MAX_TEXT = 4000


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
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


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
        channel = repository.last_inbound_channel(session, sender)
        if channel:
            self.last_channel[sender] = channel

    def account_for(self, session, sender: str) -> Optional[str]:
        if sender not in self.accounts:
            account = repository.primary_account_for_phone(session, sender, clock.today())
            account_id = account.account_id if account is not None else None
            if account_id is None:
                # A web session whose account_id slot this process did not see.
                account_id = repository.last_logged_account(session, sender)
            if account_id is None:
                return None  # not cached: the account may be imported later
            self.accounts[sender] = account_id
        return self.accounts[sender]

    def write(self, session, rows: List[Dict[str, Any]]) -> None:
        repository.log_contacts(
            session, [{**row, "account_id": self.account_for(session, row["conversation_id"])} for row in rows]
        )


class ContactLogBroker(EventBroker):
    def __init__(self) -> None:
        self._queue: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self._writer = ContactLogWriter()
        self._unwritten = 0  # rows published and not yet committed (flush)
        self._count_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="contact-log", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> "ContactLogBroker":
        return cls()

    def publish(self, event: Dict[Text, Any]) -> None:
        row = self._writer.observe(event)
        if row is not None:
            with self._count_lock:
                self._unwritten += 1
            self._queue.put(row)

    def is_ready(self) -> bool:
        return self._thread.is_alive()

    async def close(self) -> None:
        self._stop.set()
        await asyncio.to_thread(self._thread.join, 10)

    # -- writer thread --------------------------------------------------

    def _write(self, rows: List[Dict[str, Any]]) -> None:
        with session_scope() as session:
            self._writer.write(session, rows)

    def _drain(self) -> None:
        attempt = 0
        batch: List[Dict[str, Any]] = []
        while True:
            if not batch:
                try:
                    batch.append(self._queue.get(timeout=0.2))
                except queue.Empty:
                    if self._stop.is_set():
                        return
                    continue
                deadline = time.monotonic() + BATCH_WAIT_SECONDS
                while len(batch) < BATCH_SIZE:
                    left = deadline - time.monotonic()
                    try:
                        batch.append(self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait())
                    except queue.Empty:
                        break
            try:
                self._write(batch)
                with self._count_lock:
                    self._unwritten -= len(batch)
                batch, attempt = [], 0
            except Exception:  # keep the batch; the database may come back
                delay = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                logger.exception("contact log write failed; retrying %d rows in %.1fs", len(batch), delay)
                attempt += 1
                if self._stop.is_set() and attempt > len(RETRY_SECONDS):
                    logger.error("giving up on %d contact-log rows at shutdown", len(batch))
                    return
                time.sleep(delay)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything published so far is written (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._count_lock:
                if self._unwritten == 0:
                    return True
            time.sleep(0.02)
        return False
