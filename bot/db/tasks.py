"""Agent tasks as the console lists and closes them (console/tasks.py):
whom to call (campaign stage 3) and which broken promises to follow up.
The campaign runner and the payments import create them
(``repository.open_agent_task``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

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
