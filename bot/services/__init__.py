"""Use cases: what an entry point asks the system to do.

One function per use case, one transaction each (bot/db/session.py's unit
of work), plain values in and a plain result dataclass out. The bot's
actions (bot/actions/), the agents' console (console/), the campaign runner
and the CLI call these instead of writing arrangements, assessments or
escalations themselves, so the same terms give the same rows whoever books.

- ``booking``: book a promise, an instalment plan, a deferral, a personalised
  (hardship) plan; a fee-relief request.
- ``escalation``: open a hand-over; resolve the ones of a conversation.
- ``hardship``: a specialist approves or rejects a pending personalised plan;
  the cardholder is told on their channel and the conversation handed back.
- ``conversation``: hand a conversation back to the assistant (through a
  Rasa HTTP API port).

The rules (terms → arrangement fields, idempotency key, assessment, what the
cardholder is told) are in bot/core/booking.py and bot/core/policy.py; the
queries in bot/db/. Functions here are synchronous: an async caller runs
them with ``in_thread`` so the event loop is never blocked.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, TypeVar

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a use case off the event loop (each opens its own unit of work)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class UseCaseError(Exception):
    """A use case refused: ``message`` is for the person who asked (Chinese),
    ``status`` the HTTP-style code an entry point may answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
