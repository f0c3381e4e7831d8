"""`collectbot consume-events`: Rasa's events from RabbitMQ into the contact log.

The other half of bot/rasa_server/event_relay.py: every Rasa server publishes its events
to one durable queue; this process reads them and writes the contact-log rows
the console and the reports read, with the same rules as the in-process
broker (``bot.rasa_server.contact_log.ContactLogWriter``).

At least once, written once: a batch of messages is written in one
transaction and acknowledged only after the commit. A message delivered
again (the consumer died between commit and ack, the relay re-sent after a
lost confirm) finds its row already there: every row carries a unique
``message_id`` — Rasa's message id for cardholder messages, ``evt:<key>``
(``bot.rasa_server.contact_log.event_key``: conversation, event type, timestamp, text)
for bot messages — and ``bot.db.contact_log.log_contact`` returns the existing row
for a known id. When the database is away the batch stays unacknowledged and
is retried with backoff; when RabbitMQ goes away the consumer reconnects and
RabbitMQ redelivers what was not acknowledged.

Poison is set aside, not retried forever (issue 16): a message that is not a
JSON object, or whose event cannot be written for a reason other than the
database being away (bot/dead_letters.is_outage), goes to the
``dead_letters`` table (the body as base64 or the event as ASCII JSON, the
error) once the rest of its batch is written, and is acknowledged with it.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.rasa_server.contact_log import EVENT_KEY_PREFIX, RETRY_SECONDS, ContactLogWriter, event_key
from bot.db.session import session_scope
from bot.dead_letters import set_aside, write_or_set_aside

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
BATCH_WAIT_SECONDS = 0.05
SOURCE = "event_consumer"


class EventConsumer:
    def __init__(
        self,
        connect_kwargs: Dict[str, Any],
        queue: str,
        database_url: Optional[str] = None,
        batch_size: int = BATCH_SIZE,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        connect_timeout: float = 5.0,
    ) -> None:
        self.connect_kwargs = connect_kwargs
        self.queue = queue
        self.database_url = database_url
        self.batch_size = max(1, int(batch_size))
        self.retry_seconds = tuple(retry_seconds) or RETRY_SECONDS
        self.connect_timeout = connect_timeout
        self.writer = ContactLogWriter()
        self.consumed = 0  # messages acknowledged (tests, logs)
        self.rows = 0  # rows written or found already written
        self.connected = False  # reading the queue right now (readiness)

    # -- writing (worker thread) ------------------------------------------

    def write_events(self, events: List[Dict[str, Any]]) -> int:
        """Write the contact-log rows of ``events`` in one transaction.

        Idempotent: writing the same events again adds nothing."""
        rows = []
        with session_scope(self.database_url) as session:
            for event in events:
                sender = event.get("sender_id")
                if event.get("event") == "bot" and sender:
                    self.writer.recall_channel(session, sender)
                row = self.writer.observe(event)
                if row is None:
                    continue
                if not row.get("message_id"):
                    row["message_id"] = EVENT_KEY_PREFIX + event_key(event)
                rows.append(row)
            self.writer.write(session, rows)
        return len(rows)

    def write_messages(self, items: List[Tuple[Any, Optional[Dict[str, Any]], Optional[Exception]]]) -> int:
        """Write ``(message, event, parse error)`` items: events in one
        transaction if possible, else one by one; what cannot be written (or
        read) is set aside. Raises when the database is away."""
        written = 0
        events = []
        for message, event, error in items:
            if event is None:
                set_aside(SOURCE, bytes(message.body), error, item_key=message.message_id,
                          database_url=self.database_url)
            else:
                events.append((message, event))

        def write(batch) -> None:
            nonlocal written
            written += self.write_events([event for _, event in batch])

        def put_aside(item, exc: BaseException) -> None:
            message, event = item
            set_aside(SOURCE, event, exc, item_key=message.message_id or EVENT_KEY_PREFIX + event_key(event),
                      conversation_id=event.get("sender_id"), database_url=self.database_url)

        write_or_set_aside(events, write, put_aside)
        return written

    # -- RabbitMQ ---------------------------------------------------------

    async def run(self, stop: Optional[asyncio.Event] = None) -> None:
        """Consume until ``stop`` is set, reconnecting as needed."""
        stop = stop or asyncio.Event()
        attempt = 0
        while not stop.is_set():
            try:
                await self._consume(stop)
                attempt = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = self.retry_seconds[min(attempt, len(self.retry_seconds) - 1)]
                attempt += 1
                logger.warning("event consumer: RabbitMQ unavailable (%s: %s); retry in %.1fs",
                               type(exc).__name__, exc, delay)
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                except asyncio.TimeoutError:
                    pass

    async def _consume(self, stop: asyncio.Event) -> None:
        import aio_pika

        connection = await asyncio.wait_for(
            aio_pika.connect(timeout=self.connect_timeout, **self.connect_kwargs), self.connect_timeout + 1
        )
        inbox: "asyncio.Queue[Any]" = asyncio.Queue()
        closed = asyncio.Event()
        connection.close_callbacks.add(lambda *_: closed.set())
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self.batch_size * 2)
            queue = await channel.declare_queue(self.queue, durable=True)
            await queue.consume(inbox.put)
            logger.info("event consumer reading queue %s", self.queue)
            self.connected = True
            while not stop.is_set():
                if closed.is_set() or connection.is_closed:
                    raise ConnectionError("RabbitMQ connection closed")
                batch = await self._next_batch(inbox)
                if batch:
                    await self._handle(batch, stop)
        finally:
            self.connected = False
            try:
                await asyncio.wait_for(connection.close(), 2)
            except Exception:
                pass

    async def _next_batch(self, inbox: "asyncio.Queue[Any]") -> List[Any]:
        try:
            first = await asyncio.wait_for(inbox.get(), 0.5)
        except asyncio.TimeoutError:
            return []
        batch = [first]
        deadline = time.monotonic() + BATCH_WAIT_SECONDS
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(inbox.get(), remaining))
            except asyncio.TimeoutError:
                break
        return batch

    async def _handle(self, messages: List[Any], stop: asyncio.Event) -> None:
        items: List[Tuple[Any, Optional[Dict[str, Any]], Optional[Exception]]] = []
        for message in messages:
            try:
                event = json.loads(message.body)
                if not isinstance(event, dict):
                    raise ValueError("not a JSON object")
                items.append((message, event, None))
            except ValueError as exc:  # UnicodeDecodeError too
                items.append((message, None, exc))
        attempt = 0
        while True:
            try:
                self.rows += await asyncio.to_thread(self.write_messages, items)
                break
            except Exception:  # the database is away (poison is set aside inside)
                delay = self.retry_seconds[min(attempt, len(self.retry_seconds) - 1)]
                attempt += 1
                logger.exception("event consumer: contact-log write failed; retrying %d events in %.1fs",
                                 len(items), delay)
                if stop.is_set():
                    return  # unacknowledged: RabbitMQ redelivers them
                await asyncio.sleep(delay)
        await self._ack(messages)

    async def _ack(self, messages: List[Any]) -> None:
        """Acknowledge after the commit (tests override this to die before it)."""
        await messages[-1].ack(multiple=True)
        self.consumed += len(messages)


async def serve_health(consumer: EventConsumer, port: int, host: str = "0.0.0.0") -> "asyncio.AbstractServer":
    """``GET /healthz`` (the process runs) and ``GET /readyz`` (it is reading
    the queue: 200, else 503) for the orchestrator, on a port of its own."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1")
            path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
            if path == "/healthz":
                status, body = "200 OK", {"status": "ok"}
            elif path == "/readyz":
                ready = consumer.connected
                status = "200 OK" if ready else "503 Service Unavailable"
                body = {"status": "ready" if ready else "not_ready", "rabbitmq": ready, "consumed": consumer.consumed}
            else:
                status, body = "404 Not Found", {"error": "not_found"}
            payload = json.dumps(body).encode("utf-8")
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n".encode("latin-1") + payload
            )
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


def run_from_settings(database_url: Optional[str] = None, queue: Optional[str] = None,
                      batch_size: int = BATCH_SIZE) -> int:
    """`collectbot consume-events`: run until SIGINT/SIGTERM."""
    import signal

    from bot.rasa_server.event_relay import connection_kwargs, describe
    from bot.settings import consumer_health_port, rabbit_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = rabbit_settings()
    kwargs = connection_kwargs(cfg.host, cfg.username, cfg.password, cfg.port, cfg.vhost)
    consumer = EventConsumer(kwargs, queue or cfg.queue, database_url, batch_size=batch_size)
    logger.info("consuming %s queue %s into the contact log", describe(kwargs), consumer.queue)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        health_port = consumer_health_port()
        server = await serve_health(consumer, health_port) if health_port else None
        try:
            await consumer.run(stop)
        finally:
            if server is not None:
                server.close()

    asyncio.run(main())
    logger.info("event consumer stopped after %d messages", consumer.consumed)
    return 0
