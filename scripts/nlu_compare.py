"""Compares classifiers, their ensemble and per-intent thresholds, offline (issue 18).

Reads the rankings kept by scripts/nlu_cv.py (cross-validation on the
training data) and by scripts/nlu_dev_eval.py --dump (the development sets),
and re-decides every message as the pipeline would: the safety net's verdict
from the text first, then the classifier's ranking (or the mean of two
classifiers' rankings) under the fallback thresholds, then the net's demotion
of a model-only crisis or opt-out. No model is loaded; nothing is trained.

    .venv/bin/python scripts/nlu_compare.py --cv /tmp/h8/cv/lr.json /tmp/h8/cv/diet.json \\
        --dev /tmp/h8/dev_lr.json /tmp/h8/dev_diet.json

Per-intent thresholds are calibrated on the cross-validation rankings only
(each intent's threshold is where accepting its prediction stops being more
often right than wrong), then scored on the development sets.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

THRESHOLD, AMBIGUITY = 0.30, 0.08
GRID = [round(0.05 * i, 2) for i in range(1, 15)]


def mean_ranking(rankings: Sequence[List[Tuple[str, float]]]) -> List[Tuple[str, float]]:
    total: Dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for name, conf in ranking:
            total[name] += conf / len(rankings)
    return sorted(total.items(), key=lambda kv: -kv[1])


def decide(text: str, ranking: List[Tuple[str, float]], threshold: float = THRESHOLD,
           ambiguity: float = AMBIGUITY, per_intent: Optional[Dict[str, float]] = None) -> str:
    """The pipeline's final intent for a classifier ranking (bot/nlu/keyword_override.py)."""
    from bot.core.safety import everyday_context_only, figure_of_speech_only, not_an_opt_out, verdict

    found = verdict(text)
    if found is not None:
        return found.intent
    if not ranking:
        return "nlu_fallback"
    top, conf = ranking[0]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    limit = per_intent.get(top, threshold) if per_intent else threshold
    if conf < limit or conf - second < ambiguity:
        return "nlu_fallback"
    demote = (top == "crisis" and (figure_of_speech_only(text) or everyday_context_only(text))) or (
        top == "stop_contact" and not_an_opt_out(text))
    if demote:
        return ranking[1][0] if len(ranking) > 1 else "nlu_fallback"
    return top


def scores(golds: List[str], predicted: List[str]) -> Dict[str, float]:
    from nlu_blind_report import Result, macro_f1, safety_line

    results = [Result(text="", gold=g, predicted=p, gold_entities=[], predicted_entities=[])
               for g, p in zip(golds, predicted)]
    acc, f1, _ = macro_f1(results)
    line = safety_line(results)
    return {"n": len(results), "macro_f1": round(f1, 3), "accuracy": round(acc, 3),
            "fallback": round(sum(p == "nlu_fallback" for p in predicted) / len(predicted), 3),
            **{k: round(v, 3) for k, v in line.items()}}


def calibrate(records: List[dict], rankings: List[List[Tuple[str, float]]]) -> Dict[str, float]:
    """Per intent: the lowest threshold at which its accepted predictions are
    right at least as often as wrong among those it would re-ask."""
    from bot.core.safety import verdict

    by_intent: Dict[str, List[Tuple[float, bool]]] = defaultdict(list)
    for r, ranking in zip(records, rankings):
        if not ranking or verdict(r["text"]) is not None:
            continue
        by_intent[ranking[0][0]].append((ranking[0][1], ranking[0][0] == r["gold"]))
    out = {}
    for intent, pairs in by_intent.items():
        best, best_gain = THRESHOLD, None
        for t in GRID:
            # gain of re-asking below t: errors caught minus correct answers lost
            gain = sum((-1 if right else 1) for conf, right in pairs if conf < t)
            if best_gain is None or gain > best_gain:
                best, best_gain = t, gain
        out[intent] = best
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", nargs=2, metavar=("A", "B"), required=True)
    parser.add_argument("--dev", nargs=2, metavar=("A", "B"), required=True)
    parser.add_argument("--names", nargs=2, default=("lr", "diet"))
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    a_name, b_name = args.names

    cv = [json.loads(Path(p).read_text("utf-8"))["records"] for p in args.cv]
    by_text = [{(r["text"], r["fold"]): r for r in recs} for recs in cv]
    keys = [k for k in by_text[0] if k in by_text[1]]
    rec_a = [by_text[0][k] for k in keys]
    rec_b = [by_text[1][k] for k in keys]
    golds = [r["gold"] for r in rec_a]
    variants = {
        a_name: [r["ranking"] for r in rec_a],
        b_name: [r["ranking"] for r in rec_b],
        "ensemble": [mean_ranking([x["ranking"], y["ranking"]]) for x, y in zip(rec_a, rec_b)],
    }
    thresholds = {name: calibrate(rec_a, rankings) for name, rankings in variants.items()}
    summary: Dict[str, Dict] = {"thresholds": thresholds, "cv": {}, "dev": {}}
    texts = [r["text"] for r in rec_a]
    for name, rankings in variants.items():
        summary["cv"][name] = scores(golds, [decide(t, rk) for t, rk in zip(texts, rankings)])
        summary["cv"][name + " per-intent"] = scores(
            golds, [decide(t, rk, per_intent=thresholds[name]) for t, rk in zip(texts, rankings)])

    dev = [json.loads(Path(p).read_text("utf-8")) for p in args.dev]
    for set_name in dev[0]:
        da, db = dev[0][set_name], dev[1][set_name]
        t = [r["text"] for r in da]
        g = [r["gold"] for r in da]
        dev_variants = {
            a_name: [r["ranking"] for r in da],
            b_name: [r["ranking"] for r in db],
            "ensemble": [mean_ranking([x["ranking"], y["ranking"]]) for x, y in zip(da, db)],
        }
        for name, rankings in dev_variants.items():
            summary["dev"].setdefault(name, {})[set_name] = scores(g, [decide(x, rk) for x, rk in zip(t, rankings)])
            summary["dev"].setdefault(name + " per-intent", {})[set_name] = scores(
                g, [decide(x, rk, per_intent=thresholds[name]) for x, rk in zip(t, rankings)])

    for name, row in summary["cv"].items():
        print(f"CV  {name:22s} {json.dumps(row, ensure_ascii=False)}")
    for name, sets in summary["dev"].items():
        print(f"DEV {name:22s} " + " | ".join(
            f"{s}: F1 {v['macro_f1']:.3f} fb {v['fallback']:.3f} crisisR {v['crisis recall']:.2f} stopR {v['stop_contact recall']:.2f} falsecrisis {v['false crisis']:.3f}"
            for s, v in sets.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
