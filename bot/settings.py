"""All settings read from the environment, in one place: no other module
reads ``os.environ`` (tests/unit/test_layers.py, rule 5).

Defaults are the laptop ones (SQLite, local outbox); production sets the
variables documented in the README. No secret has a default: this module
only says where a secret is configured (``secret_source``); bot/secrets.py
decides what a missing one means (generated into ``var/`` in development,
refused at start-up in production).
"""
from __future__ import annotations

import logging
import os
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Mapping, Optional, Tuple

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


def _environ(env: Optional[Mapping[str, str]] = None) -> Mapping[str, str]:
    """The process environment, or ``env`` (tests and start-up checks pass a dict)."""
    return os.environ if env is None else env


def _flag(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


# -- which environment this is; where a secret is configured ------------------
# What a missing secret means (generated into var/ in development, refused in
# production) is bot/secrets.py's business; this only reads.

ENVIRONMENT_ENV = "COLLECTBOT_ENV"
PRODUCTION = "production"
DEVELOPMENT = "development"


def deployment(env: Optional[Mapping[str, str]] = None) -> str:
    """COLLECTBOT_ENV: ``production`` or ``development`` (the default, a laptop)."""
    value = (_environ(env).get(ENVIRONMENT_ENV) or DEVELOPMENT).strip().lower()
    if value not in (PRODUCTION, DEVELOPMENT):
        # A typo ("prod") must not quietly mean "generate secrets".
        raise ValueError(f"{ENVIRONMENT_ENV} must be {PRODUCTION!r} or {DEVELOPMENT!r}, got {value!r}")
    return value


def secret_source(name: str, env: Optional[Mapping[str, str]] = None) -> Tuple[Optional[str], Optional[str]]:
    """A secret as configured: the value of ``name`` and the path in
    ``<name>_FILE``, each None when unset or blank. Never a default."""
    return env_text(name, env), env_text(f"{name}_FILE", env)


# -- the clock ----------------------------------------------------------------

NOW_ENV = "COLLECTBOT_NOW"


def pinned_now(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_NOW: the instant tests and demos pin the clock to (parsed
    by bot/clock.py); None: the real time."""
    return _environ(env).get(NOW_ENV) or None


# -- logs and metrics (bot/observability) --------------------------------------


def json_logs(env: Optional[Mapping[str, str]] = None) -> bool:
    """LOG_FORMAT=json: one JSON object a line, personal data masked; else text."""
    return (_environ(env).get("LOG_FORMAT") or "text").strip().lower() == "json"


def metrics_enabled(env: Optional[Mapping[str, str]] = None) -> bool:
    """METRICS_ENABLED: on unless 0/false/no/off."""
    value = (_environ(env).get("METRICS_ENABLED") or "1").strip().lower()
    return value not in ("0", "false", "no", "off")


# -- the Rasa server and the action server ----------------------------------------

RASA_PATCHES_ENV = "COLLECTBOT_RASA_PATCHES"
_ON, _OFF = ("", "on", "1", "true", "yes"), ("off", "0", "false", "no")


def rasa_patches_wanted(env: Optional[Mapping[str, str]] = None) -> bool:
    """COLLECTBOT_RASA_PATCHES: on (default) or off (bot/rasa_server); anything
    else stops the server at start-up rather than guessing."""
    raw = (_environ(env).get(RASA_PATCHES_ENV) or "").strip().lower()
    if raw in _ON:
        return True
    if raw in _OFF:
        return False
    raise ValueError(f"{RASA_PATCHES_ENV} must be 'on' or 'off', not {raw!r}")


def _number(name: str, parse: Any, what: str, env: Optional[Mapping[str, str]]) -> Any:
    """``name`` parsed with ``parse``; None when unset or blank; a ValueError
    saying ``what`` it must be otherwise."""
    raw = (_environ(env).get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"{name} must be {what}, got {raw!r}") from None


ACTION_TIMEOUT_ENV = "ACTION_CALL_TIMEOUT_SECONDS"
DEFAULT_ACTION_TIMEOUT = 30.0


def action_timeout(env: Optional[Mapping[str, str]] = None) -> Optional[float]:
    """Seconds one action call may take (ACTION_CALL_TIMEOUT_SECONDS,
    bot/rasa_server/resilience.py); 0 or negative: None, Rasa's own 300 s."""
    value = _number(ACTION_TIMEOUT_ENV, float, "a number of seconds", env)
    if value is None:
        return DEFAULT_ACTION_TIMEOUT
    return value if value > 0 else None


SESSION_MAX_EVENTS_ENV = "COLLECTBOT_SESSION_MAX_EVENTS"
# About 30 turns of an ordinary conversation (6-7 events a turn).
DEFAULT_SESSION_MAX_EVENTS = 200


def session_max_events(env: Optional[Mapping[str, str]] = None) -> int:
    """COLLECTBOT_SESSION_MAX_EVENTS (bot/rasa_server/session_window.py):
    events a session may reach before the next turn starts a new one (0 = off)."""
    value = _number(SESSION_MAX_EVENTS_ENV, int, "a whole number of events (0 turns the window off)", env)
    if value is None:
        return DEFAULT_SESSION_MAX_EVENTS
    if value < 0:
        raise ValueError(f"{SESSION_MAX_EVENTS_ENV} must not be negative, not {value}")
    # Fewer events than one busy turn would start a session on every message.
    return value if value == 0 else max(value, 40)


def rasa_environment(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """RASA_ENVIRONMENT: the app id the event relay stamps on its messages."""
    return _environ(env).get("RASA_ENVIRONMENT")


@dataclass(frozen=True)
class Limits:
    """Input limits of the HTTP entry points (bot/rasa_server/http_limits.py)."""

    max_body_bytes: int = 1_048_576  # COLLECTBOT_MAX_BODY_BYTES
    max_json_depth: int = 32  # COLLECTBOT_MAX_JSON_DEPTH
    max_message_chars: int = 1000  # COLLECTBOT_MAX_MESSAGE_CHARS (REST, web chat)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Limits":
        env = _environ(env)
        return cls(
            max_body_bytes=positive_int("COLLECTBOT_MAX_BODY_BYTES", cls.max_body_bytes, env),
            max_json_depth=positive_int("COLLECTBOT_MAX_JSON_DEPTH", cls.max_json_depth, env),
            max_message_chars=positive_int("COLLECTBOT_MAX_MESSAGE_CHARS", cls.max_message_chars, env),
        )


CORS_ENV = "COLLECTBOT_CORS_ORIGINS"


def cors_origins(env: Optional[Mapping[str, str]] = None) -> Optional[List[str]]:
    """COLLECTBOT_CORS_ORIGINS (spaces or commas) as given, ``*`` included (the
    Rasa server refuses it, the web chat ignores it); None when unset, so
    each caller picks its own default."""
    raw = _environ(env).get(CORS_ENV)
    if raw is None:
        return None
    return [o for o in re.split(r"[\s,]+", raw) if o]


ACTION_SERVER_URL_ENV = "ACTION_SERVER_URL"
ACTIONS_PORT_ENV = "ACTIONS_PORT"
DEFAULT_ACTIONS_PORT = 5055


def action_server_url(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """ACTION_SERVER_URL, which endpoints.yml reads; None when unset or empty."""
    return _environ(env).get(ACTION_SERVER_URL_ENV) or None


def actions_port(env: Optional[Mapping[str, str]] = None) -> str:
    """ACTIONS_PORT as given (bot/serve.py checks it is a number); default 5055."""
    return (_environ(env).get(ACTIONS_PORT_ENV) or "").strip() or str(DEFAULT_ACTIONS_PORT)


ACTION_SERVER_HOST_ENV = "SANIC_HOST"  # rasa-sdk's own variable
DEFAULT_ACTION_SERVER_HOST = "127.0.0.1"


def action_server_host(env: Optional[Mapping[str, str]] = None) -> str:
    """SANIC_HOST, where rasa-sdk listens; ours defaults to this machine only
    (rasa-sdk's own default is every interface)."""
    return _environ(env).get(ACTION_SERVER_HOST_ENV, DEFAULT_ACTION_SERVER_HOST)


def consumer_health_port(env: Optional[Mapping[str, str]] = None) -> int:
    """CONSUMER_HEALTH_PORT of ``collectbot consume-events``; 0: no health server."""
    return int(_environ(env).get("CONSUMER_HEALTH_PORT") or 0)


# -- channels --------------------------------------------------------------------


@dataclass(frozen=True)
class RestChannelSettings:
    """The development REST channel's rates (channels/rest.py); its token is a
    secret (REST_CHANNEL_TOKEN, bot/secrets.py)."""

    sender_burst: int = 10  # REST_RATE_BURST
    sender_per_minute: float = 60  # REST_RATE_PER_MINUTE
    client_burst: int = 60  # REST_CLIENT_RATE_BURST
    client_per_minute: float = 600  # REST_CLIENT_RATE_PER_MINUTE

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "RestChannelSettings":
        env = _environ(env)

        def number(name: str, default: float) -> float:
            raw = (env.get(name) or "").strip()
            return float(raw) if raw else default

        return cls(
            sender_burst=int(number("REST_RATE_BURST", cls.sender_burst)),
            sender_per_minute=number("REST_RATE_PER_MINUTE", cls.sender_per_minute),
            client_burst=int(number("REST_CLIENT_RATE_BURST", cls.client_burst)),
            client_per_minute=number("REST_CLIENT_RATE_PER_MINUTE", cls.client_per_minute),
        )


DEFAULT_WEBCHAT_REDIS_CHANNEL = "collectbot-webchat"


@dataclass(frozen=True)
class WebchatSettings:
    """The web chat channel (channels/webchat.py); its signing key is a secret
    (WEBCHAT_TOKEN_SECRET, bot/secrets.py)."""

    # WEBCHAT_REDIS_URL: socket.io emits shared across Rasa instances; None:
    # one process. May carry the Redis password: never logged.
    redis_url: Optional[str] = None
    redis_channel: str = DEFAULT_WEBCHAT_REDIS_CHANNEL  # WEBCHAT_REDIS_CHANNEL
    demo: bool = False  # WEBCHAT_DEMO: the demo page issues its own app tokens
    rate_burst: int = 10  # WEBCHAT_RATE_BURST: messages a conversation may send at once …
    rate_per_minute: float = 20  # WEBCHAT_RATE_PER_MINUTE: … and then this many a minute

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WebchatSettings":
        env = _environ(env)
        return cls(
            redis_url=(env.get("WEBCHAT_REDIS_URL") or "").strip() or None,
            redis_channel=(env.get("WEBCHAT_REDIS_CHANNEL") or "").strip() or DEFAULT_WEBCHAT_REDIS_CHANNEL,
            demo=_flag(env.get("WEBCHAT_DEMO")),
            rate_burst=int(env.get("WEBCHAT_RATE_BURST") or cls.rate_burst),
            rate_per_minute=float(env.get("WEBCHAT_RATE_PER_MINUTE") or cls.rate_per_minute),
        )


def _at_least_one(value: Any, name: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")
    return number


def _positive(value: Any, name: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return number


@dataclass(frozen=True)
class TwilioSmsConfig:
    """The SMS channel's settings (environment variables in brackets), used
    by bot/sms/sender.py and channels/twilio_sms.py."""

    account_sid: Optional[str] = None  # TWILIO_ACCOUNT_SID
    auth_token: Optional[str] = None  # TWILIO_AUTH_TOKEN (also checks webhook signatures)
    from_number: Optional[str] = None  # TWILIO_FROM_NUMBER
    messaging_service_sid: Optional[str] = None  # TWILIO_MESSAGING_SERVICE_SID (wins over the number)
    public_url: Optional[str] = None  # TWILIO_PUBLIC_URL: https://host as Twilio calls it
    api_base_url: Optional[str] = None  # TWILIO_API_BASE_URL: tests point Twilio's client at a fake
    max_segments: int = 3  # SMS_MAX_SEGMENTS per SMS sent
    max_inbound_chars: int = 1000  # SMS_MAX_INBOUND_CHARS: longer inbound texts are truncated
    send_attempts: int = 4  # SMS_SEND_ATTEMPTS: tries per SMS (first one included)
    retry_base_seconds: float = 1.0  # SMS_RETRY_BASE_SECONDS: backoff 1, 2, 4 … s
    retry_max_seconds: float = 30.0  # longest single wait between tries
    request_timeout: float = 10.0  # TWILIO_TIMEOUT_SECONDS per REST call
    # Input limits and the per-sender rate (channels/twilio_sms.py).
    max_request_bytes: int = 65536  # SMS_MAX_REQUEST_BYTES: webhook body; larger → 413
    rate_burst: int = 10  # SMS_RATE_BURST: messages a sender may send at once …
    rate_per_minute: float = 6.0  # SMS_RATE_PER_MINUTE: … and then this many a minute

    @classmethod
    def from_env(
        cls, env: Optional[Mapping[str, str]] = None, overrides: Optional[Mapping[str, Any]] = None
    ) -> "TwilioSmsConfig":
        """Settings from the environment; ``overrides`` (credentials.yml keys,
        same names in lower case without the prefix) win when given."""
        env = _environ(env)
        o = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}

        def pick(key: str, var: str) -> Optional[str]:
            value = o.get(key)
            return str(value).strip() if value is not None else env_text(var, env)

        public_url = pick("public_url", "TWILIO_PUBLIC_URL")
        return cls(
            account_sid=pick("account_sid", "TWILIO_ACCOUNT_SID"),
            auth_token=pick("auth_token", "TWILIO_AUTH_TOKEN"),
            from_number=pick("from_number", "TWILIO_FROM_NUMBER"),
            messaging_service_sid=pick("messaging_service_sid", "TWILIO_MESSAGING_SERVICE_SID"),
            public_url=public_url.rstrip("/") if public_url else None,
            api_base_url=pick("api_base_url", "TWILIO_API_BASE_URL"),
            max_segments=_at_least_one(pick("max_segments", "SMS_MAX_SEGMENTS") or 3, "SMS_MAX_SEGMENTS"),
            max_inbound_chars=_at_least_one(
                pick("max_inbound_chars", "SMS_MAX_INBOUND_CHARS") or 1000, "SMS_MAX_INBOUND_CHARS"
            ),
            send_attempts=_at_least_one(pick("send_attempts", "SMS_SEND_ATTEMPTS") or 4, "SMS_SEND_ATTEMPTS"),
            retry_base_seconds=_positive(
                pick("retry_base_seconds", "SMS_RETRY_BASE_SECONDS") or 1.0, "SMS_RETRY_BASE_SECONDS"
            ),
            request_timeout=_positive(
                pick("request_timeout", "TWILIO_TIMEOUT_SECONDS") or 10.0, "TWILIO_TIMEOUT_SECONDS"
            ),
            max_request_bytes=_at_least_one(
                pick("max_request_bytes", "SMS_MAX_REQUEST_BYTES") or 65536, "SMS_MAX_REQUEST_BYTES"
            ),
            rate_burst=_at_least_one(pick("rate_burst", "SMS_RATE_BURST") or 10, "SMS_RATE_BURST"),
            rate_per_minute=_positive(
                pick("rate_per_minute", "SMS_RATE_PER_MINUTE") or 6.0, "SMS_RATE_PER_MINUTE"
            ),
        )

    @property
    def uses_twilio(self) -> bool:
        """True when outbound SMS go to Twilio; False: the local outbox."""
        return bool(
            self.account_sid and self.auth_token and (self.from_number or self.messaging_service_sid)
        )

    def backoff(self, attempt: int) -> float:
        """Wait before try ``attempt + 1`` (attempt counts from 1), with ±10 % jitter."""
        delay = min(self.retry_base_seconds * (2 ** (attempt - 1)), self.retry_max_seconds)
        return delay * random.uniform(0.9, 1.1)


# -- the console and its workbench --------------------------------------------------


@dataclass(frozen=True)
class ConsoleSettings:
    """The agent console (``python -m console``)."""

    host: str = "127.0.0.1"  # CONSOLE_HOST
    port: int = 5006  # CONSOLE_PORT
    rasa_url: str = DEFAULT_RASA_URL  # RASA_URL (rasa_url above)
    # RASA_API_TOKEN or RASA_API_TOKEN_FILE (bot/secrets.py); empty: not set,
    # and console/__main__.py refuses to start.
    rasa_token: str = ""
    # Cookies are Secure (HTTPS only; browsers accept them from http://localhost).
    # CONSOLE_INSECURE_COOKIES=1 only for plain-HTTP development on another host.
    secure_cookies: bool = True
    session_ttl: timedelta = timedelta(hours=12)  # CONSOLE_SESSION_HOURS
    poll_seconds: float = 1.0  # CONSOLE_POLL_SECONDS: live-update polling of the database
    stream_seconds: float = 45.0  # one server-sent-events response; the browser reconnects
    # CONSOLE_PROXIES_COUNT: reverse proxies in front (nginx: 1). Sign-in
    # throttling counts per client address; behind a proxy that nobody
    # declared, every agent would share the proxy's address. 0: the peer
    # address is the client, and X-Forwarded-For is ignored (a client
    # cannot choose its own address).
    proxies_count: int = 0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "ConsoleSettings":
        from bot import secrets  # reads the token (or its _FILE) through secret_source above

        env = _environ(env)
        return cls(
            host=env.get("CONSOLE_HOST") or "127.0.0.1",
            port=int(env.get("CONSOLE_PORT") or 5006),
            rasa_url=rasa_url(env) or DEFAULT_RASA_URL,
            rasa_token=secrets.configured("RASA_API_TOKEN", env) or "",
            secure_cookies=not _flag(env.get("CONSOLE_INSECURE_COOKIES")),
            session_ttl=timedelta(hours=float(env.get("CONSOLE_SESSION_HOURS") or 12)),
            poll_seconds=float(env.get("CONSOLE_POLL_SECONDS") or 1.0),
            proxies_count=int(env.get("CONSOLE_PROXIES_COUNT") or 0),
        )


def console_max_body_bytes(env: Optional[Mapping[str, str]] = None) -> int:
    """CONSOLE_MAX_BODY_BYTES: the console's request body limit (default 64 KiB)."""
    return int(_environ(env).get("CONSOLE_MAX_BODY_BYTES") or 65536)


def console_canned_replies_file(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """CONSOLE_CANNED_REPLIES: another file of "/" replies; None: console/canned_replies.yml."""
    return _environ(env).get("CONSOLE_CANNED_REPLIES") or None


DEFAULT_TRACKER_STORE_URL = "sqlite:///var/tracker.db"


def repo_path(value: Optional[str], default: str) -> Path:
    """``value`` (or ``default``) as a path; relative ones are relative to the
    repository root, like endpoints.yml's."""
    path = Path(value or default)
    return path if path.is_absolute() else REPO_ROOT / path


def resolve_sqlite_url(url: str) -> str:
    """``sqlite:///var/tracker.db`` (relative, as in endpoints.yml) → absolute
    from the repository root, whatever the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(REPO_ROOT / url[len(prefix):])
    return url


@dataclass(frozen=True)
class WorkbenchSettings:
    """Where the trainers' workbench (console/training) reads and writes."""

    tracker_store_url: str  # TRACKER_STORE_URL
    data_dir: Path  # WORKBENCH_DATA_DIR: training data (export goes to <data_dir>/nlu/annotated.yml)
    domain: Path  # WORKBENCH_DOMAIN
    config: Path  # WORKBENCH_CONFIG
    test_nlu: Path  # WORKBENCH_TEST_NLU: held-out NLU test set
    stories_dir: Path  # WORKBENCH_STORIES_DIR: generated test stories
    models_dir: Path  # WORKBENCH_MODELS_DIR: the current model (newest .tar.gz) unless one was activated
    candidates_dir: Path  # WORKBENCH_CANDIDATES_DIR: var/candidates/<run id>/

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WorkbenchSettings":
        env = _environ(env)
        return cls(
            tracker_store_url=resolve_sqlite_url(env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL),
            data_dir=repo_path(env.get("WORKBENCH_DATA_DIR"), "bot/data"),
            domain=repo_path(env.get("WORKBENCH_DOMAIN"), "domain.yml"),
            config=repo_path(env.get("WORKBENCH_CONFIG"), "config.yml"),
            # The held-out set is tests/nlu by definition (never trained on);
            # test stories are exported next to tests/stories.
            test_nlu=repo_path(env.get("WORKBENCH_TEST_NLU"), "tests/nlu"),
            stories_dir=repo_path(env.get("WORKBENCH_STORIES_DIR"), "tests/stories"),
            models_dir=repo_path(env.get("WORKBENCH_MODELS_DIR"), "bot/models"),
            candidates_dir=repo_path(env.get("WORKBENCH_CANDIDATES_DIR"), "var/candidates"),
        )

    @property
    def export_file(self) -> Path:
        return self.data_dir / "nlu" / "annotated.yml"


@dataclass(frozen=True)
class RabbitSettings:
    """RabbitMQ for the production event relay and its consumer
    (bot/rasa_server/event_relay.py, bot/event_consumer.py)."""

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
    oncall_number: Optional[str] = None  # a crisis, at any hour: oncall_phone()
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
        oncall_number=_voice_oncall(env, overrides),
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
# The voice channel's own name for the same number until issue 14: still
# read when the one setting is unset, with a warning, so a deployment that
# set only it keeps transferring crisis calls (and now pages as well).
DEPRECATED_ONCALL_ENV = "VOICE_ONCALL_NUMBER"
_warned: set = set()


def _warn_once(message: str) -> None:
    # oncall_phone() is read per request by the console: say it once per process.
    if message not in _warned:
        _warned.add(message)
        logging.getLogger(__name__).warning(message)


def _checked_oncall(value: Optional[str], name: str) -> Optional[str]:
    from bot.core.phone import is_e164

    if value is not None and not is_e164(value):
        raise ValueError(f"{name} must be an E.164 number such as +8613800000000")
    return value


def oncall_phone(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """COLLECTBOT_ONCALL_PHONE: the on-call supervisor's number (E.164), the
    one setting for both uses: paged by SMS when a crisis is handed over out
    of staffed hours (bot/services/paging.py), and where the voice channel
    puts a crisis call through at any hour (channels/voice.py).
    VOICE_ONCALL_NUMBER, its old voice-only name, is read when it is unset
    (deprecated, logged). No default: unset is None (the console warns
    loudly); a value that is not an E.164 number raises ValueError rather
    than page nobody quietly."""
    value = env_text(ONCALL_PHONE_ENV, env)
    old = env_text(DEPRECATED_ONCALL_ENV, env)
    if value is not None:
        if old is not None and old != value:
            _warn_once(f"{DEPRECATED_ONCALL_ENV} is deprecated and ignored: {ONCALL_PHONE_ENV} is set")
        return _checked_oncall(value, ONCALL_PHONE_ENV)
    if old is not None:
        _warn_once(f"{DEPRECATED_ONCALL_ENV} is deprecated: set {ONCALL_PHONE_ENV} instead (it is used for now)")
    return _checked_oncall(old, DEPRECATED_ONCALL_ENV)


def _voice_oncall(env: Optional[Mapping[str, str]], overrides: Optional[Mapping[str, object]]) -> Optional[str]:
    """The voice channel's crisis line: the one on-call setting; an
    ``oncall_number`` in the channel's credentials.yml entry (the old way)
    only when that is unset, with a warning."""
    number = oncall_phone(env)
    given = str((overrides or {}).get("oncall_number") or "").strip() or None
    if given is not None and number is None:
        _warn_once(f"credentials.yml oncall_number is deprecated: set {ONCALL_PHONE_ENV} instead (it is used for now)")
        return _checked_oncall(given, "credentials.yml oncall_number")
    if given is not None and given != number:
        _warn_once(f"credentials.yml oncall_number is deprecated and ignored: {ONCALL_PHONE_ENV} is set")
    return number


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
