"""Rasa NLU component: rule-based extraction of amounts, dates, durations,
installment counts and ID digits.

These entities have a closed grammar (numbers, units, calendar words), so
rules beat a learned tagger here: they need no training time, never
misalign with jieba's segmentation, and the same grammar normalises the
value in the actions (bot.core.normalize).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.normalize import find_entities


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RuleEntityExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            spans = find_entities(message.get(TEXT) or "")
            entities = [
                {
                    "entity": span.entity,
                    "start": span.start,
                    "end": span.end,
                    "value": span.value,
                    "confidence_entity": 1.0,
                }
                for span in spans
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
