"""What `make bench` measures and against which targets: constants shared by
the measuring modules (measure_*.py) and the reporting module (report.py).

The dated record of why each variant exists and what it showed when it was
tried is bench/history.md.
"""
from __future__ import annotations

from typing import Any, Dict

SECTIONS = ("train", "nlu", "core", "speed", "variants", "profile")
LEVELS = (1, 8, 32)
FULL_CONVERSATIONS = {1: 8, 8: 24, 32: 64}
QUICK_CONVERSATIONS = {1: 4, 8: 8, 32: 32}
WARMUP_CONVERSATIONS = 2
ENTITIES = ("amount", "date", "duration", "months", "id_last4")
SAFETY_INTENTS = ("crisis", "stop_contact")
REDIS = {"host": "127.0.0.1", "port": 6379}
REDIS_PREFIX = "collectbench"
TARGETS = {
    "throughput_ratio_32": 1.0,
    "p95_ratio_1": 2.0,
    "intent_macro_f1": 0.95,
    "entity_f1": 0.90,
    "safety_recall": 1.0,
    "rasa_rss_mb": 1536.0,
    "train_s": 600.0,
    "false_crisis": 0.02,
}
# Issue 18's intent macro-F1 targets for the blind held-out sets, by kind of
# set (measure_nlu.set_kind: 'colloquial (blind3)' is a colloquial set). A
# blind set of another kind has the safety targets only (crisis and
# stop_contact recall 1.0, benign read as crisis <= TARGETS["false_crisis"]).
BLIND_MACRO_F1 = {"colloquial": 0.95, "noisy": 0.92, "replies": 0.90}

# The switch that makes the Rasa server run Rasa's own code paths instead of
# the product's patches (bot/rasa_server/).
PATCHES_SWITCH = "COLLECTBOT_RASA_PATCHES"

# Levers measured on the full stack, each a change of deployment settings or,
# for `patched`, of a hot path loaded from a copy (bench/patches/). "ours"
# runs the product as shipped (its Rasa patches on, its own tracker store);
# variants that name a lever the product has since adopted measure the same
# stack again. `label` is the name the report gives a variant (default: its key).
VARIANTS: Dict[str, Dict[str, Any]] = {
    "stock-rasa-paths": {
        "env": {PATCHES_SWITCH: "off"}, "tracker": "rasa-sql",
        "label": "same bot on stock Rasa code paths",
        "about": f"our bot, domain, model and action server with {PATCHES_SWITCH}=off (none of the product's "
                 "patches to Rasa's internals) and Rasa's own SQL tracker store (`type: SQL`) instead of ours: "
                 "what the patches buy on our own bot",
    },
    "rasa-sql-tracker": {"tracker": "rasa-sql", "about": "Rasa's own SQL tracker store (re-reads the conversation on every save to feed the event broker)"},
    "patched": {"patch": True, "about": "Rasa server validates action responses with a validator built once (bench/patches)"},
    "memory-tracker": {"tracker": "memory", "about": "in-memory tracker store (conversations lost on restart: a reference, not an option)"},
    "redis-tracker": {"tracker": "redis", "about": "Redis tracker store (127.0.0.1:6379)"},
    "workers2": {"env": {"SANIC_WORKERS": "2"}, "lock": "redis", "about": "SANIC_WORKERS=2 with a Redis lock store"},
    "action-workers2": {"env": {"ACTION_SERVER_SANIC_WORKERS": "2"}, "about": "ACTION_SERVER_SANIC_WORKERS=2"},
    "action-keepalive": {"action_env": {"SANIC_KEEP_ALIVE_TIMEOUT": "30"},
                         "about": "action server keeps idle connections 30 s (Sanic default 5 s < aiohttp's 15 s pool keep-alive)"},
    "patched+action-keepalive": {"patch": True, "action_env": {"SANIC_KEEP_ALIVE_TIMEOUT": "30"},
                                 "about": "patched and the action server's keep-alive raised to 30 s"},
    "patched+workers2": {"patch": True, "env": {"SANIC_WORKERS": "2"}, "lock": "redis", "about": "patched and SANIC_WORKERS=2 (Redis lock store)"},
    "patched+redis-tracker": {"patch": True, "tracker": "redis", "about": "patched and Redis tracker store"},
}
DEFAULT_VARIANTS = ("stock-rasa-paths", "rasa-sql-tracker")


def variant_label(name: str) -> str:
    return VARIANTS.get(name, {}).get("label", name)
