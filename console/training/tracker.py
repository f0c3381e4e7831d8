"""The workbench's read model: Rasa's SQL tracker store (read only,
SQLAlchemy Core), and at the end the workbench's queries on the account
database (its own tables and what it reads of the console's and the bot's).

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
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.core.text import clean_value
from bot.db.models import Account, Cardholder, Escalation
from console.models import Resolution
from console.training.models import (
    ConversationReview,
    ConversationTag,
    MessageAnnotation,
    ModelActivation,
    ReviewNote,
    TrainingRun,
)

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


# --------------------------------------------------------------------------
# The workbench's read model on the account database (through the caller's
# session, one unit of work): its own tables (annotations, reviews, tags,
# notes, runs, activations) and what it reads of the bot's and the
# console's (escalations, resolutions, who owns a phone). The other
# workbench modules decide; the queries are here (tests/unit/test_layers.py).
# --------------------------------------------------------------------------

# -- annotations --------------------------------------------------------------


def annotations_by_event(s: Session, event_ids: Sequence[int]) -> Dict[int, MessageAnnotation]:
    ids = list(event_ids)
    out: Dict[int, MessageAnnotation] = {}
    for i in range(0, len(ids), 500):
        q = select(MessageAnnotation).where(MessageAnnotation.event_id.in_(ids[i:i + 500]))
        out.update({a.event_id: a for a in s.execute(q).scalars()})
    return out


def annotations_of_conversation(s: Session, sender: str) -> Dict[int, MessageAnnotation]:
    q = select(MessageAnnotation).where(MessageAnnotation.conversation_id == sender)
    return {a.event_id: a for a in s.execute(q).scalars()}


def annotation_version(s: Session, event_id: int) -> Optional[int]:
    return s.execute(select(MessageAnnotation.version).where(MessageAnnotation.event_id == event_id)).scalar()


def update_annotation(s: Session, event_id: int, base: int, values: Dict[str, Any]) -> bool:
    """One ``UPDATE … WHERE version = base``: False when somebody else changed it."""
    result = s.execute(
        update(MessageAnnotation)
        .where(MessageAnnotation.event_id == event_id, MessageAnnotation.version == base)
        .values(version=MessageAnnotation.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def labelled_annotations(s: Session) -> List[MessageAnnotation]:
    q = select(MessageAnnotation).where(MessageAnnotation.status == "labelled").order_by(MessageAnnotation.id)
    return list(s.execute(q).scalars())


# -- reviews, tags, notes -----------------------------------------------------


def is_reviewed(s: Session, sender: str) -> bool:
    q = select(ConversationReview.reviewed).where(ConversationReview.conversation_id == sender)
    return bool(s.execute(q).scalar())


def update_review(s: Session, sender: str, base: int, values: Dict[str, Any]) -> bool:
    result = s.execute(
        update(ConversationReview)
        .where(ConversationReview.conversation_id == sender, ConversationReview.version == base)
        .values(version=ConversationReview.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def has_tag(s: Session, sender: str, tag: str) -> bool:
    q = select(ConversationTag.id).where(ConversationTag.conversation_id == sender, ConversationTag.tag == tag)
    return s.execute(q).first() is not None


def delete_tag(s: Session, sender: str, tag: str) -> int:
    q = delete(ConversationTag).where(ConversationTag.conversation_id == sender, ConversationTag.tag == tag)
    return s.execute(q).rowcount or 0


def tags_of(s: Session, sender: str) -> List[str]:
    q = select(ConversationTag.tag).where(ConversationTag.conversation_id == sender).order_by(ConversationTag.id)
    return list(s.execute(q).scalars())


def used_tags(s: Session) -> List[str]:
    return list(s.execute(select(ConversationTag.tag).distinct()).scalars())


def notes_of(s: Session, sender: str) -> List[ReviewNote]:
    q = select(ReviewNote).where(ReviewNote.conversation_id == sender).order_by(ReviewNote.id)
    return list(s.execute(q).scalars())


# -- who a conversation is about, and what the console did with it ------------


def escalated_accounts(s: Session, senders: Sequence[str]) -> List[Tuple[str, str]]:
    """(conversation, account) of every escalation that names an account."""
    q = select(Escalation.conversation_id, Escalation.account_id).where(
        Escalation.conversation_id.in_(list(senders)), Escalation.account_id.isnot(None)
    )
    return [(conv, acc) for conv, acc in s.execute(q)]


def accounts_of_phones(s: Session, phones: Sequence[str]) -> List[Tuple[str, str]]:
    """(account, phone) of the cardholders behind these phone numbers."""
    q = (
        select(Account.account_id, Cardholder.phone)
        .join(Cardholder, Account.cardholder_id == Cardholder.id)
        .where(Cardholder.phone.in_(list(phones)))
    )
    return [(acc, phone) for acc, phone in s.execute(q)]


def console_facts(s: Session, senders: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """Per conversation: escalation reasons, outcomes, review flag and
    version, tags, and how many of its messages are annotated."""
    facts: Dict[str, Dict[str, Any]] = {c: {"reasons": [], "outcomes": [], "reviewed": False, "review_version": 0,
                                            "tags": [], "annotations": 0} for c in senders}
    if not senders:
        return facts
    ids = list(senders)
    for conv, reason in s.execute(
        select(Escalation.conversation_id, Escalation.reason).where(Escalation.conversation_id.in_(ids))
    ):
        facts[conv]["reasons"].append(reason)
    for conv, outcome in s.execute(
        select(Resolution.conversation_id, Resolution.outcome).where(Resolution.conversation_id.in_(ids))
        .order_by(Resolution.id)
    ):
        facts[conv]["outcomes"].append(outcome)
    for review in s.execute(select(ConversationReview).where(ConversationReview.conversation_id.in_(ids))).scalars():
        facts[review.conversation_id].update(reviewed=review.reviewed, review_version=review.version)
    for conv, tag in s.execute(
        select(ConversationTag.conversation_id, ConversationTag.tag).where(ConversationTag.conversation_id.in_(ids))
        .order_by(ConversationTag.id)
    ):
        facts[conv]["tags"].append(tag)
    for conv, in s.execute(
        select(MessageAnnotation.conversation_id).where(MessageAnnotation.conversation_id.in_(ids))
    ):
        facts[conv]["annotations"] += 1
    return facts


# -- training runs and model activations --------------------------------------


def last_activation(s: Session) -> Optional[ModelActivation]:
    return s.execute(select(ModelActivation).order_by(ModelActivation.id.desc()).limit(1)).scalar()


def recent_activations(s: Session, limit: int = 10) -> List[ModelActivation]:
    return list(s.execute(select(ModelActivation).order_by(ModelActivation.id.desc()).limit(limit)).scalars())


def runs_in(s: Session, statuses: Sequence[str]) -> List[TrainingRun]:
    return list(s.execute(select(TrainingRun).where(TrainingRun.status.in_(list(statuses)))).scalars())


def recent_runs(s: Session, limit: int = 20) -> List[TrainingRun]:
    return list(s.execute(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)).scalars())
