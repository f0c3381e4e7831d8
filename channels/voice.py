"""Phone calls over Twilio Programmable Voice (``channels.voice.VoiceInput``).

Rasa's ``TwilioVoiceInput`` recognises speech as US English, speaks only
English voices, checks no signature, takes no keypad input, greets only on
``ringing`` and knows nothing of answering machines. This channel:

- answers Twilio's voice webhooks with TwiML built by the SDK's
  ``VoiceResponse``: ``<Say language="zh-CN" voice=VOICE_TTS_VOICE>`` and
  ``<Gather input="speech dtmf" language="zh-CN" hints=…>`` whose action is
  the next turn; after the Gather a ``<Redirect>`` to ``/silence``, which
  re-prompts and, after VOICE_MAX_SILENCES silent turns, says goodbye and
  hangs up;
- settings: bot.settings.voice_settings (VOICE_*, TWILIO_PUBLIC_URL), the
  token through bot/secrets.py;
- checks ``X-Twilio-Signature`` on every request with the SMS channel's
  check (channels/twilio_sms.verify_signature: 403 without a token, a
  signature, or with a forged one); in production it refuses to start
  without TWILIO_AUTH_TOKEN (bot/secrets.py);
- the conversation is the caller's E.164 number (``From``; for an outbound
  call the ``To`` number): the same conversation as SMS;
- processes each step of a call once: a step is ``CallSid`` + the turn
  number in the action URL, recorded in the database (``sms_inbound``,
  ``CallSid:turn``) before it is processed, so two Rasa processes or a
  restarted one never process it twice; a redelivery gets the answer of the
  first delivery: from memory in the process that answered it, elsewhere
  rebuilt from the conversation in the shared tracker store (the same bot
  messages after the user event ``CallSid:turn``, rendered the same way), or
  a holding phrase while the first delivery is still being processed;
- keeps nothing about a call in process memory that the next step needs:
  the caller's number and direction come with every request, the keypad
  menu of the last reply travels in the (signed) action URL, the rest is in
  the database and the tracker store (memory holds only answers already
  given, as a cache, and the task of a turn in progress);
- greets on the first request whatever its ``CallStatus`` (an outbound call
  arrives ``in-progress``); an answering machine (``AnsweredBy=machine_*``
  or ``fax``) gets only a neutral callback message (bank and hotline, no
  name, no debt) and the attempt is logged as unanswered (status
  ``machine``);
- keypad digits are text (``*`` is the X of an ID card); a single digit
  picks the spoken menu "按1 …" (bot/core/spoken.py), the rest goes to the
  assistant (ID digits, never read back);
- every reply is rendered for the ear (bot/core/spoken.voice_reply:
  amounts, dates and plans as a person says them);
- a slow turn never leaves the caller in silence: after VOICE_TURN_SECONDS
  the webhook answers with a holding phrase and a ``<Redirect>`` to
  ``/result``, which waits for the same turn;
- hand-over: a crisis said on the call is put through at once to
  the on-call number (COLLECTBOT_ONCALL_PHONE, the number crisis paging
  uses too); any other hand-over (the conversation paused by the
  assistant) to VOICE_AGENT_NUMBER (``<Dial>``) or VOICE_AGENT_QUEUE
  (``<Enqueue>``) in staffed hours; out of hours the assistant's reply says
  when a person will call back, the caller is told the staffed hours and
  the hotline to call back, and the call ends politely;
- "别再打了" (any opt-out bot/core/safety.py recognises) on a call stops
  calls and SMS: an opt-out for every channel ("all");
- status callbacks (``POST /webhooks/voice/status``: no-answer, busy,
  failed, canceled, completed with its duration) land in the contact log,
  once per CallSid and status (``message_id`` = ``CallSid:status``), and
  count toward the guard's caps (bot/voice/calls.py).

The turns themselves reach the contact log through the event broker like
any other channel's, with channel ``voice``; the console's live transcript
(read from the tracker) shows what was recognised (speech or keypad) and
what the assistant said. A console reply cannot reach a call (the agent
talks on the transferred call itself): ``voice`` is no push channel
(bot/core/channels.PUSH_CHANNELS) and the console says so instead of
offering a text box.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Set, Text, Tuple
from urllib.parse import urlencode

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets
from bot.core import safety, spoken
from bot.core.channels import VOICE
from bot.core.masking import mask_phone
from bot.core.text import clean_text
from bot.db import repository
from bot.db import sms as sms_db
from bot.db.session import run_in_thread
from bot.settings import VOICE_DEFAULT_HINTS, VOICE_DEFAULT_LANGUAGE, VOICE_DEFAULT_TTS, get_settings, voice_settings
from channels.twilio_sms import SENDER_RE, SID_RE, clean_params, drain_tasks, verify_signature

logger = logging.getLogger(__name__)

CHANNEL_NAME = VOICE
TWIML_CONTENT_TYPE = "text/xml"
DEFAULT_VOICE = VOICE_DEFAULT_TTS
DEFAULT_LANGUAGE = VOICE_DEFAULT_LANGUAGE
DEFAULT_HINTS = VOICE_DEFAULT_HINTS
# The first turn: what the assistant hears when the call connects.
START_PAYLOAD = "/greet"
# Call statuses that mean nobody took the call (counted by the guard's cap).
UNANSWERED_STATUSES = frozenset({"no-answer", "busy", "failed", "canceled", "machine"})
CALL_STATUSES = frozenset({"queued", "initiated", "ringing", "in-progress", "completed"}) | UNANSWERED_STATUSES
STATUS_WORDS = {
    "queued": "呼叫排队",
    "initiated": "开始呼叫",
    "ringing": "振铃",
    "in-progress": "通话中",
    "completed": "通话结束",
    "no-answer": "无人接听",
    "busy": "占线",
    "failed": "呼叫失败",
    "canceled": "呼叫取消",
    "machine": "答录机接听",
}
# Remembered answers to a call's steps (a redelivery to this process gets
# the same answer without a database round trip).
ANSWER_TTL_SECONDS = 15 * 60
DRAIN_SECONDS = 30.0
# A redelivered step still being processed by another process: holding
# phrases (each after VOICE_TURN_SECONDS of Twilio's redirect) before the
# caller is asked to say it again.
MAX_HOLDS = 3
# The keypad menu carried in the action URL: at most 9 choices (one key).
MENU_MAX_CHOICES = 9
MENU_MAX_CHARS = 200


@dataclass(frozen=True)
class VoiceConfig:
    """The voice channel's settings (bot.settings.VoiceSettings; environment variables in brackets)."""

    auth_token: Optional[str] = None  # TWILIO_AUTH_TOKEN (webhook signatures; bot/secrets.py)
    public_url: Optional[str] = None  # TWILIO_PUBLIC_URL
    voice: str = DEFAULT_VOICE  # VOICE_TTS_VOICE
    language: str = DEFAULT_LANGUAGE  # VOICE_LANGUAGE (Say and Gather)
    hints: str = DEFAULT_HINTS  # VOICE_SPEECH_HINTS (comma-separated)
    gather_timeout: int = 6  # VOICE_GATHER_TIMEOUT: seconds of silence before a re-prompt
    speech_timeout: str = "auto"  # VOICE_SPEECH_TIMEOUT
    max_silences: int = 2  # VOICE_MAX_SILENCES: re-prompts before goodbye
    turn_seconds: float = 8.0  # VOICE_TURN_SECONDS: then a holding phrase and a redirect
    agent_number: Optional[str] = None  # VOICE_AGENT_NUMBER: <Dial> for a hand-over
    agent_queue: Optional[str] = None  # VOICE_AGENT_QUEUE: <Enqueue> instead
    oncall_number: Optional[str] = None  # COLLECTBOT_ONCALL_PHONE: crisis, at any hour
    recording: bool = False  # VOICE_RECORDING: announce and record the call
    bank: str = "星河银行"  # COLLECTBOT_BANK_NAME
    hotline: str = "400-800-9588"  # COLLECTBOT_BANK_HOTLINE

    @classmethod
    def from_env(
        cls, env: Optional[Mapping[str, str]] = None, overrides: Optional[Mapping[str, Any]] = None
    ) -> "VoiceConfig":
        """From bot/settings.py; ``overrides`` (credentials.yml) win."""
        v = voice_settings(env, overrides)
        token = str((overrides or {}).get("auth_token") or "").strip() or secrets.configured("TWILIO_AUTH_TOKEN", env)
        general = get_settings()
        return cls(
            auth_token=token, public_url=v.public_url, voice=v.voice, language=v.language, hints=v.hints,
            gather_timeout=v.gather_timeout, speech_timeout=v.speech_timeout, max_silences=v.max_silences,
            turn_seconds=v.turn_seconds, agent_number=v.agent_number, agent_queue=v.agent_queue,
            oncall_number=v.oncall_number, recording=v.recording, bank=general.bank_name,
            hotline=general.bank_hotline,
        )


# --------------------------------------------------------------------------
# The keypad menu, carried in the action URL
# --------------------------------------------------------------------------

Menu = List[Tuple[str, Optional[str]]]


def menu_param(menu: Sequence[Tuple[str, Optional[str]]]) -> Optional[str]:
    """The menu as a query value: JSON [[title, payload], …] (None: no menu).
    Twilio posts the action URL back as it was given and signs it, so the
    menu cannot be changed by anyone without the auth token."""
    if not menu:
        return None
    return json.dumps([[t[:MENU_MAX_CHARS], (p or "")[:MENU_MAX_CHARS]] for t, p in menu[:MENU_MAX_CHOICES]],
                      ensure_ascii=False, separators=(",", ":"))


def parse_menu(value: Optional[str]) -> Menu:
    """The menu of a query value; anything malformed is no menu."""
    if not value:
        return []
    try:
        items = json.loads(value)
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    menu: Menu = []
    for item in items[:MENU_MAX_CHOICES]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            return []
        title, payload = (clean_text(x)[:MENU_MAX_CHARS] for x in item)
        menu.append((title, payload or None))
    return menu


# --------------------------------------------------------------------------
# TwiML
# --------------------------------------------------------------------------


class Twiml:
    """The TwiML answers of one call, built with the SDK's VoiceResponse."""

    def __init__(self, cfg: VoiceConfig, base_path: str) -> None:
        self.cfg = cfg
        self.base_path = base_path  # /webhooks/voice

    def url(self, route: str, **query: Any) -> str:
        query = {k: v for k, v in query.items() if v is not None}
        return f"{self.base_path}/{route}" + (("?" + urlencode(query)) if query else "")

    def _say(self, node, text: str) -> None:
        if text:
            node.say(text, voice=self.cfg.voice, language=self.cfg.language)

    def gather(self, speech: str, turn: int, silences: int = 0, menu: Sequence[Tuple[str, Optional[str]]] = ()):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        carried = menu_param(menu)
        g = r.gather(
            input="speech dtmf",
            language=self.cfg.language,
            hints=self.cfg.hints,
            timeout=self.cfg.gather_timeout,
            speech_timeout=self.cfg.speech_timeout,
            finish_on_key="#",
            action=self.url("gather", turn=turn, menu=carried),
            method="POST",
            action_on_empty_result=False,
        )
        self._say(g, speech)
        r.redirect(self.url("silence", turn=turn, silences=silences + 1, menu=carried), method="POST")
        return r

    def goodbye(self, speech: str):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        self._say(r, speech)
        r.hangup()
        return r

    def transfer(self, speech: str, number: Optional[str] = None, queue: Optional[str] = None,
                 then: str = ""):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        self._say(r, speech)
        if queue:
            r.enqueue(queue)
        elif number:
            r.dial(number, timeout=30)
        self._say(r, then)
        r.hangup()
        return r

    def holding(self, speech: str, turn: int, hold: Optional[int] = None):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        self._say(r, speech)
        r.pause(length=1)
        r.redirect(self.url("result", turn=turn, hold=hold), method="POST")
        return r


def twiml_text(r) -> str:
    return str(r)


def _twiml(r) -> HTTPResponse:
    return response.text(twiml_text(r), content_type=TWIML_CONTENT_TYPE)


# --------------------------------------------------------------------------
# Keypad
# --------------------------------------------------------------------------

_DIGITS_RE = re.compile(r"^[0-9*#]{1,32}$")


def keypad_text(digits: str) -> str:
    """Digits as the assistant reads them: ``*`` is the X of an ID card,
    ``#`` (end of entry) dropped."""
    return digits.replace("#", "").replace("*", "X")


def call_phone(params: Mapping[str, str]) -> Tuple[str, bool]:
    """(the cardholder's number, outbound?) of a call: every request says it."""
    direction = (params.get("Direction") or "").lower()
    outbound = direction.startswith("outbound")
    phone = (params.get("To") if outbound else params.get("From")) or ""
    return phone.strip(), outbound


def step_id(sid: str, turn: int) -> str:
    """The step's id: the ``sms_inbound`` row and the user event's ``message_id``."""
    return f"{sid}:{turn}"


def findings(text: str) -> Tuple[bool, bool]:
    """(a certain crisis?, an opt-out?) in what the caller said."""
    finding = safety.verdict(text) if text and not text.startswith("/") else None
    crisis = finding is not None and finding.intent == "crisis" and finding.tier == safety.CERTAIN
    stop = finding is not None and finding.intent == "stop_contact"
    return crisis, stop


def step_messages(tracker: Any, sid: str, turn: int) -> Optional[Tuple[str, List[Dict[str, Any]]]]:
    """(what the caller said, the bot's messages that answered it) of one
    step, read back from the conversation; None when the step is not in it."""
    from rasa.shared.core.events import BotUttered, UserUttered

    key = step_id(sid, turn)
    said: Optional[str] = None
    messages: List[Dict[str, Any]] = []
    for event in getattr(tracker, "events", None) or []:
        if isinstance(event, UserUttered):
            if said is not None:
                break
            if event.message_id == key:
                said = event.text or ""
        elif said is not None and isinstance(event, BotUttered):
            data = event.data or {}
            messages.append({"text": event.text, "buttons": data.get("buttons"), "custom": data.get("custom")})
    return None if said is None else (said, messages)


class VoiceInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "VoiceInput":
        # Production refuses to start without the token that checks signatures.
        secrets.require_names(["TWILIO_AUTH_TOKEN"])
        return cls(VoiceConfig.from_env(overrides=credentials or {}))

    def __init__(self, config: VoiceConfig, db_url: Optional[str] = None,
                 route_prefix: str = "/webhooks/") -> None:
        self.config = config
        self.db_url = db_url
        prefix = "/" + route_prefix.strip("/") if route_prefix.strip("/") else ""
        self.twiml = Twiml(config, f"{prefix}/{self.name()}")
        # (CallSid, turn) -> the task answering it in this process, and its
        # answer once done (a cache: another process rebuilds it).
        self._turns: Dict[Tuple[str, int], asyncio.Task] = {}
        self._answers: Dict[Tuple[str, int], Tuple[float, str]] = {}
        self._tasks: Set[asyncio.Task] = set()
        self._agent = None
        if not config.auth_token:
            logger.error("voice: TWILIO_AUTH_TOKEN is not set; every request to /webhooks/voice/ will be refused (403)")

    # -- helpers ---------------------------------------------------------------

    async def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_thread(fn, *args, db_url=self.db_url, **kwargs)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        await drain_tasks(self._tasks, timeout, "voice")

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - ANSWER_TTL_SECONDS
        for key in [k for k, (at, _) in self._answers.items() if at < cutoff]:
            self._answers.pop(key, None)

    def _lead(self, turn: int) -> str:
        return spoken.VOICE_RECORDING_NOTICE if turn == 0 and self.config.recording else ""

    # -- the blueprint ----------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("voice_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def checked(request: Request):
            params, refused, _ = verify_signature(request, self.config.auth_token, self.config.public_url, "voice")
            if refused is not None:
                return None, refused
            params = clean_params(params)
            sid = (params.get("CallSid") or "").strip()
            if not sid or not SID_RE.match(sid):
                return None, response.text("missing or malformed CallSid parameter", status=400)
            phone, _ = call_phone(params)
            if not phone or not SENDER_RE.match(phone):
                return None, response.text("missing or malformed caller number", status=400)
            self._agent = getattr(request.app.ctx, "agent", None)
            return params, None

        @bp.route("/call", methods=["POST"])
        async def call(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            return await self._start(params, on_new_message)

        @bp.route("/gather", methods=["POST"])
        async def gather(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            turn = _int(request.args.get("turn"), 1)
            menu = parse_menu(request.args.get("menu"))
            return await self._gathered(params, turn, menu, on_new_message)

        @bp.route("/silence", methods=["POST"])
        async def silence(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            turn = _int(request.args.get("turn"), 1)
            silences = _int(request.args.get("silences"), 1)
            if silences > self.config.max_silences:
                return _twiml(self.twiml.goodbye(spoken.voice_reply(
                    spoken.VOICE_SILENT_GOODBYE.format(hotline=self.config.hotline)).speech))
            menu = parse_menu(request.args.get("menu"))
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, silences, menu))

        @bp.route("/result", methods=["POST"])
        async def result(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            turn = _int(request.args.get("turn"), 1)
            return await self._answer_of(params, turn, hold=_int(request.args.get("hold"), 0))

        @bp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            return await self._status(params)

        @bp.listener("before_server_stop")
        async def drain(_app, _loop) -> None:
            await self.drain()

        return bp

    # -- a call starts -----------------------------------------------------------

    async def _start(self, params: Mapping[str, str], on_new_message) -> HTTPResponse:
        sid = params["CallSid"]
        phone, outbound = call_phone(params)
        answered_by = (params.get("AnsweredBy") or "").lower()
        if answered_by.startswith("machine") or answered_by == "fax":
            # Nothing about the debt or the person to a recording anybody may hear.
            try:
                await self._db(log_call_status, sid, phone, "machine", outbound=outbound, detail=answered_by)
            except Exception:
                logger.exception("voice: could not log the machine answer of %s", sid)
            return _twiml(self.twiml.goodbye(spoken.voice_reply(
                spoken.VOICE_MACHINE_MESSAGE.format(bank=self.config.bank, hotline=self.config.hotline)).speech))
        return await self._turn(params, 0, START_PAYLOAD, on_new_message=on_new_message)

    async def _gathered(self, params: Mapping[str, str], turn: int, menu: Menu, on_new_message) -> HTTPResponse:
        sid = params["CallSid"]
        digits = (params.get("Digits") or "").strip()
        speech = (params.get("SpeechResult") or "").strip()
        metadata: Dict[str, Any] = {"call_sid": sid}
        if digits and _DIGITS_RE.match(digits):
            text = keypad_text(digits)
            metadata["input"] = "dtmf"
            if len(text) == 1 and text.isdigit() and menu and 1 <= int(text) <= len(menu):
                title, payload = menu[int(text) - 1]
                metadata["menu_choice"] = {"number": int(text), "title": title}
                text = payload or title
        elif speech:
            text = speech[:500]
            metadata["input"] = "speech"
            metadata["confidence"] = params.get("Confidence")
        else:
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, 1, menu))
        if not text:
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, 1, menu))
        return await self._turn(params, turn, text, metadata=metadata, on_new_message=on_new_message)

    # -- one turn -----------------------------------------------------------------

    async def _turn(self, params: Mapping[str, str], turn: int, text: str, *, on_new_message,
                    metadata: Optional[Dict[str, Any]] = None) -> HTTPResponse:
        sid = params["CallSid"]
        key = (sid, turn)
        self._forget_old()
        if key in self._turns or key in self._answers:
            logger.info("voice: step %s of %s delivered again; answered once", turn, sid)
            return await self._answer_of(params, turn)
        phone, _ = call_phone(params)
        try:
            new = await self._db(sms_db.record_inbound, step_id(sid, turn), phone)
        except Exception:
            logger.exception("voice: could not record step %s of %s", turn, sid)
            return response.text("temporarily unavailable", status=503)
        if not new:
            # Received before by another process (or before a restart).
            logger.info("voice: step %s of %s already received; not processed again", turn, sid)
            return await self._answer_of(params, turn)
        self._turns[key] = self._spawn(self._process(sid, turn, phone, text, metadata or {}, on_new_message))
        return await self._answer_of(params, turn)

    async def _answer_of(self, params: Mapping[str, str], turn: int, hold: int = 0) -> HTTPResponse:
        sid = params["CallSid"]
        key = (sid, turn)
        if key in self._answers:
            return response.text(self._answers[key][1], content_type=TWIML_CONTENT_TYPE)
        task = self._turns.get(key)
        if task is None:
            return await self._answer_elsewhere(params, turn, hold)
        try:
            answer = await asyncio.wait_for(asyncio.shield(task), timeout=self.config.turn_seconds)
        except asyncio.TimeoutError:
            return _twiml(self.twiml.holding(spoken.VOICE_HOLD, turn))
        except Exception:
            logger.exception("voice: step %s of %s failed", turn, sid)
            return _twiml(self.twiml.gather(spoken.VOICE_SYSTEM_BUSY, turn + 1))
        return response.text(answer, content_type=TWIML_CONTENT_TYPE)

    async def _answer_elsewhere(self, params: Mapping[str, str], turn: int, hold: int) -> HTTPResponse:
        """The answer of a step this process did not process: another Rasa
        process did, or this one before a restart. Still in progress there: a
        holding phrase (a few times); done: its answer rebuilt from the
        conversation; unknown or lost: the caller is asked to say it again,
        on the next turn (the step itself is never processed twice)."""
        sid = params["CallSid"]
        phone, _ = call_phone(params)
        try:
            status = await self._db(sms_db.inbound_status, step_id(sid, turn))
        except Exception:
            logger.exception("voice: could not read step %s of %s", turn, sid)
            status = None
        if status == "received":
            if hold < MAX_HOLDS:
                await asyncio.sleep(min(self.config.turn_seconds, 2.0))
                return _twiml(self.twiml.holding(spoken.VOICE_HOLD, turn, hold + 1))
        elif status in ("processed", "failed"):
            answer = await self._replay(sid, turn, phone)
            if answer is not None:
                self._answers[(sid, turn)] = (time.monotonic(), answer)
                return response.text(answer, content_type=TWIML_CONTENT_TYPE)
        return _twiml(self.twiml.gather(spoken.VOICE_SYSTEM_BUSY, turn + 1))

    async def _replay(self, sid: str, turn: int, phone: str) -> Optional[str]:
        tracker = await self._tracker(phone)
        step = step_messages(tracker, sid, turn) if tracker is not None else None
        if step is None:
            return None
        said, messages = step
        crisis, stop = findings(said)
        return twiml_text(await self._next(turn, phone, messages, self._lead(turn), crisis, stop, tracker))

    async def _process(self, sid: str, turn: int, phone: str, text: str, metadata: Dict[str, Any],
                       on_new_message) -> str:
        key = (sid, turn)
        text = clean_text(text)
        crisis, stop = findings(text)
        status = "processed"
        try:
            if stop:
                # On a call, "别再打了" stops calls and SMS alike.
                await self._db(repository.record_opt_out, phone, "all")
            output = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, output, sender_id=phone, input_channel=CHANNEL_NAME,
                            message_id=step_id(sid, turn), metadata={CHANNEL_NAME: metadata})
            )
            answer = twiml_text(await self._next(turn, phone, output.messages, self._lead(turn), crisis, stop))
        except Exception:
            logger.exception("voice: handling step %s of %s from %s failed", turn, sid, mask_phone(phone))
            status = "failed"
            answer = twiml_text(self.twiml.gather(spoken.VOICE_SYSTEM_BUSY, turn + 1))
        self._answers[key] = (time.monotonic(), answer)
        self._turns.pop(key, None)
        try:
            await self._db(sms_db.mark_inbound, step_id(sid, turn), status)
        except Exception:
            logger.exception("voice: could not mark step %s of %s", turn, sid)
        return answer

    async def _tracker(self, phone: str) -> Any:
        agent = self._agent
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return None
        try:
            return await agent.tracker_store.retrieve(phone)
        except Exception:
            logger.exception("voice: could not read the conversation of %s", mask_phone(phone))
            return None

    async def _conversation(self, phone: str, tracker: Any = None) -> Tuple[bool, Optional[str]]:
        """(handed over to a person?, latest intent) of the conversation."""
        if tracker is None:
            tracker = await self._tracker(phone)
        if tracker is None:
            return False, None
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        return bool(tracker.get_slot("escalated")) or tracker.is_paused(), intent

    async def _next(self, turn: int, phone: str, messages: List[Dict[str, Any]], lead: str,
                    crisis: bool, stop: bool, tracker: Any = None):
        """The TwiML that answers one step: speech, then the next turn, a
        transfer or a goodbye."""
        replies = [
            spoken.voice_reply(m.get("text"), m.get("buttons"), m.get("custom"))
            for m in messages
        ]
        speech = spoken.join_speech([lead] + [r.speech for r in replies])
        menus = [r.menu for r in replies if r.menu]
        menu = menus[-1] if menus else []
        cfg = self.config
        if crisis and (cfg.oncall_number or cfg.agent_number or cfg.agent_queue):
            # At any hour: a person now, never "call back tomorrow".
            return self.twiml.transfer(
                spoken.join_speech([speech, spoken.VOICE_CRISIS_TRANSFER]),
                number=cfg.oncall_number or cfg.agent_number,
                queue=None if cfg.oncall_number else cfg.agent_queue,
                then=spoken.voice_reply(spoken.VOICE_TRANSFER_FAILED.format(hotline=cfg.hotline)).speech,
            )
        if stop:
            return self.twiml.goodbye(spoken.join_speech([speech, spoken.VOICE_OPTED_OUT]))
        handed_over, intent = await self._conversation(phone, tracker)
        if handed_over:
            from bot import clock

            hours = get_settings().staffed_hours
            if hours.is_staffed(clock.now()) and (cfg.agent_number or cfg.agent_queue):
                return self.twiml.transfer(
                    spoken.join_speech([speech, spoken.VOICE_TRANSFER]),
                    number=cfg.agent_number, queue=cfg.agent_queue,
                    then=spoken.voice_reply(spoken.VOICE_TRANSFER_FAILED.format(hotline=cfg.hotline)).speech,
                )
            return self.twiml.goodbye(spoken.join_speech([
                spoken.out_of_hours(speech), spoken.voice_reply(spoken.VOICE_CALL_BACK.format(
                    hours=hours.label().replace("-", "到"), hotline=cfg.hotline)).speech]))
        if intent == "goodbye":
            return self.twiml.goodbye(speech or spoken.VOICE_GOODBYE)
        return self.twiml.gather(speech or spoken.VOICE_REPROMPT, turn + 1, menu=menu)

    # -- status callbacks -------------------------------------------------------------

    async def _status(self, params: Mapping[str, str]) -> HTTPResponse:
        sid = params["CallSid"]
        status = (params.get("CallStatus") or "").strip().lower()
        if status not in CALL_STATUSES:
            logger.info("voice: ignoring status %r for call %s", status, sid)
            return response.text("", status=204)
        phone, outbound = call_phone(params)
        duration = (params.get("CallDuration") or "").strip()
        try:
            await self._db(log_call_status, sid, phone, status, outbound=outbound,
                           duration=duration if duration.isdigit() else None)
        except Exception:
            logger.exception("voice: could not store status %s of %s", status, sid)
            return response.text("temporarily unavailable", status=503)
        return response.text("", status=204)

    def get_output_channel(self):
        # A call cannot be spoken to out of turn: messages the server sends on
        # its own (an agent's reply) are collected, not delivered; the
        # console offers no text box on a call (voice is no push channel).
        return CollectingOutputChannel()


def _int(value: Optional[str], default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if 0 <= number < 10000 else default


def log_call_status(s, sid: str, phone: str, status: str, *, outbound: bool,
                    duration: Optional[str] = None, detail: str = "") -> int:
    """One contact-log row per call and status (idempotent: ``CallSid:status``)."""
    from bot import clock

    account = repository.primary_account_for_phone(s, phone, clock.today())
    text = "电话：" + STATUS_WORDS.get(status, status)
    if duration:
        text += f"，时长{duration}秒"
    return repository.log_contact(
        s,
        conversation_id=phone,
        channel=CHANNEL_NAME,
        direction="out" if outbound else "in",
        text=text,
        account_id=account.account_id if account else None,
        message_id=f"{sid}:{status}",
        status=status,
    )
