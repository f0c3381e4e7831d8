"""The contact log: every message either way on every channel (SMS, web
chat, voice, the console), one row each, written by the channels, the
contact-log broker of the Rasa server (bot/rasa_server/contact_log.py),
the event consumer and the outbound senders.

A ``Session`` first, the caller commits. ``log_contact`` and
``log_contacts`` are idempotent on the gateway's ``message_id``: a
redelivered message adds nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import DIRECTIONS, ContactLog
from bot.db.session import insert_once


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")


def log_contact(
    s: Session,
    *,
    conversation_id: str,
    channel: str,
    direction: str,
    text: str,
    account_id: Optional[str] = None,
    intent: Optional[str] = None,
    message_id: Optional[str] = None,
    status: Optional[str] = None,
) -> int:
    """Log one message; a repeated ``message_id`` returns the existing row.
    An inbound message rescores its account (``_rescored_replies``)."""
    _check_direction(direction)
    with _rescored_replies(s, [{"conversation_id": conversation_id, "channel": channel, "direction": direction,
                                "account_id": account_id, "intent": intent}]):
        return _log_contact(s, conversation_id, channel, direction, text, account_id, intent, message_id, status)


def _log_contact(s, conversation_id, channel, direction, text, account_id, intent, message_id, status) -> int:
    row = ContactLog(
        conversation_id=conversation_id,
        channel=channel,
        direction=direction,
        text=text,
        account_id=account_id,
        intent=intent,
        message_id=message_id,
        status=status,
    )
    if message_id is None:
        s.add(row)
        s.flush()
        return row.id

    def find() -> Optional[int]:
        return s.execute(
            select(ContactLog.id).where(ContactLog.message_id == message_id)
        ).scalar_one_or_none()

    existing = find()
    if existing is not None:
        return existing
    contact_id, _ = insert_once(s, row, find)
    return contact_id


# Columns a contact-log row may carry (``log_contacts``).
_CONTACT_FIELDS = ("conversation_id", "channel", "direction", "text", "account_id", "intent", "message_id", "status")


def log_contacts(s: Session, rows: List[Dict[str, Any]]) -> None:
    """Log a batch of messages, in the order given (the transcript's order):
    the same rules as ``log_contact`` (a known ``message_id`` adds nothing),
    in one statement.

    The contact-log writer runs beside the Rasa server's event loop, and an
    ORM object plus a flush per row was a visible share of that process's
    time under load (bench/history.md). The statement is INSERT … ON CONFLICT
    (message_id) DO NOTHING (PostgreSQL, SQLite); rows without a message id
    never conflict (NULLs are distinct in a unique index). On any other
    database the rows go through ``log_contact`` one by one.
    """
    values = []
    for row in rows:
        _check_direction(row["direction"])
        values.append({k: row.get(k) for k in _CONTACT_FIELDS})
    if not values:
        return
    insert = _contact_insert(s.get_bind().dialect.name)
    if insert is None:
        for v in values:
            log_contact(s, **v)
        return
    with _rescored_replies(s, values):
        now = clock.now()
        s.execute(insert, [{**v, "created_at": now} for v in values])


@contextmanager
def _rescored_replies(s: Session, rows: List[Dict[str, Any]]):
    """A cardholder's message is a response to contact (issue 13): the
    accounts it moves (bot/db/assessments.replies_to_rescore, decided
    before the rows exist) are rescored after the write, in the same
    transaction. Outbound rows cost nothing here."""
    if not any(r.get("direction") == "in" and r.get("account_id") for r in rows):
        yield
        return
    from bot.db import assessments  # assessments reads this log: imported late

    accounts = assessments.replies_to_rescore(s, rows)
    yield
    assessments.rescore_replies(s, accounts)


_contact_inserts: Dict[str, Any] = {}


def _contact_insert(dialect: str):
    """The contact-log INSERT that skips known message ids, built once per
    database kind; None where the dialect has no ON CONFLICT."""
    if dialect not in _contact_inserts:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            insert = None
        _contact_inserts[dialect] = (
            insert(ContactLog.__table__).on_conflict_do_nothing(index_elements=["message_id"]) if insert else None
        )
    return _contact_inserts[dialect]


def last_inbound_channel(s: Session, conversation_id: str) -> Optional[str]:
    """The channel of the conversation's latest inbound contact-log row."""
    return s.execute(
        select(ContactLog.channel)
        .where(ContactLog.conversation_id == conversation_id, ContactLog.direction == "in")
        .order_by(ContactLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def last_logged_account(s: Session, conversation_id: str) -> Optional[str]:
    """The account of the conversation's latest contact-log row that has one."""
    return s.execute(
        select(ContactLog.account_id)
        .where(ContactLog.conversation_id == conversation_id, ContactLog.account_id.isnot(None))
        .order_by(ContactLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()
