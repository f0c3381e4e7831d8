"""The agents' own status (在线 / 忙碌 / 离开) and the assignment of new
hand-overs to available agents (issue 14).

Statuses live in this console process's memory: a restart sets everyone to
离开 (away), which assigns nothing - the safe side; the console runs as one
process (python -m console). Every change of status is in the audit log.

Auto-assignment runs in the console's own loop: every CONSOLE_POLL_SECONDS
the oldest waiting, unclaimed hand-over (a crisis first, the queue's own
order) goes to the 在线 agent with the fewest live claims, below
MAX_AUTO_CLAIMS; the claim is the ordinary one (console/service.py: the
conversation paused, the audit row) with an ``auto_assign`` audit row, and
the web chat cardholder is told who joined. An agent who is 忙碌 or 离开
gets nothing new; nobody online, nothing is assigned and the queue waits as
before.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot import clock
from bot.core import handover
from console import auth, handover_notices, store
from console.service import Actor, db
from console.store import ConsoleError, UserView

logger = logging.getLogger(__name__)

ONLINE, BUSY, AWAY = "online", "busy", "away"
STATUS_LABELS = {ONLINE: "在线", BUSY: "忙碌", AWAY: "离开"}
MAX_AUTO_CLAIMS = 3


@dataclass(frozen=True)
class Status:
    status: str
    since: float


class Presence:
    def __init__(self) -> None:
        self._statuses: Dict[int, Status] = {}

    def of(self, user_id: int) -> str:
        found = self._statuses.get(user_id)
        return found.status if found else AWAY

    def set(self, user: UserView, status: str) -> str:
        if status not in STATUS_LABELS:
            raise ConsoleError("状态只能是在线、忙碌或离开。", 400)
        if not auth.allowed(user.role, "act"):
            raise ConsoleError("只有专员和主管可以接收会话。", 403)
        self._statuses[user.id] = Status(status, time.time())
        return status

    def online(self) -> List[int]:
        return [uid for uid, s in self._statuses.items() if s.status == ONLINE]

    def snapshot(self) -> Dict[int, str]:
        return {uid: s.status for uid, s in self._statuses.items()}


def presence_of(app: Any) -> Presence:
    found = getattr(app.ctx, "presence", None)
    if found is None:
        found = Presence()
        app.ctx.presence = found
    return found


def pick(s, presence: Presence) -> Optional[Dict[str, Any]]:
    """(conversation, agent) for the next assignment, or None. One unit of work."""
    online = presence.online()
    if not online:
        return None
    cfg_items = store.queue(s, clock.now(), *_hours())
    waiting = [i for i in cfg_items if i["claim"] is None]
    if not waiting:
        return None
    agents = store.users_by_id(s, online)
    load = store.live_claim_counts(s, [a.id for a in agents])
    candidates = sorted(
        (a for a in agents if auth.allowed(a.role, "act") and load.get(a.id, 0) < MAX_AUTO_CLAIMS),
        key=lambda a: (load.get(a.id, 0), a.id),
    )
    if not candidates:
        return None
    return {"conversation_id": waiting[0]["conversation_id"], "user": candidates[0]}


def _hours():
    from bot.settings import get_settings

    cfg = get_settings()
    return cfg.staffed_hours, cfg.handoff_sla_minutes


async def assign_once(app: Any) -> Optional[Dict[str, Any]]:
    """Assign one waiting hand-over to an available agent; what was assigned."""
    presence = presence_of(app)
    if not presence.online():
        return None
    choice = await db(pick, presence)
    if choice is None:
        return None
    user: UserView = choice["user"]
    cid = choice["conversation_id"]
    try:
        await app.ctx.service.claim(cid, Actor(user))
    except ConsoleError as exc:  # claimed meanwhile by hand: the next round looks again
        logger.info("auto-assign of %s skipped: %s", cid, exc.message)
        return None
    await db(store.audit, user, "auto_assign", conversation_id=cid,
             account_id=await db(store.account_of_conversation, cid), detail={"to": user.username})
    await handover_notices.announce(app.ctx.rasa, cid, user.display_name, handover.JOINED)
    return {"conversation_id": cid, "username": user.username}


async def assign_loop(app: Any, poll_seconds: float) -> None:
    while True:
        try:
            while await assign_once(app):
                pass
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must outlive a bad round; the reason is logged
            logger.exception("auto-assign round failed")
        await asyncio.sleep(poll_seconds)
