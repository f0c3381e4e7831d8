"""Rasa NLU component: the intent classifier, a logistic regression over
TF-IDF-weighted bag-of-words and character n-gram counts.

Rasa's ``LogisticRegressionClassifier`` reads the featurisers' raw counts
with scikit-learn's default regularisation (C 1, not configurable). On raw
counts a long rambling message weighs many times more than a short reply,
and a character that is in every message (的, 我, 了) weighs as much as one
that decides the intent (退, 期, 死). Weighting the same features the way
text classifiers usually are (sublinear term frequency 1 + log(tf), times
the inverse document frequency learnt from the training data, each row
scaled to unit length) and loosening the regularisation to match lifted
intent macro-F1 on every development set and on SMP2017 (numbers in
config.yml and docs/reports/nlu_tuning.md).

The features are the ones the pipeline's CountVectorsFeaturizers put on the
message (sentence features), so nothing else in the pipeline changes. The
model is kept as plain arrays (numpy ``.npz``: idf, coefficients,
intercepts, intent names): loading a model runs no code, and prediction is
the multinomial softmax the fitted model computes.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (FEATURE_TYPE_SENTENCE, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY,
                                       TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "tfidf_intents.npz"


class TfidfWeights:
    """Sublinear TF-IDF with unit-length rows, as scikit-learn's
    ``TfidfTransformer(sublinear_tf=True)`` computes it (smoothed idf)."""

    def __init__(self, idf: np.ndarray):
        self.idf = idf

    @classmethod
    def fit(cls, counts: sp.csr_matrix) -> "TfidfWeights":
        n_docs = counts.shape[0]
        doc_freq = np.bincount(counts.indices, minlength=counts.shape[1]) if counts.nnz else np.zeros(counts.shape[1])
        return cls(np.log((1.0 + n_docs) / (1.0 + doc_freq)) + 1.0)

    def transform(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        weighted = counts.astype(np.float64, copy=True).tocsr()
        weighted.sum_duplicates()
        positive = weighted.data > 0
        weighted.data[positive] = 1.0 + np.log(weighted.data[positive])
        weighted = weighted @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


class LinearIntentModel:
    """Intent names, coefficients and intercepts of a multinomial logistic
    regression; ``probabilities`` is its softmax."""

    def __init__(self, intents: List[str], coef: np.ndarray, intercept: np.ndarray):
        self.intents = intents
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def fit(cls, features: sp.csr_matrix, intents: List[str], c: float, max_iter: int) -> "LinearIntentModel":
        from sklearn.linear_model import LogisticRegression

        # newton-cg, not lbfgs: the same convex problem and the same optimum
        # (on the 27,586 examples of 2026-12-06 every training prediction
        # agrees and probabilities differ by at most 0.0004), but lbfgs spends
        # most of its time in L-BFGS-B's own bookkeeping over 3.5 million
        # coefficients: 248 s against 119 s here, and the workbench's
        # candidate training runs on the same code (docs/reports/nlu_tuning.md).
        model = LogisticRegression(C=c, max_iter=max_iter, class_weight="balanced", solver="newton-cg",
                                   random_state=42)
        model.fit(features, intents)
        if len(model.classes_) == 2:
            # Binary scikit-learn models keep one row; softmax needs both.
            coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
            intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
        else:
            coef, intercept = model.coef_, model.intercept_
        return cls([str(c) for c in model.classes_], coef, intercept)

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(features @ self.coef.T) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


def sentence_row(message: Message) -> Optional[sp.csr_matrix]:
    """The message's sentence-level sparse features side by side, as
    ``Message.get_sparse_features`` combines them (in the order the
    featurizers added them), without its deep copies and without combining
    the sequence-level features a classifier of sentences does not use;
    None if the message has dense sentence features or no sparse ones."""
    sparse = []
    for f in message.features:
        if f.attribute != TEXT or f.type != FEATURE_TYPE_SENTENCE:
            continue
        if not f.is_sparse():
            return None
        sparse.append(f.features)
    if not sparse:
        return None
    row = sparse[0] if len(sparse) == 1 else sp.hstack(sparse)
    return sp.csr_matrix(row, dtype=np.result_type(row.dtype, np.float64))


def sentence_features(messages: List[Message], width: Optional[int] = None) -> sp.csr_matrix:
    """One row of sentence features per message; a message without sparse
    features (dense ones are not used here) gets a row of zeros."""
    rows = [sentence_row(m) for m in messages]
    if width is None:
        width = max((r.shape[1] for r in rows if r is not None), default=0)
    return sp.vstack([r if r is not None else sp.csr_matrix((1, width)) for r in rows]).tocsr()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression over TF-IDF-weighted sparse features."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 100.0, "max_iter": 3000, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Optional[TfidfWeights] = None, model: Optional[LinearIntentModel] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.weights = weights
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if not examples:
            logger.warning("No intent examples: the intent classifier is not trained.")
            return self._resource
        counts = sentence_features(examples)
        self.weights = TfidfWeights.fit(counts)
        self.model = LinearIntentModel.fit(self.weights.transform(counts), [m.get(INTENT) for m in examples],
                                           float(self.config["C"]), int(self.config["max_iter"]))
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or self.weights is None or not messages:
            return messages
        counts = sentence_features(messages, width=len(self.weights.idf))
        probabilities = self.model.probabilities(self.weights.transform(counts))
        length = int(self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            order = np.argsort(-row, kind="stable")
            ranking = [{INTENT_NAME_KEY: self.model.intents[i], PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez_compressed(model_dir / MODEL_FILE, idf=self.weights.idf, coef=self.model.coef,
                     intercept=self.model.intercept, intents=np.array(self.model.intents, dtype=str))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfIntentClassifier":
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / MODEL_FILE, allow_pickle=False) as arrays:
                    weights = TfidfWeights(arrays["idf"])
                    model = LinearIntentModel([str(i) for i in arrays["intents"]], arrays["coef"], arrays["intercept"])
        except (ValueError, FileNotFoundError) as exc:
            logger.warning("No trained intent classifier to load (%s); intents are not predicted.", exc)
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, weights, model)
