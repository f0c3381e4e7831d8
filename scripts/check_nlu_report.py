"""Fails when the held-out NLU scores drop below the floors the product needs.

Safety intents (crisis, stop_contact) must have recall 1.0: missing one is
a harm. The other floors catch regressions; the benchmark tracks targets.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

SAFETY_INTENTS = ("crisis", "stop_contact")
MIN_INTENT_MACRO_F1 = 0.85
MIN_ENTITY_F1 = 0.85
ENTITY_EXTRACTOR_REPORT = "RuleEntityExtractor_report.json"


def main(out_dir: str) -> int:
    out = Path(out_dir)
    intents = json.loads((out / "intent_report.json").read_text("utf-8"))
    problems = []
    for name in SAFETY_INTENTS:
        recall = intents[name]["recall"]
        if recall < 1.0:
            problems.append(f"intent {name}: recall {recall:.3f} < 1.0")
    macro = intents["macro avg"]["f1-score"]
    if macro < MIN_INTENT_MACRO_F1:
        problems.append(f"intent macro F1 {macro:.3f} < {MIN_INTENT_MACRO_F1}")
    entity_path = out / ENTITY_EXTRACTOR_REPORT
    entities = json.loads(entity_path.read_text("utf-8"))
    for name in ("amount", "date", "duration", "months", "id_last4"):
        if name not in entities:
            problems.append(f"entity {name}: not in the test set")
            continue
        f1 = entities[name]["f1-score"]
        if f1 < MIN_ENTITY_F1:
            problems.append(f"entity {name}: F1 {f1:.3f} < {MIN_ENTITY_F1}")
    print(f"intent macro F1 {macro:.3f}; " + ", ".join(
        f"{n} F1 {entities[n]['f1-score']:.3f}" for n in entities if n in ("amount", "date", "duration", "months", "id_last4")
    ))
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
