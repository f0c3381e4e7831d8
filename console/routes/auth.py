"""Health checks, sign-in (with its double-submit CSRF cookie and the
throttle, console/throttle.py) and sign-out."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.text import clean_text, is_clean
from bot.settings import get_settings
from console import auth, store
from console import throttle as login_throttle
from console.routes.common import http_limits
from console.routes.common import (
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, as_json, guarded, remote, render, safe_next, same_origin, set_cookie,
)
from console.service import db

bp = Blueprint("console_auth")


@bp.get("/health")
async def health(_: Request) -> HTTPResponse:
    return as_json({"status": "ok"})


@bp.get("/healthz")
async def healthz(_: Request) -> HTTPResponse:
    return as_json({"status": "ok"})  # liveness: the process serves HTTP


@bp.get("/readyz")
async def readyz(_: Request) -> HTTPResponse:
    # Readiness: the console is useless without its database.
    try:
        problem = await asyncio.wait_for(asyncio.to_thread(http_limits.readiness_problem), 3.0)
    except asyncio.TimeoutError:
        problem = "database: timeout"
    if problem:
        return as_json({"status": "unavailable", "checks": {"database": problem}}, 503)
    return as_json({"status": "ok", "checks": {"database": "ok"}})


def login_form(request: Request, error: str, status: int = 200) -> HTTPResponse:
    token = auth.new_token()
    nxt = request.form.get("next") if request.method == "POST" else request.args.get("next")
    resp = response.html(
        render("login.html", csrf=token, error=error, next=safe_next(nxt), bank=get_settings().bank_name),
        status=status,
    )
    set_cookie(request, resp, LOGIN_CSRF_COOKIE, token, 600)
    return resp


def throttled(request: Request, wait) -> HTTPResponse:
    resp = login_form(request, f"登录失败次数过多，请{login_throttle.wait_text(wait)}后再试。", 429)
    resp.headers["Retry-After"] = str(max(1, int(wait.total_seconds() + 0.999)))
    return resp


@bp.get("/login")
async def login_page(request: Request) -> HTTPResponse:
    if request.ctx.session is not None:
        return response.redirect("/queue")
    return login_form(request, "")


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    throttle: login_throttle.LoginThrottle = request.app.ctx.login_throttle
    if not same_origin(request) or not auth.same(
        request.form.get("csrf_token") or "", request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    ):
        return login_form(request, "页面已过期，请重新登录。", 403)
    given_name = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    # A name or password with a lone surrogate or NUL matches nobody (and
    # scrypt could not even encode it): a failed sign-in, not a repaired one.
    malformed = not (is_clean(given_name) and is_clean(password))
    username = clean_text(given_name)
    addr = remote(request)
    address = addr or "unknown"
    # Wall-clock time, not the business clock (COLLECTBOT_NOW may pin
    # that for a demo): a back-off must expire.
    now = datetime.now(timezone.utc)
    wait = throttle.retry_after(username, address, now)
    if wait is not None:
        # Refused without looking at the password: guessing gains nothing here.
        if throttle.refused(username, address):
            await db(store.audit, None, "login_throttled", username=username, remote_addr=addr,
                     detail={"retry_after_seconds": int(wait.total_seconds())})
        return throttled(request, wait)

    def unit(s):
        user = None if malformed else store.authenticate(s, username, password)
        if user is None:
            store.audit(s, None, "login_failed", username=username, remote_addr=addr,
                        detail={"malformed": True} if malformed else None)
            return None
        token, _csrf = store.create_session(s, user.id, settings.session_ttl)
        store.audit(s, user, "login", remote_addr=addr)
        return token

    token = await db(unit)
    if token is None:
        throttle.failed(username, address, now)
        wait = throttle.retry_after(username, address, now)
        if wait is not None:
            return throttled(request, wait)
        return login_form(request, "用户名或密码不正确。", 401)
    throttle.succeeded(username, address)
    resp = response.redirect(safe_next(request.form.get("next")) or "/queue")
    set_cookie(request, resp, SESSION_COOKIE, token, int(settings.session_ttl.total_seconds()))
    del resp.cookies[LOGIN_CSRF_COOKIE]
    return resp


@bp.post("/logout")
@guarded("view")
async def logout(request: Request) -> HTTPResponse:
    session = request.ctx.session

    def unit(s):
        store.revoke_session(s, session.id)
        store.audit(s, session.user, "logout", remote_addr=remote(request))

    await db(unit)
    resp = response.redirect("/login")
    del resp.cookies[SESSION_COOKIE]
    return resp
