"""All settings read from the environment, in one place.

Defaults are the laptop ones (SQLite, local outbox); production sets the
variables documented in the README.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.policy import PolicyConfig

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    bank_name: str
    bank_hotline: str
    crisis_hotline: str
    verification_max_attempts: int
    policy: PolicyConfig


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
    )
