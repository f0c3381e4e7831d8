"""What the safety-net rounds share: their {kind: [texts]} tables as
parametrised cases, the check that a text is caught as a crisis, and a
message run through KeywordIntentOverride after a classifier ranking."""
from __future__ import annotations

from typing import Dict, List, Optional

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import CERTAIN, POSSIBLE, assess_crisis, verdict
from bot.nlu.keyword_override import KeywordIntentOverride
from bot.nlu.risk_detector import FLAGGED, RISK_KEY


def parametrize_by_kind(table: Dict[str, List[str]]):
    """One case a text, with its kind first, so that a failing case's id
    names the kind of wording it stands for."""
    return pytest.mark.parametrize("kind,text", [(kind, text) for kind, texts in table.items() for text in texts])


def assert_caught_as_crisis(kind: str, text: str) -> None:
    found = verdict(text)
    assert found is not None and found.intent == "crisis", (kind, text, found)


def assert_checks_in_at_least(kind: str, text: str) -> None:
    """An ambiguous sign: the net must at least ask (tier possible), or more."""
    found = assess_crisis(text)
    assert found is not None and found.tier in (POSSIBLE, CERTAIN), (kind, text, found)


def assert_no_crisis(text: str) -> None:
    found = assess_crisis(text)
    assert found is None, (text, found)


def overridden(text: str, ranking: List[dict], config: Optional[dict] = None,
               risk: Optional[Dict[str, float]] = None) -> Message:
    """``text`` as the classifier ranked it (best first), after the override;
    ``risk``: the safety risk detector's probabilities (flagged at >= 0.70)."""
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    if risk is not None:
        flagged = [intent for intent, p in risk.items() if p >= 0.70]
        message.set(RISK_KEY, {**risk, FLAGGED: flagged}, add_to_output=True)
    KeywordIntentOverride(config).process([message])
    return message
