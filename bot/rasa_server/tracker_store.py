"""Rasa's SQL tracker store, publishing to the event broker what it writes.

With an event broker configured (ours: the contact log), Rasa's
``TrackerStore.save`` first re-reads and re-deserialises the whole stored
conversation to find out which events are new, then the SQL store counts the
stored events again to find the same thing. The re-read costs a full
deserialisation per message and grows with the conversation (bench/report.md,
"Where the time goes"). This store publishes exactly the events the SQL store
decided to write, after they are committed, so a failed write publishes
nothing and each event is published once.

It also reads and writes the rows without building ORM objects (the same
rows, the same schema: Rasa's ``events`` table), which the profile of a
message showed as a visible share of the Rasa server's time.

It keeps the conversations it has just saved in memory (write-through, a
bounded LRU) and hands one back on the next message instead of reading and
replaying every event again, after one indexed query shows that nobody has
written to the conversation since (the newest row id is still the one this
process wrote). Another Rasa instance, a tool writing events, a deleted
conversation all change that id, so the conversation is read from the
database as before. A cached tracker is handed out once (the caller owns it
until it saves it again), and one that changed after its save is not reused.
Only the latest session is cached: a tracker in which a new session started
(after an hour of silence, or when the session reached its window:
bot/rasa_server/session_window.py) is read back from the database next time, as Rasa
would, so a long conversation is never held or replayed whole. ``cache_size: 0``
in endpoints.yml turns the cache off.

Configured in endpoints.yml as ``type: bot.rasa_server.tracker_store.BrokeredSQLTrackerStore``
with the same ``url`` (or dialect/host/db …) keys as Rasa's ``type: SQL``.

The committed events also feed the Rasa server's Prometheus counters
(messages in and out by channel, NLU confidence, fallbacks, pauses:
bot/observability/metrics.py), whatever event broker is configured.
"""
from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import QueuePool

from bot.observability import metrics
from bot.rasa_server.session_window import is_carried


# Attribute a tracker carries once it has been read from or written to this
# store: (number of its events that are stored, newest stored row id).
_STORED = "_collectbot_stored"
DEFAULT_CACHE_SIZE = 1000


class BrokeredSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = max(0, int(cache_size))
        # sender_id -> the tracker saved last (its _STORED mark says what is stored)
        self._cache: "OrderedDict[Text, DialogueStateTracker]" = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0
        # Built once: building a statement cost more than running it.
        table = self.SQLEvent.__table__
        self._insert = table.insert()
        self._newest = sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sa.bindparam("sender_id"))
        if self.engine.dialect.name == "sqlite":
            if self.engine.url.database not in (None, "", ":memory:"):
                self._tune_sqlite()
        else:
            self._ping_before_use()

    def _tune_sqlite(self) -> None:
        """The laptop's SQLite file as bot/db/session.py runs the account data:
        kept-open connections, WAL, and a sync at checkpoints rather than at
        every commit (a process crash loses nothing; a power cut may lose the
        last commits; production uses PostgreSQL)."""
        url = self.engine.url
        self.engine.dispose()
        engine = sa.create_engine(url, poolclass=QueuePool, pool_size=5, max_overflow=10,
                                  connect_args={"check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=5000")
            finally:
                cursor.close()

        self.engine = engine
        self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    def _ping_before_use(self) -> None:
        """After a database restart every pooled connection is dead; Rasa's
        engine would fail one message per dead connection. A ping on checkout
        replaces them (same pool settings as Rasa's)."""
        from rasa.core.tracker_store import create_engine_kwargs

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
        """The ``events`` row Rasa's SQLTrackerStore.save writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _newest_row_id(self, session, sender_id: Text) -> Optional[int]:
        return session.connection().execute(self._newest, {"sender_id": sender_id}).scalar()

    def _unsaved_events(self, session, tracker: DialogueStateTracker) -> List[Event]:
        """The tracker's events that are not stored yet.

        A tracker this store read or wrote knows how many of its events are
        stored; if the conversation's newest row is still the one it knows,
        those are exactly the rest. Otherwise Rasa's way: count the stored
        events of the latest session."""
        stored = getattr(tracker, _STORED, None)
        if stored is not None and stored[0] <= len(tracker.events):
            if self._newest_row_id(session, tracker.sender_id) == stored[1]:
                return list(itertools.islice(tracker.events, stored[0], None))
        return list(self._additional_events(session, tracker))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events not stored yet, then publish exactly those."""
        with self.session_scope() as session:
            events = self._unsaved_events(session, tracker)
            if events:
                session.connection().execute(self._insert, [self._row(tracker.sender_id, e) for e in events])
            newest = self._newest_row_id(session, tracker.sender_id)
            session.commit()
        setattr(tracker, _STORED, (len(tracker.events), newest))
        self._remember(tracker, events)
        counted = [e for e in events if not is_carried(e)]
        if counted:
            # A session carried over (bot/rasa_server/session_window.py) repeats the
            # state, not what happened: its pause is no new hand-over.
            metrics.observe_events(counted, tracker.get_latest_input_channel())
        if self.event_broker is not None and events:
            await self._stream_new_events(self.event_broker, events, tracker.sender_id)

    def _remember(self, tracker: DialogueStateTracker, new_events: List[Event]) -> None:
        sender_id = tracker.sender_id
        self._cache.pop(sender_id, None)
        if not self.cache_size:
            return
        first = len(tracker.events) - len(new_events)
        if any(isinstance(e, SessionStarted) for i, e in enumerate(new_events, first) if i > 0):
            # A new session started in this tracker: Rasa reads only the
            # latest session, so the next message reads it from the database.
            return
        self._cache[sender_id] = tracker
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session: the tracker saved last if nothing has been
        written to the conversation since, else read from the database."""
        tracker = self._cache.pop(sender_id, None)  # handed out: the caller owns it now
        if tracker is not None:
            stored_events, newest = getattr(tracker, _STORED)
            if len(tracker.events) == stored_events:  # not changed since its save
                with self.session_scope() as session:
                    current = self._newest_row_id(session, sender_id)
                if current == newest:
                    self.cache_hits += 1
                    return tracker
        self.cache_misses += 1
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's query, reading only the ``id`` and ``data`` columns."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.id, self.SQLEvent.data).all()
        if not (self.domain and rows):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for _, data in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, (len(tracker.events), rows[-1][0]))
        return tracker
