"""Rasa's Redis lock store with atomic ticket updates, for several Rasa instances.

Rasa serialises the messages of one conversation with a ticket lock. Its
``RedisLockStore`` (3.6) keeps the lock as one JSON value and changes it with
a plain GET, change in Python, SET: two Rasa instances taking a ticket for the
same conversation at the same moment can both read "no lock", both write a
lock with ticket 0, and both process their message at once. Both then save a
tracker loaded before the other's message, and the SQL tracker store keeps
only the events past the stored count: one message disappears from the
conversation. ``tests/integration/test_scale_out.py`` (the same confirmation
sent to two instances at once) showed exactly that.

This store does every read-change-write of a lock inside a Redis transaction
that watches the key (``WATCH``/``MULTI``/``EXEC``, retried by redis-py when
another instance changed the key in between), so tickets are unique and
ordered across instances. Same Redis data, same keys, same settings as
``type: redis``::

    lock_store:
      type: bot.rasa_server.lock_store.AtomicRedisLockStore
      url: localhost        # host, as for type: redis
      port: 6379
      db: 1
      key_prefix: collectbot
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

# change(lock or None) -> (result, lock to save or None, delete the key?)
Change = Callable[[Optional[TicketLock]], Tuple[Any, Optional[TicketLock], bool]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path as cls(endpoint_config=...).
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: Text, change: Change) -> Any:
        key = self.key_prefix + conversation_id
        outcome: dict = {}

        def run(pipe: Any) -> None:
            raw = pipe.get(key)  # immediate: the key is watched
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            result, to_save, delete = change(lock)
            pipe.multi()
            if delete:
                pipe.delete(key)
            elif to_save is not None:
                pipe.set(key, to_save.dumps())
            outcome["result"] = result

        self.red.transaction(run, key)
        return outcome.get("result")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock, False

        try:
            return self._atomically(conversation_id, change)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]):
            if lock is None:
                return None, None, False
            lock.remove_expired_tickets()
            return None, lock, False

        self._atomically(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]):
            if lock is None:
                return None, None, False
            lock.remove_ticket_for(ticket_number)
            return None, lock, False

        self._atomically(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give up the ticket; delete the lock if no one else waits (one step)."""

        def change(lock: Optional[TicketLock]):
            if lock is None:
                return False, None, False
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return False, lock, False
            return True, None, True

        deleted = self._atomically(conversation_id, change)
        self._log_deletion(conversation_id, bool(deleted))
