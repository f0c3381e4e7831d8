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

Configured in endpoints.yml as ``type: bot.tracker_store.BrokeredSQLTrackerStore``
with the same ``url`` (or dialect/host/db …) keys as Rasa's ``type: SQL``.

The committed events also feed the Rasa server's Prometheus counters
(messages in and out by channel, NLU confidence, fallbacks, pauses:
bot/observability/metrics.py), whatever event broker is configured.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import QueuePool

from bot.observability import metrics


class BrokeredSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events not stored yet, then publish exactly those."""
        with self.session_scope() as session:
            events = list(self._additional_events(session, tracker))
            if events:
                session.execute(
                    self.SQLEvent.__table__.insert(), [self._row(tracker.sender_id, e) for e in events]
                )
            session.commit()
        if events:
            metrics.observe_events(events, tracker.get_latest_input_channel())
        if self.event_broker is not None and events:
            await self._stream_new_events(self.event_broker, events, tracker.sender_id)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's query, reading only the ``data`` column."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None
