"""Fixed-fold cross-validation that keeps every prediction's ranking (issue 18).

`rasa test nlu --cross-validation` shuffles without a seed and keeps only
the errors; comparing classifiers, an ensemble of them and per-intent
thresholds needs the same folds for every configuration and the whole
ranking of every held-out message. Each fold is a `rasa train nlu` of the
given config on 4/5 of `bot/data/nlu` (stratified by intent, fixed seed),
then every held-out message is parsed in-process exactly as the server
parses it (normaliser, classifier, fallback, safety net).

    .venv/bin/python scripts/nlu_cv.py --config config.yml --name lr --out /tmp/h8/cv
    .venv/bin/python scripts/nlu_cv.py --config /tmp/h8/diet.yml --name diet --out /tmp/h8/cv

Writes ``<out>/<name>.json``: one record per message with its gold intent,
the final intent, the safety verdict and the classifier's ranking (the
forced safety intent removed). Only the training data is read: no
development or blind set.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ENV = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3")


def folds(examples, k: int, seed: int):
    """Stratified fold number for each example index."""
    by_intent = defaultdict(list)
    for i, m in enumerate(examples):
        by_intent[m.get("intent")].append(i)
    rng = random.Random(seed)
    fold_of = {}
    for intent in sorted(by_intent):
        idx = by_intent[intent]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            fold_of[i] = j % k
    return fold_of


def ranking_record(parsed: dict) -> dict:
    safety = parsed.get("safety") or {}
    ranking = parsed.get("intent_ranking") or []
    if safety.get("intent"):
        # The net heads the ranking with its forced intent; keep the model's.
        ranking = ranking[1:]
    return {
        "predicted": parsed["intent"]["name"],
        "safety": safety.get("intent"),
        "tier": safety.get("tier"),
        "ranking": [(r["name"], round(float(r["confidence"]), 5)) for r in ranking if r["name"] != "nlu_fallback"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(REPO / "bot" / "data" / "nlu"))
    examples = [m for m in data.training_examples if m.get("intent")]
    fold_of = folds(examples, args.folds, args.seed)
    out = Path(args.out)
    work = out / args.name
    work.mkdir(parents=True, exist_ok=True)
    records = []
    seconds = []
    for k in range(args.folds):
        train = TrainingData([m for i, m in enumerate(examples) if fold_of[i] != k])
        held = [m for i, m in enumerate(examples) if fold_of[i] == k]
        train_path = work / f"train_{k}.yml"
        train_path.write_text(train.nlu_as_yaml(), encoding="utf-8")
        started = time.monotonic()
        subprocess.run(
            [str(REPO / ".venv" / "bin" / "rasa"), "train", "nlu", "--nlu", str(train_path), "--config", args.config,
             "--out", str(work), "--fixed-model-name", f"fold_{k}"],
            check=True, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL,
        )
        seconds.append(round(time.monotonic() - started, 1))
        agent = Agent.load(str(work / f"fold_{k}.tar.gz"))

        async def parse_all(texts):
            return [await agent.parse_message(t) for t in texts]

        parsed = asyncio.run(parse_all([m.get("text") for m in held]))
        for m, p in zip(held, parsed):
            records.append({"text": m.get("text"), "gold": m.get("intent"), "fold": k, **ranking_record(p)})
        print(f"fold {k}: trained in {seconds[-1]} s, {len(held)} held out", flush=True)
    (out / f"{args.name}.json").write_text(
        json.dumps({"config": args.config, "seed": args.seed, "train_seconds": seconds, "records": records},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
