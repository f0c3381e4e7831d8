"""Input limits for the HTTP servers we run but do not own: the Rasa server
(its REST channel, HTTP API, socket.io) and the rasa-sdk action server.

What a request may be (from the environment, see ``bot.settings.Limits``):

- body at most ``COLLECTBOT_MAX_BODY_BYTES`` (1 MiB): Sanic's
  ``REQUEST_MAX_SIZE`` is lowered to it (Sanic answers 413 while reading);
- JSON nested at most ``COLLECTBOT_MAX_JSON_DEPTH`` (32) levels, checked by
  a scan before anything parses it (deep nesting is what makes recursive
  parsers fail);
- on Rasa's REST channel (``POST /webhooks/rest/webhook``) a JSON object with
  a non-empty ``sender`` (at most 128 characters, the width of our
  conversation id columns) and a non-empty text ``message`` of at most
  ``COLLECTBOT_MAX_MESSAGE_CHARS`` (1000) characters; ``metadata`` an object.

Rasa's own REST channel answers 500 to an empty body, a JSON array or a
``null`` and files a message without a sender under the conversation
``default``; the rasa-sdk webhook answers 500 to anything that is not an
action call. Both are refused here with 4xx and a JSON body
``{"error": <code>, "message": <说明>}`` before Rasa sees them.

The REST channel also passes the client's ``metadata`` into the
conversation unchanged: a client sending
``{"collectbot_identity": {"account_id": …}}`` was taken as verified by the
bank's app and told the debt (checked against Rasa 3.6.21). That key, which
only a channel that checked an app token may set (channels/webchat.py), is
removed here at any depth, and a client-chosen ``input_channel`` other than
"rest" is dropped. This is part of ``bot.rasa_server.install()``, whichever
channels credentials.yml lists.

How it is installed: ``bot.rasa_server.install()`` calls
``install_rasa_server(app)`` on Rasa's Sanic app, which adds an app-wide
request middleware once. The action server gets ``install_action_server(app)``
through rasa-sdk's plugin hook (bot/action_server.py). Both are idempotent.
"""
from __future__ import annotations

import json
import logging
import re
import zlib
from typing import Any, Dict, Optional

from bot.core.identity import IDENTITY_KEY, strip_identity
from bot.core.text import clean_text, clean_value, is_clean
from bot.settings import Limits

logger = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
ACTION_WEBHOOK_PATH = "/webhook"
# Our conversation id columns (contact_log, verification_attempts …) are 128 wide.
MAX_SENDER_CHARS = 128
MAX_NAME_CHARS = 128

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPEN_SQUARE, _OPEN_CURLY = ord("["), ord("{")


class InputError(Exception):
    """A request we refuse: HTTP status, a machine code and a Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> Dict[str, str]:
        return {"error": self.code, "message": self.message}


def json_depth(raw: bytes) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, without parsing it.

    Strings are cut out first so brackets inside them do not count. Works on
    malformed input too (the parser reports that afterwards): a closing
    bracket never takes the depth below zero. The walk over the brackets
    runs in numpy (the clamped depth is the running sum minus its running
    minimum below zero): a tracker sent to the action server has thousands
    of brackets, and a Python loop over them was a tenth of that server's
    event loop under load (bench/history.md).
    """
    import numpy as np

    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', raw))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    walk = np.cumsum(np.where((codes == _OPEN_SQUARE) | (codes == _OPEN_CURLY), 1, -1))
    clamped = walk - np.minimum(np.minimum.accumulate(walk), 0)
    return int(clamped.max(initial=0))


# What in a JSON text can carry a code point ``clean_text`` changes: an
# escape of a control character, of a surrogate (lone, or half of a pair) or
# of a non-character, a \b or \f escape, and the raw UTF-8 of DEL, C1
# controls, surrogates (json.loads of bytes passes them) and non-characters.
# Raw C0 controls are refused by the parser. False alarms only cost a walk
# over the value; a tracker sent to the action server (tens of kilobytes,
# non-ASCII escaped) mostly needs none.
_MAY_NEED_CLEANING = re.compile(
    rb"\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]|[fF][dD][dDeE]|[fF]{3}[eEfF])|\\[bf]"
    rb"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xed[\xa0-\xbf]|\xef\xb7[\x90-\xaf]"
    rb"|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)


def clean_json(value: Any, raw: bytes) -> Any:
    """``value`` (parsed from ``raw``) with every string passed through
    ``clean_text`` (bot/core/text.py): lone surrogates and non-characters
    become U+FFFD, control characters go. One such character once stopped
    the contact log for everyone and every action call of its conversation
    (issue 16)."""
    return clean_value(value) if _MAY_NEED_CLEANING.search(raw) else value


def parse_json(raw: bytes, limits: Limits, clean: bool = True) -> Any:
    """The JSON value of a request body (its text cleaned, see
    ``clean_json``, unless ``clean`` is false), or InputError (400/413)."""
    if len(raw) > limits.max_body_bytes:
        raise InputError(413, "body_too_large", f"请求过大（上限 {limits.max_body_bytes} 字节）。")
    if not raw.strip():
        raise InputError(400, "empty_body", "请求内容为空，需要 JSON。")
    if json_depth(raw) > limits.max_json_depth:
        raise InputError(400, "json_too_deep", f"JSON 嵌套过深（上限 {limits.max_json_depth} 层）。")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise InputError(400, "invalid_json", "请求内容不是有效的 JSON。") from None
    return clean_json(value, raw) if clean else value


def check_text(value: Any, field: str, limits: Limits, max_chars: Optional[int] = None) -> str:
    """A required, non-blank text of bounded length, or InputError."""
    max_chars = max_chars or limits.max_message_chars
    if not isinstance(value, str):
        raise InputError(400, f"invalid_{field}", f"缺少“{field}”或它不是文本。")
    if not value.strip():
        raise InputError(400, f"empty_{field}", f"“{field}”不能为空。")
    if "\x00" in value:
        raise InputError(400, f"invalid_{field}", f"“{field}”含有不允许的字符。")
    if len(value) > max_chars:
        raise InputError(400, f"{field}_too_long", f"“{field}”过长（上限 {max_chars} 个字符）。")
    return value


def check_rest_message(data: Any, limits: Limits) -> Dict[str, Any]:
    """A REST channel request body as Rasa may see it, or InputError.

    ``data`` as parsed, not yet cleaned: an id (``sender``) with a character
    ``clean_text`` would change is refused, since a repaired id would be
    another conversation's; the ``message`` and everything else is repaired
    (what the person wrote stays readable)."""
    if not isinstance(data, dict):
        raise InputError(400, "invalid_body", "请求内容须为 JSON 对象，例如 {\"sender\": …, \"message\": …}。")
    sender = data.get("sender")
    if isinstance(sender, str) and not is_clean(sender):
        raise InputError(400, "invalid_sender", "“sender”含有不允许的字符。")
    check_text(sender, "sender", limits, MAX_SENDER_CHARS)
    message = data.get("message")
    check_text(clean_text(message) if isinstance(message, str) else message, "message", limits)
    data = clean_value(data)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InputError(400, "invalid_metadata", "“metadata”须为 JSON 对象。")
    channel = data.get("input_channel")
    if channel is not None and (not isinstance(channel, str) or len(channel) > MAX_NAME_CHARS):
        raise InputError(400, "invalid_input_channel", "“input_channel”须为简短文本。")
    cleaned = dict(data)
    if channel not in (None, "rest"):
        # Rasa lets a REST client name any channel ("twilio_sms", "webchat"),
        # which would mislabel the contact log: the REST channel is "rest".
        logger.warning("REST channel: client-supplied input_channel %r ignored", channel[:32])
        cleaned.pop("input_channel")
    if metadata is not None:
        cleaned["metadata"] = strip_identity(metadata)
        if cleaned["metadata"] != metadata:
            logger.warning("REST channel: client-supplied %s removed from metadata", IDENTITY_KEY)
    return cleaned


def check_action_call(data: Any) -> None:
    """The envelope of an action call from Rasa (rasa-sdk's /webhook), or InputError."""
    if not isinstance(data, dict):
        raise InputError(400, "invalid_body", "action call must be a JSON object")
    action = data.get("next_action")
    if not isinstance(action, str) or not action or len(action) > MAX_NAME_CHARS:
        raise InputError(400, "invalid_next_action", "next_action must be an action name")
    tracker = data.get("tracker")
    if not isinstance(tracker, dict):
        raise InputError(400, "invalid_tracker", "tracker must be a JSON object")
    sender = tracker.get("sender_id")
    if not isinstance(sender, str) or not sender or len(sender) > 255:
        raise InputError(400, "invalid_tracker", "tracker.sender_id must be a text")
    expected = {"slots": dict, "latest_message": dict, "events": list, "active_loop": dict}
    for key, kind in expected.items():
        if key in tracker and tracker[key] is not None and not isinstance(tracker[key], kind):
            raise InputError(400, "invalid_tracker", f"tracker.{key} must be a {kind.__name__}")
    for key in ("domain",):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            raise InputError(400, f"invalid_{key}", f"{key} must be a JSON object")
    if "version" in data and data["version"] is not None and not isinstance(data["version"], str):
        raise InputError(400, "invalid_version", "version must be a text")


def inflate(raw: bytes, limits: Limits) -> bytes:
    """A deflate-compressed body (Rasa's COMPRESS_ACTION_SERVER_REQUEST), bounded."""
    try:
        d = zlib.decompressobj()
        out = d.decompress(raw, limits.max_body_bytes * 8 + 1)
    except zlib.error:
        raise InputError(400, "invalid_encoding", "body is not valid deflate data") from None
    if len(out) > limits.max_body_bytes * 8 or d.unconsumed_tail:
        raise InputError(413, "body_too_large", "decompressed body too large")
    return out


def _is_json(request) -> bool:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def check_size(request, max_bytes: int) -> bytes:
    """The body, or InputError 413. Sanic also runs request middleware when
    it refused the body itself (too large, body then empty): the declared
    Content-Length tells that case apart from an empty request."""
    raw = request.body or b""
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if len(raw) > max_bytes or declared > max_bytes:
        raise InputError(413, "body_too_large", f"请求过大（上限 {max_bytes} 字节）。")
    return raw


def _error_response(exc: InputError):
    from sanic import response

    return response.json(exc.body(), status=exc.status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _lower_request_max_size(app, limits: Limits) -> None:
    current = getattr(app.config, "REQUEST_MAX_SIZE", None) or limits.max_body_bytes
    app.config.REQUEST_MAX_SIZE = min(int(current), limits.max_body_bytes)


def rasa_server_middleware(limits: Limits):
    async def limit_input(request):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        try:
            raw = check_size(request, limits.max_body_bytes)
            if request.path.rstrip("/") == REST_WEBHOOK_PATH:
                # Rasa parses this body as JSON whatever the Content-Type says.
                request.parsed_json = check_rest_message(parse_json(raw, limits, clean=False), limits)
            elif (_is_json(request) or request.path.rstrip("/") == MODEL_PATH) and raw.strip():
                # PUT /model: Rasa reads request.json whatever the
                # Content-Type says, so the guard reads it the same way.
                request.parsed_json = parse_json(raw, limits)
            if request.path.rstrip("/") == MODEL_PATH:
                refuse_remote_model(getattr(request, "parsed_json", None))
        except InputError as exc:
            logger.info("refused %s %s: %s", request.method, request.path, exc.code)
            return _error_response(exc)
        return None

    return limit_input


MODEL_PATH = "/model"
REMOTE_MODEL_KEYS = ("model_server", "remote_storage")


def refuse_remote_model(body: Any) -> None:
    """``PUT /model`` may only load a model file already on this machine.

    Rasa also accepts a model server URL or a cloud storage name there, and
    loading a model is unpickling it: whoever can point Rasa at a file of
    their choosing runs code on the server (the CVE-2024-49375 class). The
    workbench activates local candidates only, so nothing legitimate is lost.
    """
    if isinstance(body, dict) and any(body.get(key) for key in REMOTE_MODEL_KEYS):
        raise InputError(403, "remote_model_refused", "只能加载本机上的模型文件，不能从远程地址加载模型。")


def install_rasa_server(app, _loop=None, limits: Optional[Limits] = None) -> None:
    """Add the input limits to Rasa's Sanic app (a ``before_server_start`` listener)."""
    if getattr(app.ctx, "collectbot_http_limits", False):
        return
    limits = limits or Limits.from_env()
    _lower_request_max_size(app, limits)
    app.register_middleware(rasa_server_middleware(limits), "request")
    app.ctx.collectbot_http_limits = True
    logger.info(
        "input limits: body %d bytes, JSON depth %d, message %d characters",
        limits.max_body_bytes, limits.max_json_depth, limits.max_message_chars,
    )


def action_server_middleware(limits: Limits):
    async def limit_action_call(request):
        if request.method != "POST" or request.path.rstrip("/") != ACTION_WEBHOOK_PATH:
            return None
        try:
            raw = check_size(request, limits.max_body_bytes * 8)
            if (request.headers.get("content-encoding") or "").lower() == "deflate":
                raw = inflate(raw, limits)
            data = parse_json(raw, Limits(limits.max_body_bytes * 8, limits.max_json_depth * 4, limits.max_message_chars))
            check_action_call(data)
            if raw is request.body:
                # rasa-sdk reads request.json next: hand it this parse
                # (text cleaned: a tracker may hold a message stored before
                # the door cleaned text) rather than parsing the ~20 KB
                # tracker a second time.
                request.parsed_json = data
            elif _MAY_NEED_CLEANING.search(raw):
                # Deflated: rasa-sdk inflates request.body itself.
                request.body = zlib.compress(json.dumps(data).encode("utf-8"))
        except InputError as exc:
            logger.warning("action server: refused a request to %s: %s", request.path, exc.code)
            return _error_response(exc)
        return None

    return limit_action_call


def install_action_server(app: Any, limits: Optional[Limits] = None) -> bool:
    """Add the action-call checks to rasa-sdk's Sanic app (called from
    rasa-sdk's ``attach_sanic_app_extensions`` hook, bot/action_server.py).

    Trackers are deep and long (every event of a conversation), so the
    action server allows 8 times the body and 4 times the depth of the
    public endpoints; it should not be reachable from outside anyway.
    """
    if getattr(app.ctx, "collectbot_http_limits", False):
        return True
    limits = limits or Limits.from_env()
    app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), limits.max_body_bytes * 8)
    app.register_middleware(action_server_middleware(limits), "request")
    app.ctx.collectbot_http_limits = True
    return True


def readiness_problem(db_url: Optional[str] = None) -> Optional[str]:
    """None when the account database answers, else what is wrong (for /readyz)."""
    try:
        from bot.db.session import ping

        ping(db_url)
        return None
    except Exception as exc:  # any failure means "not ready"
        return f"database: {type(exc).__name__}"

