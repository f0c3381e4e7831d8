"""What every console blueprint shares: rendering, JSON answers, the route
guard (sign-in, CSRF, Origin, permission, path parameters) and cookies.

Per-app state lives on ``request.app.ctx`` (settings, the Rasa client, the
service, the sign-in throttle), so the blueprints themselves are plain
module-level objects that ``console.app.create_app`` registers.
"""
from __future__ import annotations

import html
import json
import re
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import quote, unquote, urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.text import clean_text, clean_value

try:  # the Rasa server's plug-ins are moving into bot/rasa_server (issue 15)
    from bot.rasa_server import http_limits
except ImportError:  # pragma: no cover - before the move
    from bot import http_limits  # type: ignore[no-redef]
from bot.settings import get_settings
from console import auth, store, trainer_view
from console.service import Actor, ConsoleService, db

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SESSION_COOKIE = "collectbot_console"
LOGIN_CSRF_COOKIE = "collectbot_console_login"
CSRF_HEADER = "x-csrf-token"
MAX_CONVERSATION_ID = 128  # the column width of every conversation_id (console/models.py)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


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


def as_json(data: Any, status: int = 200) -> HTTPResponse:
    return response.json(data, status=status, dumps=dumps)


def error(message: str, status: int) -> HTTPResponse:
    return as_json({"error": message}, status)


def remote(request: Request) -> Optional[str]:
    return request.remote_addr or request.ip


def body(request: Request) -> Dict[str, Any]:
    data = request.json if (request.content_type or "").startswith("application/json") else None
    return data if isinstance(data, dict) else {}


def service(request: Request) -> ConsoleService:
    return request.app.ctx.service


def same_origin(request: Request) -> bool:
    """A browser's Origin, when sent, must be this server (no cross-site posts)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser, or an old one: the CSRF token still applies
    return urlsplit(origin).netloc == (request.headers.get("host") or "") and origin != "null"


def csrf_ok(request: Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if not given and (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        given = request.form.get("csrf_token")
    return auth.same(given or "", expected)


def safe_next(value: Optional[str]) -> str:
    """Only local paths: never redirect a signed-in agent to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value


def set_cookie(request: Request, resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if request.app.ctx.settings.secure_cookies:
        cookie["secure"] = True


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


def guarded(permission: str, page: bool = False):
    """The guard on every route: signed in, same origin and CSRF token on a
    state-changing request, the role's permission, path parameters in range
    and a conversation addressed the way the role may address it."""

    def decorate(handler: Callable[..., Awaitable[HTTPResponse]]):
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = request.ctx.session
            if session is None:
                if page:
                    return response.redirect("/login?next=" + quote(request.path, safe="/"))
                return error("请先登录。", 401)
            if request.method not in ("GET", "HEAD"):
                if not same_origin(request):
                    return error("请求来源不符，已拒绝。", 403)
                if not csrf_ok(request, session.csrf_token):
                    return error("安全校验（CSRF）失败，请刷新页面后重试。", 403)
            if not auth.allowed(session.user.role, permission):
                if page:
                    return response.html(render("forbidden.html", user=session.user.display_name), status=403)
                return error(f"您的角色（{session.user.role_label}）无权进行此操作。", 403)
            request.ctx.actor = Actor(session.user, remote(request))
            for name, value in kwargs.items():
                # <x:int> takes any digits; SQLite refuses what does not
                # fit in 64 bits with an OverflowError (issue 16).
                if isinstance(value, int) and not 0 <= value <= store.MAX_DB_INT:
                    return error("找不到该记录。", 404)
            if "conversation_id" in kwargs:
                # Sanic 21.12 hands path parameters over still %-encoded
                # ("%2B8613..." for an SMS conversation).
                given = clean_text(unquote(kwargs["conversation_id"]))
                if not given or len(given) > MAX_CONVERSATION_ID:
                    return error("找不到该会话。", 404)
                request.ctx.conversation_ref = given
                escalation_id = trainer_view.escalation_of_ref(given)
                if escalation_id is not None:  # a reference from the queue
                    given = await db(store.conversation_of_escalation, escalation_id)
                    if given is None:
                        return error("找不到该会话。", 404)
                elif session.user.role in trainer_view.MASKED_ROLES:
                    # Trainers never address a conversation by phone number
                    # or session id: no probing which numbers owe money.
                    return error("请从待处理队列打开会话。", 404)
                kwargs["conversation_id"] = given
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorate
