"""The brokered SQL tracker store stores and publishes what Rasa's would."""
import asyncio

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server.tracker_store import BrokeredSQLTrackerStore


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


# ------------------------------------------------ the write-through cache

SENDER = "+8613800000002"


def _store(path, **kwargs):
    return BrokeredSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{path}",
                                   event_broker=RecordingBroker(), **kwargs)


def _event_reads(store):
    """Statements that read stored events' data (a full conversation load)."""
    from sqlalchemy import event as sa_event

    seen = []

    @sa_event.listens_for(store.engine, "before_cursor_execute")
    def _record(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "events.data" in statement:
            seen.append(statement)

    return seen


def _saved(store, *turns):
    async def run():
        tracker = DialogueStateTracker(SENDER, slots=[])
        for turn in turns:
            tracker = await store.retrieve(SENDER) or tracker
            for event in turn:
                tracker.update(event)
            await store.save(tracker)
        return tracker

    return asyncio.run(run())


def _types(tracker):
    return [e.as_dict()["event"] for e in tracker.events]


def test_the_next_message_gets_the_saved_tracker_without_reloading_it(tmp_path):
    store = _store(tmp_path / "t.db")
    saved = _saved(store, TURNS[0])
    reads = _event_reads(store)
    again = asyncio.run(store.retrieve(SENDER))
    assert again is saved and reads == [] and store.cache_hits == 1
    again.update(BotUttered("您好"))
    asyncio.run(store.save(again))
    fresh = _store(tmp_path / "t.db")  # what another process reads: each event once
    assert _types(asyncio.run(fresh.retrieve(SENDER))) == _types(saved)


def test_a_write_by_another_instance_is_read_from_the_database(tmp_path):
    a, b = _store(tmp_path / "t.db"), _store(tmp_path / "t.db")
    _saved(a, TURNS[0])
    on_b = asyncio.run(b.retrieve(SENDER))
    on_b.update(BotUttered("来自另一台服务器"))
    asyncio.run(b.save(on_b))
    back_on_a = asyncio.run(a.retrieve(SENDER))
    assert back_on_a.events[-1].text == "来自另一台服务器" and a.cache_hits == 0


def test_a_tracker_changed_after_its_save_is_not_reused(tmp_path):
    store = _store(tmp_path / "t.db")
    saved = _saved(store, TURNS[0])
    saved.update(BotUttered("没有保存的消息"))
    again = asyncio.run(store.retrieve(SENDER))
    assert again is not saved and len(again.events) == len(saved.events) - 1


def test_a_cached_tracker_is_handed_out_once(tmp_path):
    store = _store(tmp_path / "t.db")
    saved = _saved(store, TURNS[0])
    first, second = asyncio.run(store.retrieve(SENDER)), asyncio.run(store.retrieve(SENDER))
    assert first is saved and second is not saved and _types(second) == _types(saved)


def test_a_new_session_is_read_back_as_rasa_reads_it(tmp_path):
    from rasa.shared.core.events import SessionStarted

    new_session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                   UserUttered("又是我", {"name": "greet", "confidence": 0.9})]
    ours = _store(tmp_path / "ours.db")
    _saved(ours, TURNS[0], TURNS[1], new_session)
    rasa = SQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'ours.db'}")
    expected = _types(asyncio.run(rasa.retrieve(SENDER)))
    assert expected[0] == "session_started"
    assert _types(asyncio.run(ours.retrieve(SENDER))) == expected


def test_cache_size_zero_reads_every_message_from_the_database(tmp_path):
    store = _store(tmp_path / "t.db", cache_size=0)
    saved = _saved(store, TURNS[0], TURNS[1])
    assert asyncio.run(store.retrieve(SENDER)) is not saved and store.cache_hits == 0
