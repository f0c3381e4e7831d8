"""The agent console: a Sanic app of its own (``python -m console``).

Pages are plain HTML shells (console/templates) whose few server-side
values are HTML-escaped; everything else is rendered in the browser from
the JSON API with ``textContent``, so no cardholder text is ever HTML.
No CDN: the CSS and JS are in console/static.

The routes are Sanic blueprints by concern (console/routes: auth, pages,
api, streams; middleware for every request); the workbench, the reports
and the tasks register their own routes. ``create_app`` only wires them.

Security, on every request:

- the session cookie (HttpOnly, SameSite=Strict, Secure) maps to a row in
  ``console_sessions`` (only the token's hash is stored);
- every route declares the permission it needs (console/auth.PERMISSIONS,
  checked by console/routes/common.guarded): not signed in → 302 to the
  sign-in page (pages) or 401 (API); wrong role → 403;
- every state-changing request carries the session's CSRF token
  (``X-CSRF-Token`` header or ``csrf_token`` form field) → else 403; a
  foreign ``Origin`` → 403; the sign-in form uses a double-submit cookie;
- strict Content-Security-Policy (only our own scripts), no framing.

Every agent action writes an audit row (console/store.audit) in the same
transaction as the action itself.
"""
from __future__ import annotations

import logging
from typing import Optional

from sanic import Sanic

from bot.observability import metrics
from bot.settings import ConsoleSettings, Limits, console_max_body_bytes
from console import approvals, assessment_view, canned
from console import throttle as login_throttle
from console.rasa_api import RasaClient
from console.routes import api, auth, common, middleware, pages, streams
from console.routes.common import as_json, body, guarded, page_values, remote, render
from console.service import ConsoleService

logger = logging.getLogger(__name__)

_APP_COUNTER = 0
# Kept for callers that used them from here.
MAX_CONVERSATION_ID = common.MAX_CONVERSATION_ID
_safe_next = common.safe_next


def create_app(settings: ConsoleSettings, rasa: Optional[RasaClient] = None) -> Sanic:
    global _APP_COUNTER
    _APP_COUNTER += 1
    app = Sanic(f"collectbot_console_{_APP_COUNTER}")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Input limits (bot/rasa_server/http_limits.py): a body over CONSOLE_MAX_BODY_BYTES is
    # refused by Sanic (413) while it is read; JSON deeper than
    # COLLECTBOT_MAX_JSON_DEPTH or malformed gets a 400 before any handler.
    input_limits = Limits(max_body_bytes=console_max_body_bytes(), max_json_depth=Limits.from_env().max_json_depth)
    app.config.REQUEST_MAX_SIZE = input_limits.max_body_bytes
    if settings.proxies_count > 0:
        app.config.PROXIES_COUNT = settings.proxies_count
    app.ctx.settings = settings
    app.ctx.rasa = rasa or RasaClient(settings.rasa_url, settings.rasa_token)
    app.ctx.service = ConsoleService(app.ctx.rasa)
    app.ctx.login_throttle = login_throttle.LoginThrottle()
    canned.replies()  # a canned-reply list that breaks its rules stops the console here
    # GET /metrics and request timing (bot/observability/metrics.py).
    metrics.install_sanic(app, add_route=True)

    @app.listener("after_server_stop")
    async def close_rasa(app_, _loop) -> None:
        await app_.ctx.rasa.close()

    middleware.install(app, input_limits)
    for blueprint in (auth.bp, pages.bp, api.bp, streams.bp):
        app.blueprint(blueprint)
    app.blueprint(approvals.bp)  # supervisors' hardship approvals (console/approvals.py)
    app.blueprint(assessment_view.bp)  # willing/able panel and segment overview (issue 13)

    # Trainer workbench (console/training/routes.py): review, annotate, export, train, activate.
    from console.training import routes as workbench_routes

    workbench_routes.register(app, guarded, page_values, render, as_json, body, remote)

    # Supervisor reports and final-notice approvals (console/reports.py, issue 6).
    from console import reports as report_routes

    report_routes.register(app, guarded, page_values, render, as_json, remote)

    # Agent tasks under the queue (console/tasks.py, issue 6).
    from console import tasks as task_routes

    task_routes.register(app, guarded, as_json, remote)

    return app
