"""Read-only access to Rasa's SQL tracker store (SQLAlchemy Core).

Rasa's ``SQLTrackerStore`` (and our ``bot.tracker_store.BrokeredSQLTrackerStore``)
keeps one row per event in ``events``: ``id, sender_id, type_name,
timestamp, intent_name, action_name, data`` where ``data`` is the event as
JSON (``parse_data`` of user messages, ``policy``/``confidence`` of actions,
``input_channel`` …). The workbench never writes there.

A conversation is shown to trainers by its *reference*: the id of its first
event, so the URL does not carry the cardholder's phone number.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, func, select
from sqlalchemy.engine import Engine

from bot.core.text import clean_value

_metadata = MetaData()
events = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()
# Event types the workbench looks at (the rest: featurization, loops …).
REVIEW_TYPES = ("user", "bot", "action", "slot", "active_loop", "pause", "resume", "session_started", "restart")


def engine(url: str) -> Engine:
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            kwargs: Dict[str, Any] = {}
            if url.startswith("sqlite"):
                # Rasa writes while we read: wait for its lock rather than fail.
                kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
            eng = create_engine(url, future=True, **kwargs)
            _engines[url] = eng
        return eng


def dispose() -> None:
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


@dataclass(frozen=True)
class Event:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: Optional[str]
    action_name: Optional[str]
    data: Dict[str, Any]


def _event(row: Any) -> Event:
    try:
        data = json.loads(row.data) if row.data else {}
    except (ValueError, RecursionError):
        data = {}
    # Rasa stores what it was sent: a lone surrogate ("\\ud800") or NUL from
    # before cleaning at the door is repaired here, so every reader (list,
    # inbox, conversation, export) survives it (issue 16). The sender id
    # stays as stored: it is the key every other query looks up (answers
    # are cleaned once more when serialised, console/app.dumps).
    return Event(
        id=row.id, sender_id=row.sender_id, type_name=row.type_name,
        timestamp=row.timestamp or 0.0, intent_name=clean_value(row.intent_name),
        action_name=clean_value(row.action_name), data=clean_value(data) if isinstance(data, dict) else {},
    )


def _has_table(eng: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(eng).has_table("events")


def conversations(url: str, since: Optional[float] = None, until: Optional[float] = None) -> List[Dict[str, Any]]:
    """One row per conversation active in [since, until): reference, first and last event time."""
    eng = engine(url)
    if not _has_table(eng):
        return []
    q = select(
        events.c.sender_id,
        func.min(events.c.id).label("ref"),
        func.min(events.c.timestamp).label("first_ts"),
        func.max(events.c.timestamp).label("last_ts"),
    ).group_by(events.c.sender_id)
    if since is not None:
        q = q.having(func.max(events.c.timestamp) >= since)
    if until is not None:
        q = q.having(func.min(events.c.timestamp) < until)
    with eng.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def events_of(url: str, sender_ids: Sequence[str], types: Iterable[str] = REVIEW_TYPES) -> List[Event]:
    eng = engine(url)
    if not sender_ids or not _has_table(eng):
        return []
    out: List[Event] = []
    ids = list(sender_ids)
    with eng.connect() as conn:
        for i in range(0, len(ids), 500):
            q = (
                select(events)
                .where(events.c.sender_id.in_(ids[i : i + 500]), events.c.type_name.in_(list(types)))
                .order_by(events.c.id)
            )
            out += [_event(r) for r in conn.execute(q)]
    return out


def user_events(url: str, limit: Optional[int] = None) -> List[Event]:
    """Every cardholder message (the inbox sorts them by confidence)."""
    eng = engine(url)
    if not _has_table(eng):
        return []
    q = select(events).where(events.c.type_name == "user").order_by(events.c.id.desc())
    if limit:
        q = q.limit(limit)
    with eng.connect() as conn:
        return [_event(r) for r in conn.execute(q)]


def event_by_id(url: str, event_id: int) -> Optional[Event]:
    eng = engine(url)
    if not _has_table(eng):
        return None
    with eng.connect() as conn:
        row = conn.execute(select(events).where(events.c.id == event_id)).first()
    return _event(row) if row is not None else None


def sender_of_ref(url: str, ref: int) -> Optional[str]:
    """The conversation whose first event has id ``ref``."""
    event = event_by_id(url, ref)
    if event is None:
        return None
    eng = engine(url)
    with eng.connect() as conn:
        first = conn.execute(
            select(func.min(events.c.id)).where(events.c.sender_id == event.sender_id)
        ).scalar_one()
    return event.sender_id if first == ref else None


def refs_of(url: str, sender_ids: Sequence[str]) -> Dict[str, int]:
    eng = engine(url)
    if not sender_ids or not _has_table(eng):
        return {}
    with eng.connect() as conn:
        q = (
            select(events.c.sender_id, func.min(events.c.id))
            .where(events.c.sender_id.in_(list(sender_ids)))
            .group_by(events.c.sender_id)
        )
        return {sender: ref for sender, ref in conn.execute(q)}
