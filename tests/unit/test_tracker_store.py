"""The brokered SQL tracker store stores and publishes what Rasa's would."""
import asyncio

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import BrokeredSQLTrackerStore


class RecordingBroker(EventBroker):
    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


TURNS = [
    [ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
     UserUttered("你好", {"name": "greet", "confidence": 0.9})],
    [BotUttered("您好，请问是王*明本人吗？"), ActionExecuted("action_listen")],
    [UserUttered("是的", {"name": "affirm", "confidence": 0.95}), SlotSet("right_party", True),
     ActionExecuted("action_listen")],
]


def _converse(store_cls, tmp_path, name):
    broker = RecordingBroker()
    store = store_cls(domain=Domain.empty(), host=f"sqlite:///{tmp_path / name}", event_broker=broker)

    async def run():
        tracker = DialogueStateTracker("+8613800000001", slots=[])
        for turn in TURNS:
            tracker = await store.retrieve("+8613800000001") or tracker
            for event in turn:
                tracker.update(event)
            await store.save(tracker)
        return await store.retrieve("+8613800000001")

    stored = asyncio.run(run())
    return broker.published, [e.as_dict() for e in stored.events]


def _strip(published):
    return [{k: v for k, v in e.items() if k != "timestamp"} for e in published]


def test_publishes_and_stores_exactly_what_rasas_store_does(tmp_path):
    ours_published, ours_stored = _converse(BrokeredSQLTrackerStore, tmp_path, "ours.db")
    rasa_published, rasa_stored = _converse(SQLTrackerStore, tmp_path, "rasa.db")
    assert len(ours_published) == sum(len(t) for t in TURNS)  # each event once
    assert _strip(ours_published) == _strip(rasa_published)
    assert _strip(ours_stored) == _strip(rasa_stored)
    assert [e["event"] for e in ours_published][-2:] == ["slot", "action"]


def test_does_not_reread_the_conversation_to_publish(tmp_path, monkeypatch):
    broker = RecordingBroker()
    store = BrokeredSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'a.db'}",
                                    event_broker=broker)

    async def no_retrieve(sender_id):
        raise AssertionError("save must not re-read the tracker")

    monkeypatch.setattr(store, "retrieve", no_retrieve)
    tracker = DialogueStateTracker("s1", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    assert [e["event"] for e in broker.published] == ["action"]


def test_a_failed_write_publishes_nothing(tmp_path, monkeypatch):
    broker = RecordingBroker()
    store = BrokeredSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'a.db'}",
                                    event_broker=broker)
    tracker = DialogueStateTracker("s1", slots=[])
    tracker.update(ActionExecuted("action_listen"))

    def broken_session():
        raise RuntimeError("database is down")

    monkeypatch.setattr(store, "session_scope", broken_session)
    with pytest.raises(RuntimeError):
        asyncio.run(store.save(tracker))
    assert broker.published == []


def test_a_sqlite_file_runs_in_wal_mode_with_kept_open_connections(tmp_path):
    store = BrokeredSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}",
                                    event_broker=RecordingBroker())
    tracker = DialogueStateTracker("s1", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert type(store.engine.pool).__name__ == "QueuePool"
    assert [e.as_dict()["event"] for e in asyncio.run(store.retrieve("s1")).events] == ["action"]
