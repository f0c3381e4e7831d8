"""Rasa NLU component: a recall-first second opinion on crisis and opt-out.

The intent classifier ranks 25 intents at once; a long message about money
with one line of despair in it is "hardship" to it, and crisis comes 2nd or
3rd or nowhere (issue 18: "it hears the money"). The safety net's patterns
(bot/core/safety.py) catch what they know and nothing else. This component
asks one narrower question per safety intent: is there anything in the text
that looks like the crisis (or opt-out) examples at all?

For each intent in ``thresholds`` it trains a binary one-vs-rest logistic
regression over character 1-3 grams of the normalised text (the text the
classifier reads: TextNormalizer runs first, in training through
``process_training_data`` and at run time through ``process``, so this
model sees the same text in both), with the positive class weighted up so
that it errs towards the safety intent. At run time it writes into the parse
data the probabilities and which intents passed their threshold:

    "safety_risk": {"crisis": 0.41, "stop_contact": 0.02, "flagged": ["crisis"]}

It changes no intent itself: bot.nlu.keyword_override.KeywordIntentOverride,
which runs next, turns a flagged crisis that neither the net nor the
classifier saw into a *possible* crisis (the bot checks in gently). A
flagged opt-out is reported only: an opt-out stops lawful contact at once
(action_opt_out records it), so a statistical guess must not trigger it.

Features are hashed (no vocabulary to store) and the weights are kept as
plain arrays (numpy ``.npz``, no pickle), so loading a model runs no code.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# Parse-data key (kept in the tracker with the message, shown to trainers).
RISK_KEY = "safety_risk"
FLAGGED = "flagged"
WEIGHTS_FILE = "risk_weights.npz"

# 2**20 buckets: ~100k distinct 1-3 grams in the training data, so few
# collisions, and only the non-zero weights are stored.
N_FEATURES = 2 ** 20


def vectorizer(max_ngram: int = 3):
    """The hashed character n-gram features (stateless: nothing to fit)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char", ngram_range=(1, max_ngram), n_features=N_FEATURES,
        alternate_sign=False, binary=True, norm="l2", lowercase=True,
    )


class BinaryRisk:
    """One logistic regression per safety intent over shared features."""

    def __init__(self, max_ngram: int = 3, weights: Optional[Dict[str, Tuple[np.ndarray, np.ndarray, float]]] = None):
        self.max_ngram = max_ngram
        self._vectorizer = vectorizer(max_ngram)
        # intent -> (feature indices, weights, intercept)
        self.weights = weights or {}
        self._dense: Dict[str, np.ndarray] = {}

    def fit(self, texts: Sequence[str], intents: Sequence[str], targets: Iterable[str],
            positive_share: float = 1.3, c: float = 10.0) -> "BinaryRisk":
        from sklearn.linear_model import LogisticRegression

        features = self._vectorizer.transform(texts)
        for target in targets:
            labels = np.array([1 if intent == target else 0 for intent in intents])
            if labels.sum() == 0 or labels.sum() == len(labels):
                logger.warning("No examples to tell '%s' apart; it is never flagged.", target)
                continue
            # The positive examples weigh positive_share times all the
            # others together, however many of each the data has: the
            # threshold keeps its meaning as the training data grows.
            weight = positive_share * (len(labels) - labels.sum()) / labels.sum()
            model = LogisticRegression(C=c, class_weight={0: 1.0, 1: weight}, solver="liblinear")
            model.fit(features, labels)
            coef = model.coef_[0]
            nonzero = np.flatnonzero(coef)
            self.weights[target] = (nonzero.astype(np.int64), coef[nonzero], float(model.intercept_[0]))
            self._dense.pop(target, None)
        return self

    def probabilities(self, texts: Sequence[str]) -> List[Dict[str, float]]:
        features = self._vectorizer.transform(texts).tocsr()
        result: List[Dict[str, float]] = [{} for _ in texts]
        for target, (index, coef, intercept) in self.weights.items():
            if target not in self._dense:
                self._dense[target] = np.zeros(N_FEATURES)
                self._dense[target][index] = coef
            scores = features @ self._dense[target] + intercept
            for row, score in enumerate(np.asarray(scores).ravel()):
                result[row][target] = float(1.0 / (1.0 + np.exp(-score)))
        return result

    def arrays(self) -> Dict[str, np.ndarray]:
        arrays: Dict[str, np.ndarray] = {"max_ngram": np.array(self.max_ngram)}
        for target, (index, coef, intercept) in self.weights.items():
            arrays[f"{target}.index"] = index
            arrays[f"{target}.coef"] = coef
            arrays[f"{target}.intercept"] = np.array(intercept)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Any) -> "BinaryRisk":
        weights = {}
        for key in arrays.files:
            if key.endswith(".index"):
                target = key[: -len(".index")]
                weights[target] = (arrays[key], arrays[f"{target}.coef"], float(arrays[f"{target}.intercept"]))
        return cls(int(arrays["max_ngram"]), weights)


def flagged(probabilities: Dict[str, float], thresholds: Dict[str, float]) -> List[str]:
    return [target for target, p in probabilities.items() if p >= thresholds.get(target, 1.01)]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafetyRiskDetector(GraphComponent):
    """Binary crisis / opt-out detectors; reports, never decides."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Probability at or above which the intent is flagged.
            # (chosen in config.yml; the numbers are there)
            "thresholds": {"crisis": 0.5, "stop_contact": 0.5},
            "max_ngram": 3,
            # The safety examples together weigh this many times all the
            # others: the model errs towards the safety intent.
            "positive_share": 1.3,
            # Little regularisation: the rare safety examples need their
            # own n-grams to count.
            "C": 10.0,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[BinaryRisk] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model or BinaryRisk(int(self.config["max_ngram"]))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyRiskDetector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.training_examples if m.get(INTENT) and m.get(TEXT)]
        self.model.fit(
            [m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples], self.config["thresholds"],
            positive_share=float(self.config["positive_share"]), c=float(self.config["C"]),
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez_compressed(model_dir / WEIGHTS_FILE, **self.model.arrays())

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyRiskDetector":
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as arrays:
                    model = BinaryRisk.from_arrays(arrays)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained safety risk detector in the model; nothing will be flagged.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [m.get(TEXT) or "" for m in messages]
        if not texts or not self.model.weights:
            return messages
        for message, probabilities in zip(messages, self.model.probabilities(texts)):
            report: Dict[str, Any] = {k: round(v, 4) for k, v in probabilities.items()}
            report[FLAGGED] = flagged(probabilities, self.config["thresholds"])
            message.set(RISK_KEY, report, add_to_output=True)
        return messages
