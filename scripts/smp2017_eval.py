"""SMP2017-ECDT task 1 (31 Chinese domains) with our NLU pipeline (issue 18).

Issue 18 asks whether the general-purpose part of our NLU pipeline holds up
on a public Chinese intent set: "accuracy stays >= 0.93". The task-1 data
we could find is a tab-separated ``Sentence\\tTag`` file (see
docs/reports/smp2017.md for where it comes from; it is not in this
repository, its licence being unknown). This script:

* reads the file (``load_rows``), refusing rows that are not exactly a
  sentence and a tag;
* makes a stratified k-fold split with a fixed seed (``stratified_folds``),
  and, when the file is the official train block followed by the official
  develop block (each sorted by tag, as the published file is), also the
  official train -> develop split (``official_blocks``);
* builds the pipeline from config.yml as it is (``pipeline_config``): the
  same components with the same settings, either whole ("full": the safety
  net and risk detector included, so a message they turn into crisis or
  stop_contact counts as wrong) or without the two safety components
  ("general");
* trains each fold with Rasa's Python API in-process (a temporary model
  directory; the repository's models and .rasa cache are not touched), parses
  every held-out sentence exactly as the server would, and reports accuracy
  and macro-F1 per fold, their mean and spread.

The two safety components come after the classifier and the fallback and
feed nothing back into them, so the "general" prediction is read off the
same trained pipeline: the intent before the safety net's override (the
net records it as ``safety.model_intent``), which is exactly what the
pipeline without the two components returns. That halves the training on a
shared machine; ``--check-general`` also trains the pipeline without them
on the first split and fails if any prediction differs.

A prediction of nlu_fallback (the pipeline re-asks) or of an intent SMP does
not have counts as wrong. The classifier's own top intent (fallback and the
safety net's override set aside) is reported beside it.

    nice -n 10 .venv/bin/python scripts/smp2017_eval.py /tmp/smp4/Chinese_data.csv \\
        --out /tmp/smp4/results.json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]

HEADER = ("Sentence", "Tag")
# The components that map messages onto our domain's safety intents
# (crisis, stop_contact), which SMP does not have.
SAFETY_COMPONENTS = ("SafetyRiskDetector", "KeywordIntentOverride")
VARIANTS = ("full", "general")
FALLBACK = "nlu_fallback"

Row = Tuple[str, str]


class DataError(ValueError):
    """The file is not a Sentence<TAB>Tag table."""


def load_rows(path: Path) -> List[Row]:
    """(sentence, tag) per data row, in file order.

    The first line must be the header ``Sentence<TAB>Tag``; every other
    non-empty line exactly one sentence and one tag. Whitespace around the
    sentence is dropped (two published sentences end in spaces); a row whose
    sentence or tag is empty is an error, not something to skip silently.
    """
    lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    if not lines or tuple(lines[0].split("\t")) != HEADER:
        raise DataError(f"{path}: first line must be 'Sentence<TAB>Tag', got {lines[:1]!r}")
    rows: List[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise DataError(f"{path}:{number}: expected 2 tab-separated fields, got {len(fields)}")
        sentence, tag = fields[0].strip(), fields[1].strip()
        if not sentence or not tag:
            raise DataError(f"{path}:{number}: empty sentence or tag")
        rows.append((sentence, tag))
    return rows


def official_blocks(rows: Sequence[Row]) -> Optional[int]:
    """Index where a second tag-sorted block starts, if the file is two such blocks.

    The published file is the official train set sorted by tag followed by
    the official develop set sorted by tag: the tag order restarts exactly
    once. Returns that row index, or None when the file is not two sorted
    blocks (one block, or more than one restart).
    """
    restarts = [i for i in range(1, len(rows)) if rows[i][1] < rows[i - 1][1]]
    return restarts[0] if len(restarts) == 1 else None


def stratified_folds(labels: Sequence[str], k: int, seed: int) -> List[int]:
    """Fold number (0..k-1) of each example, stratified by label.

    Each label's examples are shuffled with a seeded generator and dealt
    round-robin, so every fold holds each label's share to within one
    example; where a label's remainder lands rotates with a running offset,
    so small labels do not all pile their extras into fold 0.
    """
    if k < 2:
        raise ValueError("need at least 2 folds")
    by_label: Dict[str, List[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    fold_of = [-1] * len(labels)
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            fold_of[index] = (offset + position) % k
        offset += len(indices)
    return fold_of


def fold_split(rows: Sequence[Row], fold_of: Sequence[int], fold: int) -> Tuple[List[Row], List[Row]]:
    """(train, test) rows of one fold."""
    train = [row for row, f in zip(rows, fold_of) if f != fold]
    test = [row for row, f in zip(rows, fold_of) if f == fold]
    return train, test


def pipeline_config(config_path: Path, variant: str) -> dict:
    """The NLU part of config.yml, whole ("full") or without the safety components ("general").

    Components and their settings are read from the file, not copied: a
    change to config.yml changes what this evaluates. Policies are dropped
    (no dialogue is trained).
    """
    from ruamel.yaml import YAML

    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    config = YAML(typ="safe").load(Path(config_path).read_text(encoding="utf-8"))
    pipeline = list(config["pipeline"])
    if variant == "general":
        pipeline = [c for c in pipeline if c["name"].rsplit(".", 1)[-1] not in SAFETY_COMPONENTS]
    out = {key: config[key] for key in ("recipe", "language", "assistant_id") if key in config}
    out["pipeline"] = pipeline
    return out


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-F1 over the gold labels; a prediction outside them only costs recall."""
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold)


def scores(gold: Sequence[str], final: Sequence[str], top: Sequence[str]) -> dict:
    counts = Counter(final)
    return {
        "n": len(gold),
        "accuracy": round(accuracy(gold, final), 4),
        "macro_f1": round(macro_f1(gold, final), 4),
        "classifier_accuracy": round(accuracy(gold, top), 4),
        "classifier_macro_f1": round(macro_f1(gold, top), 4),
        "fallback": counts.get(FALLBACK, 0),
        "safety": {k: v for k, v in counts.items() if k in ("crisis", "stop_contact")},
    }


def _training_data(rows: Sequence[Row]):
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    return TrainingData([Message.build(text=text, intent=tag) for text, tag in rows])


def _classifier_top(parsed: dict) -> str:
    ranking = parsed.get("intent_ranking") or []
    if (parsed.get("safety") or {}).get("intent"):
        ranking = ranking[1:]  # the net heads the ranking with its forced intent
    names = [r["name"] for r in ranking if r["name"] != FALLBACK]
    return names[0] if names else FALLBACK


def train_and_parse(train: Sequence[Row], test: Sequence[Row], config: dict, work: Path) -> Tuple[List[dict], float]:
    """Train the pipeline on ``train`` and parse ``test``: (parse results, training seconds)."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from ruamel.yaml import YAML

    work.mkdir(parents=True, exist_ok=True)
    config_file = work / "config.yml"
    with config_file.open("w", encoding="utf-8") as handle:
        YAML().dump(config, handle)
    data_file = work / "nlu.yml"
    data_file.write_text(_training_data(train).nlu_as_yaml(), encoding="utf-8")
    started = time.monotonic()
    model = train_nlu(str(config_file), str(data_file), str(work), fixed_model_name="model")
    seconds = time.monotonic() - started
    agent = Agent.load(model)

    async def parse_all():
        return [await agent.parse_message(text) for text, _ in test]

    return asyncio.run(parse_all()), seconds


def final_intent(parsed: dict, variant: str) -> str:
    """The pipeline's intent; for "general", the one before the safety net's override."""
    safety = parsed.get("safety") or {}
    if variant == "general" and safety.get("intent"):
        return safety.get("model_intent") or FALLBACK
    return parsed["intent"]["name"]


def spread(values: Sequence[float]) -> dict:
    return {
        "mean": round(statistics.mean(values), 4),
        "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def evaluate(rows: Sequence[Row], config_path: Path, k: int, seed: int, official: bool, work: Path,
             check_general: bool = False) -> dict:
    labels = [tag for _, tag in rows]
    fold_of = stratified_folds(labels, k, seed)
    splits = [("fold %d" % f,) + fold_split(rows, fold_of, f) for f in range(k)]
    boundary = official_blocks(rows)
    if official and boundary is not None:
        splits.append(("official train->develop", list(rows[:boundary]), list(rows[boundary:])))
    full_config = pipeline_config(config_path, "full")
    result = {"rows": len(rows), "labels": len(set(labels)), "folds": k, "seed": seed,
              "official_boundary": boundary, "variants": {
                  v: {"components": [c["name"] for c in pipeline_config(config_path, v)["pipeline"]], "splits": []}
                  for v in VARIANTS}}
    for number, (name, train, test) in enumerate(splits):
        parsed, seconds = train_and_parse(train, test, full_config, work / "full" / f"split_{number}")
        gold = [tag for _, tag in test]
        top = [_classifier_top(p) for p in parsed]
        for variant in VARIANTS:
            final = [final_intent(p, variant) for p in parsed]
            record = {"split": name, "train": len(train), **scores(gold, final, top), "train_seconds": round(seconds, 1)}
            record["errors"] = [
                {"text": text, "gold": g, "predicted": p, "classifier": t}
                for (text, g), p, t in zip(test, final, top) if p != g
            ]
            result["variants"][variant]["splits"].append(record)
            print(f"{variant:8s} {name:24s} acc {record['accuracy']:.4f} macro-F1 {record['macro_f1']:.4f} "
                  f"(classifier {record['classifier_accuracy']:.4f}) fallback {record['fallback']} "
                  f"safety {record['safety']} {record['train_seconds']} s", flush=True)
        if check_general and number == 0:
            # The pipeline really trained without the two safety components
            # must predict what was read off the full one.
            alone, _ = train_and_parse(train, test, pipeline_config(config_path, "general"), work / "general" / "split_0")
            derived = [final_intent(p, "general") for p in parsed]
            trained = [p["intent"]["name"] for p in alone]
            differ = sum(1 for a, b in zip(derived, trained) if a != b)
            result["general_check"] = {"split": name, "n": len(test), "differ": differ}
            print(f"general check on {name}: {differ} of {len(test)} predictions differ", flush=True)
            if differ:
                raise SystemExit("the general variant read off the full pipeline differs from the trained one")
    for variant in VARIANTS:
        cv = [r for r in result["variants"][variant]["splits"] if r["split"].startswith("fold")]
        result["variants"][variant]["cv"] = {
            key: spread([r[key] for r in cv])
            for key in ("accuracy", "macro_f1", "classifier_accuracy", "classifier_macro_f1")}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="Sentence<TAB>Tag file")
    parser.add_argument("--config", type=Path, default=REPO / "config.yml")
    parser.add_argument("--check-general", action="store_true",
                        help="also train the pipeline without the safety components on the first split and compare")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--no-official", action="store_true", help="skip the official train->develop split")
    parser.add_argument("--out", type=Path, help="write the results (with every error) as JSON here")
    parser.add_argument("--work", type=Path, help="model directory (default: a temporary one)")
    args = parser.parse_args(argv)

    rows = load_rows(args.csv)
    counts = Counter(tag for _, tag in rows)
    print(f"{len(rows)} rows, {len(counts)} labels; official boundary at row {official_blocks(rows)}", flush=True)
    # Relative paths in config.yml (the jieba dictionary) are the repository's;
    # Rasa's training cache goes to the work directory, not the checkout's .rasa.
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="smp2017_") as tmp:
        work = args.work or Path(tmp)
        os.environ.setdefault("RASA_CACHE_DIRECTORY", str(work / "cache"))
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        result = evaluate(rows, args.config, args.folds, args.seed, not args.no_official, work, args.check_general)
    for variant, data in result["variants"].items():
        cv = data["cv"]
        print(f"{variant}: CV accuracy {cv['accuracy']['mean']:.4f} ± {cv['accuracy']['sd']:.4f}, "
              f"macro-F1 {cv['macro_f1']['mean']:.4f} ± {cv['macro_f1']['sd']:.4f}")
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
