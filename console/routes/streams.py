"""Live updates as server-sent events: the queue and one conversation.
Each stream polls a cheap signature and sends the full payload only when
it changed (a ping every 15 s otherwise), until CONSOLE_STREAM_SECONDS."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable

from sanic import Blueprint
from sanic.request import Request

from console import inbox_store, store
from console.routes.api import conversation_detail, oncall_setting, queue_payload
from console.routes.common import dumps, guarded
from console.service import db
from console.store import ConsoleError

bp = Blueprint("console_streams")


async def stream(request: Request, signature: Callable, payload: Callable[[], Awaitable[Any]]) -> None:
    settings = request.app.ctx.settings
    resp = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    await resp.send("retry: 1500\n\n")
    last = None
    last_sent = time.monotonic()
    deadline = time.monotonic() + settings.stream_seconds
    while time.monotonic() < deadline:
        current = await db(signature)
        if current != last:
            try:
                data = await payload()
            except ConsoleError as exc:
                data = {"error": exc.message}
                current = None  # try again next round
            await resp.send(f"event: update\ndata: {dumps(data)}\n\n")
            last, last_sent = current, time.monotonic()
        elif time.monotonic() - last_sent > 15:
            await resp.send(": ping\n\n")
            last_sent = time.monotonic()
        await asyncio.sleep(settings.poll_seconds)
    await resp.eof()


@bp.get("/api/queue/stream")
@guarded("view")
async def queue_stream(request: Request):
    user = request.ctx.actor.user
    view = inbox_store.parse_view(request.args.get("view"))

    async def payload():
        return await db(queue_payload(user, view))

    oncall, _ = oncall_setting()

    def signature(s):
        return store.inbox_signature(s, oncall)

    await stream(request, signature, payload)


@bp.get("/api/conversations/<conversation_id:str>/stream")
@guarded("view")
async def conversation_stream(request: Request, conversation_id: str):
    user = request.ctx.actor.user

    def signature(s):
        return store.conversation_signature(s, conversation_id, store.account_of_conversation(s, conversation_id))

    async def payload():
        return await conversation_detail(request, conversation_id, user)

    await stream(request, signature, payload)
