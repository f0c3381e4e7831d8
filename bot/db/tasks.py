"""Agent tasks: whom to call (campaign stage 3), which broken promises to
follow up, who needs help with verification. The campaign runner, the
payments import and the bot open them (``open_agent_task``, once per
idempotency key); the console lists and closes them (console/tasks.py);
``collectbot campaign tasks`` lists them (``agent_tasks``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AgentTask


@dataclass(frozen=True)
class TaskView:
    id: int
    account_id: str
    kind: str
    stage: Optional[str]
    description: str
    status: str
    created_at: Optional[datetime]


def _view(t: AgentTask) -> TaskView:
    return TaskView(t.id, t.account_id, t.kind, t.stage, t.description, t.status, t.created_at)


def open_agent_task(s: Session, account_id: str, kind: str, description: str, idempotency_key: str,
                    stage: Optional[str] = None) -> bool:
    """Add a task for a person unless one with this key exists; True if added."""
    if s.execute(select(AgentTask.id).where(AgentTask.idempotency_key == idempotency_key)).first() is not None:
        return False
    s.add(AgentTask(account_id=account_id, kind=kind, stage=stage, description=description, status="open",
                    idempotency_key=idempotency_key))
    s.flush()
    return True


def agent_tasks(s: Session, include_done: bool = False) -> List[Tuple[str, str, str, str, datetime]]:
    """(account_id, kind, status, description, created_at) of the tasks for
    people, oldest first; only the open ones unless ``include_done``."""
    query = select(AgentTask).order_by(AgentTask.created_at, AgentTask.id)
    if not include_done:
        query = query.where(AgentTask.status == "open")
    return [(t.account_id, t.kind, t.status, t.description, t.created_at) for t in s.execute(query).scalars()]


def open_tasks(s: Session, limit: int = 500) -> List[TaskView]:
    """Open tasks, oldest first."""
    rows = s.execute(
        select(AgentTask).where(AgentTask.status == "open").order_by(AgentTask.created_at, AgentTask.id).limit(limit)
    ).scalars()
    return [_view(t) for t in rows]


def get_task(s: Session, task_id: int) -> Optional[TaskView]:
    task = s.get(AgentTask, task_id)
    return _view(task) if task is not None else None


def mark_done(s: Session, task_id: int, now: datetime) -> bool:
    """Close an open task; False if it does not exist or is not open."""
    task = s.get(AgentTask, task_id)
    if task is None or task.status != "open":
        return False
    task.status = "done"
    task.done_at = now
    s.flush()
    return True
