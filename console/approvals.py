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
"""
from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.routes.common import as_json, body, guarded, page_values, render, service

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
