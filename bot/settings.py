"""All settings read from the environment, in one place.

Defaults are the laptop ones (SQLite, local outbox); production sets the
variables documented in the README. Secrets are not read here: which
environment this is (``COLLECTBOT_ENV``) and every secret, required in
production and generated into ``var/`` in development, are in bot/secrets.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional
from pathlib import Path

import yaml

from bot.core.policy import PolicyConfig
from bot.core.staffing import DEFAULT_SLA_MINUTES, DEFAULT_STAFFED_HOURS, StaffedHours

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    bank_name: str
    bank_hotline: str
    crisis_hotline: str
    verification_max_attempts: int
    policy: PolicyConfig
    # When people answer hand-overs (STAFFED_HOURS, Asia/Shanghai, every day)
    # and how soon they promise to (HANDOFF_SLA_MINUTES).
    staffed_hours: StaffedHours = StaffedHours()
    handoff_sla_minutes: int = DEFAULT_SLA_MINUTES
    # Free wrong ID answers for a phone claimed across conversations (web
    # chat, REST) within the window before each further try waits
    # (bot/core/ratelimit.backoff_check; the window also bounds a conversation's own count).
    verification_phone_max_failures: int = 5
    verification_phone_window_hours: int = 24


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    policy = PolicyConfig()
    policy_file = os.environ.get("COLLECTBOT_POLICY_FILE")
    if policy_file:
        # A bank changes its rules (fee rate, terms, deferral limit) by file,
        # not by code; unknown keys fail loudly in from_mapping.
        policy = PolicyConfig.from_mapping(yaml.safe_load(Path(policy_file).read_text("utf-8")) or {})
    return Settings(
        bank_name=os.environ.get("COLLECTBOT_BANK_NAME", "星河银行"),
        bank_hotline=os.environ.get("COLLECTBOT_BANK_HOTLINE", "400-800-9588"),
        crisis_hotline=os.environ.get(
            "COLLECTBOT_CRISIS_HOTLINE", "全国心理援助热线 12356（24小时）"
        ),
        verification_max_attempts=int(os.environ.get("COLLECTBOT_VERIFY_ATTEMPTS", "3")),
        policy=policy,
        staffed_hours=StaffedHours.parse(os.environ.get("STAFFED_HOURS") or DEFAULT_STAFFED_HOURS),
        handoff_sla_minutes=positive_int("HANDOFF_SLA_MINUTES", DEFAULT_SLA_MINUTES),
        verification_phone_max_failures=positive_int("COLLECTBOT_VERIFY_PHONE_ATTEMPTS", 5),
        verification_phone_window_hours=positive_int("COLLECTBOT_VERIFY_PHONE_WINDOW_HOURS", 24),
    )


def positive_int(name: str, default: int, env: Optional[Mapping[str, str]] = None) -> int:
    """A positive integer setting from the environment (or ``env``)."""
    raw = ((os.environ if env is None else env).get(name) or "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {raw!r}")
    return value


def env_text(name: str, env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """A text setting, stripped; None when unset or blank."""
    value = ((os.environ if env is None else env).get(name) or "").strip()
    return value or None


DATABASE_URL_ENV = "DATABASE_URL"
CAMPAIGN_FILE_ENV = "COLLECTBOT_CAMPAIGN_FILE"


def database_url(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """DATABASE_URL; None means the laptop's SQLite file (bot/db/session.py)."""
    return env_text(DATABASE_URL_ENV, env)


def campaign_file(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_CAMPAIGN_FILE: the bank's campaign steps and templates
    (bot/campaign/config.py); None: the defaults."""
    return env_text(CAMPAIGN_FILE_ENV, env)


DEFAULT_RASA_URL = "http://localhost:5005"


def rasa_url(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """Where Rasa's HTTP API is (RASA_URL), without a trailing slash; None
    when not set (callers that need it use DEFAULT_RASA_URL). Its token is a
    secret: bot/secrets.py, RASA_API_TOKEN."""
    raw = env_text("RASA_URL", env)
    return (raw.rstrip("/") or None) if raw else None


@dataclass(frozen=True)
class RabbitSettings:
    """RabbitMQ for the production event relay and its consumer
    (bot/event_relay.py, bot/event_consumer.py)."""

    host: str = "127.0.0.1"
    port: int = 5672
    username: str = "guest"
    password: str = "guest"
    queue: str = "collectbot_events"
    vhost: str = "/"


DEFAULT_EVENT_SPOOL_PATH = "var/event-spool/{hostname}.sqlite"


def rabbit_settings(env: Optional[Mapping[str, str]] = None) -> RabbitSettings:
    env = os.environ if env is None else env
    return RabbitSettings(
        host=env.get("RABBITMQ_HOST") or "127.0.0.1",
        port=positive_int("RABBITMQ_PORT", 5672, env),
        username=env.get("RABBITMQ_USER") or "guest",
        password=env.get("RABBITMQ_PASSWORD") or "guest",
        queue=env.get("RABBITMQ_QUEUE") or "collectbot_events",
        vhost=env.get("RABBITMQ_VHOST") or "/",
    )


def event_spool_path(env: Optional[Mapping[str, str]] = None) -> Path:
    """Where the relay keeps events RabbitMQ has not confirmed yet
    (EVENT_SPOOL_PATH; ``{hostname}`` gives each replica its own file;
    relative paths are relative to the repository)."""
    import socket

    env = os.environ if env is None else env
    raw = (env.get("EVENT_SPOOL_PATH") or DEFAULT_EVENT_SPOOL_PATH).replace("{hostname}", socket.gethostname())
    path = Path(raw)
    return path if path.is_absolute() else REPO_ROOT / path


def event_spool_glob(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The spool files of every replica (``{hostname}`` → ``*``), so a relay
    can send what a replica that is gone left behind; None without a
    ``{hostname}`` in EVENT_SPOOL_PATH."""
    env = os.environ if env is None else env
    raw = env.get("EVENT_SPOOL_PATH") or DEFAULT_EVENT_SPOOL_PATH
    if "{hostname}" not in raw:
        return None
    path = Path(raw.replace("{hostname}", "*"))
    return str(path if path.is_absolute() else REPO_ROOT / path)


# ==========================================================================
# Phone calls (issue 17): the voice channel (channels/voice.py), outbound
# calls (bot/voice/calls.py) and the call simulator (bot/voice/sim.py).
# The Twilio auth token is a secret: bot.secrets.configured("TWILIO_AUTH_TOKEN").
# ==========================================================================

VOICE_DEFAULT_TTS = "Polly.Zhiyu-Neural"  # a zh-CN neural voice
VOICE_DEFAULT_LANGUAGE = "zh-CN"
VOICE_DEFAULT_HINTS = (
    "分期,延期,还款,本人,是的,不是,转人工,人工,最低还款,全部还清,我没钱,困难,已经还了,"
    "三期,六期,十二期,二十四期,一个月,下个月,明天,下周,别再打了,投诉,有异议"
)
DEFAULT_SIMULATOR_RASA_URL = "http://127.0.0.1:5005"

# Setting -> environment variable. The voice channel's entry in
# credentials.yml may give the channel's settings under the same names.
VOICE_VARIABLES = {
    "public_url": "TWILIO_PUBLIC_URL",
    "voice": "VOICE_TTS_VOICE",
    "language": "VOICE_LANGUAGE",
    "hints": "VOICE_SPEECH_HINTS",
    "gather_timeout": "VOICE_GATHER_TIMEOUT",
    "speech_timeout": "VOICE_SPEECH_TIMEOUT",
    "max_silences": "VOICE_MAX_SILENCES",
    "turn_seconds": "VOICE_TURN_SECONDS",
    "agent_number": "VOICE_AGENT_NUMBER",
    "agent_queue": "VOICE_AGENT_QUEUE",
    "oncall_number": "VOICE_ONCALL_NUMBER",
    "recording": "VOICE_RECORDING",
    "account_sid": "TWILIO_ACCOUNT_SID",
    "from_number": "VOICE_FROM_NUMBER",  # else TWILIO_FROM_NUMBER (the SMS number)
    "api_base_url": "TWILIO_API_BASE_URL",
    "api_timeout": "TWILIO_TIMEOUT_SECONDS",
    "max_unanswered_per_day": "VOICE_MAX_UNANSWERED_PER_DAY",
    "simulator_rasa_url": "COLLECTBOT_RASA_URL",
}


@dataclass(frozen=True)
class VoiceSettings:
    public_url: Optional[str] = None  # where Twilio reaches /webhooks/voice (signatures are over it)
    voice: str = VOICE_DEFAULT_TTS  # <Say voice=…>
    language: str = VOICE_DEFAULT_LANGUAGE  # <Say>/<Gather> language
    hints: str = VOICE_DEFAULT_HINTS  # <Gather hints=…>, comma-separated
    gather_timeout: int = 6  # seconds of silence before a re-prompt
    speech_timeout: str = "auto"
    max_silences: int = 2  # re-prompts before a polite goodbye
    turn_seconds: float = 8.0  # then a holding phrase and a redirect
    agent_number: Optional[str] = None  # <Dial> for a hand-over in staffed hours
    agent_queue: Optional[str] = None  # <Enqueue> instead
    oncall_number: Optional[str] = None  # a crisis, at any hour
    recording: bool = False  # announce and record calls
    account_sid: Optional[str] = None
    from_number: Optional[str] = None  # the caller id of outbound calls
    api_base_url: Optional[str] = None  # Twilio's REST API (tests: the fake Twilio)
    api_timeout: float = 10.0
    max_unanswered_per_day: int = 6  # the call guard's cap per number
    simulator_rasa_url: str = DEFAULT_SIMULATOR_RASA_URL  # collectbot call-sim --url


def voice_settings(env: Optional[Mapping[str, str]] = None,
                   overrides: Optional[Mapping[str, object]] = None) -> VoiceSettings:
    """The phone-call settings; ``overrides`` (credentials.yml) win over the environment."""
    env = os.environ if env is None else env
    given = {k: str(v).strip() for k, v in (overrides or {}).items() if k in VOICE_VARIABLES and v not in (None, "")}
    raw = {name: given.get(name) or env_text(var, env) for name, var in VOICE_VARIABLES.items()}
    raw["from_number"] = raw["from_number"] or env_text("TWILIO_FROM_NUMBER", env)
    public_url = (raw["public_url"] or "").rstrip("/") or None
    max_silences = int(raw["max_silences"] or 2)
    if max_silences < 1:
        raise ValueError("VOICE_MAX_SILENCES must be at least 1")
    unanswered = int(raw["max_unanswered_per_day"] or 6)
    if unanswered < 1:
        raise ValueError("VOICE_MAX_UNANSWERED_PER_DAY must be at least 1")
    return VoiceSettings(
        public_url=public_url,
        voice=raw["voice"] or VOICE_DEFAULT_TTS,
        language=raw["language"] or VOICE_DEFAULT_LANGUAGE,
        hints=raw["hints"] or VOICE_DEFAULT_HINTS,
        gather_timeout=int(raw["gather_timeout"] or 6),
        speech_timeout=raw["speech_timeout"] or "auto",
        max_silences=max_silences,
        turn_seconds=float(raw["turn_seconds"] or 8.0),
        agent_number=raw["agent_number"],
        agent_queue=raw["agent_queue"],
        oncall_number=raw["oncall_number"],
        recording=(raw["recording"] or "").lower() in ("1", "true", "yes", "on"),
        account_sid=raw["account_sid"],
        from_number=raw["from_number"],
        api_base_url=raw["api_base_url"],
        api_timeout=float(raw["api_timeout"] or 10.0),
        max_unanswered_per_day=unanswered,
        simulator_rasa_url=raw["simulator_rasa_url"] or DEFAULT_SIMULATOR_RASA_URL,
    )


# --------------------------------------------------------------------------
# On-call paging (issue 14; bot/services/paging.py)
# --------------------------------------------------------------------------

ONCALL_PHONE_ENV = "COLLECTBOT_ONCALL_PHONE"


def oncall_phone(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_ONCALL_PHONE: the on-call supervisor's mobile (E.164),
    paged by SMS when a crisis is handed over out of staffed hours. No
    default: unset is None (the console warns loudly); a value that is not
    an E.164 number raises ValueError rather than page nobody quietly."""
    from bot.core.phone import is_e164

    value = env_text(ONCALL_PHONE_ENV, env)
    if value is None:
        return None
    if not is_e164(value):
        raise ValueError(f"{ONCALL_PHONE_ENV} must be an E.164 number such as +8613800000000")
    return value


# --------------------------------------------------------------------------
# Willing and able (issue 13; bot/assessment/)
# --------------------------------------------------------------------------

ASSESSMENT_MODEL_ENV = "COLLECTBOT_ASSESSMENT_MODEL"
TREATMENTS_FILE_ENV = "COLLECTBOT_TREATMENTS_FILE"


def assessment_model_file(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_ASSESSMENT_MODEL: the keep-promise model file that
    ``collectbot assessment retrain`` writes and scoring reads; None:
    var/assessment/keep_model.pkl (bot/assessment/model.py)."""
    return env_text(ASSESSMENT_MODEL_ENV, env)


def treatments_file(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_TREATMENTS_FILE: another segment-to-treatment table;
    None: bot/assessment/treatments.yml (bot/assessment/treatments.py)."""
    return env_text(TREATMENTS_FILE_ENV, env)
