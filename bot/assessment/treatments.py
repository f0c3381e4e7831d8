"""The segment-to-treatment table: configuration, checked when loaded.

Default: bot/assessment/treatments.yml; ``COLLECTBOT_TREATMENTS_FILE``
points at another file. Every segment of bot/core/assessment.SEGMENTS must
have a treatment; unknown keys or values are refused, so a typo fails at
start-up rather than silently sending the default.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

import yaml

from bot import settings
from bot.core.assessment import SEGMENT_LABELS, SEGMENTS

DEFAULT_FILE = Path(__file__).with_name("treatments.yml")
FILE_ENV = settings.TREATMENTS_FILE_ENV

OFFERS = ("promise_full", "promise_minimum", "installment", "hardship_plan")
TONES = ("supportive", "standard", "firm")
CHANNELS = ("preferred", "experiment", "sms")

OFFER_LABELS = {
    "promise_full": "约定全额还款",
    "promise_minimum": "约定还最低还款额",
    "installment": "标准分期",
    "hardship_plan": "困难还款计划",
}
TONE_LABELS = {"supportive": "体谅", "standard": "常规", "firm": "坚定（只陈述事实）"}
CHANNEL_LABELS = {"preferred": "客户常用渠道", "experiment": "轮换渠道与时段", "sms": "短信"}


class TreatmentConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Treatment:
    segment: str
    offer: str
    tone: str
    channel: str
    agent_call: bool
    description: str

    def summary(self) -> str:
        """One line in Chinese for supervisors."""
        call = "，坐席致电" if self.agent_call else ""
        return (f"{SEGMENT_LABELS[self.segment]}：{OFFER_LABELS[self.offer]}，语气{TONE_LABELS[self.tone]}，"
                f"{CHANNEL_LABELS[self.channel]}{call}")


def from_mapping(data: Optional[Mapping]) -> Dict[str, Treatment]:
    if not isinstance(data, Mapping):
        raise TreatmentConfigError("the treatment table must be a mapping of segment -> treatment")
    unknown = sorted(str(k) for k in data if k not in SEGMENTS)
    if unknown:
        raise TreatmentConfigError(f"unknown segments: {', '.join(unknown)}")
    missing = [seg for seg in SEGMENTS if seg not in data]
    if missing:
        raise TreatmentConfigError(f"no treatment for segments: {', '.join(missing)}")
    table: Dict[str, Treatment] = {}
    for seg in SEGMENTS:
        row = data[seg]
        if not isinstance(row, Mapping):
            raise TreatmentConfigError(f"{seg}: must be a mapping")
        extra = sorted(set(row) - {"offer", "tone", "channel", "agent_call", "description"})
        if extra:
            raise TreatmentConfigError(f"{seg}: unknown keys {', '.join(extra)}")
        offer, tone, channel = row.get("offer"), row.get("tone", "standard"), row.get("channel", "preferred")
        for name, value, allowed in (("offer", offer, OFFERS), ("tone", tone, TONES), ("channel", channel, CHANNELS)):
            if value not in allowed:
                raise TreatmentConfigError(f"{seg}: {name} must be one of {', '.join(allowed)}, got {value!r}")
        agent_call = row.get("agent_call", False)
        if not isinstance(agent_call, bool):
            raise TreatmentConfigError(f"{seg}: agent_call must be true or false")
        table[seg] = Treatment(seg, offer, tone, channel, agent_call, str(row.get("description") or ""))
    # Pressure on people who cannot pay is never the treatment.
    for seg in ("willing_unable", "unwilling_unable"):
        if table[seg].tone == "firm":
            raise TreatmentConfigError(f"{seg}: a firm tone for cardholders who cannot pay is not allowed")
    return table


_cache: Dict[Tuple[str, float], Dict[str, Treatment]] = {}


def load(path: Optional[str] = None) -> Dict[str, Treatment]:
    """The table from ``path``, else ``COLLECTBOT_TREATMENTS_FILE``, else the
    default file; re-read when the file changes."""
    chosen = Path(path or settings.treatments_file() or DEFAULT_FILE)
    try:
        key = (str(chosen), chosen.stat().st_mtime)
        if key not in _cache:
            _cache.clear()
            _cache[key] = from_mapping(yaml.safe_load(chosen.read_text("utf-8")))
    except OSError as exc:
        raise TreatmentConfigError(f"cannot read {chosen}: {exc}") from exc
    return dict(_cache[key])
