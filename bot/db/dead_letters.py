"""The ``dead_letters`` table: items a writer could not write and set
aside (bot/dead_letters.py decides what is poison and what an outage)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import DeadLetter
from bot.db.session import insert_once


def add_dead_letter(
    s: Session,
    source: str,
    payload: str,
    error: str,
    item_key: Optional[str] = None,
    conversation_id: Optional[str] = None,
) -> Tuple[int, bool]:
    """Set an item aside (bot/dead_letters.py): ``(id, created)``; the same
    ``item_key`` from the same source is kept once (a redelivered message)."""

    def find() -> Optional[int]:
        if item_key is None:
            return None
        return s.execute(
            select(DeadLetter.id).where(DeadLetter.source == source, DeadLetter.item_key == item_key)
        ).scalar_one_or_none()

    existing = find()
    if existing is not None:
        return existing, False
    row = DeadLetter(source=source, item_key=item_key, conversation_id=conversation_id, payload=payload, error=error)
    return insert_once(s, row, find)


def dead_letters(s: Session, source: Optional[str] = None, limit: int = 100) -> List[Dict[str, Any]]:
    """The latest dead letters (of ``source``), newest first."""
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if source is not None:
        query = query.where(DeadLetter.source == source)
    return [
        {"id": d.id, "source": d.source, "item_key": d.item_key, "conversation_id": d.conversation_id,
         "payload": d.payload, "error": d.error, "created_at": d.created_at}
        for d in s.execute(query).scalars()
    ]
