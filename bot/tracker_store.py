"""Rasa's SQL tracker store, publishing to the event broker what it writes.

With an event broker configured (ours: the contact log), Rasa's
``TrackerStore.save`` first re-reads and re-deserialises the whole stored
conversation to find out which events are new, then the SQL store counts the
stored events again to find the same thing. The re-read costs a full
deserialisation per message and grows with the conversation (bench/report.md,
"Where the time goes"). This store publishes exactly the events the SQL store
decided to write, after they are committed, so a failed write publishes
nothing and each event is published once.

Configured in endpoints.yml as ``type: bot.tracker_store.BrokeredSQLTrackerStore``
with the same ``url`` (or dialect/host/db …) keys as Rasa's ``type: SQL``.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker


class BrokeredSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Events chosen for writing, by conversation, between the count and the
        # commit. Rasa's lock store allows one save per conversation at a time.
        self._written: Dict[Text, List[Event]] = {}

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishing happens in ``save``, after the write."""
        return None

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        events = list(super()._additional_events(session, tracker))
        self._written[tracker.sender_id] = events
        return iter(events)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except BaseException:
            self._written.pop(tracker.sender_id, None)
            raise
        events = self._written.pop(tracker.sender_id, [])
        if self.event_broker is not None and events:
            await self._stream_new_events(self.event_broker, events, tracker.sender_id)
