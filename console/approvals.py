"""Supervisors' approvals of personalised (hardship) plans (issue 12): the
plans cardholders submitted, with their stated budget and the exact figures,
to approve or reject with a reason. Either decision is recorded with its
audit row, closes the hand-over that waited for it, tells the cardholder on
their own channel and hands the conversation back to the assistant
(bot/services/hardship.py through console/service.py).

A blueprint of its own, registered by console/app.py:

- ``GET  /approvals``                          the page (supervisors)
- ``GET  /api/approvals``                      the pending plans
- ``POST /api/arrangements/<id>/reject``       ``{"reason": "…"}`` (required)

Approving is ``POST /api/arrangements/<id>/approve`` (console/routes/api.py).

The campaign's final notices held for approval are on the same page, decided
through the campaign's own functions (bot/campaign/final_notices.py):

- ``GET  /api/approvals/final-notices``        the held notices
- ``POST /api/final-notices/approve``          ``{"account_id": "…"}``: sent by the next campaign run
- ``POST /api/final-notices/reject``           ``{"account_id": "…", "reason": "…"}``: not sent this cycle
"""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from console import store
from console.routes.common import as_json, body, guarded, page_values, remote, render, service
from console.service import db
from console.store import ConsoleError

PERMISSION = "approve"  # supervisors (console/auth.PERMISSIONS)

bp = Blueprint("console_approvals")


@bp.get("/approvals")
@guarded(PERMISSION, page=True)
async def approvals_page(request: Request) -> HTTPResponse:
    return response.html(render("approvals.html", **page_values(request)))


@bp.get("/api/approvals")
@guarded(PERMISSION)
async def pending(request: Request) -> HTTPResponse:
    return as_json(await service(request).pending_plans())


@bp.post("/api/arrangements/<arrangement_id:int>/reject")
@guarded(PERMISSION)
async def reject(request: Request, arrangement_id: int) -> HTTPResponse:
    reason = str(body(request).get("reason") or "")
    return as_json(await service(request).reject(arrangement_id, reason, request.ctx.actor))


# -- the campaign's final notices ---------------------------------------------


def _account_id(data) -> str:
    account_id = str(data.get("account_id") or "").strip()
    if not account_id or len(account_id) > 64:
        raise ConsoleError("请指定账户。", 400)
    return account_id


@bp.get("/api/approvals/final-notices")
@guarded(PERMISSION)
async def pending_final_notices(request: Request) -> HTTPResponse:
    from bot.campaign import final_notices

    return as_json({"items": await db(final_notices.pending, clock.today())})


@bp.post("/api/final-notices/approve")
@guarded(PERMISSION)
async def approve_final_notice(request: Request) -> HTTPResponse:
    from bot.campaign import final_notices
    from bot.campaign.config import load_settings

    account_id, user = _account_id(body(request)), request.ctx.actor.user
    campaign = load_settings().campaign

    def unit(s):
        try:
            result = final_notices.approve(s, account_id, user.username, clock.today(), campaign)
        except final_notices.ApprovalError as exc:
            raise ConsoleError(str(exc), 409) from None
        store.audit(s, user, "approve_final_notice", account_id=account_id, remote_addr=remote(request),
                    detail={"created": result["created"]})
        return result

    return as_json(await db(unit))


@bp.post("/api/final-notices/reject")
@guarded(PERMISSION)
async def reject_final_notice(request: Request) -> HTTPResponse:
    from bot.campaign import final_notices

    data = body(request)
    account_id, user = _account_id(data), request.ctx.actor.user
    reason = str(data.get("reason") or "")

    def unit(s):
        try:
            result = final_notices.reject(s, account_id, user.username, reason)
        except final_notices.ApprovalError as exc:
            raise ConsoleError(str(exc), 409) from None
        store.audit(s, user, "reject_final_notice", account_id=account_id, remote_addr=remote(request),
                    detail={"cycle": result["cycle"], "reason": result["reason"]})
        return result

    return as_json(await db(unit))
