"""Agent tasks in the console: whom to call (campaign stage 3), which
broken promises to follow up, who needs help with verification, which
promises said beside an opt-out to check (kinds and their labels:
bot/core/agent_tasks.py). The campaign runner, the payments import and the
bot create them; agents and supervisors see the open ones under
the queue and mark them done. Trainers do not see them."""
from __future__ import annotations

from typing import Any, Dict, List

from sanic.request import Request
from sqlalchemy.orm import Session

from bot import clock
from bot.core.agent_tasks import KIND_LABELS
from bot.db import tasks as task_queries
from console.store import ConsoleError

TASK_PERMISSION = "act"  # agents and supervisors (console/auth.PERMISSIONS)


def open_tasks(s: Session, limit: int = 500) -> List[Dict[str, Any]]:
    return [
        {
            "id": t.id,
            "account_id": t.account_id,
            "kind": t.kind,
            "kind_label": KIND_LABELS.get(t.kind, t.kind),
            "stage": t.stage,
            "description": t.description,
            "created_at": t.created_at.isoformat() if t.created_at else None,
        }
        for t in task_queries.open_tasks(s, limit)
    ]


def mark_done(s: Session, task_id: int) -> task_queries.TaskView:
    task = task_queries.get_task(s, task_id)
    if task is None:
        raise ConsoleError("找不到该任务。", 404)
    if task.status != "open" or not task_queries.mark_done(s, task_id, clock.now()):
        raise ConsoleError("该任务已处理。", 409)
    return task_queries.get_task(s, task_id)


def register(app, guarded, _json, _remote) -> None:
    """Add the task routes to the console app (called from console/app.py)."""
    from console import store
    from console.service import db

    @app.get("/api/tasks")
    @guarded(TASK_PERMISSION)
    async def list_tasks(request: Request):
        return _json({"items": await db(open_tasks)})

    @app.post("/api/tasks/<task_id:int>/done")
    @guarded(TASK_PERMISSION)
    async def task_done(request: Request, task_id: int):
        actor = request.ctx.actor

        def unit(s):
            task = mark_done(s, task_id)
            store.audit(s, actor.user, "task_done", account_id=task.account_id,
                        detail={"task_id": task.id, "kind": task.kind}, remote_addr=_remote(request))
            return {"id": task.id, "status": task.status}

        return _json(await db(unit))  # ConsoleError → the app's error handler
