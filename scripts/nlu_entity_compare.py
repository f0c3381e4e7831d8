"""Entity F1 of the rule extractor against the spaCy variant, set by set (issue 18).

Both extractors read the normalised text exactly as in the pipeline
(``bot.nlu.normalizer``: normalise, extract, map offsets back onto what was
written) and are scored on exact spans against the annotations. No model is
trained: both are rule-based.

    .venv/bin/python scripts/nlu_entity_compare.py [--json out.json]

The sets are scored in aggregate only (precision, recall, F1 per entity),
never a message quoted. Rounds 1-3 of the blind sets guided the entity
grammar's round-4 changes (their misses were read): they are development
sets for entities now, like tests/nlu.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETS = (
    ("tests/nlu (development)", "tests/nlu"),
    ("colloquial (blind)", "tests/nlu_blind/colloquial.yml"),
    ("noisy (blind)", "tests/nlu_blind/noisy.yml"),
    ("replies (blind)", "tests/nlu_blind/replies.yml"),
    ("realistic (blind2)", "tests/nlu_blind2/realistic.yml"),
    ("colloquial (blind3)", "tests/nlu_blind3/colloquial.yml"),
    ("noisy (blind3)", "tests/nlu_blind3/noisy.yml"),
    ("replies (blind3)", "tests/nlu_blind3/replies.yml"),
)
Span = Tuple[int, int, str]


def rule_spans(text: str) -> List[Span]:
    from bot.core.normalize import find_entities

    return [(s.start, s.end, s.entity) for s in find_entities(text)]


def spacy_spans(text: str) -> List[Span]:
    from bot.nlu.spacy_entities import find_entities

    return [(a, b, label) for a, b, label, _ in find_entities(text)]


def extract(text: str, finder: Callable[[str], List[Span]]) -> List[Span]:
    """The spans a finder gives in the pipeline, mapped onto the written text."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.normalizer import normalize_message, restore_message

    message = Message(data={"text": text})
    normalize_message(message)
    message.set("entities", [{"start": a, "end": b, "entity": e, "value": ""}
                             for a, b, e in finder(message.get("text"))], add_to_output=True)
    restore_message(message)
    return [(e["start"], e["end"], e["entity"]) for e in message.get("entities")]


def score(gold: List[List[Span]], predicted: List[List[Span]]) -> Dict[str, Dict[str, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, predicted):
        g, p = set(g), set(p)
        for e in g & p:
            tp[e[2]] += 1
        for e in p - g:
            fp[e[2]] += 1
        for e in g - p:
            fn[e[2]] += 1
    out = {}
    for name in sorted(set(tp) | set(fp) | set(fn)) + ["all"]:
        t = sum(tp.values()) if name == "all" else tp[name]
        f_p = sum(fp.values()) if name == "all" else fp[name]
        f_n = sum(fn.values()) if name == "all" else fn[name]
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        out[name] = {"precision": round(p, 3), "recall": round(r, 3),
                     "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3), "support": t + f_n}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    from rasa.shared.nlu.training_data.loading import load_data

    summary = {}
    for name, path in SETS:
        if not (REPO / path).exists():
            continue
        examples = [m for m in load_data(str(REPO / path)).training_examples if m.get("intent")]
        texts = [m.get("text") for m in examples]
        gold = [[(e["start"], e["end"], e["entity"]) for e in m.get("entities") or []] for m in examples]
        summary[name] = {
            "rules": score(gold, [extract(t, rule_spans) for t in texts]),
            "spacy": score(gold, [extract(t, spacy_spans) for t in texts]),
        }
        for variant in ("rules", "spacy"):
            row = summary[name][variant]
            print(f"{name:28s} {variant:6s} all F1 {row['all']['f1']:.3f} (n={row['all']['support']}) | "
                  + ", ".join(f"{k} {v['f1']:.3f}" for k, v in row.items() if k != "all"))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
