"""Held-out NLU evaluation of a model, and the comparison of two.

A model is evaluated with Rasa's own Python API (``Agent.load`` +
``parse_message``) on every example of the held-out set (tests/nlu, read
with Rasa's loader), which gives the same predictions as ``rasa test nlu``.
The scores:

- intent: per-intent precision, recall, F1 and support; macro-F1 over the
  intents of the test set (as in bench/ and scripts/check_nlu_report.py);
- entities: exact-span F1 over (start, end, entity) of every example
  (micro), and per entity;
- confusions: (expected, predicted) pairs with their counts.

``compare`` puts the candidate next to the current model; the candidate is
"not worse" when neither its intent macro-F1 nor its entity F1 is lower.
Plain Python (tested without Rasa): the part that loads a model and runs
it is ``evaluate_model`` in console/training/worker.py, the one console
module that imports Rasa, run only in the worker process.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Sequence

# Scores are compared at this precision: 1e-9 differences are float noise.
EPSILON = 1e-9


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(results: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """results: [{text, expected, predicted, confidence, expected_entities,
    predicted_entities}] (entities as [start, end, entity])."""
    labels = sorted({r["expected"] for r in results})
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    support: Counter = Counter()
    confusion: Counter = Counter()
    e_tp: Counter = Counter()
    e_fp: Counter = Counter()
    e_fn: Counter = Counter()
    errors = []
    for r in results:
        support[r["expected"]] += 1
        if r["predicted"] == r["expected"]:
            tp[r["expected"]] += 1
        else:
            fn[r["expected"]] += 1
            fp[r["predicted"]] += 1
            confusion[(r["expected"], r["predicted"])] += 1
            errors.append({"text": r["text"], "expected": r["expected"], "predicted": r["predicted"],
                           "confidence": r.get("confidence")})
        expected = {tuple(e) for e in r.get("expected_entities") or []}
        predicted = {tuple(e) for e in r.get("predicted_entities") or []}
        for e in expected & predicted:
            e_tp[e[2]] += 1
        for e in predicted - expected:
            e_fp[e[2]] += 1
        for e in expected - predicted:
            e_fn[e[2]] += 1
    per_intent = {}
    for label in labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        rc = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        per_intent[label] = {"precision": p, "recall": rc, "f1": _f1(p, rc), "support": support[label]}
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    entity_names = sorted(set(e_tp) | set(e_fp) | set(e_fn))
    per_entity = {}
    for name in entity_names:
        p = e_tp[name] / (e_tp[name] + e_fp[name]) if e_tp[name] + e_fp[name] else 0.0
        rc = e_tp[name] / (e_tp[name] + e_fn[name]) if e_tp[name] + e_fn[name] else 0.0
        per_entity[name] = {"precision": p, "recall": rc, "f1": _f1(p, rc), "support": e_tp[name] + e_fn[name]}
    tps, fps, fns = sum(e_tp.values()), sum(e_fp.values()), sum(e_fn.values())
    ep = tps / (tps + fps) if tps + fps else 0.0
    er = tps / (tps + fns) if tps + fns else 0.0
    return {
        "examples": len(results),
        "accuracy": sum(tp.values()) / len(results) if results else 0.0,
        "intent_macro_f1": macro,
        "entity_f1": _f1(ep, er) if tps + fps + fns else 1.0,
        "per_intent": per_intent,
        "per_entity": per_entity,
        "confusions": [{"expected": a, "predicted": b, "count": n} for (a, b), n in confusion.most_common()],
        "errors": errors,
    }


def compare(current: Dict[str, Any], candidate: Dict[str, Any]) -> Dict[str, Any]:
    intents = sorted(set(current["per_intent"]) | set(candidate["per_intent"]))
    empty = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    table = []
    for name in intents:
        a, b = current["per_intent"].get(name, empty), candidate["per_intent"].get(name, empty)
        table.append({"intent": name, "support": b["support"] or a["support"],
                      "current": a, "candidate": b, "delta_f1": b["f1"] - a["f1"]})
    before = {(c["expected"], c["predicted"]): c["count"] for c in current["confusions"]}
    after = {(c["expected"], c["predicted"]): c["count"] for c in candidate["confusions"]}
    worse = [
        {"expected": e, "predicted": p, "current": before.get((e, p), 0), "candidate": n}
        for (e, p), n in sorted(after.items(), key=lambda kv: -(kv[1] - before.get(kv[0], 0)))
        if n > before.get((e, p), 0)
    ]
    better = [
        {"expected": e, "predicted": p, "current": n, "candidate": after.get((e, p), 0)}
        for (e, p), n in before.items() if after.get((e, p), 0) < n
    ]
    d_intent = candidate["intent_macro_f1"] - current["intent_macro_f1"]
    d_entity = candidate["entity_f1"] - current["entity_f1"]
    reasons = []
    if d_intent < -EPSILON:
        reasons.append(f"意图宏平均F1下降 {d_intent:+.4f}")
    if d_entity < -EPSILON:
        reasons.append(f"实体F1下降 {d_entity:+.4f}")
    return {
        "intent_macro_f1": {"current": current["intent_macro_f1"], "candidate": candidate["intent_macro_f1"],
                            "delta": d_intent},
        "entity_f1": {"current": current["entity_f1"], "candidate": candidate["entity_f1"], "delta": d_entity},
        "accuracy": {"current": current["accuracy"], "candidate": candidate["accuracy"]},
        "per_intent": table,
        "worse_confusions": worse,
        "better_confusions": better,
        "not_worse": not reasons,
        "worse_reasons": reasons,
    }
