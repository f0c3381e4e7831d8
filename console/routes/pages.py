"""The HTML shells (console/templates) and our own static files."""
from __future__ import annotations

import re

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import store, trainer_view
from console.routes.common import STATIC, guarded, page_values, remote, render
from console.service import db

bp = Blueprint("console_pages")
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@bp.get("/")
async def index(request: Request) -> HTTPResponse:
    return response.redirect("/queue")


@bp.get("/queue")
@guarded("view", page=True)
async def queue_page(request: Request) -> HTTPResponse:
    return response.html(render("queue.html", **page_values(request)))


@bp.get("/conversations/<conversation_id:str>")
@guarded("view", page=True)
async def conversation_page(request: Request, conversation_id: str) -> HTTPResponse:
    await db(
        store.audit, request.ctx.actor.user, "view_conversation", conversation_id=conversation_id,
        remote_addr=remote(request),
    )
    # The id as the user gave it: a trainer's reference stays a reference.
    shown = request.ctx.conversation_ref
    heading = await db(store.conversation_heading, conversation_id)
    if request.ctx.actor.user.role in trainer_view.MASKED_ROLES:
        who = "持卡人"  # trainers never see who the cardholder is
    else:
        who = heading["name"] or "未关联账户"
    title = " · ".join(p for p in ("会话", who, heading["channel_label"]) if p)
    return response.html(render("conversation.html", conversation_id=shown, title=title, **page_values(request)))


@bp.get("/audit")
@guarded("audit", page=True)
async def audit_page(request: Request) -> HTTPResponse:
    return response.html(render("audit.html", **page_values(request)))


@bp.get("/static/<name:str>")
async def static_file(request: Request, name: str) -> HTTPResponse:
    # Only our own files, by a plain name: no path, no NUL, no name the
    # file system refuses (a 3,000-character name raised OSError: 500).
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", name):
        return response.text("Not Found", status=404)
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file() or path.suffix not in STATIC_TYPES:
        return response.text("Not Found", status=404)
    return await response.file(path, mime_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "no-cache"})
