"""Web chat channel: Rasa's socket.io protocol, our WeChat-style widget, app tokens.

Registered in credentials.yml as ``channels.webchat.WebChatInput:``; the
blueprint lives at ``/webhooks/webchat/`` and socket.io at ``socketio_path``
(``/socket.io``), so the widely used Rasa web chat widgets connect unchanged:
``session_request`` → ``session_confirm``, ``user_uttered`` → ``bot_uttered``.

Routes:

- ``GET /webhooks/webchat/``            the widget page (``?token=`` from the bank's app)
- ``GET /webhooks/webchat/static/...``  its CSS/JS/images (no CDN, no build step)
- ``GET /webhooks/webchat/health``      ``{"status": "ok"}``
- ``GET /webhooks/webchat/demo``        demo accounts with fresh tokens (only with ``WEBCHAT_DEMO=1``)
- ``POST /webhooks/webchat/agent_typing`` the console: an agent is typing (Rasa's API token)

The cardholder typing. In human mode the widget emits ``user_typing``
(``{"session_id": ...}``) on its socket, at most one every 2 s and never
for an empty input. It is taken exactly as a message is: only after
``session_request`` and only for the session confirmed to that socket (the
conversation is the channel's, never the body's); the newest signal per
conversation goes to the ``typing_signals`` table (bot/db/typing_signals.py),
where the console, another process, reads it and shows 对方正在输入…. The
socket.io acknowledgement says what became of it: ``{"ok": true}`` or
``{"ok": false, "status": 4xx, "error": code}`` - 400 ``bad_request``,
403 ``not_your_session``, 413 ``too_large`` (over TYPING_MAX_BYTES),
429 ``rate_limited`` (TYPING_BURST at once, then TYPING_PER_MINUTE a
minute per conversation, in this process's memory); 503 when the database
could not take it.

Hand-over. The hand-over actions tag their messages (bot/core/handover.py):
``queued``, ``agent`` with the agent's display name (set by the console from
its own user record, never by the widget), ``bot``; the tag reaches the
widget as ``handover`` on ``bot_uttered`` (and in ``webchat_status`` when a
widget continues a paused conversation), so the cardholder sees who answers,
and no typing dots while a person has the chat. A message carries the
widget's ``client_id``: ``webchat_status`` answers ``received`` or, with a
refusal, names it so the widget marks it not sent with a retry.

Input limits. A ``user_uttered`` text longer than COLLECTBOT_MAX_MESSAGE_CHARS
(1000) or blank is not processed: the widget gets a ``webchat_status``
event with ``error`` (a code) and ``notice`` (Chinese). Each conversation may
send WEBCHAT_RATE_BURST (10) messages at once and WEBCHAT_RATE_PER_MINUTE
(20) a minute after that (bot/core/ratelimit.py, in this process's memory);
over it the widget is told to slow down. A socket.io packet is at most
COLLECTBOT_MAX_BODY_BYTES (engine.io's ``max_http_buffer_size``); metadata
deeper than MAX_METADATA_DEPTH is cut. The server-wide limits
(bot/rasa_server/http_limits.py) are installed by ``bot.rasa_server.install()``.

Identity. A visitor from the bank's app brings a short-lived signed token
(``bot/core/tokens.py``; secret ``WEBCHAT_TOKEN_SECRET``). The token is
checked once, at ``session_request`` (``customData.token``, ``token``, or the
socket.io connect ``auth.webchat_token``). A valid token binds the
conversation to the account:

- identified conversations get their own session ids: 32 random hex digits
  followed by 32 hex digits of HMAC(secret, random + account). The id proves
  which account it was opened for, across server restarts, without storing
  anything; a session id of the other kind, or of another account, is never
  reused for a token (a new one is confirmed instead);
- every ``UserMessage`` of a bound socket carries
  ``metadata["collectbot_identity"] = {"account_id": ..., "method": "app_token"}``;
  anything a client puts under that key, at any depth, is removed first;
- a socket can only talk after ``session_request`` and only in the session
  it was confirmed for, so a later message cannot swap the session (and
  with it the identity);
- an expired or forged token: the widget is told "链接已过期，请在App内重新打开"
  and the visitor continues anonymously, in an anonymous session (an
  identified session id is never continued without its token). A socket.io
  reconnect of the same page with the token that opened the session is
  still accepted after the token's expiry, for ``identity_max_age_seconds``
  while this server process runs.

Sessions are issued by the server, never chosen by the client. With the
session id the socket that opened it gets a proof, HMAC(secret, id), in the
``webchat_status`` event (``session_proof``); the widget keeps both and
presents both (``session_id``, ``session_proof`` in ``session_request``) to
continue the conversation after a reload or reconnect. The id alone is not a
key: it is seen in the tracker store, the console and the logs, and a socket
presenting it without the proof gets a new anonymous session, never the
room (and the answers) of the one it named. The proof is rotated on
verification: when an app token vouches for the visitor the session changes
(a new identified id, a new proof); when an anonymous visitor verifies in
chat (the conversation's ``verified`` slot, read from Rasa's tracker store
after each anonymous message until then) the sockets of the conversation
get a new proof in ``webchat_status`` and only that one continues it. A
proof issued before verification opens nothing after it. Message text and metadata
are repaired with ``bot.core.text.clean_text`` before Rasa sees them.

Server-initiated messages (an agent's reply, a reminder) reach open widgets
through ``get_output_channel()`` (Rasa's HTTP API ``output_channel=latest``)
or ``await channel.push(session_id, text, buttons)``. Both emit to the
session's room. By default the rooms live in this process's memory (as in
Rasa's own socket.io channel), which serves one Rasa process. With
``WEBCHAT_REDIS_URL`` set (e.g. ``redis://redis:6379/0``) every emit also goes
through Redis pub/sub (``socketio.AsyncRedisManager``, channel
``WEBCHAT_REDIS_CHANNEL``, default ``collectbot-webchat``), so a message
produced on one Rasa instance (a bot reply, an agent's reply pushed through
that instance's HTTP API) reaches a widget whose socket lives on another.
Redis being away does not stop local delivery (python-socketio logs the
failed publish and retries its subscription).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import inspect
import json
import logging
import mimetypes
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncManager, AsyncServer

from bot.rasa_server import http_limits
from bot import secrets as bot_secrets
from bot.core import handover, identity, tokens
from bot.core.identity import IDENTITY_KEY
from bot.core.masking import masked_name  # 张三丰 → 张*丰, as the assistant says it
from bot.core.ratelimit import TokenBucketLimiter
from bot.core.text import clean_text, clean_value
from bot.settings import WebchatSettings, cors_origins

logger = logging.getLogger(__name__)

IDENTITY_METHOD = "app_token"
VERIFIED_SLOT = "verified"
TOKEN_SECRET_ENV = "WEBCHAT_TOKEN_SECRET"
EXPIRED_NOTICE = "链接已过期，请在App内重新打开"
STATUS_EVENT = "webchat_status"
STATIC_DIR = Path(__file__).resolve().parent / "static" / "webchat"

ANONYMOUS_SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
IDENTIFIED_SESSION_RE = re.compile(r"^[0-9a-f]{64}$")
TOO_LONG_NOTICE = "消息过长，请精简到{limit}字以内后重新发送。"
TOO_FAST_NOTICE = "您发送消息的速度过快，请稍等片刻再发。"
MAX_METADATA_DEPTH = 20
# The widget's own id of a message, echoed with a refusal so the widget can
# mark that message "not sent" and offer to send it again.
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
AGENT_TYPING_SECONDS = 8
# The cardholder's typing signal (see the module doc): the widget sends one
# every 2 s at most (30 a minute); a little slack for a reconnect.
TYPING_EVT = "user_typing"
TYPING_MAX_BYTES = 256
TYPING_BURST = 3
TYPING_PER_MINUTE = 40

# The page is ours: only our own files, no inline script, no framing by
# other sites, and the token in the address never leaves in a Referer.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def token_secret() -> str:
    """``WEBCHAT_TOKEN_SECRET``: required in production; in development
    generated once into ``var/`` (bot/secrets.py), never a value in the source."""
    return bot_secrets.secret(TOKEN_SECRET_ENV)


def configured_origins(env: Optional[Dict[str, str]] = None) -> List[str]:
    """COLLECTBOT_CORS_ORIGINS: origins besides the page's own (spaces or commas)."""
    return [o for o in cors_origins(env) or [] if o != "*"]


def origin_check(env: Optional[Dict[str, str]] = None) -> Callable[[Any, Dict], bool]:
    """python-socketio's ``cors_allowed_origins`` callable: a socket from the
    widget's own origin or a configured one; anything else is refused."""
    extra = set(configured_origins(env))

    def allowed(origin: Any, environ: Optional[Dict] = None) -> bool:
        if not isinstance(origin, str):
            return False
        if origin in extra:
            return True
        environ = environ or {}
        host = environ.get("HTTP_HOST")
        if not host:
            return False
        scheme = environ.get("wsgi.url_scheme", "http")
        own = {f"{scheme}://{host}"}
        forwarded_proto = (environ.get("HTTP_X_FORWARDED_PROTO") or scheme).split(",")[0].strip()
        forwarded_host = (environ.get("HTTP_X_FORWARDED_HOST") or host).split(",")[0].strip()
        own.add(f"{forwarded_proto}://{forwarded_host}")
        return origin in own

    return allowed


def client_manager() -> Optional[AsyncManager]:
    """socket.io's client manager: Redis pub/sub across Rasa instances when
    ``WEBCHAT_REDIS_URL`` is set, otherwise None (python-socketio's in-memory
    default, for one process)."""
    cfg = WebchatSettings.from_env()
    if not cfg.redis_url:
        return None
    from socketio import AsyncRedisManager  # redis.asyncio, imported only when used

    # Not the URL: it may carry the Redis password.
    logger.info("Web chat: socket.io emits shared across instances through Redis (channel %s).",
                cfg.redis_channel)
    return AsyncRedisManager(cfg.redis_url, channel=cfg.redis_channel)


def demo_enabled() -> bool:
    """WEBCHAT_DEMO: the demo page issues its own app tokens (never in production)."""
    return WebchatSettings.from_env().demo


def strip_identity(metadata: Any) -> Dict[Text, Any]:
    """Client metadata as a dict, with every ``collectbot_identity`` key removed.

    Only the channel may say who the visitor is. A JSON string is parsed (as
    Rasa's socket.io channel does); anything that is not an object is dropped.
    """
    if isinstance(metadata, (str, bytes)):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    if not isinstance(metadata, dict):
        return {}
    return identity.strip_identity(metadata, MAX_METADATA_DEPTH)


def identity_metadata(account_id: str) -> Dict[Text, Any]:
    return {IDENTITY_KEY: {"account_id": account_id, "method": IDENTITY_METHOD}}


def _token_from(data: Dict[Text, Any], metadata_key: Optional[Text], auth_token: Optional[str]) -> Optional[str]:
    """The app token a client presented at session_request (or connect)."""
    candidates: List[Any] = [data.get("token")]
    for key in ("customData", "custom_data", metadata_key):
        nested = data.get(key) if key else None
        if isinstance(nested, str):
            try:
                nested = json.loads(nested)
            except ValueError:
                nested = None
        if isinstance(nested, dict):
            candidates.append(nested.get("token"))
    candidates.append(auth_token)
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def handover_state(events: Any, paused: bool) -> Optional[Dict[str, str]]:
    """While paused, the newest hand-over tag among the bot's messages
    (Rasa events), or ``queued``; None when the bot answers."""
    if not paused:
        return None
    for event in reversed(list(events or [])):
        metadata = getattr(event, "metadata", None)
        if getattr(event, "type_name", None) == "bot" and isinstance(metadata, dict):
            tag = handover.clean_state(metadata.get(handover.METADATA_KEY))
            if tag and tag["state"] != handover.BOT:
                tag.pop("notice", None)  # a notice was for the moment it came
                return tag
            if tag:
                break
    return {"state": handover.QUEUED}


@dataclass
class SocketState:
    session_id: Optional[str] = None
    account_id: Optional[str] = None
    auth_token: Optional[str] = None
    # The anonymous conversation was verified in chat and this socket holds
    # the proof issued after that (SessionBinder.proof).
    verified: bool = False


@dataclass
class OpenedSession:
    session_id: str
    account_id: Optional[str]
    notice: Optional[str] = None
    reason: str = "anonymous"
    # What the widget must present with session_id to continue it (see
    # SessionBinder.proof); given only to the socket that opened the session.
    proof: str = ""


@dataclass
class _Grace:
    token_digest: bytes
    account_id: str
    bound_at: float


class SessionBinder:
    """Which conversation a socket talks in, and whose it is.

    Pure logic (no socket.io), so the rules can be tested directly.
    """

    def __init__(self, secret: str, identity_max_age_seconds: int = 2 * 3600) -> None:
        self._secret = secret.encode("utf-8")
        self.identity_max_age_seconds = identity_max_age_seconds
        self._sockets: Dict[str, SocketState] = {}
        self._grace: Dict[str, List[_Grace]] = {}

    # -- session ids -----------------------------------------------------
    def _mac(self, random_part: str, account_id: str) -> str:
        msg = f"webchat-session|{random_part}|{account_id}".encode("utf-8")
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def new_identified_session(self, account_id: str) -> str:
        random_part = secrets.token_hex(16)
        return random_part + self._mac(random_part, account_id)

    def session_belongs_to(self, session_id: Optional[str], account_id: str) -> bool:
        if not session_id or not IDENTIFIED_SESSION_RE.match(session_id):
            return False
        return hmac.compare_digest(session_id[32:], self._mac(session_id[:32], account_id))

    @staticmethod
    def new_anonymous_session() -> str:
        return secrets.token_hex(16)  # the same shape as Rasa's uuid4().hex

    def proof(self, session_id: str, verified: bool = False) -> str:
        """The secret half of a session: HMAC(secret, id). The id itself is
        seen by many (tracker store, console, logs); only the socket the
        server confirmed the session to gets its proof. Once the visitor
        verified in chat the proof is another one (rotated), so a proof
        handed out before that opens nothing after it."""
        kind = "webchat-proof-verified" if verified else "webchat-proof"
        msg = f"{kind}|{session_id}".encode("utf-8")
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def proof_ok(self, session_id: str, proof: Any, verified: bool = False) -> bool:
        expected = self.proof(session_id, verified).encode("utf-8")
        return isinstance(proof, str) and hmac.compare_digest(proof.encode("utf-8"), expected)

    def mark_verified(self, session_id: str) -> str:
        """The anonymous conversation ``session_id`` was verified in chat:
        the sockets in it now hold the rotated proof, which is returned."""
        for state in self._sockets.values():
            if state.session_id == session_id:
                state.verified = True
        return self.proof(session_id, verified=True)

    # -- sockets ---------------------------------------------------------
    def socket(self, sid: str) -> SocketState:
        return self._sockets.setdefault(sid, SocketState())

    def forget(self, sid: str) -> None:
        self._sockets.pop(sid, None)

    def _digest(self, token: str) -> bytes:
        return hmac.new(self._secret, b"grace|" + token.encode("utf-8"), hashlib.sha256).digest()

    def _grace_account(self, session_id: Optional[str], token: str, now: float) -> Optional[str]:
        """The account a since-expired token opened this session for, if recent."""
        if not session_id:
            return None
        digest = self._digest(token)
        for g in self._grace.get(session_id, []):
            if now - g.bound_at < self.identity_max_age_seconds and hmac.compare_digest(g.token_digest, digest):
                return g.account_id
        return None

    def _remember(self, session_id: str, token: str, account_id: str, now: float) -> None:
        digest = self._digest(token)
        entries = [
            g for g in self._grace.get(session_id, [])
            if now - g.bound_at < self.identity_max_age_seconds and g.token_digest != digest
        ]
        entries.append(_Grace(digest, account_id, now))
        self._grace[session_id] = entries[-5:]
        if len(self._grace) > 10000:  # drop what has aged out
            for key in [k for k, v in self._grace.items() if all(now - g.bound_at >= self.identity_max_age_seconds for g in v)]:
                del self._grace[key]

    def open(self, sid: str, requested: Any, token: Optional[str], now: float, proof: Any = None,
             verified: bool = False) -> OpenedSession:
        """Decide the session for a ``session_request``; remembers it for ``sid``.

        ``proof`` is what the server gave with ``requested`` when it confirmed
        that session: an anonymous session continues only with it, and with
        the rotated one when ``verified`` (the conversation says the visitor
        verified in chat).
        """
        requested = requested if isinstance(requested, str) else None
        account_id: Optional[str] = None
        notice: Optional[str] = None
        reason = "anonymous"
        if token is not None:
            result = tokens.check(token, self._secret, now)
            if result.ok:
                account_id, reason = result.account_id, "token"
            else:
                account_id = self._grace_account(requested, token, now)
                if account_id is not None and self.session_belongs_to(requested, account_id):
                    reason = "token_grace"
                else:
                    account_id = None
                    notice, reason = EXPIRED_NOTICE, f"token_{result.reason}"

        if account_id is not None:
            session_id = requested if self.session_belongs_to(requested, account_id) else self.new_identified_session(account_id)
            if reason == "token":
                self._remember(session_id, token, account_id, now)
        elif requested and ANONYMOUS_SESSION_RE.match(requested) and self.proof_ok(requested, proof, verified):
            session_id = requested
        else:
            verified = False
            # No id, a malformed one (a phone number would reach that
            # phone's SMS conversation), an anonymous one without its proof
            # (an id read elsewhere is not a key), or an identified one
            # without its token: a fresh anonymous conversation.
            session_id = self.new_anonymous_session()

        verified = verified and account_id is None
        state = self.socket(sid)
        state.session_id, state.account_id, state.verified = session_id, account_id, verified
        return OpenedSession(session_id, account_id, notice, reason, self.proof(session_id, verified))

    def sender_for(self, sid: str, requested: Any, session_persistence: bool) -> Tuple[Optional[str], Optional[str]]:
        """(sender id, bound account) for a message from ``sid``; sender None = refuse.

        A socket talks only after session_request, and only in the session
        confirmed to it (Rasa's channel lets a client skip session_request
        and name any session: that made a session id a key).
        """
        state = self._sockets.get(sid)
        if state is None or state.session_id is None:
            return None, None
        if not session_persistence:
            return sid, state.account_id
        if not isinstance(requested, str) or not requested:
            return None, None
        if not hmac.compare_digest(requested.encode("utf-8"), state.session_id.encode("utf-8")):
            return None, None
        return state.session_id, state.account_id


def quick_reply(button: Dict[Text, Any]) -> Dict[Text, Any]:
    """A button as the widget reads it; a plan option's ``card`` (its
    figures, bot/core/plan_menu.py) is kept for the widget to draw a card."""
    reply = {"content_type": "text", "title": button["title"], "payload": button["payload"]}
    if isinstance(button.get("card"), dict):
        reply["card"] = button["card"]
    return reply


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, plus the namespace and a working custom payload."""

    @classmethod
    def name(cls) -> Text:
        return WebChatInput.name()

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa's version passes the payload's keys as emit() arguments.
        await self._send_message(recipient_id, json_message)

    # The hand-over actions tag their messages (bot/core/handover.py, in
    # the BotUttered metadata Rasa passes here as keyword arguments): the
    # widget learns who answers now (queued, the agent's name, the bot).
    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        tag = handover.clean_state(kwargs.get(handover.METADATA_KEY))
        for part in text.strip().split("\n\n"):
            message: Dict[str, Any] = {"text": part}
            if tag:
                message["handover"] = tag
            await self._send_message(recipient_id, message)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        tag = handover.clean_state(kwargs.get(handover.METADATA_KEY))
        parts = text.strip().split("\n\n") or [text]
        messages: List[Dict[str, Any]] = [{"text": part, "quick_replies": []} for part in parts]
        messages[-1]["quick_replies"] = [quick_reply(b) for b in buttons]
        for message in messages:
            if tag:
                message["handover"] = tag
            await self._send_message(recipient_id, message)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel with app-token identity and our widget page."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=bool(credentials.get("session_persistence", True)),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "metadata"),
            token_ttl_seconds=int(credentials.get("token_ttl_seconds", tokens.DEFAULT_TTL_SECONDS)),
            identity_max_age_seconds=int(credentials.get("identity_max_age_seconds", 2 * 3600)),
            cors_allowed_origins=credentials.get("cors_allowed_origins"),
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = True,
        socketio_path: Optional[Text] = "/socket.io",
        jwt_key: Optional[Text] = None,
        jwt_method: Optional[Text] = "HS256",
        metadata_key: Optional[Text] = "metadata",
        token_ttl_seconds: int = tokens.DEFAULT_TTL_SECONDS,
        identity_max_age_seconds: int = 2 * 3600,
        cors_allowed_origins: Any = None,
        secret: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            user_message_evt, bot_message_evt, namespace, session_persistence,
            socketio_path, jwt_key, jwt_method, metadata_key,
        )
        self.token_secret = secret or token_secret()
        self.token_ttl_seconds = token_ttl_seconds
        # Which pages may open a socket: omitted, the page's own origin (as
        # the browser and, behind a proxy, X-Forwarded-Proto/Host say it) and
        # COLLECTBOT_CORS_ORIGINS; otherwise python-socketio's setting as
        # given. Rasa's own channel checks no origin at all.
        self.cors_allowed_origins = origin_check() if cors_allowed_origins is None else cors_allowed_origins
        self.binder = SessionBinder(self.token_secret, identity_max_age_seconds)
        self.clock = clock
        # Whether an anonymous conversation was verified in chat (the
        # ``verified`` slot); replaceable in tests. Rasa's app, for its
        # tracker store, is kept when the server starts.
        self.verified_lookup: Callable[[str], Awaitable[bool]] = self.tracker_verified
        # Who answers the conversation now (bot/core/handover.py), for a
        # widget that reconnects or reloads mid hand-over; replaceable in tests.
        self.handover_lookup: Callable[[str], Awaitable[Optional[Dict[str, str]]]] = self.tracker_handover
        self._app: Any = None
        self.limits = http_limits.Limits.from_env()
        # In memory, per process (bot/core/ratelimit.py); keyed by conversation.
        rates = WebchatSettings.from_env()
        self.limiter = TokenBucketLimiter(rates.rate_burst, rates.rate_per_minute)
        # Typing signals have their own budget: they never eat the messages'.
        self.typing_limiter = TokenBucketLimiter(TYPING_BURST, TYPING_PER_MINUTE)
        # Where a typing signal goes (the database); replaceable in tests.
        self.typing_recorder: Callable[[str], Awaitable[None]] = self.record_typing

    # -- output ----------------------------------------------------------
    def get_output_channel(self) -> Optional[OutputChannel]:
        """The channel for messages the server sends on its own (``output_channel=latest``)."""
        if self.sio is None:
            logger.warning(
                "The web chat's socket.io server is not running in this process "
                "(several Sanic workers?); a pushed message cannot be delivered."
            )
            return None
        return WebChatOutput(self.sio, self.bot_message_evt, self.namespace)

    def connected(self, session_id: str) -> int:
        """How many open sockets (widgets) show this session in this process."""
        if self.sio is None:
            return 0
        return sum(1 for _ in self.sio.manager.get_participants(self.namespace or "/", session_id))

    async def push(self, session_id: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> bool:
        """Send ``text`` (and quick-reply ``buttons``: title/payload) to an open widget now.

        Returns whether a widget was connected to receive it in this process
        (with ``WEBCHAT_REDIS_URL`` it is also delivered to widgets on other
        instances, which this does not count). Not recorded in
        the conversation: for history use Rasa's HTTP API
        (``trigger_intent``/``tracker/events`` with ``output_channel=latest``).
        """
        output = self.get_output_channel()
        if output is None:
            return False
        delivered = self.connected(session_id) > 0
        if buttons:
            await output.send_text_with_buttons(session_id, text, buttons)
        else:
            await output.send_text_message(session_id, text)
        return delivered

    # -- input -----------------------------------------------------------
    async def tracker_verified(self, session_id: str) -> bool:
        """The conversation's ``verified`` slot, from Rasa's tracker store;
        False when it cannot be read (the rotated proof is then not asked
        for, and the visitor keeps the proof they have)."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return False
        try:
            tracker = await store.retrieve(session_id)
        except Exception:  # the conversation goes on; the reason is logged
            logger.exception("web chat: could not read the conversation to check verification")
            return False
        return tracker is not None and tracker.get_slot(VERIFIED_SLOT) is True

    async def tracker_handover(self, session_id: str) -> Optional[Dict[str, str]]:
        """Who answers the conversation now (``bot`` when not paused); None
        when it cannot be read."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        try:
            tracker = await store.retrieve(session_id)
        except Exception:  # the widget just shows the bot's state; the reason is logged
            logger.exception("web chat: could not read the conversation for its hand-over state")
            return None
        if tracker is None:
            return None
        # Said even when the bot answers: a widget that missed the hand-back
        # while offline must not stay in human mode.
        return handover_state(tracker.events, tracker.is_paused()) or {"state": handover.BOT}

    async def record_typing(self, sender_id: str) -> None:
        from bot.db import typing_signals
        from bot.db.session import run_in_thread

        await run_in_thread(typing_signals.record, sender_id, self.name())

    async def typing_signal(self, sid: str, data: Any) -> Dict[str, Any]:
        """A ``user_typing`` from socket ``sid``: recorded for the
        conversation confirmed to that socket, or refused with a 4xx."""
        def refused(status: int, error: str) -> Dict[str, Any]:
            return {"ok": False, "status": status, "error": error}

        if not isinstance(data, dict):
            return refused(400, "bad_request")
        try:
            size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError):
            return refused(400, "bad_request")
        if size > TYPING_MAX_BYTES:
            return refused(413, "too_large")
        sender_id, _account = self.binder.sender_for(sid, data.get("session_id"), self.session_persistence)
        if sender_id is None:
            return refused(403, "not_your_session")
        if not self.typing_limiter.allow(sender_id).allowed:
            return refused(429, "rate_limited")
        try:
            await self.typing_recorder(sender_id)
        except Exception:  # a lost typing signal costs nothing; the reason is logged
            logger.exception("web chat: could not record a typing signal")
            return refused(503, "unavailable")
        return {"ok": True}

    def user_metadata(self, raw: Any, account_id: Optional[str]) -> Dict[Text, Any]:
        metadata = strip_identity(raw)
        if account_id:
            metadata.update(identity_metadata(account_id))
        return metadata

    def _jwt_ok(self, auth: Optional[Dict]) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:
            return False
        payload = rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm)
        return bool(payload)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.cors_allowed_origins,
            max_http_buffer_size=self.limits.max_body_bytes,
            client_manager=client_manager(),
        )
        bp = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        async def keep_app(app: Any, _loop: Any = None) -> None:
            self._app = app

        bp.listener("before_server_start")(keep_app)
        self.sio = sio
        ns = self.namespace
        binder = self.binder

        async def enter_room(sid: str, room: str) -> None:
            result = sio.enter_room(sid, room, namespace=ns)
            if inspect.isawaitable(result):  # a coroutine from python-socketio 5.10 on
                await result

        async def leave_room(sid: str, room: str) -> None:
            result = sio.leave_room(sid, room, namespace=ns)
            if inspect.isawaitable(result):
                await result

        @sio.on("connect", namespace=ns)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self._jwt_ok(auth):
                return False
            state = binder.socket(sid)
            if isinstance(auth, dict) and isinstance(auth.get("webchat_token"), str):
                state.auth_token = auth["webchat_token"]
            logger.debug(f"User {sid} connected to the web chat.")
            return True

        @sio.on("disconnect", namespace=ns)
        async def disconnect(sid: Text, *args: Any) -> None:
            binder.forget(sid)
            logger.debug(f"User {sid} disconnected from the web chat.")

        @sio.on("session_request", namespace=ns)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            state = binder.socket(sid)
            previous = state.session_id
            token = _token_from(data, self.metadata_key, state.auth_token)
            requested = data.get("session_id")
            verified = False
            if token is None and isinstance(requested, str) and ANONYMOUS_SESSION_RE.match(requested):
                verified = await self.verified_lookup(requested)
            opened = binder.open(sid, requested, token, self.clock(), data.get("session_proof"), verified)
            if opened.reason.startswith("token_") and opened.reason != "token_grace":
                logger.info("Web chat token refused (%s); continuing anonymously.", opened.reason)
            if self.session_persistence:
                if previous and previous != opened.session_id:
                    await leave_room(sid, previous)
                await enter_room(sid, opened.session_id)
            await sio.emit("session_confirm", opened.session_id, room=sid, namespace=ns)
            status: Dict[str, Any] = {"identified": opened.account_id is not None, "session_proof": opened.proof}
            if opened.notice:
                status["notice"] = opened.notice
            if opened.session_id == requested:  # a conversation continued: who answers it now
                state = await self.handover_lookup(opened.session_id)
                if state:
                    status["handover"] = state
            await sio.emit(STATUS_EVENT, status, room=sid, namespace=ns)

        @sio.on(self.user_message_evt, namespace=ns)
        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            client_id = data.get("client_id")
            client_id = client_id if isinstance(client_id, str) and CLIENT_ID_RE.match(client_id) else None

            def refusal(code: str, notice: str) -> Dict[str, Any]:
                # With the widget's id of the message: it is marked not sent.
                found: Dict[str, Any] = {"error": code, "notice": notice}
                if client_id:
                    found["client_id"] = client_id
                return found

            # Repaired at the door: a lone surrogate once stopped the
            # contact log for everyone (bot/core/text.py).
            text = clean_text(text)
            if not text.strip():
                return
            sender_id, account_id = binder.sender_for(sid, data.get("session_id"), self.session_persistence)
            if sender_id is None:
                logger.warning(
                    "Web chat message from %s ignored: no session_id or not the session "
                    "confirmed for this socket (send session_request first).", sid,
                )
                return
            limit = self.limits.max_message_chars
            if len(text) > limit:
                logger.info("Web chat message of %d characters refused (limit %d).", len(text), limit)
                await sio.emit(
                    STATUS_EVENT, refusal("message_too_long", TOO_LONG_NOTICE.format(limit=limit)),
                    room=sid, namespace=ns,
                )
                return
            if not self.limiter.allow(sender_id).allowed:
                logger.warning("Web chat conversation over its rate limit; message dropped.")
                await sio.emit(
                    STATUS_EVENT, refusal("rate_limited", TOO_FAST_NOTICE), room=sid, namespace=ns
                )
                return
            message = UserMessage(
                text,
                WebChatOutput(sio, self.bot_message_evt, ns),
                sender_id,
                input_channel=self.name(),
                metadata=clean_value(self.user_metadata(data.get(self.metadata_key), account_id)),
            )
            if client_id:
                # Received: the widget shows the message as sent.
                await sio.emit(STATUS_EVENT, {"received": client_id}, room=sid, namespace=ns)
            await on_new_message(message)
            if account_id is None and self.session_persistence and not binder.socket(sid).verified:
                if await self.verified_lookup(sender_id):
                    # Verified in chat just now: every socket of the
                    # conversation gets the rotated proof; the old one is void.
                    proof = binder.mark_verified(sender_id)
                    await sio.emit(STATUS_EVENT, {"identified": False, "session_proof": proof},
                                   room=sender_id, namespace=ns)

        @sio.on(TYPING_EVT, namespace=ns)
        async def user_typing(sid: Text, data: Any = None) -> Dict[str, Any]:
            # The return value is the socket.io acknowledgement.
            return await self.typing_signal(sid, data)

        # -- HTTP --------------------------------------------------------
        @bp.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/agent_typing", methods=["POST"])
        async def agent_typing(request: Request) -> HTTPResponse:
            """The console says an agent is typing in a conversation (or
            stopped): the widget shows the dots, with the agent's avatar.
            Only with Rasa's API token (the console's, RASA_API_TOKEN)."""
            expected = bot_secrets.configured("RASA_API_TOKEN") or ""
            given = request.args.get("token") or ""
            if not expected or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
                return response.json({"error": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            session_id = body.get("session_id")
            if not isinstance(session_id, str) or not (
                ANONYMOUS_SESSION_RE.match(session_id) or IDENTIFIED_SESSION_RE.match(session_id)
            ):
                return response.json({"error": "not a web chat conversation"}, status=400)
            status = {"agent_typing": bool(body.get("typing")), "seconds": AGENT_TYPING_SECONDS}
            await sio.emit(STATUS_EVENT, status, room=session_id, namespace=ns)
            return response.json({"ok": True, "connected": self.connected(session_id)})

        @bp.route("/", methods=["GET"])
        async def widget_page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page links its files relatively (static/...).
                query = f"?{request.query_string}" if request.query_string else ""
                return response.redirect(f"{request.path}/{query}", headers={"Referrer-Policy": "no-referrer"})
            return response.html(self.widget_html(), headers=PAGE_HEADERS)

        @bp.route("/static/<name:path>", methods=["GET"])
        async def static_file(_: Request, name: str) -> HTTPResponse:
            try:
                path = (STATIC_DIR / name).resolve()
                found = STATIC_DIR in path.parents and path.is_file()
            except (OSError, ValueError):  # a name too long for the file system, a NUL …
                found = False
            if not found:
                return response.text("Not Found", status=404)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if mime.startswith("text/") or mime.endswith("javascript"):
                mime += "; charset=utf-8"
            return await response.file(
                path, mime_type=mime,
                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
            )

        @bp.route("/demo", methods=["GET"])
        async def demo_page(_: Request) -> HTTPResponse:
            if not demo_enabled():
                return response.text("Not Found", status=404)
            return response.html(self.demo_html(), headers=PAGE_HEADERS)

        return bp

    # -- pages -----------------------------------------------------------
    def widget_html(self) -> str:
        template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        try:
            from bot.settings import get_settings

            bank = get_settings().bank_name
        except Exception:  # the page must not depend on the bot's settings loading
            bank = "星河银行"
        values = {
            "BANK_NAME": bank,
            "SOCKET_PATH": self.socketio_path or "/socket.io",
            "NAMESPACE": self.namespace or "/",
            "USER_EVT": self.user_message_evt,
            "BOT_EVT": self.bot_message_evt,
            "METADATA_KEY": self.metadata_key or "metadata",
            "PERSISTENCE": "true" if self.session_persistence else "false",
        }
        for key, value in values.items():
            template = template.replace("{{%s}}" % key, html.escape(str(value), quote=True))
        return template

    def demo_accounts(self) -> List[Dict[str, str]]:
        """The demo accounts ``collectbot seed-demo`` stores (bot/db/importer.py),
        as of today in Shanghai: never read from tests/ at run time."""
        from bot import clock
        from bot.db.importer import demo_rows

        return demo_rows(clock.today())

    def demo_html(self) -> str:
        now = self.clock()
        rows = []
        for row in self.demo_accounts():
            token = tokens.issue(row["account_id"], self.token_ttl_seconds, self.token_secret, now)
            rows.append(
                '<li><a class="account" href="./?token={token}">'
                '<span class="name">{name}</span>'
                '<span class="meta">{account} · 尾号{card}</span></a></li>'.format(
                    token=html.escape(token, quote=True),
                    name=html.escape(masked_name(row.get("name", ""))),
                    account=html.escape(row["account_id"]),
                    card=html.escape(row.get("card_last4", "")),
                )
            )
        minutes = max(1, self.token_ttl_seconds // 60)
        template = (STATIC_DIR / "demo.html").read_text(encoding="utf-8")
        return template.replace("{{ACCOUNTS}}", "\n".join(rows)).replace("{{MINUTES}}", str(minutes))

