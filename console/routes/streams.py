"""Live updates as server-sent events: the queue and one conversation.
Each stream polls a cheap signature and sends the full payload only when
it changed (a ping every 15 s otherwise), until CONSOLE_STREAM_SECONDS.
A stream may also carry a small side state, sent as its own event when it
changes: the conversation's ``typing`` (the cardholder is typing, from the
web chat channel through the database, bot/db/typing_signals.py). Every
round also tells console/presence.py the agent's console is still open."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request

from bot.db import typing_signals
from console import inbox_store, presence, store
from console.routes.api import conversation_detail, oncall_setting, queue_payload
from console.routes.common import dumps, guarded
from console.service import db
from console.store import ConsoleError

bp = Blueprint("console_streams")


async def stream(request: Request, signature: Callable, payload: Callable[[], Awaitable[Any]],
                 side: Optional[Tuple[str, Callable]] = None) -> None:
    """``side``: (event name, unit of work) - a small state read with the
    signature each round and sent as that event whenever it changes."""
    settings = request.app.ctx.settings
    user_id = request.ctx.actor.user.id
    side_event, side_state = side or ("", lambda s: None)

    def look(s):
        presence.seen(s, user_id)  # the agent's console is open (stale 在线, console/presence.py)
        return signature(s), side_state(s)

    resp = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    await resp.send("retry: 1500\n\n")
    last = None
    last_side: Any = object()
    last_sent = time.monotonic()
    deadline = time.monotonic() + settings.stream_seconds
    while time.monotonic() < deadline:
        current, current_side = await db(look)
        if current != last:
            try:
                data = await payload()
            except ConsoleError as exc:
                data = {"error": exc.message}
                current = None  # try again next round
            await resp.send(f"event: update\ndata: {dumps(data)}\n\n")
            last, last_sent = current, time.monotonic()
        if side and current_side != last_side:  # after the page's own update, which it draws first
            await resp.send(f"event: {side_event}\ndata: {dumps(current_side)}\n\n")
            last_side, last_sent = current_side, time.monotonic()
        if time.monotonic() - last_sent > 15:
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

    def typing(s):
        return {"cardholder_typing": typing_signals.is_typing(s, conversation_id)}

    await stream(request, signature, payload, side=("typing", typing))
