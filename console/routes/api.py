"""The JSON API agents read and act through. Every action goes through
console/service.py (database work and its audit row in one transaction);
the inbox additions through console/store.py (transfer, colleagues),
console/inbox_store.py (views) and console/canned.py; what the web chat
cardholder sees of the agent through console/handover_notices.py."""
from __future__ import annotations

import asyncio
import time
from typing import Callable, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.settings import get_settings
from bot.core import handover
from console import auth, canned, handover_notices, inbox_store, presence, store, trainer_view
from console.routes.common import as_json, body, guarded, service
from console.service import db
from console.store import UserView

bp = Blueprint("console_api")


ONCALL_MISSING = (
    "未配置值班主管手机号（COLLECTBOT_ONCALL_PHONE）：非值班时间的危机转接无法短信呼叫值班主管，"
    "请立即联系系统管理员配置。"
)
ONCALL_INVALID = "值班主管手机号（COLLECTBOT_ONCALL_PHONE）格式无效，危机转接无法呼叫值班主管，请立即联系系统管理员。"


def oncall_setting() -> Tuple[Optional[str], Optional[str]]:
    """The on-call number the crisis pages go to, or the loud warning why there is none."""
    from bot.settings import oncall_phone

    try:
        number = oncall_phone()
    except ValueError:
        return None, ONCALL_INVALID
    return number, None if number else ONCALL_MISSING


def queue_payload(user: UserView, view: str = "all") -> Callable:
    """A unit of work: the queue as ``user`` may see it, in one view."""
    cfg = get_settings()

    def listing(s, handed_back: bool):
        items = store.queue(s, clock.now(), cfg.staffed_hours, cfg.handoff_sla_minutes, user, handed_back=handed_back)
        inbox_store.add_last_messages(s, items)
        if user.role in trainer_view.MASKED_ROLES:
            # No phone number or session id: a reference to open it by;
            # summaries quote the cardholder.
            holders = store.cardholder_secrets(s, [i["account_id"] for i in items])
            for n, item in enumerate(items):
                known = holders.get(item["account_id"]) or {"names": [], "secrets": []}
                masked = trainer_view.mask_data(item, known["names"], known["secrets"])
                masked["ref"] = trainer_view.ref_of(min(item["escalation_ids"]))
                items[n] = masked
        return items

    oncall, oncall_warning = oncall_setting()

    def unit(s):
        # Waiting hand-overs, in the asked view; those handed back to the
        # bot are listed apart, only to be closed with an outcome.
        waiting = listing(s, False)
        store.add_oncall_pages(s, waiting, oncall)
        viewed = inbox_store.with_views(waiting, view, user)
        # Whatever the view, a new unclaimed item (a crisis above all) is
        # announced: the desktop notification and the sound (queue.js).
        alerts = [
            {k: i.get(k) for k in ("conversation_id", "ref", "crisis", "reason_labels", "channel_label", "claim")}
            for i in waiting if i.get("claim") is None
        ]
        return {**viewed, "handed_back": listing(s, True), "oncall_warning": oncall_warning, "alerts": alerts}

    return unit


@bp.get("/api/me")
@guarded("view")
async def me(request: Request) -> HTTPResponse:
    user = request.ctx.actor.user
    return as_json(
        {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "permissions": {p: auth.allowed(user.role, p) for p in auth.PERMISSIONS},
        }
    )


@bp.get("/api/me/status")
@guarded("view")
async def my_status(request: Request) -> HTTPResponse:
    user = request.ctx.actor.user

    def unit(s):
        presence.seen(s, user.id)
        return presence.status_of(s, user.id)

    status = await db(unit)
    return as_json({"status": status, "label": presence.STATUS_LABELS[status], "labels": presence.STATUS_LABELS})


@bp.post("/api/me/status")
@guarded("act")
async def set_my_status(request: Request) -> HTTPResponse:
    """在线 / 忙碌 / 离开: only 在线 agents are given new hand-overs (console/presence.py)."""
    actor = request.ctx.actor
    wanted = str(body(request).get("status") or "")
    status = await db(presence.set_status, actor.user, wanted, actor.remote_addr)
    return as_json({"status": status, "label": presence.STATUS_LABELS[status]})


@bp.listener("after_server_start")
async def start_auto_assign(app, _loop) -> None:
    app.ctx.auto_assign = asyncio.create_task(presence.assign_loop(app, app.ctx.settings.poll_seconds))


@bp.listener("before_server_stop")
async def stop_auto_assign(app, _loop) -> None:
    task = getattr(app.ctx, "auto_assign", None)
    if task is not None:
        task.cancel()


@bp.get("/api/queue")
@guarded("view")
async def queue(request: Request) -> HTTPResponse:
    view = inbox_store.parse_view(request.args.get("view"))
    return as_json(await db(queue_payload(request.ctx.actor.user, view)))


async def conversation_detail(request: Request, conversation_id: str, user: UserView):
    """What the conversation page shows: the service's detail, plus whether
    an agent confirmed the cardholder's identity here."""
    # When the reading began: the page drops an answer older than the one it
    # shows (a live update computed before a claim can arrive after it).
    as_of = time.time()
    detail = await service(request).detail(conversation_id, user)
    detail["as_of"] = as_of
    if "state" in detail:
        confirmed = await db(store.identity_confirmation, conversation_id, detail.get("account_id"))
        detail["identity_confirmed_by_agent"] = confirmed
        if confirmed:
            detail["state"]["identity_confirmed"] = True
    # The cardholder's earlier conversations: not for trainers, who see
    # conversations masked and by reference only.
    detail["earlier"] = [] if user.role in trainer_view.MASKED_ROLES else await db(
        store.earlier_conversations, detail.get("account_id"), conversation_id
    )
    return detail


@bp.get("/api/conversations/<conversation_id:str>")
@guarded("view")
async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
    return as_json(await conversation_detail(request, conversation_id, request.ctx.actor.user))


@bp.get("/api/audit")
@guarded("audit")
async def audit_log(request: Request) -> HTTPResponse:
    entries = await db(
        store.audit_entries,
        conversation_id=request.args.get("conversation_id") or None,
        account_id=request.args.get("account_id") or None,
    )
    from console import audit_labels

    return as_json({"entries": audit_labels.readable_entries(entries)})


@bp.get("/api/search")
@guarded("act")
async def search(request: Request) -> HTTPResponse:
    """Conversations by phone (whole, last digits, masked), account or the
    cardholder's words; not for trainers (they work on masked data)."""
    return as_json({"items": await db(store.search, str(request.args.get("q") or ""))})


@bp.get("/api/canned-replies")
@guarded("act")
async def canned_replies(request: Request) -> HTTPResponse:
    return as_json({"items": canned.replies()})


@bp.get("/api/agents")
@guarded("act")
async def agents(request: Request) -> HTTPResponse:
    """Colleagues a conversation can be transferred to."""
    return as_json({"items": await db(store.transfer_targets, request.ctx.actor.user)})


# -- acting ----------------------------------------------------------------


@bp.post("/api/conversations/<conversation_id:str>/claim")
@guarded("act")
async def claim(request: Request, conversation_id: str) -> HTTPResponse:
    actor = request.ctx.actor
    before = await db(store.live_claim, conversation_id)
    result = await service(request).claim(conversation_id, actor)
    if before is None or before["user_id"] != actor.user.id:
        # A person joined: the web chat cardholder sees who (by name).
        warning = await handover_notices.announce(
            request.app.ctx.rasa, conversation_id, actor.user.display_name, handover.JOINED
        )
        result["warning"] = result.get("warning") or warning
    return as_json(result)


@bp.post("/api/conversations/<conversation_id:str>/release")
@guarded("act")
async def release(request: Request, conversation_id: str) -> HTTPResponse:
    actor = request.ctx.actor
    await service(request).release(conversation_id, actor)
    # Still waiting for a person: the cardholder is told this one left.
    warning = await handover_notices.announce(request.app.ctx.rasa, conversation_id, actor.user.display_name, handover.LEFT)
    return as_json({"released": True, "warning": warning})


@bp.post("/api/conversations/<conversation_id:str>/transfer")
@guarded("act")
async def transfer(request: Request, conversation_id: str) -> HTTPResponse:
    actor = request.ctx.actor
    to = str(body(request).get("to") or "")
    result = await db(store.transfer, conversation_id, actor.user, to, actor.remote_addr)
    result["warning"] = await handover_notices.announce(request.app.ctx.rasa, conversation_id, result["to"], handover.JOINED)
    return as_json(result)


@bp.post("/api/conversations/<conversation_id:str>/confirm-identity")
@guarded("act")
async def confirm_identity(request: Request, conversation_id: str) -> HTTPResponse:
    actor = request.ctx.actor
    return as_json(await db(inbox_store.confirm_identity, conversation_id, actor.user, actor.remote_addr))


@bp.post("/api/conversations/<conversation_id:str>/reply")
@guarded("act")
async def reply(request: Request, conversation_id: str) -> HTTPResponse:
    return as_json(await service(request).reply(conversation_id, str(body(request).get("text") or ""), request.ctx.actor))


@bp.post("/api/conversations/<conversation_id:str>/typing")
@guarded("act")
async def typing(request: Request, conversation_id: str) -> HTTPResponse:
    """The agent holding the conversation is typing (or stopped): the web
    chat cardholder sees the dots."""
    await db(store.require_claim, conversation_id, request.ctx.actor.user)
    shown = await handover_notices.typing(request.app.ctx.rasa, conversation_id, bool(body(request).get("typing")))
    return as_json({"shown": shown})


@bp.post("/api/conversations/<conversation_id:str>/book")
@guarded("act")
async def book(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    return as_json(await service(request).book(conversation_id, str(data.get("kind") or ""), data, request.ctx.actor))


@bp.post("/api/conversations/<conversation_id:str>/notes")
@guarded("act")
async def add_note(request: Request, conversation_id: str) -> HTTPResponse:
    note_id = await service(request).add_note(conversation_id, str(body(request).get("text") or ""), request.ctx.actor)
    return as_json({"note_id": note_id})


@bp.post("/api/conversations/<conversation_id:str>/hand-back")
@guarded("act")
async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
    return as_json(await service(request).hand_back(conversation_id, request.ctx.actor))


@bp.post("/api/conversations/<conversation_id:str>/resolve")
@guarded("act")
async def resolve(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    return as_json(
        await service(request).resolve(
            conversation_id, str(data.get("outcome") or ""), str(data.get("note") or ""), request.ctx.actor
        )
    )


@bp.post("/api/arrangements/<arrangement_id:int>/approve")
@guarded("approve")
async def approve(request: Request, arrangement_id: int) -> HTTPResponse:
    return as_json(await service(request).approve(arrangement_id, request.ctx.actor))
