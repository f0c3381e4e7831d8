"""Quality and cost of training, measured by `make bench`: training time,
peak memory and model size (ours and the stock-Rasa baseline) and
`rasa test core` on tests/stories. NLU quality is measure_nlu.py's.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict

import yaml

from stack import RASA, REPO, WORK, bench_env, log, rel, run_logged


def train(kind: str) -> Dict[str, Any]:
    out = WORK / "models"
    cache = WORK / "cache" / kind
    shutil.rmtree(cache, ignore_errors=True)  # a cold cache: the real training time
    if kind == "ours":
        data = ["bot/data"]
        domain, config = "domain.yml", "config.yml"
    else:
        data = ["bot/data/nlu", "bench/baseline/data"]
        domain, config = "bench/baseline/domain.yml", "bench/baseline/config.yml"
    target = out / f"{kind}.tar.gz"
    target.unlink(missing_ok=True)
    cmd = [RASA, "train", "--data", *data, "--domain", domain, "--config", config,
           "--out", str(out), "--fixed-model-name", kind, "--force"]
    log(f"training {kind} ({' '.join(cmd[1:])})")
    code, seconds, peak, output = run_logged(cmd, WORK / "logs" / f"train-{kind}.log",
                                             bench_env(RASA_CACHE_DIRECTORY=str(cache)), timeout=1800)
    if code != 0 or not target.exists():
        raise RuntimeError(f"training {kind} failed ({code}); see {rel(WORK / 'logs' / f'train-{kind}.log')}")
    log(f"trained {kind} in {seconds:.0f} s")
    return {
        "seconds": seconds,
        "peak_rss_mb": peak,
        "model": rel(target),
        "model_mb": target.stat().st_size / 2**20,
        "misaligned_entity_warnings": output.count("Misaligned entity annotation"),
        "config": config,
    }


# ---------------------------------------------------------------- core tests


def count_stories(folder: Path) -> int:
    n = 0
    for f in sorted(folder.glob("**/*.yml")):
        data = yaml.safe_load(f.read_text("utf-8")) or {}
        n += len(data.get("stories") or [])
    return n


def test_core(model: Path) -> Dict[str, Any]:
    out = WORK / "results" / "core"
    shutil.rmtree(out, ignore_errors=True)
    endpoints = WORK / "endpoints-empty.yml"
    endpoints.write_text("# rasa test core predicts actions only: no action server, no tracker store\n")
    cmd = [RASA, "test", "core", "--model", str(model), "--stories", "tests/stories",
           "--endpoints", str(endpoints), "--out", str(out), "--no-plot"]
    log(f"rasa test core ({rel(model)})")
    code, seconds, _, output = run_logged(cmd, WORK / "logs" / "test-core.log", bench_env(), timeout=1200)
    total = count_stories(REPO / "tests" / "stories")
    failed_file = out / "failed_test_stories.yml"
    if code != 0 or not failed_file.exists():
        raise RuntimeError("rasa test core failed; see bench/.work/logs/test-core.log")
    failed = yaml.safe_load(failed_file.read_text("utf-8")) or {}
    failed_names = [s.get("story") for s in (failed.get("stories") or [])]
    report = json.loads((out / "story_report.json").read_text("utf-8")) if (out / "story_report.json").exists() else {}
    return {
        "model": rel(model),
        "seconds": seconds,
        "stories": total,
        "failed": len(failed_names),
        "failed_stories": failed_names,
        "passed_share": (total - len(failed_names)) / total if total else None,
        "action_macro_f1": (report.get("macro avg") or {}).get("f1-score"),
    }
