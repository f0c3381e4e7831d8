"""The intent classifier (bot.nlu.tfidf_classifier): TF-IDF weighting and
softmax exactly as scikit-learn computes them, and a trained pipeline that
ranks intents, survives persist/load and lets a decisive rare word outweigh
a long run of filler."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

from bot.nlu.tfidf_classifier import LinearIntentModel, TfidfWeights
from tests.unit.pipeline_support import DICTIONARY, parse, trained_agent


def _counts(seed: int = 3, rows: int = 40, cols: int = 25) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = rng.poisson(0.6, size=(rows, cols)).astype(float)
    dense[5] = 0  # a message with no known feature at all
    return sp.csr_matrix(dense)


def test_weights_are_sklearns_sublinear_tfidf():
    counts = _counts()
    ours = TfidfWeights.fit(counts).transform(counts).toarray()
    theirs = TfidfTransformer(sublinear_tf=True).fit(counts).transform(counts).toarray()
    assert np.allclose(ours, theirs)
    # New text is weighted by the idf learnt in training.
    new = _counts(seed=9, rows=6)
    assert np.allclose(TfidfWeights.fit(counts).transform(new).toarray(),
                       TfidfTransformer(sublinear_tf=True).fit(counts).transform(new).toarray())


def test_a_row_without_features_stays_zero():
    counts = _counts()
    assert not TfidfWeights.fit(counts).transform(counts)[5].toarray().any()


@pytest.mark.parametrize("n_intents", [2, 4])
def test_probabilities_are_the_fitted_models(n_intents):
    features = TfidfWeights.fit(_counts()).transform(_counts())
    intents = [f"i{k % n_intents}" for k in range(features.shape[0])]
    ours = LinearIntentModel.fit(features, intents, c=30.0, max_iter=3000)
    theirs = LogisticRegression(C=30.0, max_iter=3000, class_weight="balanced", solver="newton-cg",
                                random_state=42).fit(features, intents)
    assert ours.intents == list(theirs.classes_)
    assert np.allclose(ours.probabilities(features), theirs.predict_proba(features), atol=1e-6)
    # The solver is a matter of speed only: lbfgs reaches the same optimum.
    lbfgs = LogisticRegression(C=30.0, max_iter=3000, class_weight="balanced", random_state=42).fit(features, intents)
    assert np.allclose(ours.probabilities(features), lbfgs.predict_proba(features), atol=1e-3)


def test_rows_are_the_features_rasa_would_combine():
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tfidf_classifier import sentence_features

    def message(seed):
        rng = np.random.default_rng(seed)
        m = Message(data={"text": "我下周五还两千"})
        for origin in ("words", "chars"):
            m.add_features(Features(sp.coo_matrix(rng.integers(0, 3, size=(1, 40))), "sentence", "text", origin))
            m.add_features(Features(sp.coo_matrix(rng.integers(0, 2, size=(7, 40))), "sequence", "text", origin))
        return m

    messages = [message(1), message(2), Message(data={"text": ""})]
    ours = sentence_features(messages, width=80)
    rasas = [m.get_sparse_features("text")[1] for m in messages[:2]]
    assert ours.shape == (3, 80)
    assert (ours[:2].toarray() == sp.vstack([r.features for r in rasas]).toarray()).all()
    assert not ours[2].toarray().any()  # no features: a row of zeros


NLU = """
version: "3.1"
nlu:
- intent: request_installment
  examples: |
    - 分期
    - 我想分期
    - 能分期吗
    - 分期还款
    - 帮我办分期
    - 可以分几期
    - 那个 就是 我想分期
    - 就是说 那个 能分期吗
- intent: inform_hardship
  examples: |
    - 那个就是我最近真的是没有钱了
    - 就是说我这个月真的是没有钱
    - 那个我真的是手头很紧的
    - 我最近就是真的是周转不开了
    - 那个就是说我真的是失业了
    - 我真的是那个就是没钱了啊
- intent: greet
  examples: |
    - 你好
    - 在吗
    - 你好 在吗
    - 哈喽
    - 有人吗
    - 你好呀
    - 那个 就是 你好
    - 就是说 那个 在吗
"""


def _trained(folder: Path, classifier: dict):
    pipeline = [
        {"name": "bot.nlu.normalizer.TextNormalizer"},
        {"name": "JiebaTokenizer", "dictionary_path": DICTIONARY},
        {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
        classifier,
        {"name": "bot.nlu.normalizer.OriginalTextRestorer"},
    ]
    return trained_agent(folder, pipeline, NLU, "test-tfidf")  # loaded from the archive: persist and load


@pytest.fixture(scope="module")
def agents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tfidf")
    return (_trained(folder / "tfidf", {"name": "bot.nlu.tfidf_classifier.TfidfIntentClassifier", "ranking_length": 2}),
            _trained(folder / "counts", {"name": "LogisticRegressionClassifier", "max_iter": 1000}))


_parse = parse


def test_intents_and_a_ranking_of_the_configured_length(agents):
    tfidf, _ = agents
    parsed = _parse(tfidf, "我想分期还")
    assert parsed["intent"]["name"] == "request_installment"
    ranking = parsed["intent_ranking"]
    assert len(ranking) == 2
    assert ranking[0] == parsed["intent"]
    assert ranking[0]["confidence"] >= ranking[1]["confidence"]
    assert _parse(tfidf, "你好 在吗")["intent"]["name"] == "greet"


def test_a_decisive_word_outweighs_a_run_of_filler(agents):
    """Raw counts let the hardship examples' fillers (那个, 就是, 真的是)
    outvote 分期; TF-IDF weighs a word by how much it tells apart."""
    tfidf, counts = agents
    text = "那个就是说我真的是 那个 能分期吗"
    assert _parse(tfidf, text)["intent"]["name"] == "request_installment"
    assert _parse(counts, text)["intent"]["name"] == "inform_hardship"


def test_empty_and_unknown_text_get_an_answer_not_an_error(agents):
    tfidf, _ = agents
    for text in ("🙂", "zzzz qqqq"):
        parsed = _parse(tfidf, text)
        assert parsed["intent"]["name"] in {"request_installment", "inform_hardship", "greet"}
        assert 0.0 <= parsed["intent"]["confidence"] <= 1.0
