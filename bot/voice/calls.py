"""Placing an outbound call: the guard first, then Twilio's Calls API.

``place_call`` gathers the guard's facts for one number from the database
(opt-outs, an open dispute, wrong-party marks, contacts made, unanswered
attempts today), asks bot/core/call_guard.check_call, records a refusal in
``outbound_blocks`` (as the SMS campaign does), and otherwise creates the
call with answering-machine detection and status callbacks to the voice
channel (channels/voice.py). The call's SID and its fate land in the
contact log, one row per CallSid and status.

Without Twilio credentials nothing is dialled: the call is refused with
reason ``not_configured`` (a laptop never phones anybody).
"""
from __future__ import annotations

import asyncio
import uuid
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Optional, Tuple

from bot import clock, secrets
from bot.core import call_guard, guard
from bot.db import repository
from bot.db.contact_log import log_contact
from bot.db.session import session_scope
from bot.db.voice import call_facts, record_call_block
from bot.settings import voice_settings

logger = logging.getLogger(__name__)

CHANNEL = call_guard.VOICE
NOT_CONFIGURED = call_guard.NOT_CONFIGURED


@dataclass(frozen=True)
class VoiceApiConfig:
    account_sid: Optional[str] = None  # TWILIO_ACCOUNT_SID
    auth_token: Optional[str] = None  # TWILIO_AUTH_TOKEN
    from_number: Optional[str] = None  # VOICE_FROM_NUMBER, else TWILIO_FROM_NUMBER
    public_url: Optional[str] = None  # TWILIO_PUBLIC_URL: where Twilio reaches the voice webhooks
    api_base_url: Optional[str] = None  # TWILIO_API_BASE_URL (tests: the fake Twilio)
    timeout: float = 10.0  # TWILIO_TIMEOUT_SECONDS
    max_unanswered_per_day: int = 6  # VOICE_MAX_UNANSWERED_PER_DAY
    recording: bool = False  # VOICE_RECORDING

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "VoiceApiConfig":
        """From bot/settings.py (voice section); the token through bot/secrets.py."""
        v = voice_settings(env)
        return cls(
            account_sid=v.account_sid,
            auth_token=secrets.configured("TWILIO_AUTH_TOKEN", env),
            from_number=v.from_number,
            public_url=v.public_url,
            api_base_url=v.api_base_url,
            timeout=v.api_timeout,
            max_unanswered_per_day=v.max_unanswered_per_day,
            recording=v.recording,
        )

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.from_number and self.public_url)


@dataclass
class CallResult:
    placed: bool
    decision: guard.GuardDecision
    call_sid: Optional[str] = None
    error: str = ""


# --------------------------------------------------------------------------
# Placing the call
# --------------------------------------------------------------------------


def _client(cfg: VoiceApiConfig):
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(cfg.account_sid, cfg.auth_token, http_client=TwilioHttpClient(timeout=cfg.timeout))
    if cfg.api_base_url:
        client.api.base_url = cfg.api_base_url.rstrip("/")
    return client


def _decide(s, phone: str, account_id: Optional[str], now: datetime, cfg: VoiceApiConfig,
            guard_cfg: guard.GuardConfig) -> Tuple[Optional[str], guard.GuardDecision]:
    """(the account called about, the call guard's decision) for ``phone`` now."""
    if account_id is None:
        account = repository.primary_account_for_phone(s, phone, now.date())
        account_id = account.account_id if account else None
    facts, unanswered = call_facts(s, phone, account_id, now)
    decision = call_guard.check_call(
        facts, unanswered, now, cfg=guard_cfg,
        call_cfg=call_guard.CallGuardConfig(cfg.max_unanswered_per_day),
    )
    if decision.allowed and not cfg.configured:
        decision = guard.GuardDecision(False, NOT_CONFIGURED, "Twilio voice settings missing")
    return account_id, decision


def check(phone: str, *, account_id: Optional[str] = None, now: Optional[datetime] = None,
          cfg: Optional[VoiceApiConfig] = None, db_url: Optional[str] = None,
          guard_cfg: guard.GuardConfig = guard.GuardConfig()) -> guard.GuardDecision:
    """What `place_call` would decide now, nothing dialled or recorded (dry runs)."""
    with session_scope(db_url) as s:
        return _decide(s, phone, account_id, now or clock.now(), cfg or VoiceApiConfig.from_env(), guard_cfg)[1]


def place_call(
    phone: str,
    *,
    account_id: Optional[str] = None,
    source: str = "campaign",
    stage: Optional[str] = None,
    now: Optional[datetime] = None,
    cfg: Optional[VoiceApiConfig] = None,
    db_url: Optional[str] = None,
    guard_cfg: guard.GuardConfig = guard.GuardConfig(),
    record_block: bool = True,
) -> CallResult:
    """Guard, then dial (blocking: the Twilio client is synchronous).
    ``record_block=False``: the caller records a refusal itself (the campaign)."""
    cfg = cfg or VoiceApiConfig.from_env()
    now = now or clock.now()
    with session_scope(db_url) as s:
        account_id, decision = _decide(s, phone, account_id, now, cfg, guard_cfg)
        if not decision.allowed and record_block:
            record_call_block(s, account_id=account_id, phone=phone, source=source, stage=stage,
                              decision=decision, text="电话外呼")
        if not decision.allowed:
            logger.info("voice: call to %s refused: %s %s", phone[:-4] + "****", decision.reason, decision.detail)
            return CallResult(False, decision)
    base = f"{cfg.public_url}/webhooks/voice"
    try:
        call = _client(cfg).calls.create(
            to=phone,
            from_=cfg.from_number,
            url=f"{base}/call",
            method="POST",
            status_callback=f"{base}/status",
            status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            machine_detection="Enable",
            record=cfg.recording,
        )
    except Exception as exc:  # TwilioRestException, timeouts
        logger.exception("voice: call to %s could not be placed", phone[:-4] + "****")
        with session_scope(db_url) as s:
            log_contact(
                s, conversation_id=phone, channel=CHANNEL, direction="out", text="电话：呼叫失败",
                account_id=account_id, message_id=f"failed-{uuid.uuid4().hex}:failed", status="failed",
            )
        return CallResult(False, guard.GuardDecision(True), error=str(exc))
    with session_scope(db_url) as s:
        log_contact(
            s, conversation_id=phone, channel=CHANNEL, direction="out", text="电话：开始呼叫",
            account_id=account_id, message_id=f"{call.sid}:queued", status="queued",
        )
    return CallResult(True, decision, call_sid=call.sid)


async def place_call_async(phone: str, **kwargs) -> CallResult:
    return await asyncio.to_thread(place_call, phone, **kwargs)
