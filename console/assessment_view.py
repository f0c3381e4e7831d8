"""Willing and able in the console (issue 13): the account panel agents
read (both scores, bands, reasons, evasion signals, history) and the
supervisors' overview (segment mix over time, kept rate by segment and its
treatment, signal counts, the treatment table).

A blueprint of its own; console/app.py registers it with
``app.blueprint(assessment_view.bp)``.

- ``GET /assessment/account/<account_id>``       the account panel (agents, supervisors)
- ``GET /api/accounts/<account_id>/assessment``  its data
- ``GET /assessment``                             the overview page (supervisors)
- ``GET /api/assessment/overview?days=N``         its data

Trainers do not get these: reasons and signals carry amounts and the tail
of phone numbers. Signals are shown as what they are - observations for a
person, never decisions, never said to the cardholder.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.core import assessment as core
from bot.core import evasion
from bot.core.text import clean_text
from console.routes.common import as_json, error, guarded, page_values, render
from console.service import db

VIEW = "act"  # agents and supervisors (console/auth.PERMISSIONS)
OVERVIEW = "audit"  # supervisors
MAX_ACCOUNT_ID = 64
MAX_DAYS = 365

bp = Blueprint("console_assessment")


def _account_ref(raw: str) -> Optional[str]:
    from urllib.parse import unquote

    value = clean_text(unquote(raw or "")).strip()
    return value if value and len(value) <= MAX_ACCOUNT_ID else None


def account_assessment(s, account_ref: str, today: date, history_limit: int = 20) -> Optional[Dict[str, Any]]:
    """The panel's data: the stored assessment (scored now, without storing,
    when none is stored yet), its history and the labels."""
    from bot.db import assessments
    from bot.db.account_ids import resolve

    account_id = resolve(s, account_ref)
    if account_id is None:
        return None
    current = assessments.latest(s, account_id)
    if current is not None:
        data = current.as_dict()
        data["stored"] = True
    else:
        ev = assessments.load_evidence(s, account_id, today)
        a = core.assess(ev)
        data = {
            "as_of": today.isoformat(),
            "willingness": {"score": a.willingness.value, "band": a.willingness.band,
                            "band_label": core.BAND_LABELS[a.willingness.band]},
            "ability": {"score": a.ability.value, "band": a.ability.band,
                        "band_label": core.BAND_LABELS[a.ability.band]},
            "segment": a.segment,
            "segment_label": core.SEGMENT_LABELS[a.segment],
            "keep_probability": core.rule_keep_probability(a),
            "scorer": "rules",
            "reasons": [{"dimension": r.dimension, "direction": r.direction, "weight": round(r.weight, 3),
                         "text": r.text} for r in a.willingness.reasons + a.ability.reasons],
            "signals": [sig.as_dict() for sig in evasion.signals(ev)],
            "trigger": None,
            "created_at": None,
            "stored": False,
        }
    data["account_id"] = account_id
    data["treatment"] = _treatment_summary(data["segment"])
    data["not_a_decision"] = evasion.NOT_A_DECISION
    data["history"] = [
        {"created_at": h.created_at.isoformat(), "as_of": h.as_of.isoformat(),
         "willingness": h.willingness_score, "willingness_band_label": core.BAND_LABELS[h.willingness_band],
         "ability": h.ability_score, "ability_band_label": core.BAND_LABELS[h.ability_band],
         "segment_label": core.SEGMENT_LABELS[h.segment], "signals": len(h.signals), "trigger": h.trigger,
         "trigger_label": assessments.trigger_label(h.trigger)}
        for h in assessments.history(s, account_id, history_limit)
    ]
    return data


def _treatment_summary(segment: str) -> Optional[str]:
    from bot.assessment import treatments

    try:
        return treatments.load()[segment].summary()
    except treatments.TreatmentConfigError:
        return None


@bp.get("/assessment/account/<account_id>")
@guarded(VIEW, page=True)
async def account_page(request: Request, account_id: str) -> HTTPResponse:
    ref = _account_ref(account_id)
    return response.html(render("assessment_account.html", account_id=ref or "", **page_values(request)))


@bp.get("/api/accounts/<account_id>/assessment")
@guarded(VIEW)
async def account_data(request: Request, account_id: str) -> HTTPResponse:
    ref = _account_ref(account_id)
    if ref is None:
        return error("找不到该账户。", 404)
    data = await db(account_assessment, ref, clock.today())
    if data is None:
        return error("找不到该账户。", 404)
    return as_json(data)


@bp.get("/assessment")
@guarded(OVERVIEW, page=True)
async def overview_page(request: Request) -> HTTPResponse:
    return response.html(render("assessment_overview.html", **page_values(request)))


@bp.get("/api/assessment/overview")
@guarded(OVERVIEW)
async def overview_data(request: Request) -> HTTPResponse:
    try:
        days = int(request.args.get("days", "56"))
    except ValueError:
        return error("days 必须是整数。", 400)
    days = max(1, min(MAX_DAYS, days))
    from bot.assessment.overview import overview

    return as_json(await db(overview, clock.today(), days))
