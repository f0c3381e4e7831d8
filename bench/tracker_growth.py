#!/usr/bin/env python
"""Which per-turn work in the Rasa server grows with the session's length (issue 16, finding 8).

In-process, no servers: a verified conversation of the real domain
(domain.yml) that asks for the balance again and again, measured at a few
session lengths. For each length, the best of a few runs of each piece of
work Rasa does on every turn over the whole latest session:

- applied events (``tracker.applied_events()``: the processor's session
  check, every policy);
- dialogue states (``Domain.states_for_tracker_history``, Rasa's own,
  uncached: the rule and memoization policies ask for them for every
  predicted action);
- tracker copy (``tracker.copy()``: a replay of every event);
- shipping it (``current_state(EventVerbosity.ALL)`` + JSON: each action
  call, ``RemoteAction._action_call_format``) and parsing it (what the action
  server does with the body).

The session window (bot/session_window.py) caps the length these see at
about ``DEFAULT_MAX_EVENTS``; the last line shows what that costs.

    .venv/bin/python bench/tracker_growth.py     # writes bench/tracker_growth.md
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Callable, List

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity  # noqa: E402

try:  # the Rasa-server plug-ins moved to bot/rasa_server/ (issue 15)
    from bot.rasa_server.session_window import DEFAULT_MAX_EVENTS  # noqa: E402
except ImportError:
    from bot.session_window import DEFAULT_MAX_EVENTS  # noqa: E402

TURNS = (10, 50, 100, 300, 1000)


def best_ms(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def conversation(domain: Domain, turns: int) -> DialogueStateTracker:
    events: List = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                    UserUttered("5678", {"name": "inform_identity", "confidence": 1.0}),
                    SlotSet("verified", True), SlotSet("account_id", "DEMO-0002"),
                    ActionExecuted("action_verification_result"), BotUttered("……"), ActionExecuted("action_listen")]
    for _ in range(turns):
        events += [UserUttered("我欠多少钱", {"name": "ask_balance", "confidence": 1.0}),
                   ActionExecuted("action_state_balance"), BotUttered("您的欠款为23,500.50元"),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("+8613800000002", events, domain.slots)


def main() -> int:
    domain = Domain.load(str(REPO / "domain.yml"))
    header = "| turns | events | applied events | dialogue states | tracker copy | ship (JSON) | parse | sum |"
    lines = [
        "# What grows with a session's length",
        "",
        "`bench/tracker_growth.py`: the work Rasa does over the whole latest session on each turn, in ms (best of 3,"
        " one core, in-process), for a verified conversation asking for its balance again and again. Rasa runs"
        " the dialogue states once or more per predicted action and ships the tracker once per action call, so a"
        " turn pays these several times. The session window (bot/session_window.py) keeps a session at about"
        f" {DEFAULT_MAX_EVENTS} events (≈ the 50-turn line) however long the conversation.",
        "",
        header,
        "|---" * (header.count("|") - 1) + "|",
    ]
    for turns in TURNS:
        tracker = conversation(domain, turns)
        body = json.dumps(tracker.current_state(EventVerbosity.ALL))
        costs = [
            best_ms(tracker.applied_events),
            best_ms(lambda: domain.states_for_tracker_history(tracker)),
            best_ms(tracker.copy),
            best_ms(lambda: json.dumps(tracker.current_state(EventVerbosity.ALL))),
            best_ms(lambda: json.loads(body)),
        ]
        lines.append(f"| {turns} | {len(tracker.events)} | " + " | ".join(f"{c:.1f}" for c in costs)
                     + f" | {sum(costs):.1f} |")
        print(lines[-1], flush=True)
    (REPO / "bench" / "tracker_growth.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
