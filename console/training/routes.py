"""The workbench's pages and JSON API, registered on the console app by
``register`` (called from console/app.create_app with its route guard).

Permissions (console/auth.PERMISSIONS): ``review`` (every role; trainers
see personal data masked), ``annotate`` and ``train`` (trainers and
supervisors), ``activate`` (supervisors only).
"""
from __future__ import annotations

from typing import Any, Callable

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import store, trainer_view
from console.rasa_api import RasaClient, RasaError
from console.service import db
from bot.core.channels import CHANNEL_CHOICES
from console.store import OUTCOME_LABELS, ConsoleError
from console.training import annotate, export, labels, review, runs
from bot.settings import WorkbenchSettings

MASKED_ROLES = trainer_view.MASKED_ROLES


async def put_model(rasa: RasaClient, model_path: str) -> None:
    """Replace the running server's model: ``PUT /model`` (token auth) with a
    local ``model_file``; Rasa answers 204 once the new model is loaded."""
    try:
        await rasa.put_model(model_path)
    except RasaError as exc:
        raise ConsoleError(f"Rasa 服务器未能加载该模型：{exc}", 502) from None


def register(app: Sanic, guarded: Callable, page_values: Callable, render: Callable, as_json: Callable,
             body: Callable, remote: Callable) -> None:
    cfg = WorkbenchSettings.from_env()
    app.ctx.workbench = cfg

    def masked(request: Request) -> bool:
        return request.ctx.actor.user.role in MASKED_ROLES

    # -- pages ------------------------------------------------------------

    @app.get("/workbench")
    @guarded("review", page=True)
    async def workbench_page(request: Request) -> HTTPResponse:
        return response.html(render("workbench/conversations.html", **page_values(request)))

    @app.get("/workbench/inbox")
    @guarded("review", page=True)
    async def workbench_inbox_page(request: Request) -> HTTPResponse:
        return response.html(render("workbench/inbox.html", **page_values(request)))

    @app.get("/workbench/conversations/<ref:int>")
    @guarded("review", page=True)
    async def workbench_conversation_page(request: Request, ref: int) -> HTTPResponse:
        return response.html(render("workbench/conversation.html", **page_values(request, ref=ref)))

    @app.get("/workbench/training")
    @guarded("review", page=True)
    async def workbench_training_page(request: Request) -> HTTPResponse:
        return response.html(render("workbench/training.html", **page_values(request)))

    # -- reading ----------------------------------------------------------

    @app.get("/api/workbench/meta")
    @guarded("review")
    async def workbench_meta(request: Request) -> HTTPResponse:
        from console import auth

        def unit(s):
            return annotate.all_tags(s)

        domain = annotate.load_domain(cfg)
        role = request.ctx.actor.user.role
        return as_json({
            "intents": list(domain.intents),
            "entities": list(domain.entities),
            "intent_descriptions": labels.intent_descriptions(),
            "entity_descriptions": labels.entity_descriptions(),
            "tags": await db(unit),
            # Each channel once (web chat is also "socketio"): a filter on one matches its aliases.
            "channels": CHANNEL_CHOICES,
            "outcomes": OUTCOME_LABELS,
            "masked": masked(request),
            "can": {p: auth.allowed(role, p) for p in ("annotate", "train", "activate")},
        })

    @app.get("/api/workbench/conversations")
    @guarded("review")
    async def workbench_conversations(request: Request) -> HTTPResponse:
        filters = review.Filters.from_args(request.args)
        items = await db(review.list_conversations, cfg, filters, masked(request))
        return as_json({"items": items})

    @app.get("/api/workbench/conversations/<ref:int>")
    @guarded("review")
    async def workbench_conversation(request: Request, ref: int) -> HTTPResponse:
        user, hide = request.ctx.actor.user, masked(request)

        def unit(s):
            detail = review.conversation_detail(s, cfg, ref, hide)
            store.audit(s, user, "review_view_conversation", remote_addr=remote(request),
                        detail={"ref": ref, "masked": hide})
            return detail

        return as_json(await db(unit))

    @app.get("/api/workbench/inbox")
    @guarded("review")
    async def workbench_inbox(request: Request) -> HTTPResponse:
        include_done = request.args.get("include_done") in ("1", "true")
        return as_json({"items": await db(review.inbox, cfg, masked(request), include_done)})

    # -- annotating -------------------------------------------------------

    def writer(fn: Callable, *args: Any) -> Callable:
        async def run(request: Request) -> Any:
            return await db(fn, cfg, request.ctx.actor.user, *args, remote_addr=remote(request))

        return run

    @app.post("/api/workbench/messages/<event_id:int>/annotation")
    @guarded("annotate")
    async def workbench_annotate(request: Request, event_id: int) -> HTTPResponse:
        return as_json(await writer(annotate.save_annotation, event_id, body(request))(request))

    @app.post("/api/workbench/messages/group-annotation")
    @guarded("annotate")
    async def workbench_annotate_group(request: Request) -> HTTPResponse:
        return as_json(await writer(annotate.save_group, body(request))(request))

    @app.post("/api/workbench/messages/<event_id:int>/test-set")
    @guarded("annotate")
    async def workbench_add_to_test_set(request: Request, event_id: int) -> HTTPResponse:
        return as_json(await writer(export.add_to_test_set, event_id)(request))

    @app.post("/api/workbench/conversations/<ref:int>/reviewed")
    @guarded("annotate")
    async def workbench_reviewed(request: Request, ref: int) -> HTTPResponse:
        data = body(request)
        return as_json(await writer(annotate.set_reviewed, ref, bool(data.get("reviewed")), data.get("version"))(request))

    @app.post("/api/workbench/conversations/<ref:int>/tags")
    @guarded("annotate")
    async def workbench_tag(request: Request, ref: int) -> HTTPResponse:
        data = body(request)
        fn = annotate.remove_tag if data.get("remove") else annotate.add_tag
        return as_json({"tags": await writer(fn, ref, data.get("tag"))(request)})

    @app.post("/api/workbench/conversations/<ref:int>/notes")
    @guarded("annotate")
    async def workbench_note(request: Request, ref: int) -> HTTPResponse:
        return as_json(await writer(annotate.add_note, ref, body(request).get("text"))(request))

    # -- closing the loop -------------------------------------------------

    @app.post("/api/workbench/conversations/<ref:int>/story")
    @guarded("annotate")
    async def workbench_story(request: Request, ref: int) -> HTTPResponse:
        user = request.ctx.actor.user
        return as_json(await db(export.export_story, cfg, user, ref, remote_addr=remote(request)))

    @app.get("/api/workbench/export")
    @guarded("annotate")
    async def workbench_export_preview(request: Request) -> HTTPResponse:
        content, report = await db(export.build_nlu, cfg)
        return as_json({**report, "content": content, "file": str(cfg.export_file)})

    @app.post("/api/workbench/export")
    @guarded("annotate")
    async def workbench_export(request: Request) -> HTTPResponse:
        user = request.ctx.actor.user
        return as_json(await db(export.export_nlu, cfg, user, remote_addr=remote(request)))

    @app.get("/api/workbench/runs")
    @guarded("review")
    async def workbench_runs(request: Request) -> HTTPResponse:
        def unit(s):
            return {"runs": runs.list_runs(s, cfg=cfg), "models": runs.models_state(s, cfg)}

        return as_json(await db(unit))

    @app.post("/api/workbench/runs")
    @guarded("train")
    async def workbench_train(request: Request) -> HTTPResponse:
        user = request.ctx.actor.user
        return as_json(await db(runs.start_run, cfg, user, remote_addr=remote(request)))

    @app.get("/api/workbench/runs/<run_id:int>")
    @guarded("review")
    async def workbench_run(request: Request, run_id: int) -> HTTPResponse:
        return as_json(await db(runs.get_run, run_id, cfg))

    @app.post("/api/workbench/runs/<run_id:int>/activate")
    @guarded("activate")
    async def workbench_activate(request: Request, run_id: int) -> HTTPResponse:
        user = request.ctx.actor.user
        plan = await db(runs.check_activation, cfg, run_id)
        await put_model(app.ctx.rasa, plan["model_path"])
        await db(runs.record_activation, user, "activate", plan["model_path"], plan["previous"], run_id,
                 remote_addr=remote(request))
        return as_json(await db(runs.models_state, cfg))

    @app.post("/api/workbench/models/rollback")
    @guarded("activate")
    async def workbench_rollback(request: Request) -> HTTPResponse:
        user = request.ctx.actor.user
        plan = await db(runs.check_rollback)
        await put_model(app.ctx.rasa, plan["model_path"])
        await db(runs.record_activation, user, "rollback", plan["model_path"], plan["previous"], None,
                 remote_addr=remote(request))
        return as_json(await db(runs.models_state, cfg))
