"""The agent console: a Sanic app of its own (``python -m console``).

Pages are plain HTML shells (console/templates) whose few server-side
values are HTML-escaped; everything else is rendered in the browser from
the JSON API with ``textContent``, so no cardholder text is ever HTML.
No CDN: the CSS and JS are in console/static.

Security, on every request:

- the session cookie (HttpOnly, SameSite=Strict, Secure) maps to a row in
  ``console_sessions`` (only the token's hash is stored);
- every route declares the permission it needs (console/auth.PERMISSIONS):
  not signed in → 302 to the sign-in page (pages) or 401 (API); wrong role
  → 403;
- every state-changing request carries the session's CSRF token
  (``X-CSRF-Token`` header or ``csrf_token`` form field) → else 403; a
  foreign ``Origin`` → 403; the sign-in form uses a double-submit cookie;
- strict Content-Security-Policy (only our own scripts), no framing.

Every agent action writes an audit row (console/store.audit) in the same
transaction as the action itself.
"""
from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import re
import time
from datetime import datetime, timezone
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import quote, unquote, urlsplit

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock, http_limits
from bot.core.text import clean_text, clean_value, is_clean
from bot.observability import metrics
from bot.settings import get_settings
from console import auth, store
from console import throttle as login_throttle
from console.rasa_api import RasaClient
from console import trainer_view
from console.service import Actor, ConsoleService, db
from console.settings import ConsoleSettings
from console.store import ConsoleError

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SESSION_COOKIE = "collectbot_console"
LOGIN_CSRF_COOKIE = "collectbot_console_login"
CSRF_HEADER = "x-csrf-token"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it Chromium sends "Origin: null" on form posts,
    # and the Origin check below would refuse our own sign-in form.
    "Referrer-Policy": "same-origin",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_APP_COUNTER = 0
MAX_CONVERSATION_ID = 128  # the column width of every conversation_id (console/models.py)


def render(name: str, **values: Any) -> str:
    """Fill ``{{ name }}`` placeholders, every value HTML-escaped."""
    template = (TEMPLATES / name).read_text(encoding="utf-8")

    def fill(match: "re.Match[str]") -> str:
        return html.escape(str(values.get(match.group(1), "")), quote=True)

    return _PLACEHOLDER.sub(fill, template)


def dumps(data: Any) -> str:
    """JSON for a response or a stream: stored text that predates cleaning
    at the door (a lone surrogate in the tracker store or the contact log)
    is repaired here instead of failing the whole answer with a 500."""
    return json.dumps(clean_value(data), ensure_ascii=False, default=str)


def _json(data: Any, status: int = 200) -> HTTPResponse:
    return response.json(data, status=status, dumps=dumps)


def _error(message: str, status: int) -> HTTPResponse:
    return _json({"error": message}, status)


def _remote(request: Request) -> Optional[str]:
    return request.remote_addr or request.ip


def _same_origin(request: Request) -> bool:
    """A browser's Origin, when sent, must be this server (no cross-site posts)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser, or an old one: the CSRF token still applies
    return urlsplit(origin).netloc == (request.headers.get("host") or "") and origin != "null"


def _csrf_ok(request: Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if not given and (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        given = request.form.get("csrf_token")
    return auth.same(given or "", expected)


def create_app(settings: ConsoleSettings, rasa: Optional[RasaClient] = None) -> Sanic:
    global _APP_COUNTER
    _APP_COUNTER += 1
    app = Sanic(f"collectbot_console_{_APP_COUNTER}")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Input limits (bot/http_limits.py): a body over CONSOLE_MAX_BODY_BYTES is
    # refused by Sanic (413) while it is read; JSON deeper than
    # COLLECTBOT_MAX_JSON_DEPTH or malformed gets a 400 before any handler.
    input_limits = http_limits.Limits(
        max_body_bytes=int(os.environ.get("CONSOLE_MAX_BODY_BYTES") or 65536),
        max_json_depth=http_limits.Limits.from_env().max_json_depth,
    )
    app.config.REQUEST_MAX_SIZE = input_limits.max_body_bytes
    if settings.proxies_count > 0:
        app.config.PROXIES_COUNT = settings.proxies_count
    app.ctx.settings = settings
    app.ctx.rasa = rasa or RasaClient(settings.rasa_url, settings.rasa_token)
    app.ctx.service = ConsoleService(app.ctx.rasa)
    service: ConsoleService = app.ctx.service
    throttle = login_throttle.LoginThrottle()
    # GET /metrics and request timing (bot/observability/metrics.py).
    metrics.install_sanic(app, add_route=True)

    @app.listener("after_server_stop")
    async def close_rasa(app_, _loop) -> None:
        await app_.ctx.rasa.close()

    # -- middleware -------------------------------------------------------

    @app.on_request
    async def limit_input(request: Request) -> Optional[HTTPResponse]:
        request.ctx.session = None
        if request.method in ("POST", "PUT", "PATCH") and (request.content_type or "").startswith("application/json"):
            try:
                # Cleaned at the door: nothing a client sends stores a lone
                # surrogate or NUL (bot/core/text.py).
                request.parsed_json = clean_value(http_limits.parse_json(request.body or b"{}", input_limits))
            except http_limits.InputError as exc:
                return _error(exc.message, exc.status)
        return None

    @app.on_request
    async def load_session(request: Request) -> None:
        request.ctx.session = None
        if request.path.startswith("/static/") or request.path in ("/health", "/healthz", "/readyz"):
            return
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            request.ctx.session = await db(store.load_session, token)

    @app.on_response
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)
        if not request.path.startswith("/static/"):
            resp.headers.setdefault("Cache-Control", "no-store")

    @app.exception(ConsoleError)
    async def console_error(request: Request, exc: ConsoleError) -> HTTPResponse:
        return _error(exc.message, exc.status)

    def set_cookie(resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = max_age
        if settings.secure_cookies:
            cookie["secure"] = True

    # -- the guard on every route -----------------------------------------

    def guarded(permission: str, page: bool = False):
        def decorate(handler: Callable[..., Awaitable[HTTPResponse]]):
            @wraps(handler)
            async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                session = request.ctx.session
                if session is None:
                    if page:
                        return response.redirect("/login?next=" + quote(request.path, safe="/"))
                    return _error("请先登录。", 401)
                if request.method not in ("GET", "HEAD"):
                    if not _same_origin(request):
                        return _error("请求来源不符，已拒绝。", 403)
                    if not _csrf_ok(request, session.csrf_token):
                        return _error("安全校验（CSRF）失败，请刷新页面后重试。", 403)
                if not auth.allowed(session.user.role, permission):
                    if page:
                        return response.html(
                            render("forbidden.html", user=session.user.display_name), status=403
                        )
                    return _error(f"您的角色（{session.user.role_label}）无权进行此操作。", 403)
                request.ctx.actor = Actor(session.user, _remote(request))
                for name, value in kwargs.items():
                    # <x:int> takes any digits; SQLite refuses what does not
                    # fit in 64 bits with an OverflowError (issue 16).
                    if isinstance(value, int) and not 0 <= value <= store.MAX_DB_INT:
                        return _error("找不到该记录。", 404)
                if "conversation_id" in kwargs:
                    # Sanic 21.12 hands path parameters over still %-encoded
                    # ("%2B8613..." for an SMS conversation).
                    given = clean_text(unquote(kwargs["conversation_id"]))
                    if not given or len(given) > MAX_CONVERSATION_ID:
                        return _error("找不到该会话。", 404)
                    request.ctx.conversation_ref = given
                    escalation_id = trainer_view.escalation_of_ref(given)
                    if escalation_id is not None:  # a reference from the queue
                        given = await db(store.conversation_of_escalation, escalation_id)
                        if given is None:
                            return _error("找不到该会话。", 404)
                    elif session.user.role in trainer_view.MASKED_ROLES:
                        # Trainers never address a conversation by phone number
                        # or session id: no probing which numbers owe money.
                        return _error("请从待处理队列打开会话。", 404)
                    kwargs["conversation_id"] = given
                return await handler(request, *args, **kwargs)

            return wrapper

        return decorate

    def page_values(request: Request, **extra: Any) -> Dict[str, Any]:
        session = request.ctx.session
        return {
            "user": session.user.display_name,
            "role": session.user.role_label,
            "role_code": session.user.role,
            "csrf": session.csrf_token,
            "bank": get_settings().bank_name,
            **extra,
        }

    # -- sign in / out ----------------------------------------------------

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return _json({"status": "ok"})

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        return _json({"status": "ok"})  # liveness: the process serves HTTP

    @app.get("/readyz")
    async def readyz(_: Request) -> HTTPResponse:
        # Readiness: the console is useless without its database.
        try:
            problem = await asyncio.wait_for(asyncio.to_thread(http_limits.readiness_problem), 3.0)
        except asyncio.TimeoutError:
            problem = "database: timeout"
        if problem:
            return _json({"status": "unavailable", "checks": {"database": problem}}, 503)
        return _json({"status": "ok", "checks": {"database": "ok"}})

    @app.get("/login")
    async def login_page(request: Request) -> HTTPResponse:
        if request.ctx.session is not None:
            return response.redirect("/queue")
        return _login_form(request, "")

    def _login_form(request: Request, error: str, status: int = 200) -> HTTPResponse:
        token = auth.new_token()
        nxt = request.form.get("next") if request.method == "POST" else request.args.get("next")
        resp = response.html(
            render("login.html", csrf=token, error=error, next=_safe_next(nxt), bank=get_settings().bank_name),
            status=status,
        )
        set_cookie(resp, LOGIN_CSRF_COOKIE, token, 600)
        return resp

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        if not _same_origin(request) or not auth.same(
            request.form.get("csrf_token") or "", request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        ):
            return _login_form(request, "页面已过期，请重新登录。", 403)
        given_name = (request.form.get("username") or "").strip()[:64]
        password = request.form.get("password") or ""
        # A name or password with a lone surrogate or NUL matches nobody (and
        # scrypt could not even encode it): a failed sign-in, not a repaired one.
        malformed = not (is_clean(given_name) and is_clean(password))
        username = clean_text(given_name)
        remote = _remote(request)
        address = remote or "unknown"
        # Wall-clock time, not the business clock (COLLECTBOT_NOW may pin
        # that for a demo): a back-off must expire.
        now = datetime.now(timezone.utc)
        wait = throttle.retry_after(username, address, now)
        if wait is not None:
            # Refused without looking at the password: guessing gains nothing here.
            if throttle.refused(username, address):
                await db(store.audit, None, "login_throttled", username=username, remote_addr=remote,
                         detail={"retry_after_seconds": int(wait.total_seconds())})
            return _throttled(request, wait)

        def unit(s):
            user = None if malformed else store.authenticate(s, username, password)
            if user is None:
                store.audit(s, None, "login_failed", username=username, remote_addr=remote,
                            detail={"malformed": True} if malformed else None)
                return None
            token, _csrf = store.create_session(s, user.id, settings.session_ttl)
            store.audit(s, user, "login", remote_addr=remote)
            return token

        token = await db(unit)
        if token is None:
            throttle.failed(username, address, now)
            wait = throttle.retry_after(username, address, now)
            if wait is not None:
                return _throttled(request, wait)
            return _login_form(request, "用户名或密码不正确。", 401)
        throttle.succeeded(username, address)
        resp = response.redirect(_safe_next(request.form.get("next")) or "/queue")
        set_cookie(resp, SESSION_COOKIE, token, int(settings.session_ttl.total_seconds()))
        del resp.cookies[LOGIN_CSRF_COOKIE]
        return resp

    def _throttled(request: Request, wait) -> HTTPResponse:
        resp = _login_form(
            request, f"登录失败次数过多，请{login_throttle.wait_text(wait)}后再试。", 429
        )
        resp.headers["Retry-After"] = str(max(1, int(wait.total_seconds() + 0.999)))
        return resp

    @app.post("/logout")
    @guarded("view")
    async def logout(request: Request) -> HTTPResponse:
        session = request.ctx.session

        def unit(s):
            store.revoke_session(s, session.id)
            store.audit(s, session.user, "logout", remote_addr=_remote(request))

        await db(unit)
        resp = response.redirect("/login")
        del resp.cookies[SESSION_COOKIE]
        return resp

    # -- pages ------------------------------------------------------------

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return response.redirect("/queue")

    @app.get("/queue")
    @guarded("view", page=True)
    async def queue_page(request: Request) -> HTTPResponse:
        return response.html(render("queue.html", **page_values(request)))

    @app.get("/conversations/<conversation_id:str>")
    @guarded("view", page=True)
    async def conversation_page(request: Request, conversation_id: str) -> HTTPResponse:
        await db(
            store.audit, request.ctx.actor.user, "view_conversation", conversation_id=conversation_id,
            remote_addr=_remote(request),
        )
        # The id as the user gave it: a trainer's reference stays a reference.
        shown = request.ctx.conversation_ref
        heading = await db(store.conversation_heading, conversation_id)
        if request.ctx.actor.user.role in trainer_view.MASKED_ROLES:
            who = "持卡人"  # trainers never see who the cardholder is
        else:
            who = heading["name"] or "未关联账户"
        title = " · ".join(p for p in ("会话", who, heading["channel_label"]) if p)
        return response.html(
            render("conversation.html", conversation_id=shown, title=title, **page_values(request))
        )

    @app.get("/audit")
    @guarded("audit", page=True)
    async def audit_page(request: Request) -> HTTPResponse:
        return response.html(render("audit.html", **page_values(request)))

    @app.get("/static/<name:str>")
    async def static_file(request: Request, name: str) -> HTTPResponse:
        # Only our own files, by a plain name: no path, no NUL, no name the
        # file system refuses (a 3,000-character name raised OSError: 500).
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", name):
            return response.text("Not Found", status=404)
        path = (STATIC / name).resolve()
        if path.parent != STATIC or not path.is_file() or path.suffix not in STATIC_TYPES:
            return response.text("Not Found", status=404)
        return await response.file(path, mime_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "no-cache"})

    # -- API: reading -----------------------------------------------------

    def queue_payload(user: store.UserView) -> Callable:
        cfg = get_settings()

        def listing(s, handed_back: bool):
            items = store.queue(
                s, clock.now(), cfg.staffed_hours, cfg.handoff_sla_minutes, user, handed_back=handed_back
            )
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

        def unit(s):
            # Waiting hand-overs; those handed back to the bot are listed
            # apart, only to be closed with an outcome.
            return {"items": listing(s, False), "handed_back": listing(s, True)}

        return unit

    @app.get("/api/me")
    @guarded("view")
    async def me(request: Request) -> HTTPResponse:
        user = request.ctx.actor.user
        return _json(
            {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "permissions": {p: auth.allowed(user.role, p) for p in auth.PERMISSIONS},
            }
        )

    @app.get("/api/queue")
    @guarded("view")
    async def queue(request: Request) -> HTTPResponse:
        return _json(await db(queue_payload(request.ctx.actor.user)))

    @app.get("/api/conversations/<conversation_id:str>")
    @guarded("view")
    async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
        return _json(await service.detail(conversation_id, request.ctx.actor.user))

    @app.get("/api/audit")
    @guarded("audit")
    async def audit_log(request: Request) -> HTTPResponse:
        entries = await db(
            store.audit_entries,
            conversation_id=request.args.get("conversation_id") or None,
            account_id=request.args.get("account_id") or None,
        )
        return _json({"entries": entries})

    # -- API: live updates (server-sent events) ---------------------------

    async def stream(request: Request, signature: Callable, payload: Callable[[], Awaitable[Any]]) -> None:
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

    @app.get("/api/queue/stream")
    @guarded("view")
    async def queue_stream(request: Request):
        user = request.ctx.actor.user

        async def payload():
            return await db(queue_payload(user))

        await stream(request, store.queue_signature, payload)

    @app.get("/api/conversations/<conversation_id:str>/stream")
    @guarded("view")
    async def conversation_stream(request: Request, conversation_id: str):
        user = request.ctx.actor.user

        def signature(s):
            return store.conversation_signature(s, conversation_id, store.account_of_conversation(s, conversation_id))

        async def payload():
            return await service.detail(conversation_id, user)

        await stream(request, signature, payload)

    # -- API: acting ------------------------------------------------------

    def body(request: Request) -> Dict[str, Any]:
        data = request.json if (request.content_type or "").startswith("application/json") else None
        return data if isinstance(data, dict) else {}

    @app.post("/api/conversations/<conversation_id:str>/claim")
    @guarded("act")
    async def claim(request: Request, conversation_id: str) -> HTTPResponse:
        return _json(await service.claim(conversation_id, request.ctx.actor))

    @app.post("/api/conversations/<conversation_id:str>/release")
    @guarded("act")
    async def release(request: Request, conversation_id: str) -> HTTPResponse:
        await service.release(conversation_id, request.ctx.actor)
        return _json({"released": True})

    @app.post("/api/conversations/<conversation_id:str>/reply")
    @guarded("act")
    async def reply(request: Request, conversation_id: str) -> HTTPResponse:
        return _json(await service.reply(conversation_id, str(body(request).get("text") or ""), request.ctx.actor))

    @app.post("/api/conversations/<conversation_id:str>/book")
    @guarded("act")
    async def book(request: Request, conversation_id: str) -> HTTPResponse:
        data = body(request)
        return _json(await service.book(conversation_id, str(data.get("kind") or ""), data, request.ctx.actor))

    @app.post("/api/conversations/<conversation_id:str>/notes")
    @guarded("act")
    async def add_note(request: Request, conversation_id: str) -> HTTPResponse:
        note_id = await service.add_note(conversation_id, str(body(request).get("text") or ""), request.ctx.actor)
        return _json({"note_id": note_id})

    @app.post("/api/conversations/<conversation_id:str>/hand-back")
    @guarded("act")
    async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
        return _json(await service.hand_back(conversation_id, request.ctx.actor))

    @app.post("/api/conversations/<conversation_id:str>/resolve")
    @guarded("act")
    async def resolve(request: Request, conversation_id: str) -> HTTPResponse:
        data = body(request)
        return _json(
            await service.resolve(
                conversation_id, str(data.get("outcome") or ""), str(data.get("note") or ""), request.ctx.actor
            )
        )

    @app.post("/api/arrangements/<arrangement_id:int>/approve")
    @guarded("approve")
    async def approve(request: Request, arrangement_id: int) -> HTTPResponse:
        return _json(await service.approve(arrangement_id, request.ctx.actor))

    # Trainer workbench (console/training/routes.py): review, annotate, export, train, activate.
    from console.training import routes as workbench_routes

    workbench_routes.register(app, guarded, page_values, render, _json, body, _remote)

    # Supervisor reports and final-notice approvals (console/reports.py, issue 6).
    from console import reports as report_routes

    report_routes.register(app, guarded, page_values, render, _json, _remote)

    # Agent tasks under the queue (console/tasks.py, issue 6).
    from console import tasks as task_routes

    task_routes.register(app, guarded, _json, _remote)

    return app


def _safe_next(value: Optional[str]) -> str:
    """Only local paths: never redirect a signed-in agent to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value
