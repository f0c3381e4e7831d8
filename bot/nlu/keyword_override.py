"""Rasa NLU component: the safety net overrides the classifier.

Runs last in the pipeline (after the FallbackClassifier) so that a crisis
or opt-out message is never lost to a low-confidence prediction either.

What it did is in the parse data, for the dialogue and for the trainers
(the workbench shows the intent ranking): the forced intent heads the
ranking, the classifier's own ranking follows, and ``safety`` says which
net fired, the crisis tier and the patterns, and what the model had said:

    "safety": {"intent": "crisis", "tier": "possible",
               "rules": ["tired_of_life"], "model_intent": "inform_hardship"}

A possible crisis is still the intent ``crisis`` (so it reaches the crisis
handling even while a person has the conversation, through the
``paused_safety`` slot mapping), with confidence 0.5 unless the classifier
itself was surer; ``action_handle_crisis`` reads the tier and checks in
before it hands over.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import POSSIBLE, SAFETY_KEY, Verdict, verdict

# Half sure: the net saw an ambiguous sign, the check-in finds out.
POSSIBLE_CONFIDENCE = 0.5


def _confidence(found: Verdict, model_intent: Dict[Text, Any]) -> float:
    if found.tier != POSSIBLE:
        return 1.0
    if model_intent.get("name") == found.intent:
        return max(float(model_intent.get("confidence") or 0.0), POSSIBLE_CONFIDENCE)
    return POSSIBLE_CONFIDENCE


def safety_report(found: Verdict, model_intent: Dict[Text, Any]) -> Dict[Text, Any]:
    return {
        "intent": found.intent,
        "tier": found.tier,
        "rules": list(found.rules),
        "model_intent": model_intent.get("name"),
    }


def apply_verdict(message: Message, found: Optional[Verdict]) -> None:
    """Force the net's intent on the message and say so in its parse data."""
    if found is None:
        return
    model_intent = dict(message.get(INTENT) or {})
    forced_intent = {"name": found.intent, "confidence": _confidence(found, model_intent)}
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != found.intent]
    message.set(INTENT, forced_intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [forced_intent] + ranking, add_to_output=True)
    message.set(SAFETY_KEY, safety_report(found, model_intent), add_to_output=True)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class KeywordIntentOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KeywordIntentOverride":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            apply_verdict(message, verdict(message.get(TEXT) or ""))
        return messages
