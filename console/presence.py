"""The agents' own status (在线 / 忙碌 / 离开) and the assignment of new
hand-overs to available agents (issue 14).

Statuses are rows (``console_agent_presence``, console/models.py), not this
process's memory: a console restart keeps each agent's status, and several
console processes behind one address agree on it. An agent who never chose
one is 离开 (away), which assigns nothing - the safe side. Every change of
status writes its audit row in the same transaction.

A stale 在线. An agent who closes the laptop lid or loses the network never
says 离开; their status would stay 在线 and auto-assignment would keep
handing them cardholders nobody reads - the worst outcome for a crisis.
So the console's live streams (console/routes/streams.py, open on the
queue and conversation pages) record that the agent's console was seen
(at most every SEEN_EVERY_SECONDS), and an 在线 agent not seen for
STALE_AFTER_SECONDS counts as 离开 for auto-assignment. The stored status
is left as the agent chose it: when they come back their pages are seen
again and assignment resumes without them having to say so. Five minutes
is many stream reconnects (CONSOLE_STREAM_SECONDS, 45 s) and a browser's
reconnect back-off, yet short against the hand-over SLA. The times are the
wall clock (bot.clock.wall_now), never the pinned COLLECTBOT_NOW.

Auto-assignment runs in the console's own loop: every CONSOLE_POLL_SECONDS
the oldest waiting, unclaimed hand-over (a crisis first, the queue's own
order) goes to the available 在线 agent with the fewest live claims, below
MAX_AUTO_CLAIMS; the claim is the ordinary one (console/service.py: the
conversation paused, the audit row) with an ``auto_assign`` audit row, and
the web chat cardholder is told who joined. An agent who is 忙碌 or 离开
gets nothing new; nobody online, nothing is assigned and the queue waits as
before. With several console processes each runs the loop; a conversation
claimed by one is refused to the other by the live-claim index.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from bot import clock
from bot.core import handover
from console import auth, handover_notices, store
from console.models import PRESENCE_STATUSES
from console.service import Actor, db
from console.store import ConsoleError, UserView

logger = logging.getLogger(__name__)

ONLINE, BUSY, AWAY = PRESENCE_STATUSES
STATUS_LABELS = {ONLINE: "在线", BUSY: "忙碌", AWAY: "离开"}
MAX_AUTO_CLAIMS = 3
STALE_AFTER_SECONDS = 5 * 60
SEEN_EVERY_SECONDS = 30


def status_of(s, user_id: int) -> str:
    """The status the agent chose (离开 if never)."""
    return store.presence_status(s, user_id) or AWAY


def set_status(s, user: UserView, status: str, remote_addr: Optional[str] = None) -> str:
    """The agent's own choice, stored with its audit row (one unit of work)."""
    if status not in STATUS_LABELS:
        raise ConsoleError("状态只能是在线、忙碌或离开。", 400)
    if not auth.allowed(user.role, "act"):
        raise ConsoleError("只有专员和主管可以接收会话。", 403)
    store.set_presence(s, user.id, status, clock.wall_now())
    store.audit(s, user, "status", detail={"status": status, "label": STATUS_LABELS[status]},
                remote_addr=remote_addr)
    return status


def seen(s, user_id: int, now: Optional[datetime] = None) -> None:
    """The agent's console is open (a live stream's round); written rarely."""
    now = now or clock.wall_now()
    store.mark_presence_seen(s, user_id, now, now - timedelta(seconds=SEEN_EVERY_SECONDS))


def available(s, now: Optional[datetime] = None) -> List[int]:
    """Agents who may be given a new hand-over: 在线, and seen lately."""
    now = now or clock.wall_now()
    return store.present_user_ids(s, ONLINE, now - timedelta(seconds=STALE_AFTER_SECONDS))


def pick(s) -> Optional[Dict[str, Any]]:
    """(conversation, agent) for the next assignment, or None. One unit of work."""
    online = available(s)
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
    choice = await db(pick)
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
