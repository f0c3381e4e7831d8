"""Chooses the safety risk detector's settings and thresholds (issue 18).

The detector (bot/nlu/risk_detector.py) is a binary character n-gram model
per safety intent; the override (bot/nlu/keyword_override.py) turns a
flagged crisis that neither the net nor the classifier saw into a crisis
the bot checks in on. This script measures that, without retraining Rasa,
from the classifier's own rankings of a pipeline run *without* the safety
net (so that the classifier's crisis confidence is kept for every message):

- cross-validation: a scripts/nlu_cv.py run (``--cv``); the detector's
  out-of-fold probabilities on the very same examples and folds;
- the development sets: scripts/nlu_dev_eval.py ``--dump`` (``--dev``) of
  the same pipeline trained on all the data, the detector too.

Every message is re-decided as the pipeline decides it (the net's verdict
from the text, the fallback thresholds, the net's demotions:
scripts/nlu_compare.py ``decide``), then the flag rule is applied. Two
numbers per rule and threshold:

- *net-blind recall*: the share of crisis (opt-out) examples that the
  classifier or the flag finds with the net taken away. The training data's
  and dev sets' wordings are all in the net's patterns (the pipeline's
  recall is 1.0 on them with or without a flag); new wordings are not, and
  there only the classifier and the flag can catch them;
- *benign -> crisis*: non-crisis messages the whole pipeline reads as
  crisis (net, classifier and flag).

Rules: ``detector`` (p >= t), ``topk`` (crisis in the classifier's top 3
with confidence >= t), ``mean`` (the mean of the detector's p and the
classifier's crisis confidence >= t). Reads no blind set.

    .venv/bin/python scripts/nlu_risk_cv.py --cv /tmp/nlumodel/cv/nonet.json --dev /tmp/nlumodel/dev_nonet.json

Without a classifier CV run, ``--detector-only`` scores the detector alone
on 5-fold CV of today's bot/data/nlu (seconds, no Rasa training): its crisis
recall, and the non-crisis examples it flags where the net is silent (an
upper bound of the false crises it adds: the classifier may say crisis
there anyway).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

GRID = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
SAFETY = ("crisis", "stop_contact")


def out_of_fold(texts: Sequence[str], intents: Sequence[str], fold_of: Sequence[int], k: int,
                **settings) -> List[Dict[str, float]]:
    from bot.nlu.risk_detector import BinaryRisk

    probabilities: List[Dict[str, float]] = [{} for _ in texts]
    for fold in range(k):
        train = [i for i in range(len(texts)) if fold_of[i] != fold]
        held = [i for i in range(len(texts)) if fold_of[i] == fold]
        model = BinaryRisk(settings["max_ngram"]).fit(
            [texts[i] for i in train], [intents[i] for i in train], SAFETY,
            positive_share=settings["positive_share"], c=settings["c"])
        for i, p in zip(held, model.probabilities([texts[i] for i in held])):
            probabilities[i] = p
    return probabilities


def current_records(records: List[dict], k: int) -> List[dict]:
    """Today's training examples, with the CV run's ranking where it had one."""
    from rasa.shared.nlu.training_data.loading import load_data
    from nlu_cv import folds

    known = {(r["text"], r["gold"]): r for r in records}
    examples = [m for m in load_data(str(REPO / "bot" / "data" / "nlu")).training_examples if m.get("intent")]
    fold_of = folds(examples, k, 18)
    return [{"text": m.get("text"), "gold": m.get("intent"), "fold": fold_of[i],
             "ranking": known.get((m.get("text"), m.get("intent")), {}).get("ranking", [])}
            for i, m in enumerate(examples)]


def crisis_confidence(record: dict) -> float:
    return next((c for n, c in record["ranking"] if n == "crisis"), 0.0)


def classifier_alone(record: dict) -> str:
    """The classifier's top intent under the fallback thresholds, no net."""
    from nlu_compare import AMBIGUITY, THRESHOLD

    ranking = record["ranking"]
    if not ranking:
        return "nlu_fallback"
    top, second = ranking[0][1], ranking[1][1] if len(ranking) > 1 else 0.0
    return "nlu_fallback" if top < THRESHOLD or top - second < AMBIGUITY else ranking[0][0]


def prepare(records: List[dict]) -> None:
    """What does not depend on the flag, once per message (the net is slow)."""
    from bot.core.safety import verdict
    from bot.nlu.keyword_override import risk_crisis_stands
    from nlu_compare import decide

    for r in records:
        r["_final"] = decide(r["text"], r["ranking"])
        r["_stands"] = risk_crisis_stands(r["text"])
        # where a flag can still change the intent
        # (never over a crisis or an opt-out already found)
        r["_open"] = r["_final"] not in SAFETY and r["_stands"] and verdict(r["text"]) is None
        r["_alone"] = classifier_alone(r)


def score_rule(records: List[dict], flags: List[bool]) -> Dict[str, float]:
    """Net-blind crisis recall (classifier or flag) and the pipeline's benign -> crisis."""
    finals = ["crisis" if flag and r["_open"] else r["_final"] for r, flag in zip(records, flags)]
    blind = [r["_alone"] == "crisis" or (flag and r["_stands"]) for r, flag in zip(records, flags) if r["gold"] == "crisis"]
    others = [f for r, f in zip(records, finals) if r["gold"] != "crisis"]
    gold = [f for r, f in zip(records, finals) if r["gold"] == "crisis"]
    return {"blind_recall": sum(blind) / max(len(blind), 1), "recall": sum(f == "crisis" for f in gold) / max(len(gold), 1),
            "false": sum(f == "crisis" for f in others), "benign": len(others)}


def line(name: str, s: Dict[str, float]) -> str:
    return f"{name}: net-blind recall {s['blind_recall']:.3f}, recall {s['recall']:.3f}, " \
           f"benign->crisis {s['false']}/{s['benign']} = {100 * s['false'] / max(s['benign'], 1):.2f}%"


def stop_line(records: List[dict], probs: List[Dict[str, float]], threshold: float) -> str:
    """Opt-out candidates the flag adds: found (net-blind) and false."""
    gold = [(r, p) for r, p in zip(records, probs) if r["gold"] == "stop_contact"]
    base = sum(r["_alone"] == "stop_contact" for r, _ in gold)
    either = sum(r["_alone"] == "stop_contact" or p.get("stop_contact", 0) >= threshold for r, p in gold)
    false = sum(p.get("stop_contact", 0) >= threshold and r["_alone"] != "stop_contact"
                for r, p in zip(records, probs) if r["gold"] != "stop_contact")
    return f"net-blind opt-out recall classifier {base}/{len(gold)} -> with flag {either}/{len(gold)}, " \
           f"false candidates added {false}/{len(records) - len(gold)}"


def detector_only(k: int = 5, thresholds=GRID) -> None:
    from rasa.shared.nlu.training_data.loading import load_data
    from bot.core.safety import verdict
    from bot.core.textnorm import normalize
    from bot.nlu.keyword_override import risk_crisis_stands
    from nlu_cv import folds

    examples = [m for m in load_data(str(REPO / "bot" / "data" / "nlu")).training_examples if m.get("intent")]
    texts = [normalize(m.get("text")) for m in examples]
    intents = [m.get("intent") for m in examples]
    oof = out_of_fold(texts, intents, folds(examples, k, 18), k, positive_share=1.3, c=10.0, max_ngram=3)
    crisis = [i for i, intent in enumerate(intents) if intent == "crisis"]
    silent = [i for i, intent in enumerate(intents) if intent != "crisis"
              and verdict(examples[i].get("text")) is None and risk_crisis_stands(examples[i].get("text"))]
    benign = len(intents) - len(crisis)
    print(f"{len(examples)} examples, {len(crisis)} crisis, {k} folds")
    for t in thresholds:
        recall = sum(oof[i].get("crisis", 0) >= t for i in crisis) / max(len(crisis), 1)
        flagged = sum(oof[i].get("crisis", 0) >= t for i in silent)
        print(f"t {t:.2f}: detector-alone recall {recall:.3f}, benign flagged where the net is silent "
              f"{flagged}/{benign} = {100 * flagged / max(benign, 1):.2f}%")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", help="scripts/nlu_cv.py output of the pipeline without the net")
    parser.add_argument("--dev", help="scripts/nlu_dev_eval.py --dump of the same pipeline")
    parser.add_argument("--detector-only", action="store_true",
                        help="the detector alone on 5-fold CV of today's data (no --cv/--dev needed)")
    parser.add_argument("--weights", default="1.3", help="positive shares (the safety examples' weight / the others')")
    parser.add_argument("--current-data", action="store_true",
                        help="the detector on today's bot/data/nlu (new folds); examples the CV run did not "
                             "have count as not crisis for the classifier (conservative)")
    parser.add_argument("--c", default="1.0")
    parser.add_argument("--max-ngram", type=int, default=4)
    parser.add_argument("--rules", default="detector,topk,mean")
    parser.add_argument("--stop", action="store_true", help="also score the opt-out flag")
    parser.add_argument("--misses", type=float, help="list the crisis examples net-blind missed at this threshold")
    args = parser.parse_args(argv)
    if args.detector_only:
        detector_only()
        return 0
    if not args.cv or not args.dev:
        parser.error("--cv and --dev are required (or --detector-only)")

    from bot.core.textnorm import normalize
    from bot.nlu.risk_detector import BinaryRisk

    records = json.loads(Path(args.cv).read_text("utf-8"))["records"]
    dev = json.loads(Path(args.dev).read_text("utf-8"))
    k = 1 + max(r["fold"] for r in records)
    if args.current_data:
        records = current_records(records, k)
    for recs in [records, *dev.values()]:
        prepare(recs)
    texts = [normalize(r["text"]) for r in records]
    intents = [r["gold"] for r in records]
    print(line("no flag, CV", score_rule(records, [False] * len(records))))
    for name, recs in dev.items():
        print("  " + line(name, score_rule(recs, [False] * len(recs))))

    rules: Dict[str, Callable[[dict, Dict[str, float], float], bool]] = {
        "detector": lambda r, p, t: p.get("crisis", 0) >= t,
        "topk": lambda r, p, t: any(n == "crisis" and c >= t for n, c in r["ranking"][:3]),
        "mean": lambda r, p, t: (p.get("crisis", 0) + crisis_confidence(r)) / 2 >= t,
    }
    for c in [float(x) for x in args.c.split(",")]:
        for w in [float(x) for x in args.weights.split(",")]:
            settings = {"positive_share": w, "c": c, "max_ngram": args.max_ngram}
            started = time.monotonic()
            oof = out_of_fold(texts, intents, [r["fold"] for r in records], k, **settings)
            seconds = time.monotonic() - started
            model = BinaryRisk(args.max_ngram).fit(texts, intents, SAFETY, positive_share=w, c=c)
            dev_probs = {name: model.probabilities([normalize(r["text"]) for r in recs]) for name, recs in dev.items()}
            print(f"\n== detector: positive share {w}, C {c}, char 1-{args.max_ngram} ({seconds:.1f} s for {k} folds)")
            for rule in args.rules.split(","):
                if rule == "topk" and (c, w) != (float(args.c.split(",")[0]), float(args.weights.split(",")[0])):
                    continue  # independent of the detector
                for t in GRID:
                    flags = [rules[rule](r, p, t) for r, p in zip(records, oof)]
                    print(f"{rule} t {t:.2f} " + line("CV", score_rule(records, flags)))
                    for name, recs in dev.items():
                        flags = [rules[rule](r, p, t) for r, p in zip(recs, dev_probs[name])]
                        print("       " + line(name, score_rule(recs, flags)))
            if args.stop:
                for t in GRID:
                    print(f"stop t {t:.2f} CV {stop_line(records, oof, t)}")
                    for name, recs in dev.items():
                        print(f"       {name}: {stop_line(recs, dev_probs[name], t)}")
            if args.misses is not None:
                missed = [r["text"] for r, p in zip(records, oof) if r["gold"] == "crisis"
                          and r["_alone"] != "crisis" and p.get("crisis", 0) < args.misses]
                print(f"net-blind misses at {args.misses}: {missed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
