"""App-wide request and response hooks: input limits and cleaning, the
session, security headers, ConsoleError as a JSON answer."""
from __future__ import annotations

from typing import Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.text import clean_value
from console import store
from console.routes.common import http_limits
from console.routes.common import SESSION_COOKIE, error
from console.service import db
from console.store import ConsoleError

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it Chromium sends "Origin: null" on form posts,
    # and the Origin check would refuse our own sign-in form.
    "Referrer-Policy": "same-origin",
}
UNSESSIONED = ("/health", "/healthz", "/readyz")


def install(app: Sanic, input_limits: http_limits.Limits) -> None:
    @app.on_request
    async def limit_input(request: Request) -> Optional[HTTPResponse]:
        request.ctx.session = None
        if request.method in ("POST", "PUT", "PATCH") and (request.content_type or "").startswith("application/json"):
            try:
                # Cleaned at the door: nothing a client sends stores a lone
                # surrogate or NUL (bot/core/text.py).
                request.parsed_json = clean_value(http_limits.parse_json(request.body or b"{}", input_limits))
            except http_limits.InputError as exc:
                return error(exc.message, exc.status)
        return None

    @app.on_request
    async def load_session(request: Request) -> None:
        request.ctx.session = None
        if request.path.startswith("/static/") or request.path in UNSESSIONED:
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
        return error(exc.message, exc.status)
