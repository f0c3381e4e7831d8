"""Writes docs/reports/nlu_evaluation.md (and keeps the raw JSON reports)
from a `rasa test nlu` output folder: the held-out scores we commit."""
from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEST = REPO / "docs" / "reports" / "nlu"
ENTITIES = ("amount", "date", "duration", "months", "id_last4")


def main(results: str = "results/nlu") -> None:
    src = REPO / results
    DEST.mkdir(parents=True, exist_ok=True)
    for name in ("intent_report.json", "RuleEntityExtractor_report.json", "intent_errors.json"):
        if (src / name).exists():
            shutil.copy(src / name, DEST / name)
    intents = json.loads((src / "intent_report.json").read_text("utf-8"))
    entities = json.loads((src / "RuleEntityExtractor_report.json").read_text("utf-8"))
    errors = json.loads((src / "intent_errors.json").read_text("utf-8")) if (src / "intent_errors.json").exists() else []
    model = sorted((REPO / "bot" / "models").glob("*.tar.gz"))[-1].name
    lines = [
        "# NLU evaluation on the held-out test set",
        "",
        f"Model `{model}`, test set `tests/nlu/` (never trained on), generated {date.today().isoformat()} by `make nlu-report`.",
        "",
        f"- intent accuracy **{intents['accuracy']:.3f}**, macro-F1 **{intents['macro avg']['f1-score']:.3f}**, weighted-F1 {intents['weighted avg']['f1-score']:.3f}",
        f"- examples: {intents['macro avg']['support']}",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "precision" in row and name not in ("macro avg", "weighted avg", "micro avg"):
            lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |")
    lines += ["", "| entity (RuleEntityExtractor) | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in ENTITIES:
        row = entities.get(name)
        if row:
            lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |")
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    if pairs:
        lines += ["", "Most confused pairs (gold → predicted):", ""]
        lines += [f"- {g} → {p}: {n}" for (g, p), n in pairs.most_common(10)]
    (DEST.parent / "nlu_evaluation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {DEST.parent / 'nlu_evaluation.md'}")


if __name__ == "__main__":
    main(*sys.argv[1:])
