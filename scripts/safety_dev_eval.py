"""Scores the crisis / opt-out safety net on the development sets (issue 18).

Only development sets: `tests/nlu_safety_dev`, `tests/nlu` and `tests/nlu_dev`. The blind
held-out sets in `tests/nlu_blind/` are for the final measurement and are
deliberately not reachable from here.

Two modes:

    # fast: the pure-Python net (bot.core.safety.verdict) alone, no model
    .venv/bin/python scripts/safety_dev_eval.py

    # the whole pipeline: a trained model loaded once, every message parsed
    # in-process as the server parses it (classifier + safety net)
    .venv/bin/python scripts/safety_dev_eval.py --model /tmp/h14/models

Prints, per set: crisis and stop_contact recall, the share of non-crisis
messages read as crisis, of non-opt-out messages read as opt-out, and
every miss and false alarm.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETS = (
    ("safety dev", "tests/nlu_safety_dev/safety_dev.yml"),
    ("safety dev registers", "tests/nlu_safety_dev/safety_dev_registers.yml"),
    ("tests/nlu", "tests/nlu"),
    ("tests/nlu_dev", "tests/nlu_dev/dev_registers.yml"),
    ("tests/nlu_dev cantonese safety", "tests/nlu_dev/dev_safety_cantonese.yml"),
)
SAFETY = ("crisis", "stop_contact")


def load_examples(path: str) -> List[Tuple[str, str]]:
    """(text, gold intent) pairs, entity annotations stripped by Rasa's reader."""
    if "nlu_blind" in path:  # never score on the held-out sets
        raise ValueError("the blind sets are for the final measurement only")
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(REPO / path))
    return [(m.get("text"), m.get("intent")) for m in data.training_examples if m.get("intent")]


def net_predict(texts: Sequence[str]) -> List[Tuple[str, Optional[str]]]:
    """The net's forced intent and crisis tier for each text (None: no verdict)."""
    from bot.core.safety import verdict

    out = []
    for text in texts:
        found = verdict(text)
        out.append((found.intent, found.tier) if found else ("", None))
    return out


def model_predict(model: str) -> Callable[[Sequence[str]], List[Tuple[str, Optional[str]]]]:
    from rasa.core.agent import Agent
    from rasa.model import get_local_model

    agent = Agent.load(get_local_model(model))

    async def parse_all(texts):
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            safety = parsed.get("safety") or {}
            out.append((parsed["intent"]["name"], safety.get("tier")))
        return out

    return lambda texts: asyncio.run(parse_all(texts))


def score(name: str, examples: List[Tuple[str, str]], predicted: List[Tuple[str, Optional[str]]]) -> Dict:
    lines = [f"== {name} ({len(examples)} messages)"]
    summary = {}
    for intent in SAFETY:
        gold = [(t, p) for (t, g), p in zip(examples, predicted) if g == intent]
        other = [(t, g, p) for (t, g), p in zip(examples, predicted) if g != intent]
        missed = [(t, p) for t, p in gold if p[0] != intent]
        false = [(t, g, p) for t, g, p in other if p[0] == intent]
        recall = 1 - len(missed) / len(gold) if gold else 1.0
        false_rate = len(false) / len(other) if other else 0.0
        summary[intent] = (recall, false_rate)
        lines.append(f"{intent}: recall {recall:.3f} ({len(gold) - len(missed)}/{len(gold)}), "
                     f"false {false_rate:.3%} ({len(false)}/{len(other)})")
        if intent == "crisis":
            possible = sum(1 for _, p in gold if p[0] == intent and p[1] != "certain")
            lines.append(f"  crisis caught only as possible/model (check-in first): {possible}")
        for text, p in missed:
            lines.append(f"  MISSED  {text!r} -> {p[0] or '-'}")
        for text, g, p in false:
            lines.append(f"  FALSE   {text!r} [{g}] -> {p[0]} ({p[1]})")
    print("\n".join(lines))
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a trained model (file or folder); without it, the net alone")
    args = parser.parse_args(argv)
    predict = model_predict(args.model) if args.model else net_predict
    ok = True
    for name, path in SETS:
        examples = load_examples(path)
        summary = score(name, examples, predict([t for t, _ in examples]))
        ok &= summary["crisis"][0] == 1.0 and summary["stop_contact"][0] == 1.0 and summary["crisis"][1] <= 0.02
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
