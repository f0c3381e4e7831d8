"""Running custom actions directly, with a real (SQLite) account database."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

REPO = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((REPO / "domain.yml").read_text("utf-8"))
SLOT_DEFAULTS = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}


def make_tracker(
    sender: str,
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "greet",
    entities: Optional[List[dict]] = None,
    metadata: Optional[dict] = None,
    events: Optional[List[dict]] = None,
    active_loop: Optional[str] = None,
    channel: Optional[str] = None,
) -> Tracker:
    """A tracker whose latest message is ``text``; ``channel`` adds the user
    event that says which input channel it came through."""
    if channel:
        events = list(events or []) + [
            {"event": "user", "text": text, "input_channel": channel, "metadata": metadata or {}}
        ]
    all_slots = dict(SLOT_DEFAULTS)
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    return Tracker(
        sender,
        all_slots,
        latest,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run_action(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    texts = [m.get("text") or "" for m in dispatcher.messages]
    return events, texts


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def e2e_accounts(db_url, pinned_now, today):
    """tests/fixtures/e2e_accounts.csv imported into the test's account database."""
    from bot.db.importer import import_accounts_csv
    from bot.db.session import session_scope

    with session_scope() as s:
        import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=today)
    return db_url
