"""Campaign, guard and reconciliation settings, from one optional YAML file.

``COLLECTBOT_CAMPAIGN_FILE`` (like ``COLLECTBOT_POLICY_FILE`` for the
policy) may hold::

    reminder_dpd: 3            # CampaignConfig fields (bot/core/campaign.py)
    notice_dpd: 31
    agent_call_dpd: 61
    final_notice_dpd: 91
    sms_max_segments: 2        # per campaign SMS, opt-out line included
    templates:                 # each must end with 回T退订 (bot/core/sms.py)
      reminder_verified: "【{bank}】…回T退订"
    guard:                     # GuardConfig (bot/core/guard.py)
      quiet_start: "21:00"
      quiet_end: "08:00"
      max_contacts_per_day: 3
      max_contacts_per_week: 10
    reconcile:                 # ReconcileConfig (bot/core/reconcile.py)
      grace_days: 1
    voice_steps: [agent_call]  # steps made as an automated call (bot/voice/campaign.py)

Unknown keys fail loudly: a typo must not silently leave a default in force.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

import yaml

from bot import settings
from bot.core.campaign import CampaignConfig, CampaignConfigError
from bot.core.guard import GuardConfig
from bot.core.reconcile import ReconcileConfig

CAMPAIGN_FILE_ENV = settings.CAMPAIGN_FILE_ENV


@dataclass(frozen=True)
class CampaignSettings:
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    guard: GuardConfig = field(default_factory=GuardConfig)
    reconcile: ReconcileConfig = field(default_factory=ReconcileConfig)
    #: Campaign steps made by phone (issue 17, bot/voice/campaign.py).
    voice_steps: Tuple[str, ...] = ()


def _time(value: Any, key: str) -> time:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 21:00 as the sexagesimal number 1260.
        return time(value // 60, value % 60)
    try:
        hours, minutes = str(value).strip().split(":")
        return time(int(hours), int(minutes))
    except (TypeError, ValueError) as exc:
        raise CampaignConfigError(f"guard.{key} must be HH:MM, got {value!r}") from exc


def guard_from_mapping(data: Optional[Mapping]) -> GuardConfig:
    if not data:
        return GuardConfig()
    known = {f.name for f in fields(GuardConfig)}
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise CampaignConfigError(f"unknown guard keys: {', '.join(unknown)}")
    kwargs = dict(data)
    for key in ("quiet_start", "quiet_end"):
        if key in kwargs:
            kwargs[key] = _time(kwargs[key], key)
    for key in ("max_contacts_per_day", "max_contacts_per_week"):
        if key in kwargs and (not isinstance(kwargs[key], int) or kwargs[key] < 0):
            raise CampaignConfigError(f"guard.{key} must be a non-negative integer")
    return GuardConfig(**kwargs)


def settings_from_mapping(data: Optional[Mapping]) -> CampaignSettings:
    data = dict(data or {})
    guard = guard_from_mapping(data.pop("guard", None))
    try:
        rec = ReconcileConfig.from_mapping(data.pop("reconcile", None))
    except (TypeError, ValueError) as exc:
        raise CampaignConfigError(str(exc)) from exc
    try:
        from bot.voice.campaign import valid_voice_steps

        voice_steps = valid_voice_steps(data.pop("voice_steps", None))
    except ValueError as exc:
        raise CampaignConfigError(str(exc)) from exc
    try:
        campaign = CampaignConfig.from_mapping(data)
    except TypeError as exc:
        raise CampaignConfigError(str(exc)) from exc
    return CampaignSettings(campaign=campaign, guard=guard, reconcile=rec, voice_steps=voice_steps)


def load_settings(path: Optional[str] = None) -> CampaignSettings:
    path = path or settings.campaign_file()
    if not path:
        return CampaignSettings()
    return settings_from_mapping(yaml.safe_load(Path(path).read_text("utf-8")) or {})
