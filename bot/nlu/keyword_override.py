"""Rasa NLU component: safety keywords override the classifier.

Runs last in the pipeline (after the FallbackClassifier) so that a crisis
or opt-out message is never lost to a low-confidence prediction either.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import keyword_intent


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
            forced = keyword_intent(message.get(TEXT) or "")
            if forced is None:
                continue
            current = message.get(INTENT) or {}
            if current.get("name") == forced:
                continue
            forced_intent = {"name": forced, "confidence": 1.0}
            ranking = [
                r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != forced
            ]
            message.set(INTENT, forced_intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [forced_intent] + ranking, add_to_output=True)
        return messages
