"""The cardholder is typing (issue 14): written by a channel, read by the console.

The web chat channel runs in the Rasa process and the console in its own,
so the signal is a row (``typing_signals``, one per conversation,
overwritten), not memory. Times are the wall clock, never ``bot.clock``:
tests and demos pin that clock (COLLECTBOT_NOW), and a pinned clock would
make every signal look either fresh forever or never; "typing" is a matter
of seconds of real time.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import wall_now
from bot.db.models import TypingSignal
from bot.db.session import update_or_insert

# How long the console shows 对方正在输入… after the last signal. The widget
# sends one at most every 2 s while the cardholder types, so 5 s covers a
# lost or late signal and still clears soon after they stop.
FRESH_SECONDS = 5.0


def record(s: Session, conversation_id: str, channel: str, at: Optional[datetime] = None) -> None:
    """The cardholder of ``conversation_id`` (an id the channel vouches
    for) is typing now."""
    update_or_insert(s, TypingSignal, {"conversation_id": conversation_id},
                     {"channel": channel, "at": at or wall_now()})


def last_signal(s: Session, conversation_id: str) -> Optional[datetime]:
    return s.execute(
        select(TypingSignal.at).where(TypingSignal.conversation_id == conversation_id)
    ).scalar_one_or_none()


def is_typing(s: Session, conversation_id: str, now: Optional[datetime] = None) -> bool:
    """Whether the last signal is younger than FRESH_SECONDS."""
    at = last_signal(s, conversation_id)
    if at is None:
        return False
    age = ((now or wall_now()) - at).total_seconds()
    # A signal from a host whose clock runs a little ahead counts as fresh,
    # but never for longer than a fresh one would.
    return -FRESH_SECONDS < age < FRESH_SECONDS
