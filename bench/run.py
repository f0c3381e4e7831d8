#!/usr/bin/env python
"""`make bench`: one command, one report (issue 8).

Measures, in one run on this machine, our assistant against a stock-Rasa
baseline (bench/baseline/: `rasa init`'s default config on the same NLU data):

  train    training time, peak memory and model size of both   (measure_quality.py)
  nlu      our model (bot/models) and the baseline on tests/nlu (development) and   (measure_nlu.py)
           every blind held-out set of scripts/nlu_blind_report.py, parsed in-process
  core     `rasa test core --stories tests/stories` on our model
  speed    REST latency p50/p95/p99 and throughput at 1, 8 and 32 concurrent   (measure_speed.py)
           conversations; full stack (action server, SQLite accounts, SQL tracker
           store, contact-log broker) vs the baseline (in-memory, no actions);
           start-up time and peak RSS of each server; the voice hook (measure_voice.py)
  variants the full stack with one lever changed (bench_config.VARIANTS), among
           them our bot on stock Rasa code paths (COLLECTBOT_RASA_PATCHES=off,
           Rasa's own SQL tracker store)
  profile  where the time of one message goes (NLU, action server, tracker store,   (measure_profile.py)
           action-response check, the rest)

and writes bench/report.md, bench/results.json, bench/*.png (report.py),
appends a line to bench/history.md and prints the summary table. A run of
some sections (`--only nlu`) keeps the other sections' figures, and their
dates, from the previous results.json; the report says which run each
section's figures come from. Everything
it creates besides those lives in bench/.work/ (models, databases, logs);
servers are always stopped at the end. This file only wires the sections
together.

    .venv/bin/python bench/run.py            # the full run (~20 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # fewer conversations, reuse trained models
    .venv/bin/python bench/run.py --quick --only speed,variants --variants workers2,redis-tracker
    nice .venv/bin/python bench/run.py --only nlu   # the quality part alone (no speed: fine on a busy machine)
    .venv/bin/python bench/run.py --report-only   # report.md and charts again from results.json
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prepare  # noqa: E402
import report  # noqa: E402
from bench_config import (  # noqa: E402
    DEFAULT_VARIANTS,
    FULL_CONVERSATIONS,
    QUICK_CONVERSATIONS,
    SECTIONS,
    TARGETS,
    VARIANTS,
)
from measure_profile import profile  # noqa: E402
import measure_nlu  # noqa: E402
from measure_quality import test_core, train  # noqa: E402
from measure_speed import measure_speed, measure_speed_paired  # noqa: E402
from measure_voice import measure_voice_turn  # noqa: E402
from stack import BENCH, REPO, WORK, cpu_model, load_average, log, rel  # noqa: E402


def newest_model(folder: Path) -> Optional[Path]:
    models = sorted(glob.glob(str(folder / "*.tar.gz")), key=os.path.getmtime)
    return Path(models[-1]) if models else None


def stale_inputs(model: Path) -> List[str]:
    """Training inputs changed after the model was trained (make train would retrain)."""
    t = model.stat().st_mtime
    files = [REPO / "config.yml", REPO / "domain.yml", *sorted((REPO / "bot" / "data").rglob("*.yml"))]
    return [rel(f) for f in files if f.exists() and f.stat().st_mtime > t]


def git_info() -> Dict[str, Any]:
    def git(*a):
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, timeout=30)
        return r.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer conversations; reuse trained models when present")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument("--variants", default=None,
                    help=f"levers to measure on the full stack, comma-separated, of {','.join(VARIANTS)} "
                         f"(default: {','.join(DEFAULT_VARIANTS)} in a full run, none with --quick; 'none' for none)")
    ap.add_argument("--reuse-models", action="store_true", help="do not retrain when bench/.work/models has both models")
    ap.add_argument("--model", default=None, help="our model: a .tar.gz or a folder (its newest); default bot/models")
    ap.add_argument("--nlu-baseline-model", default=None,
                    help="the baseline model the nlu section scores (e.g. one trained with `rasa train nlu` and "
                         "bench/baseline/config.yml), or 'none' to score ours alone (the report says so); "
                         "default bench/.work/models/baseline.tar.gz")
    ap.add_argument("--no-history", action="store_true", help="do not append to bench/history.md")
    ap.add_argument("--report-only", action="store_true", help="rewrite report.md and charts from results.json, measure nothing")
    ap.add_argument("--out", default=None, help="write report.md, results.json and charts here instead of bench/ (experiments)")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve() if args.out else BENCH
    out.mkdir(parents=True, exist_ok=True)
    argv_used = list(argv if argv is not None else sys.argv[1:])
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in sections:
        if s not in SECTIONS:
            ap.error(f"unknown section {s!r}")
    if args.variants is None:
        variants = [] if args.quick else list(DEFAULT_VARIANTS)
    else:
        variants = [v.strip() for v in args.variants.split(",") if v.strip() and v.strip() != "none"]
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}")
    conversations = QUICK_CONVERSATIONS if args.quick else FULL_CONVERSATIONS
    WORK.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        res = json.loads((out / "results.json").read_text("utf-8"))
        made = report.charts(res, out)
        (out / "report.md").write_text(report.write_report(res, made, out), encoding="utf-8")
        print(report.plain_table(report.summary_rows(res)))
        return 0

    t_start = time.monotonic()
    res: Dict[str, Any] = {
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "argv": argv_used,
        "quick": args.quick,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "load_start": load_average(),
                    "mem_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30},
        "git": git_info(),
        "conversations": {str(k): v for k, v in conversations.items()},
        "targets": TARGETS,
    }
    previous = {}
    if (BENCH / "results.json").exists():
        try:
            previous = json.loads((BENCH / "results.json").read_text("utf-8"))
        except ValueError:
            previous = {}
    # What the sections this run does not measure keep (with their dates).
    kept = previous if out == BENCH else {}
    if out != BENCH and (out / "results.json").exists():
        try:
            kept = json.loads((out / "results.json").read_text("utf-8"))
        except ValueError:
            kept = {}

    # Inputs: the portfolio (generated once, committed) and the baseline project.
    if not prepare.ACCOUNTS_CSV.exists():
        prepare.write_accounts()
    accounts = prepare.read_accounts()
    res["accounts"] = len(accounts)
    prepare.write_baseline()

    given = Path(args.model).resolve() if args.model else None
    model_ours = given if given and given.is_file() else newest_model(given or REPO / "bot" / "models")
    if model_ours is None:
        print(f"No model in {rel(given) if given else 'bot/models'}: run `make train` first (make bench does).", file=sys.stderr)
        return 2
    res["model_ours"] = rel(model_ours)
    res["model_stale"] = stale_inputs(model_ours)
    if res["model_stale"]:
        log(f"note: {rel(model_ours)} is older than {', '.join(res['model_stale'][:5])} — `make bench` retrains first")
    log(f"our model: {rel(model_ours)}; sections: {', '.join(sections)}; variants: {', '.join(variants) or 'none'}")

    baseline_model = WORK / "models" / "baseline.tar.gz"
    no_nlu_baseline = args.nlu_baseline_model == "none"
    nlu_baseline_model = (Path(args.nlu_baseline_model).resolve() if args.nlu_baseline_model and not no_nlu_baseline
                          else baseline_model)
    need_baseline_model = "speed" in sections or ("nlu" in sections and not args.nlu_baseline_model)
    res["train"] = {}
    reuse = args.reuse_models or args.quick
    if "train" not in sections and need_baseline_model and not baseline_model.exists():
        # Only what this run needs; the train section keeps its figures.
        log(f"no {rel(baseline_model)}: training the baseline (its time is not recorded: not a train run)")
        train("baseline")
    if "train" in sections:
        for kind in ("ours", "baseline"):
            target = WORK / "models" / f"{kind}.tar.gz"
            if reuse and target.exists():
                prev = (previous.get("train") or {}).get(kind) or {}
                res["train"][kind] = {**prev, "reused": True, "model": rel(target), "model_mb": target.stat().st_size / 2**20}
                log(f"reusing {rel(target)}")
            else:
                res["train"][kind] = train(kind)
    res["model_size_mb"] = {"ours": model_ours.stat().st_size / 2**20}
    if baseline_model.exists():
        res["model_size_mb"]["baseline"] = baseline_model.stat().st_size / 2**20

    if "nlu" in sections:
        res["nlu"] = {"ours": measure_nlu.score("ours", model_ours),
                      "baseline": {"skipped": "run with --nlu-baseline-model none"} if no_nlu_baseline
                      else measure_nlu.score("baseline", nlu_baseline_model)}
    if "core" in sections:
        res["core"] = test_core(model_ours)
    if "speed" in sections:
        res["speed"] = measure_speed_paired(model_ours, baseline_model, accounts, conversations)
    if "variants" in sections and variants:
        res.setdefault("speed", {})["variants"] = {
            v: measure_speed(f"variant-{v}", model_ours, accounts, conversations, variant=VARIANTS[v]) for v in variants}
    if "speed" in sections:
        # HOOK — voice: one call turn (measure_voice.py; the report prints why when it measured nothing).
        res["speed"]["voice"] = measure_voice_turn(model=model_ours, accounts=accounts, conversations=conversations)
    if "profile" in sections:
        res["profile"] = profile(model_ours, accounts, repeat=3 if args.quick else 5)

    res["machine"]["load_end"] = load_average()
    res["duration_s"] = time.monotonic() - t_start
    res = report.merge_results(kept, res, sections)
    res["targets_met"] = report.targets(res)
    made = report.charts(res, out)
    res["charts"] = made
    (out / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (out / "report.md").write_text(report.write_report(res, made, out), encoding="utf-8")
    if not args.no_history:
        report.append_history(res, BENCH / "history.md")
    print()
    print(report.plain_table(report.summary_rows(res)))
    print()
    for t in res["targets_met"]:
        print(f"{'MET    ' if t['met'] else 'NOT MET'}  {t['target']}: {t['shown']}"
              f"  (figures of {report.section_date(res, report.target_section_name(t))})")
    where = rel(out) + "/"
    print(f"\n{where}report.md, {where}results.json, {', '.join(where + m for m in made)} written "
          f"in {res['duration_s'] / 60:.1f} min (load average {res['machine']['load_start']} → {res['machine']['load_end']}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
