"""Scores a trained model on the NLU *development* sets, errors listed.

For tuning (issue 18): `tests/nlu`, `tests/nlu_dev/` and
`tests/nlu_safety_dev/`. The blind held-out sets in `tests/nlu_blind/` are
deliberately not reachable from here (scripts/nlu_blind_report.py scores
them, in aggregate, for the report).

    .venv/bin/python scripts/nlu_dev_eval.py --model /tmp/nlu/models/x.tar.gz [--errors]
    .venv/bin/python scripts/nlu_dev_eval.py --model ... --threshold 0.25 --ambiguity 0.05

``--threshold``/``--ambiguity`` re-apply the fallback to the classifier's own
ranking (as FallbackClassifier does) to compare thresholds without
retraining; the safety net's verdict still wins.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

SETS = (
    ("tests/nlu", "tests/nlu"),
    ("tests/nlu_dev", "tests/nlu_dev/dev_registers.yml"),
    ("tests/nlu_dev cantonese safety", "tests/nlu_dev/dev_safety_cantonese.yml"),
    ("safety dev", "tests/nlu_safety_dev/safety_dev.yml"),
    ("safety dev registers", "tests/nlu_safety_dev/safety_dev_registers.yml"),
)


def load(path: str) -> List[Tuple[str, str]]:
    if "nlu_blind" in path:
        raise ValueError("the blind sets are for the final measurement only")
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(REPO / path))
    return [(m.get("text"), m.get("intent")) for m in data.training_examples if m.get("intent")]


def refallback(parsed: dict, threshold: Optional[float], ambiguity: Optional[float]) -> str:
    """The intent under other fallback thresholds (safety verdicts kept)."""
    if threshold is None or parsed.get("safety"):
        return parsed["intent"]["name"]
    ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    if not ranking:
        return parsed["intent"]["name"]
    top = ranking[0]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top["confidence"] < threshold or (ambiguity is not None and top["confidence"] - second < ambiguity):
        return "nlu_fallback"
    return top["name"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--ambiguity", type=float)
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument("--dump", help="write every message's ranking here (for scripts/nlu_compare.py)")
    args = parser.parse_args(argv)

    from rasa.core.agent import Agent
    from rasa.model import get_local_model
    from nlu_blind_report import Result, macro_f1, safety_line

    agent = Agent.load(get_local_model(args.model))

    async def parse_all(texts):
        return [await agent.parse_message(t) for t in texts]

    summary = {}
    dump = {}
    for name, path in SETS:
        examples = load(path)
        parsed = asyncio.run(parse_all([t for t, _ in examples]))
        results = [
            Result(text=t, gold=g, predicted=refallback(p, args.threshold, args.ambiguity),
                   gold_entities=[], predicted_entities=[])
            for (t, g), p in zip(examples, parsed)
        ]
        if args.dump:
            from nlu_cv import ranking_record

            dump[name] = [{"text": t, "gold": g, **ranking_record(p)} for (t, g), p in zip(examples, parsed)]
        acc, f1, _ = macro_f1(results)
        s = safety_line(results)
        fallback = sum(r.predicted == "nlu_fallback" for r in results)
        summary[name] = {"n": len(results), "accuracy": round(acc, 3), "macro_f1": round(f1, 3),
                         "fallback": fallback, **{k: round(v, 3) for k, v in s.items()}}
        print(f"== {name}: {json.dumps(summary[name], ensure_ascii=False)}")
        pairs = Counter((r.gold, r.predicted) for r in results if r.gold != r.predicted)
        print("   pairs:", ", ".join(f"{g}>{p} {n}" for (g, p), n in pairs.most_common(10)))
        if args.errors:
            for r in results:
                if r.gold != r.predicted:
                    print(f"   [{r.gold} -> {r.predicted}] {r.text}")
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
