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
- checks ``X-Twilio-Signature`` on every request with the SMS channel's
  check (channels/twilio_sms.verify_signature: 403 without a token, a
  signature, or with a forged one); in production it refuses to start
  without TWILIO_AUTH_TOKEN (bot/secrets.py);
- the conversation is the caller's E.164 number (``From``; for an outbound
  call the ``To`` number): the same conversation as SMS;
- processes each step of a call once: a step is ``CallSid`` + the turn
  number in the action URL, recorded before it is processed (a redelivery
  gets the answer of the first delivery, or a re-prompt);
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
  VOICE_ONCALL_NUMBER; any other hand-over (the conversation paused by the
  assistant) to VOICE_AGENT_NUMBER (``<Dial>``) or VOICE_AGENT_QUEUE
  (``<Enqueue>``) in staffed hours; out of hours the assistant's reply says
  when a person will call back and the call ends politely;
- "别再打了" (any opt-out bot/core/safety.py recognises) on a call stops
  calls and SMS: an opt-out for every channel ("all");
- status callbacks (``POST /webhooks/voice/status``: no-answer, busy,
  failed, canceled, completed with its duration) land in the contact log,
  once per CallSid and status (``message_id`` = ``CallSid:status``), and
  count toward the guard's caps (bot/voice/calls.py).

The turns themselves reach the contact log through the event broker like
any other channel's, with channel ``voice``: the console's live transcript
shows what was recognised and what was said.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple
from urllib.parse import urlencode

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets
from bot.core import safety, spoken
from bot.core.channels import VOICE
from bot.core.text import clean_text
from bot.db import repository
from bot.db import sms as sms_db
from bot.db.session import session_scope
from bot.core.masking import mask_phone
from channels.twilio_sms import SENDER_RE, SID_RE, clean_params, verify_signature

logger = logging.getLogger(__name__)

CHANNEL_NAME = VOICE
TWIML_CONTENT_TYPE = "text/xml"
DEFAULT_VOICE = "Polly.Zhiyu-Neural"
DEFAULT_LANGUAGE = "zh-CN"
DEFAULT_HINTS = (
    "分期,延期,还款,本人,是的,不是,转人工,人工,最低还款,全部还清,我没钱,困难,已经还了,"
    "三期,六期,十二期,二十四期,一个月,下个月,明天,下周,别再打了,投诉,有异议"
)
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
# Remembered answers to a call's steps (a redelivery gets the same answer).
ANSWER_TTL_SECONDS = 15 * 60
DRAIN_SECONDS = 30.0


def _env(env: Mapping[str, str], name: str) -> Optional[str]:
    value = (env.get(name) or "").strip()
    return value or None


@dataclass(frozen=True)
class VoiceConfig:
    """The voice channel's settings (environment variables in brackets)."""

    auth_token: Optional[str] = None  # TWILIO_AUTH_TOKEN (webhook signatures)
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
    oncall_number: Optional[str] = None  # VOICE_ONCALL_NUMBER: crisis, at any hour
    recording: bool = False  # VOICE_RECORDING: announce and record the call
    bank: str = "星河银行"  # COLLECTBOT_BANK_NAME
    hotline: str = "400-800-9588"  # COLLECTBOT_BANK_HOTLINE

    @classmethod
    def from_env(
        cls, env: Optional[Mapping[str, str]] = None, overrides: Optional[Mapping[str, Any]] = None
    ) -> "VoiceConfig":
        env = os.environ if env is None else env
        o = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}

        def pick(key: str, var: str) -> Optional[str]:
            value = o.get(key)
            return str(value).strip() if value is not None else _env(env, var)

        public_url = pick("public_url", "TWILIO_PUBLIC_URL")
        max_silences = int(pick("max_silences", "VOICE_MAX_SILENCES") or 2)
        if max_silences < 1:
            raise ValueError("VOICE_MAX_SILENCES must be at least 1")
        return cls(
            auth_token=pick("auth_token", "TWILIO_AUTH_TOKEN"),
            public_url=public_url.rstrip("/") if public_url else None,
            voice=pick("voice", "VOICE_TTS_VOICE") or DEFAULT_VOICE,
            language=pick("language", "VOICE_LANGUAGE") or DEFAULT_LANGUAGE,
            hints=pick("hints", "VOICE_SPEECH_HINTS") or DEFAULT_HINTS,
            gather_timeout=int(pick("gather_timeout", "VOICE_GATHER_TIMEOUT") or 6),
            speech_timeout=pick("speech_timeout", "VOICE_SPEECH_TIMEOUT") or "auto",
            max_silences=max_silences,
            turn_seconds=float(pick("turn_seconds", "VOICE_TURN_SECONDS") or 8.0),
            agent_number=pick("agent_number", "VOICE_AGENT_NUMBER"),
            agent_queue=pick("agent_queue", "VOICE_AGENT_QUEUE"),
            oncall_number=pick("oncall_number", "VOICE_ONCALL_NUMBER"),
            recording=(pick("recording", "VOICE_RECORDING") or "").lower() in ("1", "true", "yes", "on"),
            bank=_env(env, "COLLECTBOT_BANK_NAME") or "星河银行",
            hotline=_env(env, "COLLECTBOT_BANK_HOTLINE") or "400-800-9588",
        )


# --------------------------------------------------------------------------
# TwiML
# --------------------------------------------------------------------------


class Twiml:
    """The TwiML answers of one call, built with the SDK's VoiceResponse."""

    def __init__(self, cfg: VoiceConfig, base_path: str) -> None:
        self.cfg = cfg
        self.base_path = base_path  # /webhooks/voice

    def url(self, route: str, **query: Any) -> str:
        return f"{self.base_path}/{route}" + (("?" + urlencode(query)) if query else "")

    def _say(self, node, text: str) -> None:
        if text:
            node.say(text, voice=self.cfg.voice, language=self.cfg.language)

    def gather(self, speech: str, turn: int, silences: int = 0):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        g = r.gather(
            input="speech dtmf",
            language=self.cfg.language,
            hints=self.cfg.hints,
            timeout=self.cfg.gather_timeout,
            speech_timeout=self.cfg.speech_timeout,
            finish_on_key="#",
            action=self.url("gather", turn=turn),
            method="POST",
            action_on_empty_result=False,
        )
        self._say(g, speech)
        r.redirect(self.url("silence", turn=turn, silences=silences + 1), method="POST")
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

    def holding(self, speech: str, turn: int):
        from twilio.twiml.voice_response import VoiceResponse

        r = VoiceResponse()
        self._say(r, speech)
        r.pause(length=1)
        r.redirect(self.url("result", turn=turn), method="POST")
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


@dataclass
class CallState:
    phone: str
    outbound: bool
    menu: List[Tuple[str, Optional[str]]] = field(default_factory=list)
    updated: float = field(default_factory=time.monotonic)


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
        self.calls: Dict[str, CallState] = {}
        # (CallSid, turn) -> the task answering it, and its answer once done.
        self._turns: Dict[Tuple[str, int], asyncio.Task] = {}
        self._answers: Dict[Tuple[str, int], Tuple[float, str]] = {}
        self._tasks: Set[asyncio.Task] = set()
        self._agent = None
        if not config.auth_token:
            logger.error("voice: TWILIO_AUTH_TOKEN is not set; every request to /webhooks/voice/ will be refused (403)")

    # -- helpers ---------------------------------------------------------------

    async def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def unit_of_work() -> Any:
            with session_scope(self.db_url) as s:
                return fn(s, *args, **kwargs)

        return await asyncio.to_thread(unit_of_work)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - ANSWER_TTL_SECONDS
        for key in [k for k, (at, _) in self._answers.items() if at < cutoff]:
            self._answers.pop(key, None)
        for sid in [k for k, c in self.calls.items() if c.updated < cutoff]:
            self.calls.pop(sid, None)

    @staticmethod
    def _call_phone(params: Mapping[str, str]) -> Tuple[str, bool]:
        """(the cardholder's number, outbound?) of a call."""
        direction = (params.get("Direction") or "").lower()
        outbound = direction.startswith("outbound")
        phone = (params.get("To") if outbound else params.get("From")) or ""
        return phone.strip(), outbound

    def _state(self, sid: str, params: Mapping[str, str]) -> CallState:
        state = self.calls.get(sid)
        if state is None:
            phone, outbound = self._call_phone(params)
            state = self.calls[sid] = CallState(phone=phone, outbound=outbound)
        state.updated = time.monotonic()
        return state

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
            phone, _ = self._call_phone(params)
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
            return await self._gathered(params, turn, on_new_message)

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
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, silences))

        @bp.route("/result", methods=["POST"])
        async def result(request: Request) -> HTTPResponse:
            params, refused = await checked(request)
            if refused is not None:
                return refused
            turn = _int(request.args.get("turn"), 1)
            return await self._answer_of(params["CallSid"], turn)

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
        state = self._state(sid, params)
        answered_by = (params.get("AnsweredBy") or "").lower()
        if answered_by.startswith("machine") or answered_by == "fax":
            # Nothing about the debt or the person to a recording anybody may hear.
            try:
                await self._db(log_call_status, sid, state.phone, "machine", outbound=state.outbound,
                               detail=answered_by)
            except Exception:
                logger.exception("voice: could not log the machine answer of %s", sid)
            self.calls.pop(sid, None)
            return _twiml(self.twiml.goodbye(spoken.voice_reply(
                spoken.VOICE_MACHINE_MESSAGE.format(bank=self.config.bank, hotline=self.config.hotline)).speech))
        lead = spoken.VOICE_RECORDING_NOTICE if self.config.recording else ""
        return await self._turn(sid, 0, state, START_PAYLOAD, lead=lead, on_new_message=on_new_message)

    async def _gathered(self, params: Mapping[str, str], turn: int, on_new_message) -> HTTPResponse:
        sid = params["CallSid"]
        state = self._state(sid, params)
        digits = (params.get("Digits") or "").strip()
        speech = (params.get("SpeechResult") or "").strip()
        metadata: Dict[str, Any] = {"call_sid": sid}
        if digits and _DIGITS_RE.match(digits):
            text = keypad_text(digits)
            metadata["input"] = "dtmf"
            if len(text) == 1 and text.isdigit() and state.menu and 1 <= int(text) <= len(state.menu):
                title, payload = state.menu[int(text) - 1]
                metadata["menu_choice"] = {"number": int(text), "title": title}
                text = payload or title
        elif speech:
            text = speech[:500]
            metadata["input"] = "speech"
            metadata["confidence"] = params.get("Confidence")
        else:
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, 1))
        if not text:
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn, 1))
        return await self._turn(sid, turn, state, text, metadata=metadata, on_new_message=on_new_message)

    # -- one turn -----------------------------------------------------------------

    async def _turn(self, sid: str, turn: int, state: CallState, text: str, *, on_new_message,
                    lead: str = "", metadata: Optional[Dict[str, Any]] = None) -> HTTPResponse:
        key = (sid, turn)
        self._forget_old()
        if key not in self._turns and key not in self._answers:
            try:
                new = await self._db(sms_db.record_inbound, f"{sid}:{turn}", state.phone)
            except Exception:
                logger.exception("voice: could not record step %s of %s", turn, sid)
                return response.text("temporarily unavailable", status=503)
            if not new:
                # Handled by another process (or before a restart): ask again.
                logger.info("voice: step %s of %s already received; not processed again", turn, sid)
                return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn))
            self._turns[key] = self._spawn(
                self._process(sid, turn, state, text, metadata or {}, lead, on_new_message)
            )
        else:
            logger.info("voice: step %s of %s delivered again; answered once", turn, sid)
        return await self._answer_of(sid, turn)

    async def _answer_of(self, sid: str, turn: int) -> HTTPResponse:
        key = (sid, turn)
        if key in self._answers:
            return response.text(self._answers[key][1], content_type=TWIML_CONTENT_TYPE)
        task = self._turns.get(key)
        if task is None:
            return _twiml(self.twiml.gather(spoken.VOICE_REPROMPT, turn))
        try:
            answer = await asyncio.wait_for(asyncio.shield(task), timeout=self.config.turn_seconds)
        except asyncio.TimeoutError:
            return _twiml(self.twiml.holding(spoken.VOICE_HOLD, turn))
        except Exception:
            logger.exception("voice: step %s of %s failed", turn, sid)
            return _twiml(self.twiml.gather(spoken.VOICE_SYSTEM_BUSY, turn))
        return response.text(answer, content_type=TWIML_CONTENT_TYPE)

    async def _process(self, sid: str, turn: int, state: CallState, text: str, metadata: Dict[str, Any],
                       lead: str, on_new_message) -> str:
        key = (sid, turn)
        text = clean_text(text)
        finding = safety.verdict(text) if not text.startswith("/") else None
        crisis = finding is not None and finding.intent == "crisis" and finding.tier == safety.CERTAIN
        stop = finding is not None and finding.intent == "stop_contact"
        status = "processed"
        try:
            if stop:
                # On a call, "别再打了" stops calls and SMS alike.
                await self._db(repository.record_opt_out, state.phone, "all")
            output = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, output, sender_id=state.phone, input_channel=CHANNEL_NAME,
                            message_id=f"{sid}:{turn}", metadata={CHANNEL_NAME: metadata})
            )
            answer = twiml_text(await self._next(sid, turn, state, output.messages, lead, crisis, stop))
        except Exception:
            logger.exception("voice: handling step %s of %s from %s failed", turn, sid, mask_phone(state.phone))
            status = "failed"
            answer = twiml_text(self.twiml.gather(spoken.VOICE_SYSTEM_BUSY, turn))
        self._answers[key] = (time.monotonic(), answer)
        self._turns.pop(key, None)
        try:
            await self._db(sms_db.mark_inbound, f"{sid}:{turn}", status)
        except Exception:
            logger.exception("voice: could not mark step %s of %s", turn, sid)
        return answer

    async def _conversation(self, phone: str) -> Tuple[bool, Optional[str]]:
        """(handed over to a person?, latest intent) of the conversation."""
        agent = self._agent
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return False, None
        try:
            tracker = await agent.tracker_store.retrieve(phone)
        except Exception:
            logger.exception("voice: could not read the conversation of %s", mask_phone(phone))
            return False, None
        if tracker is None:
            return False, None
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        return bool(tracker.get_slot("escalated")) or tracker.is_paused(), intent

    async def _next(self, sid: str, turn: int, state: CallState, messages: List[Dict[str, Any]], lead: str,
                    crisis: bool, stop: bool):
        replies = [
            spoken.voice_reply(m.get("text"), m.get("buttons"), m.get("custom"))
            for m in messages
        ]
        speech = spoken.join_speech([lead] + [r.speech for r in replies])
        menus = [r.menu for r in replies if r.menu]
        state.menu = menus[-1] if menus else []
        cfg = self.config
        if crisis and (cfg.oncall_number or cfg.agent_number or cfg.agent_queue):
            self.calls.pop(sid, None)
            return self.twiml.transfer(
                spoken.join_speech([speech, spoken.VOICE_CRISIS_TRANSFER]),
                number=cfg.oncall_number or cfg.agent_number,
                queue=None if cfg.oncall_number else cfg.agent_queue,
                then=spoken.voice_reply(spoken.VOICE_TRANSFER_FAILED.format(hotline=cfg.hotline)).speech,
            )
        if stop:
            self.calls.pop(sid, None)
            return self.twiml.goodbye(spoken.join_speech([speech, spoken.VOICE_OPTED_OUT]))
        handed_over, intent = await self._conversation(state.phone)
        if handed_over:
            from bot.settings import get_settings
            from bot import clock

            staffed = get_settings().staffed_hours.is_staffed(clock.now())
            if staffed and (cfg.agent_number or cfg.agent_queue):
                self.calls.pop(sid, None)
                return self.twiml.transfer(
                    spoken.join_speech([speech, spoken.VOICE_TRANSFER]),
                    number=cfg.agent_number, queue=cfg.agent_queue,
                    then=spoken.voice_reply(spoken.VOICE_TRANSFER_FAILED.format(hotline=cfg.hotline)).speech,
                )
            self.calls.pop(sid, None)
            return self.twiml.goodbye(spoken.join_speech([
                speech, spoken.voice_reply(spoken.VOICE_CALL_BACK.format(hotline=cfg.hotline)).speech]))
        if intent == "goodbye":
            self.calls.pop(sid, None)
            return self.twiml.goodbye(speech or spoken.VOICE_GOODBYE)
        return self.twiml.gather(speech or spoken.VOICE_REPROMPT, turn + 1)

    # -- status callbacks -------------------------------------------------------------

    async def _status(self, params: Mapping[str, str]) -> HTTPResponse:
        sid = params["CallSid"]
        status = (params.get("CallStatus") or "").strip().lower()
        if status not in CALL_STATUSES:
            logger.info("voice: ignoring status %r for call %s", status, sid)
            return response.text("", status=204)
        phone, outbound = self._call_phone(params)
        duration = (params.get("CallDuration") or "").strip()
        try:
            await self._db(log_call_status, sid, phone, status, outbound=outbound,
                           duration=duration if duration.isdigit() else None)
        except Exception:
            logger.exception("voice: could not store status %s of %s", status, sid)
            return response.text("temporarily unavailable", status=503)
        if status in UNANSWERED_STATUSES or status == "completed":
            self.calls.pop(sid, None)
        return response.text("", status=204)

    def get_output_channel(self):
        # A call cannot be spoken to out of turn: messages the server sends on
        # its own (an agent's reply) are collected, not delivered.
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
