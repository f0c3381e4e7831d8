"""Production event broker: Rasa's events to RabbitMQ, through a local spool.

Configured in deploy/endpoints.production.yml as
``type: bot.rasa_server.event_relay.RelayEventBroker``. `collectbot consume-events`
(bot/event_consumer.py) reads the queue and writes the contact log, so any
number of Rasa servers feed one consumer.

Why not Rasa's ``PikaEventBroker`` (rasa/core/brokers/pika.py, 3.6.21):

- with RabbitMQ down at start-up, ``from_endpoint_config`` retries the
  connection 20 times, 5 s apart, then raises: the Rasa server does not start;
- until a connection exists (``_exchange is None``) ``publish`` drops every
  event without a word;
- events that failed to publish wait in a deque in memory, lost with the
  process.

This broker never touches the network on Rasa's event loop. ``publish``
appends the event to an in-memory deque and wakes a background thread. The
thread (its own asyncio loop, aio-pika) first writes the events to a SQLite
spool (``EVENT_SPOOL_PATH``), then publishes the spool in order to a durable
queue (persistent messages, publisher confirms, ``mandatory``) and deletes
what RabbitMQ confirmed. While RabbitMQ is unreachable the spool grows and
the thread retries with backoff; when it is back the spool drains in order,
ahead of newer events. A crash loses at most the events not yet spooled
(milliseconds); a crash between RabbitMQ's confirm and the delete sends a
few events twice, which the consumer ignores (``message_id`` is the event's
``contact_log.event_key``).

Poison does not block the spool (issue 16): events are spooled as JSON that
always encodes (a lone surrogate as an escape; ``bot.event_spool.dumps``),
an event that is not JSON at all, and a message RabbitMQ refuses itself
(406 PRECONDITION_FAILED, e.g. over ``max_message_size``) twice, go to the
account database's ``dead_letters`` table (bot/dead_letters.py) and the
events behind them go on. The broker being away is still retried.

Messages are Rasa's usual Pika messages (the event as JSON, one per
message), published to the default exchange with the queue name as routing
key.
"""
from __future__ import annotations

import asyncio
import collections
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Sequence, Text, Tuple, Union

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server.contact_log import event_key
from bot.dead_letters import set_aside
from bot.event_spool import BATCH_SIZE, EventSpool, SpoolInUse, delete_files, dumps, orphans  # noqa: F401
from bot.settings import rasa_environment

logger = logging.getLogger(__name__)

RETRY_SECONDS = (0.5, 1, 2, 5, 10)
SOURCE = "event_relay"
# A message RabbitMQ refuses this often (each on a fresh channel) is set aside.
REFUSALS_BEFORE_SET_ASIDE = 2
CONNECT_TIMEOUT = 5.0
PUBLISH_TIMEOUT = 10.0
ADOPT_SCAN_SECONDS = 300.0


def connection_kwargs(
    host: str, username: str, password: str, port: Union[int, str] = 5672, vhost: str = "/"
) -> Dict[str, Any]:
    """aio-pika ``connect`` arguments from a host name (``host`` or
    ``host:port``) or a full ``amqp://`` / ``amqps://`` URL."""
    if host.startswith(("amqp://", "amqps://")):
        return {"url": host, "login": username, "password": password}
    if ":" in host:
        host, port = host.rsplit(":", 1)
    return {"host": host, "port": int(port), "login": username, "password": password, "virtualhost": vhost}


def describe(kwargs: Dict[str, Any]) -> str:
    """Where we connect, without the password."""
    if "url" in kwargs:
        from yarl import URL

        return str(URL(kwargs["url"]).with_password(None))
    return f"amqp://{kwargs['host']}:{kwargs['port']}"


class RelayEventBroker(EventBroker):
    def __init__(
        self,
        host: Text,
        username: Text = "guest",
        password: Text = "guest",
        port: Union[int, Text] = 5672,
        queue: Text = "collectbot_events",
        spool_path: Union[str, Path, None] = None,
        adopt_glob: Optional[str] = None,
        vhost: Text = "/",
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        connect_timeout: float = CONNECT_TIMEOUT,
        publish_timeout: float = PUBLISH_TIMEOUT,
    ) -> None:
        if spool_path is None:
            from bot.settings import event_spool_glob, event_spool_path

            spool_path = event_spool_path()
            adopt_glob = event_spool_glob() if adopt_glob is None else adopt_glob
        # Spool files of replicas that are gone (a container recreated under a
        # new host name): sent before our own, then deleted.
        self._adopt_glob = adopt_glob
        self._next_adopt_scan = 0.0 if adopt_glob else float("inf")
        self.queue = queue
        self._connect_kwargs = connection_kwargs(host, username, password, port, vhost)
        self._where = describe(self._connect_kwargs)
        self._retry_seconds = tuple(retry_seconds) or RETRY_SECONDS
        self._connect_timeout = float(connect_timeout)
        self._publish_timeout = float(publish_timeout)
        self._app_id = rasa_environment()
        self.spool = EventSpool(spool_path)
        if len(self.spool):
            logger.warning("%d events left in the spool %s from before; sending them first",
                           len(self.spool), self.spool.path)

        self._pending: Deque[Dict[str, Any]] = collections.deque()
        self._spooling = False  # events taken from _pending, not yet in the spool
        self._stop = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._wake: Optional[asyncio.Event] = None
        self._connection = None
        self._channel = None
        self._connected = False
        self._failing_since: Optional[float] = None
        self.published = 0  # messages RabbitMQ confirmed (tests, logs)
        self._refusals: Dict[Tuple[str, int], int] = {}
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="event-relay", daemon=True)
        self._thread.start()
        started.wait(5)

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> "RelayEventBroker":
        kwargs = dict(broker_config.kwargs)
        kwargs.pop("type", None)
        if "retry_seconds" in kwargs and isinstance(kwargs["retry_seconds"], str):
            kwargs["retry_seconds"] = [float(x) for x in kwargs["retry_seconds"].split(",")]
        host = broker_config.url
        if not host:
            from bot.settings import rabbit_settings

            host = rabbit_settings().host
        # Never waits for RabbitMQ: the thread connects (and reconnects) itself.
        return cls(host, **kwargs)

    # -- Rasa's side (event loop) -----------------------------------------

    def publish(self, event: Dict[Text, Any]) -> None:
        """Queue ``event``; returns at once and never raises."""
        try:
            if self._stop.is_set():
                logger.error("event relay closed: event %s of %s not sent", event.get("event"), event.get("sender_id"))
                return
            self._pending.append(event)
            loop, wake = self._loop, self._wake
            if loop is not None and wake is not None and not wake.is_set():
                loop.call_soon_threadsafe(wake.set)
        except Exception:  # pragma: no cover - the loop closed under us at shutdown
            logger.exception("event relay: could not wake the relay thread (event kept in memory)")

    def is_ready(self) -> bool:
        """The relay runs (the chat never depends on RabbitMQ being up)."""
        return self._thread.is_alive()

    @property
    def connected(self) -> bool:
        return self._connected

    async def close(self) -> None:
        self._stop.set()
        self._poke()
        await asyncio.to_thread(self._thread.join, self._connect_timeout + self._publish_timeout + 5)
        if not self._thread.is_alive():
            self.spool.close()

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # loop already closed
                pass

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event so far is confirmed by RabbitMQ (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._pending and not self._spooling and len(self.spool) == 0:
                return True
            self._poke()
            time.sleep(0.05)
        return False

    # -- relay thread -----------------------------------------------------

    def _run(self, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(started))
        except Exception:  # pragma: no cover - a bug; the spool keeps the events
            logger.exception("event relay thread died; events stay in %s", self.spool.path)
        finally:
            self._loop = None
            loop.close()

    async def _main(self, started: threading.Event) -> None:
        self._wake = asyncio.Event()
        started.set()
        attempt = 0
        next_try = 0.0
        while True:
            stopping = self._stop.is_set()
            self._spool_pending()
            waiting = len(self.spool) or time.monotonic() >= self._next_adopt_scan
            if waiting and (time.monotonic() >= next_try or stopping):
                try:
                    await self._send_spooled()
                    if self._failing_since is not None:
                        logger.warning("RabbitMQ at %s reachable again after %.0fs; spool drained",
                                       self._where, time.monotonic() - self._failing_since)
                    self._failing_since = None
                    attempt = 0
                except Exception as exc:
                    await self._disconnect()
                    delay = self._retry_seconds[min(attempt, len(self._retry_seconds) - 1)]
                    attempt += 1
                    next_try = time.monotonic() + delay
                    if self._failing_since is None:
                        self._failing_since = time.monotonic()
                        logger.error("RabbitMQ at %s unavailable (%s: %s); events are kept in %s",
                                     self._where, type(exc).__name__, exc, self.spool.path)
                    else:
                        logger.warning("RabbitMQ still unavailable (%s); %d events in the spool; retry in %.1fs",
                                       type(exc).__name__, len(self.spool), delay)
            if stopping:
                break
            timeout = max(0.01, next_try - time.monotonic()) if len(self.spool) else 1.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
        left = len(self.spool) + len(self._pending)
        if left:
            logger.warning("event relay stopping with %d events in %s; they go out at the next start",
                           left, self.spool.path)
        await self._disconnect()

    def _spool_pending(self) -> None:
        self._spooling = True
        try:
            items: List[Dict[str, Any]] = []
            while self._pending:
                items.append(self._pending.popleft())
            if not items:
                return
            spooled = []
            for event in items:
                try:
                    spooled.append((event_key(event), dumps(event)))
                except Exception as exc:  # not JSON at all (a cycle): it never could be sent
                    self._set_aside_unspoolable(event, exc)
            try:
                self.spool.append(spooled)
            except Exception:
                # Disk full or the like: keep them in memory, in order, and say so.
                self._pending.extendleft(reversed(items))
                logger.exception("event spool %s not writable; %d events held in memory",
                                 self.spool.path, len(items))
        finally:
            self._spooling = False

    async def _connect(self) -> None:
        import aio_pika

        self._connection = await asyncio.wait_for(
            aio_pika.connect(timeout=self._connect_timeout, **self._connect_kwargs), self._connect_timeout + 1
        )
        self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        await self._channel.declare_queue(self.queue, durable=True)
        self._connected = True
        logger.info("event relay connected to %s, queue %s", self._where, self.queue)

    async def _disconnect(self) -> None:
        self._connected = False
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), 2)
            except Exception:
                pass

    def _exchange(self):
        return self._channel.default_exchange

    async def _reopen(self):
        """A fresh channel (a refused message closes the one it came on)."""
        await self._disconnect()
        await self._connect()
        return self._exchange()

    async def _send_spooled(self) -> None:
        if self._channel is None or self._channel.is_closed:
            await self._disconnect()
            await self._connect()
        exchange = self._exchange()
        if time.monotonic() >= self._next_adopt_scan:
            await self._send_orphans(exchange)
            self._next_adopt_scan = time.monotonic() + ADOPT_SCAN_SECONDS
        await self._send_spool(self.spool, exchange)

    async def _send_orphans(self, exchange) -> None:
        """Send, then delete, the spool files matching the glob that no live
        process holds (replicas that are gone)."""
        for orphan in orphans(self._adopt_glob or "", self.spool.path):
            left = len(orphan)
            if left:
                logger.warning("sending %d events left in %s by a replica that is gone", left, orphan.path)
            await self._send_spool(orphan, exchange)
            delete_files(orphan)

    async def _send_spool(self, spool: EventSpool, exchange) -> None:
        import aio_pika
        from pamqp.commands import Basic

        while True:
            rows = spool.peek(BATCH_SIZE)
            if not rows:
                return
            sent = None
            for seq, key, body in rows:
                message = aio_pika.Message(
                    body.encode("utf-8"),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/json",
                    message_id=key,
                    app_id=self._app_id,
                )
                try:
                    confirm = await asyncio.wait_for(
                        exchange.publish(message, routing_key=self.queue, mandatory=True), self._publish_timeout
                    )
                except Exception as exc:
                    if sent is not None:
                        spool.remove_through(sent)
                    if not self._refused_again(spool, seq, exc):
                        raise
                    await asyncio.to_thread(self._set_aside, key, body, exc)
                    spool.remove_through(seq)
                    exchange = await self._reopen()
                    break
                if not isinstance(confirm, Basic.Ack):
                    raise RuntimeError(f"RabbitMQ did not accept event {seq}: {confirm!r}")
                self.published += 1
                sent = seq
            else:
                spool.remove_through(rows[-1][0])
                self._spool_pending()  # newer events go behind the older ones

    def _refused_again(self, spool: EventSpool, seq: int, exc: BaseException) -> bool:
        """True when RabbitMQ refused this very message (not the connection)
        for the REFUSALS_BEFORE_SET_ASIDE-th time: a message over the
        server's max_message_size, say, closes the channel with 406
        PRECONDITION_FAILED each time it is sent, and would hold every event
        behind it in the spool forever (issue 16). Anything else (broker
        away, a nack from a full queue) is retried as before."""
        from aiormq.exceptions import ChannelPreconditionFailed

        if not isinstance(exc, ChannelPreconditionFailed):
            return False
        key = (str(spool.path), seq)
        self._refusals[key] = self._refusals.get(key, 0) + 1
        logger.warning("RabbitMQ refused event %d of %s (%s), %d time(s)", seq, spool.path, exc, self._refusals[key])
        return self._refusals[key] >= REFUSALS_BEFORE_SET_ASIDE

    def _set_aside_unspoolable(self, event: Dict[str, Any], exc: BaseException) -> None:
        sender = event.get("sender_id") if isinstance(event, dict) else None
        try:
            set_aside(SOURCE, repr(event), exc, conversation_id=sender)
        except Exception:
            logger.exception("event relay: an event of %s can neither be spooled nor set aside; dropped", sender)

    def _set_aside(self, key: str, body: str, exc: BaseException) -> None:
        try:
            event: Any = json.loads(body)
        except ValueError:
            event = body
        sender = event.get("sender_id") if isinstance(event, dict) else None
        set_aside(SOURCE, event, exc, item_key=key, conversation_id=sender)
