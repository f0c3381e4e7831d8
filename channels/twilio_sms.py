"""Twilio SMS channel for Rasa 3.6 (``channels.twilio_sms.TwilioSmsInput``).

Unlike Rasa's built-in ``twilio`` channel this one

- checks ``X-Twilio-Signature`` on every request (403 when missing or
  forged: nothing processed, nothing stored), against the URL as Twilio
  called it (TWILIO_PUBLIC_URL + path, else X-Forwarded-Proto/-Host) and
  every form parameter, blank ones included;
- answers at once with empty TwiML and handles the message in the
  background, replying through the REST API, so a slow model never trips
  Twilio's 15-second webhook timeout;
- records each MessageSid before processing it: a redelivered webhook is
  acknowledged and not processed twice;
- answers 400 to a request without a Body (or an empty one), truncates an
  over-long Body instead of failing; refuses a body over
  SMS_MAX_REQUEST_BYTES (413, before the signature is checked) and a
  MessageSid or From that no Twilio request carries (400);
- limits each sender to SMS_RATE_BURST messages at once and
  SMS_RATE_PER_MINUTE after that (bot/core/ratelimit.py, one bucket per
  From in this process's memory). Over the limit the message is dropped
  (logged, nothing stored) and Twilio gets the usual empty TwiML with 200:
  Twilio does not redeliver a webhook answered 200, whereas a 429 is an
  error on the Twilio side (debugger alert per message, and a retry where
  the webhook URL carries a retry policy), which would multiply exactly the
  traffic being limited (an auto-responder loop, a flood);
- honours opt-outs (STOP/TD/退订/取消 …: one confirmation, then silence on
  SMS; START/订阅 re-enables) and Twilio's delivery status callbacks
  (``POST /webhooks/twilio_sms/status``);
- keeps every SMS within SMS_MAX_SEGMENTS segments, splitting long replies
  at sentence boundaries, and turns buttons into a numbered list (a reply
  "1" then picks the first button). The list is read back from the
  conversation's tracker (the buttons of the bot's last message, if no
  message of the cardholder came after it and it is younger than
  MENU_TTL_SECONDS), not kept in this process's memory: a restart or
  another Rasa process behind the same number maps "2" the same way.

Settings come from the environment, read by bot/settings.py (``TwilioSmsConfig``).
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import replies
from bot.core import sms as sms_text
from bot.core.ratelimit import TokenBucketLimiter
from bot.core.text import clean_text
from bot.db import repository
from bot.db import sms as sms_db
from bot.db.session import run_in_thread
from bot.core.masking import mask_phone
from bot.sms.sender import SendResult, SmsSender, TwilioSmsConfig

logger = logging.getLogger(__name__)

CHANNEL_NAME = sms_db.CHANNEL
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWIML_CONTENT_TYPE = "text/xml"
MENU_TTL_SECONDS = 30 * 60
# How long a stopping server waits for messages still being handled.
DRAIN_SECONDS = 30.0
# A status callback can overtake the SID being stored: look again this often.
STATUS_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)
# What Twilio puts in MessageSid (SM + 32 hex) and From (E.164, whatsapp:…,
# short codes, alphanumeric sender ids): anything else is refused, never stored.
SID_RE = re.compile(r"^[A-Za-z0-9]{2,64}$")
SENDER_RE = re.compile(r"^[A-Za-z0-9+:@._ -]{1,64}$")
RATE_LIMITED_HEADER = "X-Collectbot-Rate-Limited"

Menu = List[Tuple[str, Optional[str]]]  # (title, payload)


def menu_of(buttons: Iterable[Any]) -> Menu:
    """The numbered list an SMS shows for ``buttons``, in order: what "1",
    "2" … pick (buttons without a title are not listed)."""
    return [
        (str(b.get("title") or "").strip(), b.get("payload"))
        for b in buttons or []
        if isinstance(b, dict) and str(b.get("title") or "").strip()
    ]


def menu_from_events(events: Iterable[Any], now: float, ttl: float = MENU_TTL_SECONDS) -> Menu:
    """The menu a numbered reply answers, from the conversation's events
    (Rasa events or their dicts): the buttons of the bot's last message,
    unless the cardholder has written since (any message ends a menu, as
    a later bot message does) or it is older than ``ttl`` seconds."""
    for event in reversed(list(events or ())):
        kind = getattr(event, "type_name", None) or (event.get("event") if isinstance(event, dict) else None)
        if kind == "user":
            return []
        if kind == "bot":
            data = event.as_dict() if not isinstance(event, dict) else event
            stamp = data.get("timestamp")
            if not isinstance(stamp, (int, float)) or now - stamp > ttl:
                return []
            return menu_of(((data.get("data") or {}).get("buttons")) or [])
    return []


class _FormParams(dict):
    """Form parameters as a flat dict (first value per name), remembering
    every value so a repeated parameter is still signed correctly
    (RequestValidator asks for ``getall`` when it exists)."""

    def __init__(self, pairs: List[Tuple[str, str]]) -> None:
        self._all: Dict[str, List[str]] = {}
        for key, value in pairs:
            self._all.setdefault(key, []).append(value)
        super().__init__({k: v[0] for k, v in self._all.items()})

    def getall(self, key: str) -> List[str]:
        return self._all[key]


def form_params(request: Request) -> _FormParams:
    """The POST body's parameters, blank values kept.

    Sanic's ``request.form`` drops blank values (``FromCity=``), but Twilio
    signs them: validation would fail for real requests.
    """
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _FormParams([])
    body = (request.body or b"").decode("utf-8", errors="replace")
    return _FormParams(parse_qsl(body, keep_blank_values=True))


def clean_params(params: _FormParams) -> _FormParams:
    """``params`` with every name and value passed through ``clean_text``
    (control characters go, bad code points become U+FFFD: issue 16).
    Only after the signature check, which must see what Twilio signed."""
    return _FormParams([(clean_text(k), clean_text(v)) for k, values in params._all.items() for v in values])


def _first(header_value: Optional[str]) -> Optional[str]:
    if not header_value:
        return None
    return header_value.split(",")[0].strip() or None


def called_url(request: Request, public_url: Optional[str]) -> Tuple[str, str]:
    """(base URL, full URL) of ``request`` as Twilio called and signed it:
    ``public_url`` + path, else X-Forwarded-Proto/-Host. Shared with
    channels/voice.py."""
    if public_url:
        base = public_url
    else:
        scheme = _first(request.headers.get("x-forwarded-proto")) or request.scheme
        host = _first(request.headers.get("x-forwarded-host")) or request.headers.get("host") or request.host
        base = f"{scheme}://{host}"
    url = base + request.path
    if request.query_string:
        url += "?" + request.query_string
    return base, url


async def drain_tasks(tasks: Set[asyncio.Task], timeout: float, label: str) -> None:
    """Wait until none of ``tasks`` is left running, at most ``timeout`` s.

    Handling a message can start more work (the reply's send, the next
    message of the same sender queued behind it), so wait until nothing is
    left rather than only for what was running when the drain began: a
    shutdown would otherwise drop a reply that was about to go out. Shared
    by the SMS and voice channels."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    announced = False
    while True:
        pending = [t for t in tasks if not t.done()]
        if not pending:
            return
        left = deadline - loop.time()
        if left <= 0:
            logger.warning("%s: %d messages still being handled after %.0f s", label, len(pending), timeout)
            return
        if not announced:
            logger.info("%s: waiting for %d messages still being handled", label, len(pending))
            announced = True
        await asyncio.wait(pending, timeout=left)


def verify_signature(
    request: Request, auth_token: Optional[str], public_url: Optional[str], label: str
) -> Tuple[Optional[_FormParams], Optional[HTTPResponse], str]:
    """(form parameters, None, base URL) when X-Twilio-Signature is valid,
    else (None, a 403 response, base URL). Fails closed without a token.
    Shared with channels/voice.py."""
    from twilio.request_validator import RequestValidator

    base, url = called_url(request, public_url)
    signature = request.headers.get("x-twilio-signature")
    if not auth_token:
        logger.error("%s: request refused, TWILIO_AUTH_TOKEN is not configured", label)
        return None, response.text(f"{label} channel not configured", status=403), base
    if not signature:
        logger.warning("%s: request to %s without X-Twilio-Signature refused", label, request.path)
        return None, response.text("missing X-Twilio-Signature", status=403), base
    params = form_params(request)
    if not RequestValidator(auth_token).validate(url, params, signature):
        logger.warning("%s: invalid X-Twilio-Signature for %s refused", label, url)
        return None, response.text("invalid X-Twilio-Signature", status=403), base
    return params, None, base


class TwilioSmsOutput(OutputChannel):
    """Sends the bot's messages to one phone as SMS (via ``SmsSender``)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(
        self,
        sender: SmsSender,
        max_segments: int,
        suppress: bool = False,
    ) -> None:
        self.sender = sender
        self.max_segments = max_segments
        # True for the reply to an opt-in keyword: our confirmation replaces it.
        self.suppress = suppress
        self.results: List[SendResult] = []

    async def _send_all(self, recipient_id: Text, text: Text, safety: bool = False) -> List[SendResult]:
        """``safety``: the crisis lines, sent even after an opt-out (the
        cardholder has just written; replies.SAFETY_REPLY_KEY says why)."""
        results = []
        for part in sms_text.split_message(text, self.max_segments):
            if self.suppress:
                result = await self.sender.suppress(recipient_id, part)
            else:
                result = await self.sender.send(recipient_id, part, bypass_opt_out=safety)
            results.append(result)
        self.results.extend(results)
        return results

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_all(recipient_id, text, safety=bool(kwargs.get(replies.SAFETY_REPLY_KEY)))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        # The numbers are read back from the tracker (menu_from_events).
        await self._send_all(recipient_id, sms_text.with_buttons(text, [t for t, _ in menu_of(buttons)]))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, f"图片：{image}")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, f"附件：{attachment}")

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Raw JSON is no SMS; only a text inside it is.
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if text:
            await self.send_text_message(recipient_id, str(text))
        else:
            logger.warning("custom payload for %s not sent by SMS: %r", mask_phone(recipient_id), json_message)


class TwilioSmsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioSmsInput":
        # The base class ignores credentials; settings come from the
        # environment (bot.settings.TwilioSmsConfig), optionally overridden by
        # credentials.yml keys.
        return cls(TwilioSmsConfig.from_env(overrides=credentials or {}))

    def __init__(
        self,
        config: TwilioSmsConfig,
        sender: Optional[SmsSender] = None,
        db_url: Optional[str] = None,
        route_prefix: str = "/webhooks/",
        tracker_store: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.db_url = db_url
        # Where the menus are read back from: Rasa's tracker store (the
        # agent's, found on the first request), shared by every process.
        self.tracker_store = tracker_store
        self.clock = clock
        self.route_prefix = "/" + route_prefix.strip("/") + "/" if route_prefix.strip("/") else "/"
        self._learned_base_url: Optional[str] = None
        self.sender = sender or SmsSender(config, status_callback=self.status_callback_url, db_url=db_url)
        self._tasks: Set[asyncio.Task] = set()
        # The last message task per sender: the next one waits for it, so
        # one cardholder's messages are handled in the order they arrived.
        self._last_task: Dict[str, asyncio.Task] = {}
        # In memory, per process: see bot/core/ratelimit.py.
        self.limiter = TokenBucketLimiter(config.rate_burst, config.rate_per_minute)
        if not config.auth_token:
            logger.error(
                "twilio_sms: TWILIO_AUTH_TOKEN is not set; every request to "
                "/webhooks/twilio_sms/ will be refused (403)"
            )
        logger.info(
            "twilio_sms: outbound SMS go to %s",
            "Twilio" + (f" at {config.api_base_url}" if config.api_base_url else "")
            if config.uses_twilio
            else "the local outbox (no Twilio credentials)",
        )

    # -- URLs -------------------------------------------------------------

    def status_callback_url(self) -> Optional[str]:
        base = self.config.public_url or self._learned_base_url
        if not base:
            return None
        return f"{base}{self.route_prefix}{self.name()}/status"

    def _called_url(self, request: Request) -> Tuple[str, str]:
        """(base URL, full URL) of the request as Twilio called and signed it."""
        return called_url(request, self.config.public_url)

    # -- checks -------------------------------------------------------------

    def _signed_params(self, request: Request) -> Tuple[Optional[_FormParams], Optional[HTTPResponse]]:
        """The form parameters if the signature is valid, else a 403 response."""
        params, refused, base = verify_signature(request, self.config.auth_token, self.config.public_url, "twilio_sms")
        if refused is None and not self.config.public_url and self._learned_base_url != base:
            # No TWILIO_PUBLIC_URL: status callbacks go where Twilio reached us.
            self._learned_base_url = base
        return params, refused

    # -- database -------------------------------------------------------------

    async def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_thread(fn, *args, db_url=self.db_url, **kwargs)

    # -- the blueprint --------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms_webhook = Blueprint("twilio_sms_webhook", __name__)

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # Input limits for the whole Rasa server (REST channel, HTTP API).

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            too_large = self._too_large(request)
            if too_large is not None:
                return too_large
            params, refused = self._signed_params(request)
            if refused is not None:
                return refused
            if self.tracker_store is None:
                agent = getattr(request.app.ctx, "agent", None)
                self.tracker_store = getattr(agent, "tracker_store", None)
            return await self._receive(request, clean_params(params), on_new_message)

        @sms_webhook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            too_large = self._too_large(request)
            if too_large is not None:
                return too_large
            params, refused = self._signed_params(request)
            if refused is not None:
                return refused
            return await self._status(clean_params(params))

        @sms_webhook.listener("before_server_stop")
        async def drain(_app, _loop) -> None:
            await self.drain()

        return sms_webhook

    def _too_large(self, request: Request) -> Optional[HTTPResponse]:
        size = len(request.body or b"")
        if size <= self.config.max_request_bytes:
            return None
        logger.warning("twilio_sms: %d-byte request to %s refused (limit %d)", size, request.path,
                       self.config.max_request_bytes)
        return response.text(f"request body over {self.config.max_request_bytes} bytes", status=413)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for the messages still being handled (shutdown, tests)."""
        await drain_tasks(self._tasks, timeout, "twilio_sms")

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._tasks.discard)
        return task

    async def _receive(self, request: Request, params: _FormParams, on_new_message) -> HTTPResponse:
        sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
        phone = (params.get("From") or "").strip()
        if not sid:
            return response.text("missing MessageSid parameter", status=400)
        if not phone:
            return response.text("missing From parameter", status=400)
        if not SID_RE.match(sid):
            return response.text("malformed MessageSid parameter", status=400)
        if not SENDER_RE.match(phone):
            return response.text("malformed From parameter", status=400)
        if "Body" not in params:
            return response.text("missing Body parameter: nothing to process", status=400)
        text = params["Body"]
        if not text.strip():
            return response.text("empty Body: nothing to process", status=400)
        decision = self.limiter.allow(phone)
        if not decision.allowed:
            logger.warning(
                "twilio_sms: %s is over its rate limit; message %s dropped (next in %.0f s)",
                mask_phone(phone), sid, decision.retry_after,
            )
            return response.text(
                EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE, headers={RATE_LIMITED_HEADER: "1"}
            )
        original_length = len(text)
        if original_length > self.config.max_inbound_chars:
            text = text[: self.config.max_inbound_chars]
            logger.warning(
                "twilio_sms: message %s from %s has %d characters; truncated to %d",
                sid, mask_phone(phone), original_length, self.config.max_inbound_chars,
            )
        try:
            new = await self._db(sms_db.record_inbound, sid, phone)
        except Exception:
            logger.exception("twilio_sms: could not record message %s; asking Twilio to retry", sid)
            return response.text("temporarily unavailable", status=503)
        if not new:
            logger.info("twilio_sms: message %s already received; not processed again", sid)
            return response.text(EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE)
        metadata = self.get_metadata(request) or {CHANNEL_NAME: {}}
        metadata[CHANNEL_NAME].update(truncated=original_length > len(text), original_length=original_length)
        previous = self._last_task.get(phone)
        task = self._spawn(self._handle(on_new_message, sid, phone, text, metadata, after=previous))
        self._last_task[phone] = task
        task.add_done_callback(lambda t: self._last_task.pop(phone, None) if self._last_task.get(phone) is t else None)
        return response.text(EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE)

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """What the tracker keeps about an SMS besides its text (not the Body)."""
        params = clean_params(form_params(request))
        return {
            CHANNEL_NAME: {
                "message_sid": params.get("MessageSid"),
                "to": params.get("To"),
                "num_segments": params.get("NumSegments"),
                "num_media": params.get("NumMedia"),
            }
        }

    async def _menu_choice(self, phone: str, text: str) -> Optional[Tuple[str, Optional[str], int]]:
        """(title, payload, number) when ``text`` picks an item of the menu
        the bot last sent to ``phone``; read from the tracker store, so any
        process (or this one after a restart) maps it the same way."""
        number = sms_text.choice_number(text)
        if number is None or self.tracker_store is None:
            return None
        try:
            tracker = await self.tracker_store.retrieve(phone)
        except Exception:
            logger.exception("twilio_sms: could not read the menu sent to %s", mask_phone(phone))
            return None
        menu = menu_from_events(tracker.events if tracker is not None else [], self.clock())
        if number > len(menu):
            return None
        title, payload = menu[number - 1]
        return title, payload, number

    async def _keywords(self, phone: str, text: str) -> Tuple[Optional[str], bool, bool]:
        """Apply opt-out/opt-in keywords: (confirmation to send, bypass the
        opt-out for it, suppress the bot's own reply)."""

        def unit(s) -> Tuple[Optional[str], bool, bool]:
            opted_out = repository.is_opted_out(s, phone, CHANNEL_NAME)
            if sms_text.is_opt_out(text):
                if opted_out:
                    return None, False, False  # already confirmed once
                repository.record_opt_out(s, phone, CHANNEL_NAME)
                return sms_text.OPT_OUT_CONFIRMATION, True, False
            if sms_text.is_opt_in(text) and opted_out:
                repository.revoke_opt_out(s, phone, CHANNEL_NAME)
                if repository.is_opted_out(s, phone, CHANNEL_NAME):
                    # An opt-out from every channel ("all") still stands.
                    return None, False, False
                return sms_text.OPT_IN_CONFIRMATION, False, True
            return None, False, False

        return await self._db(unit)

    async def _handle(
        self,
        on_new_message,
        sid: str,
        phone: str,
        text: str,
        metadata: Dict[str, Any],
        after: Optional[asyncio.Task] = None,
    ) -> None:
        if after is not None and not after.done():
            await asyncio.wait([after])
        try:
            confirmation, bypass, suppress = await self._keywords(phone, text)
            if confirmation:
                await self.sender.send(phone, confirmation, bypass_opt_out=bypass)
            choice = await self._menu_choice(phone, text)
            if choice is not None:
                title, payload, number = choice
                metadata[CHANNEL_NAME]["menu_choice"] = {"number": number, "title": title}
                text = payload or title
            output = TwilioSmsOutput(self.sender, self.config.max_segments, suppress=suppress)
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    sender_id=phone,
                    input_channel=CHANNEL_NAME,
                    message_id=sid,
                    metadata=metadata,
                )
            )
            status = "processed"
        except Exception:
            logger.exception("twilio_sms: handling message %s from %s failed", sid, mask_phone(phone))
            status = "failed"
        try:
            await self._db(sms_db.mark_inbound, sid, status)
        except Exception:
            logger.exception("twilio_sms: could not mark message %s as %s", sid, status)

    async def _status(self, params: _FormParams) -> HTTPResponse:
        sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
        status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
        if not sid or not status:
            return response.text("missing MessageSid or MessageStatus parameter", status=400)
        if not SID_RE.match(sid):
            return response.text("malformed MessageSid parameter", status=400)
        if params.get("ErrorCode"):
            logger.warning("twilio_sms: message %s is %s with error %s", sid, status, params.get("ErrorCode"))
        if status not in sms_db.TWILIO_STATUSES:
            logger.info("twilio_sms: ignoring status %r for message %s", status, sid)
            return response.text(EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE)
        try:
            current = await self._db(sms_db.update_status, sid, status)
        except Exception:
            logger.exception("twilio_sms: could not store status %s of %s", status, sid)
            return response.text("temporarily unavailable", status=503)
        if current is None:
            # Twilio can call back before our send has stored the SID.
            self._spawn(self._retry_status(sid, status))
        return response.text(EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE)

    async def _retry_status(self, sid: str, status: str) -> None:
        for delay in STATUS_RETRY_DELAYS:
            await asyncio.sleep(delay)
            try:
                if await self._db(sms_db.update_status, sid, status) is not None:
                    return
            except Exception:
                logger.exception("twilio_sms: could not store status %s of %s", status, sid)
        logger.warning("twilio_sms: status %s for unknown message %s dropped", status, sid)

    def get_output_channel(self) -> OutputChannel:
        # For messages the server sends on its own (HTTP API, reminders):
        # the same opt-out check, splitting and logging.
        return TwilioSmsOutput(self.sender, self.config.max_segments)
