"""The SMP2017 evaluation's loader, split and config variants (no network, no real data)."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import smp2017_eval as smp  # noqa: E402


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def synthetic_rows():
    """Two tag-sorted blocks, like the published file: 'train' then 'develop'."""
    sizes = {"app": 13, "chat": 41, "flight": 7, "map": 5, "radio": 3}
    train = [(f"{tag} 训练 {i}", tag) for tag in sorted(sizes) for i in range(sizes[tag])]
    develop = [(f"{tag} 开发 {i}", tag) for tag in sorted(sizes) for i in range(max(1, sizes[tag] // 3))]
    return train, develop


def as_csv(rows) -> str:
    return "Sentence\tTag\n" + "".join(f"{text}\t{tag}\n" for text, tag in rows)


def test_loader_reads_every_row_in_order_and_strips_the_sentence(tmp_path):
    path = write(tmp_path, "Sentence\tTag\n打开熊猫看书\tapp\n高淳转播2 \ttvchannel\n\n怎么坐车去广州？\tbus\n")
    assert smp.load_rows(path) == [("打开熊猫看书", "app"), ("高淳转播2", "tvchannel"), ("怎么坐车去广州？", "bus")]


@pytest.mark.parametrize("text", [
    "text\tlabel\n你好\tchat\n",               # wrong header
    "Sentence\tTag\n你好chat\n",                # no tab
    "Sentence\tTag\n你好\tchat\textra\n",       # three fields
    "Sentence\tTag\n   \tchat\n",               # empty sentence
    "Sentence\tTag\n你好\t \n",                 # empty tag
])
def test_loader_refuses_malformed_files(tmp_path, text):
    with pytest.raises(smp.DataError):
        smp.load_rows(write(tmp_path, text))


def test_official_blocks_finds_where_the_second_sorted_block_starts(tmp_path):
    train, develop = synthetic_rows()
    rows = smp.load_rows(write(tmp_path, as_csv(train + develop)))
    assert smp.official_blocks(rows) == len(train)
    assert rows[: len(train)] == train and rows[len(train):] == develop


def test_official_blocks_is_none_for_one_block_or_several_restarts():
    train, develop = synthetic_rows()
    assert smp.official_blocks(train) is None
    assert smp.official_blocks(train + develop + train) is None


def test_stratified_folds_cover_every_example_once_without_leaks():
    train, develop = synthetic_rows()
    rows = train + develop
    labels = [tag for _, tag in rows]
    k = 5
    fold_of = smp.stratified_folds(labels, k, seed=7)
    assert len(fold_of) == len(rows) and set(fold_of) == set(range(k))
    seen = []
    for fold in range(k):
        training, test = smp.fold_split(rows, fold_of, fold)
        # no example is both trained on and tested in the same fold
        assert not set(training) & set(test)
        # the fold's two halves are the whole data, nothing dropped or duplicated
        assert sorted(training + test) == sorted(rows)
        seen.extend(test)
    # every example is tested exactly once over the folds
    assert sorted(seen) == sorted(rows)
    assert Counter(seen) == Counter(rows)


def test_stratified_folds_keep_each_labels_share_to_within_one():
    train, develop = synthetic_rows()
    labels = [tag for _, tag in train + develop]
    k = 5
    fold_of = smp.stratified_folds(labels, k, seed=7)
    for label, total in Counter(labels).items():
        per_fold = Counter(f for f, lab in zip(fold_of, labels) if lab == label)
        sizes = [per_fold.get(f, 0) for f in range(k)]
        assert sum(sizes) == total
        assert max(sizes) - min(sizes) <= 1, (label, sizes)


def test_stratified_folds_spread_the_small_labels_remainders_over_the_folds():
    # 10 labels of 3 examples: with the remainders all in folds 0-2, folds 3
    # and 4 would be empty; rotated, each fold gets 6.
    labels = [f"l{i}" for i in range(10) for _ in range(3)]
    fold_of = smp.stratified_folds(labels, 5, seed=1)
    assert sorted(Counter(fold_of).values()) == [6, 6, 6, 6, 6]


def test_stratified_folds_are_fixed_by_the_seed():
    labels = [tag for _, tag in synthetic_rows()[0]]
    assert smp.stratified_folds(labels, 5, seed=3) == smp.stratified_folds(labels, 5, seed=3)
    assert smp.stratified_folds(labels, 5, seed=3) != smp.stratified_folds(labels, 5, seed=4)


def test_pipeline_variants_come_from_config_yml(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(
        "recipe: default.v1\nlanguage: zh\npipeline:\n"
        "  - name: JiebaTokenizer\n    dictionary_path: bot/nlu/dictionary\n"
        "  - name: LogisticRegressionClassifier\n    max_iter: 1000\n"
        "  - name: bot.nlu.risk_detector.SafetyRiskDetector\n    thresholds: {crisis: 0.7}\n"
        "  - name: bot.nlu.keyword_override.KeywordIntentOverride\n"
        "  - name: bot.nlu.normalizer.OriginalTextRestorer\n"
        "policies:\n  - name: RulePolicy\n",
        encoding="utf-8",
    )
    full = smp.pipeline_config(config, "full")
    general = smp.pipeline_config(config, "general")
    assert "policies" not in full and full["language"] == "zh"
    assert [c["name"] for c in full["pipeline"]][-3:] == [
        "bot.nlu.risk_detector.SafetyRiskDetector", "bot.nlu.keyword_override.KeywordIntentOverride",
        "bot.nlu.normalizer.OriginalTextRestorer"]
    assert full["pipeline"][1] == {"name": "LogisticRegressionClassifier", "max_iter": 1000}
    assert [c["name"] for c in general["pipeline"]] == [
        "JiebaTokenizer", "LogisticRegressionClassifier", "bot.nlu.normalizer.OriginalTextRestorer"]
    assert general["pipeline"][0]["dictionary_path"] == "bot/nlu/dictionary"
    with pytest.raises(ValueError):
        smp.pipeline_config(config, "other")


def test_the_real_config_has_both_safety_components_to_drop():
    full = [c["name"] for c in smp.pipeline_config(REPO / "config.yml", "full")["pipeline"]]
    general = [c["name"] for c in smp.pipeline_config(REPO / "config.yml", "general")["pipeline"]]
    dropped = [name for name in full if name not in general]
    assert [name.rsplit(".", 1)[-1] for name in dropped] == list(smp.SAFETY_COMPONENTS)
    assert len(general) == len(full) - 2


def test_scores_count_fallback_and_foreign_intents_as_wrong():
    gold = ["app", "app", "bus", "chat"]
    final = ["app", "nlu_fallback", "bus", "crisis"]
    top = ["app", "app", "bus", "chat"]
    s = smp.scores(gold, final, top)
    assert s["accuracy"] == 0.5 and s["classifier_accuracy"] == 1.0
    assert s["fallback"] == 1 and s["safety"] == {"crisis": 1}
    # app: P 1, R 1/2 -> 2/3; bus 1; chat 0 -> mean 0.5556
    assert s["macro_f1"] == pytest.approx(0.5556, abs=1e-4)


def test_general_variant_is_the_intent_before_the_safety_override():
    overridden = {
        "intent": {"name": "crisis", "confidence": 0.5},
        "intent_ranking": [{"name": "crisis", "confidence": 0.5}, {"name": "translation", "confidence": 0.6},
                           {"name": "chat", "confidence": 0.2}],
        "safety": {"intent": "crisis", "tier": "possible", "model_intent": "translation"},
    }
    plain = {"intent": {"name": "nlu_fallback", "confidence": 0.3},
             "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "chat", "confidence": 0.25}]}
    assert smp.final_intent(overridden, "full") == "crisis"
    assert smp.final_intent(overridden, "general") == "translation"
    assert smp.final_intent(plain, "full") == smp.final_intent(plain, "general") == "nlu_fallback"
    # the classifier's own guess: the net's forced head and the fallback set aside
    assert smp._classifier_top(overridden) == "translation"
    assert smp._classifier_top(plain) == "chat"
