"""Poison or outage: what a writer does with an item it could not write.

A writer that retries a failed batch forever is stopped by one bad item: a
lone surrogate in one message once stopped the contact log for everyone
(issue 16). The contact-log broker (bot/rasa_server/contact_log.py), the event relay
(bot/rasa_server/event_relay.py) and the event consumer (bot/event_consumer.py) tell the
two causes apart with ``is_outage``:

- **the database is away** (connection refused or lost, server shutting
  down, lock timeout, SQLite "database is locked", a table not migrated yet:
  OperationalError, InterfaceError, InternalError, PostgreSQL SQLSTATE
  classes 08, 40, 42, 53, 55, 57, 58, XX, OSError, timeouts): nothing is
  wrong with the items; keep them and retry with back-off;
- **anything else** (UnicodeEncodeError, ValueError for a NUL on
  PostgreSQL, DataError, IntegrityError, a value the driver cannot adapt):
  the batch is split, each item written alone, and an item that still fails
  for such a reason is set aside with ``set_aside``: stored in the
  ``dead_letters`` table (payload as ASCII JSON, the error, the time),
  counted in ``collectbot_dead_letters_total{source}`` and logged at ERROR.
  If setting it aside fails too, that is an outage: the item is kept.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any, Callable, List, Optional, Sequence, Tuple, TypeVar

from bot.core.text import clean_text

logger = logging.getLogger(__name__)

T = TypeVar("T")

# SQLSTATE classes that say the database (or the schema) is not usable right
# now, whatever the row: connection, transaction rollback (deadlock,
# serialization), undefined table/column (migrations not run), resources,
# object in use, operator intervention (shutdown), system and internal errors.
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "40", "42", "53", "55", "57", "58", "XX"})
MAX_ERROR_CHARS = 2000


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` says the database is away rather than the data is bad."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, (OSError, TimeoutError, asyncio.TimeoutError, sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        code = getattr(exc.orig, "pgcode", None)
        if code:
            return code[:2] in OUTAGE_SQLSTATE_CLASSES
        return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.InternalError))
    return False


def payload_text(payload: Any) -> str:
    """``payload`` as ASCII JSON: bytes as ``{"base64": …}``, text and other
    values as JSON with escapes (a lone surrogate stays visible as \\udXXX)."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return json.dumps({"base64": base64.b64encode(bytes(payload)).decode("ascii")})
    return json.dumps(payload, ensure_ascii=True, default=repr)


def describe(exc: BaseException) -> str:
    """The error, storable and printable (its message may quote the bad text)."""
    return clean_text(f"{type(exc).__name__}: {exc}")[:MAX_ERROR_CHARS]


def set_aside(
    source: str,
    payload: Any,
    exc: BaseException,
    item_key: Optional[str] = None,
    conversation_id: Optional[str] = None,
    database_url: Optional[str] = None,
) -> None:
    """Store one item in ``dead_letters``, count it, log it. Raises when the
    database cannot take it (the caller keeps the item and retries)."""
    from bot.db.dead_letters import add_dead_letter
    from bot.db.session import session_scope
    from bot.observability import metrics

    error = describe(exc)
    key = clean_text(item_key)[:128] if item_key else None
    conversation = clean_text(str(conversation_id))[:128] if conversation_id else None
    with session_scope(database_url) as session:
        _, created = add_dead_letter(session, source, payload_text(payload), error, key, conversation)
    if not created:  # delivered again: set aside the first time
        logger.info("%s: item %s already in dead_letters", source, key)
        return
    metrics.dead_lettered(source)
    logger.error("%s: item %s of conversation %s set aside in dead_letters: %s",
                 source, key or "-", conversation or "-", error)


def write_or_set_aside(
    items: Sequence[T],
    write: Callable[[Sequence[T]], Any],
    set_aside_one: Callable[[T, BaseException], None],
) -> List[Tuple[T, BaseException]]:
    """Write ``items`` in one go; if that fails for a reason other than an
    outage, write them one at a time and hand each that still fails to
    ``set_aside_one``. An outage (at any point) raises, so the caller keeps
    what is not written yet and retries later: the writes must be idempotent
    (every writer here skips a row whose message id it already has).
    Returns the items set aside."""
    try:
        write(items)
        return []
    except Exception as exc:
        if is_outage(exc) or len(items) == 0:
            raise
        if len(items) == 1:
            set_aside_one(items[0], exc)
            return [(items[0], exc)]
        logger.warning("a batch of %d failed (%s); writing them one by one", len(items), describe(exc))
    poisoned: List[Tuple[T, BaseException]] = []
    for item in items:
        try:
            write([item])
        except Exception as exc:
            if is_outage(exc):
                raise
            set_aside_one(item, exc)
            poisoned.append((item, exc))
    return poisoned
