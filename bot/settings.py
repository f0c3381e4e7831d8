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
