"""Rasa NLU components: the classifiers read normalised text, the record keeps
what the cardholder wrote.

``TextNormalizer`` runs first in the pipeline, before JiebaTokenizer, in
training (``process_training_data``) and at run time (``process``): it
replaces the message's ``text`` by ``bot.core.textnorm.normalize(text)`` and
keeps the original and the character map in two private attributes.

``OriginalTextRestorer`` runs last and puts the original ``text`` back, with
entity offsets and token offsets mapped onto it. That matters because the
processor copies ``parse_data["text"]`` (built from the message's ``text``
at the end of the graph, rasa/core/processor.py ``_parse_message_with_graph``)
into the UserUttered event's parse data, which the tracker store, the event
broker and the contact log keep; the event's own ``text`` comes from the
incoming UserMessage and is never touched. Without the restorer the stored
parse data would show 好的 where the cardholder sent 👌, and an amount's
offsets would point into a text nobody wrote.

Both are registered so that Rasa's default recipe places them where they
must run: a MESSAGE_TOKENIZER gets a ``process_training_data`` node in the
training graph and a ``process`` node in the prediction graph, in config
order; an INTENT_CLASSIFIER that is not trainable runs at prediction only,
in config order (the text of training data needs no restoring: nothing
after the pipeline reads it).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.textnorm import Normalized, Span, fingerprint, normalize_with_spans

# Private message attributes (never in parse_data's output properties).
TEXT_AS_WRITTEN = "text_as_written"
TEXT_SPANS = "text_normalized_spans"


def _normalized(message: Message) -> Optional[Normalized]:
    spans = message.get(TEXT_SPANS)
    if message.get(TEXT_AS_WRITTEN) is None or spans is None:
        return None
    return Normalized(message.get(TEXT), tuple((a, b) for a, b in spans))


def _moved(entities: List[Dict[Text, Any]], span: Callable[[int, int], Span]) -> List[Dict[Text, Any]]:
    """Copies of ``entities`` with their offsets mapped by ``span``."""
    moved = []
    for entity in entities:
        entity = dict(entity)
        entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = span(
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
        )
        moved.append(entity)
    return moved


def normalize_message(message: Message) -> None:
    """Give the components after this one the normalised text."""
    text = message.get(TEXT)
    if not isinstance(text, str) or not text or message.get(TEXT_AS_WRITTEN) is not None:
        return
    result = normalize_with_spans(text)
    if result.text == text:
        return
    # Entity annotations of training examples point into the original.
    entities = message.get(ENTITIES)
    if entities:
        message.set(ENTITIES, _moved(entities, result.normalized_span))
    message.set(TEXT_AS_WRITTEN, text)
    message.set(TEXT_SPANS, [list(span) for span in result.spans])
    message.set(TEXT, result.text)


def restore_message(message: Message) -> None:
    """Put back what the cardholder wrote, offsets included."""
    normalized = _normalized(message)
    if normalized is None:
        return
    entities = message.get(ENTITIES)
    if entities:
        message.set(ENTITIES, _moved(entities, normalized.original_span),
                    add_to_output=ENTITIES in message.output_properties)
    # rasa test aligns entities with tokens by offset.
    for token in message.get(TOKENS_NAMES[TEXT]) or []:
        token.start, token.end = normalized.original_span(token.start, token.end)
    message.set(TEXT, message.get(TEXT_AS_WRITTEN))
    message.data.pop(TEXT_AS_WRITTEN, None)
    message.data.pop(TEXT_SPANS, None)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class TextNormalizer(GraphComponent):
    """First in the pipeline: traditional, full-width, emoji, pinyin, homophones."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Part of Rasa's cache key for this node: a new homophone table or
        # rule retrains what follows instead of reusing cached features.
        return {"rules": fingerprint()}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextNormalizer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            normalize_message(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            normalize_message(message)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class OriginalTextRestorer(GraphComponent):
    """Last in the pipeline: the parse data carries the text as written."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "OriginalTextRestorer":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            restore_message(message)
        return messages
