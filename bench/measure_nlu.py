"""NLU quality, measured by `make bench` (section `nlu`): our model and the
stock-Rasa baseline on the development set (`tests/nlu`, which choices were
tuned against) and on every blind held-out set that
scripts/nlu_blind_report.py scores (its SETS: a new round added there is
scored here too).

Each model is loaded once and every message parsed in-process by
scripts/nlu_blind_report.py's own functions, exactly as the Rasa server
parses it (for ours: normaliser, classifier, safety net). Only aggregate
numbers leave this module: no message of a blind set is stored, printed or
logged.

    .venv/bin/python bench/measure_nlu.py --model bot/models --json /tmp/x.json   # one model
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(BENCH))

import nlu_blind_report as nbr  # noqa: E402


def set_kind(name: str) -> str:
    """The kind of a set from its name in nlu_blind_report.SETS:
    'colloquial (blind3)' -> 'colloquial'; the development set -> 'development'."""
    if not is_blind(name):
        return "development"
    return name.split("(")[0].strip().lower()


def is_blind(name: str) -> bool:
    """A blind held-out set, by nlu_blind_report's own naming ('… (blind…)')."""
    return "blind" in name


def is_held_out(name: str) -> bool:
    """The held-out round (nlu_blind_report.HELD_OUT): the other blind rounds
    guided choices after they were scored, so they are development sets."""
    return nbr.HELD_OUT in name


def _none_if_nan(v: float) -> Optional[float]:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def entity_counts(results: Iterable["nbr.Result"]) -> Dict[str, Tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per entity, exact
    spans: the blind report's own count."""
    return nbr.entity_counts(results)


def prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def set_metrics(name: str, results: List["nbr.Result"]) -> Dict[str, Any]:
    """A set's aggregate numbers (no message text): accuracy, macro-F1, safety
    recalls with their supports, the share of non-crisis messages read as
    crisis, and entity micro-F1 (exact spans, every entity type together).
    A recall over no gold message is None (not applicable), not 0."""
    line = nbr.set_summary(results)
    counts = entity_counts(results)
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    ep, er, ef = prf(tp, fp, fn)
    out: Dict[str, Any] = {
        "set": name,
        "kind": set_kind(name),
        "blind": is_blind(name),
        "held_out": is_held_out(name),
        "n": line["n"],
        "accuracy": line["accuracy"],
        "macro_f1": line["macro_f1"],
        "crisis_recall": _none_if_nan(line["crisis recall"]),
        "crisis_support": sum(r.gold == "crisis" for r in results),
        "stop_contact_recall": _none_if_nan(line["stop_contact recall"]),
        "stop_contact_support": sum(r.gold == "stop_contact" for r in results),
        "false_crisis": line["false crisis"],
        "non_crisis": sum(r.gold != "crisis" for r in results),
        "entity_micro_f1": ef if tp + fp + fn else None,
        "entity_precision": ep,
        "entity_recall": er,
        "entity_support": tp + fn,
        "entities": {e: dict(zip(("precision", "recall", "f1", "support"), (*prf(*c), c[0] + c[2])))
                     for e, c in counts.items()},
    }
    if not out["blind"]:
        # The development set is no secret: its most confused pairs help read it.
        pairs = Counter((r.gold, r.predicted) for r in results if r.gold != r.predicted)
        out["confused_pairs"] = [{"intent": g, "predicted": p, "count": n} for (g, p), n in pairs.most_common(6)]
    return out


def score_model(model: str, sets: Optional[Sequence[Tuple[str, Sequence[str]]]] = None) -> Dict[str, Any]:
    """Load ``model`` and score it on ``sets`` (default: nlu_blind_report.SETS
    as it is now), in this process."""
    import rasa.core.agent  # noqa: F401  (imported before nbr.quiet_parsing, as nlu_blind_report does)

    nbr.quiet_parsing()
    model_path, agent = nbr.load_agent(model)
    scored = nbr.score_sets(agent, nbr.SETS if sets is None else sets)
    return {"model": str(model_path), "sets": [set_metrics(name, results) for name, results in scored.items()]}


def score(kind: str, model: Path, timeout: float = 1800) -> Dict[str, Any]:
    """``score_model`` in a child process (Rasa's logging quietened there, its
    memory freed after): what run.py's `nlu` section calls for each model."""
    from stack import PY, WORK, bench_env, log, rel, run_logged

    out = WORK / "results" / f"nlu-{kind}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    log(f"scoring {kind} ({rel(model)}) on {len(nbr.SETS)} NLU sets, in-process parse")
    code, seconds, peak, _ = run_logged([PY, str(BENCH / "measure_nlu.py"), "--model", str(model), "--json", str(out)],
                                        WORK / "logs" / f"nlu-{kind}.log", bench_env(), timeout=timeout)
    if code != 0 or not out.exists():
        raise RuntimeError(f"scoring {kind} failed ({code}); see {rel(WORK / 'logs' / f'nlu-{kind}.log')}")
    data = json.loads(out.read_text("utf-8"))
    data["model"] = rel(Path(data["model"]))
    data["seconds"] = seconds
    return data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="a model .tar.gz, or a folder (its newest model)")
    ap.add_argument("--json", required=True, help="where to write the aggregate numbers")
    args = ap.parse_args(argv)
    data = score_model(args.model)
    Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for s in data["sets"]:
        print(f"{s['set']}: n {s['n']}, macro-F1 {s['macro_f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
