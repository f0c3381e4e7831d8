"""Scores a trained model on the NLU sets and writes docs/reports/nlu_blind.md.

The sets: `tests/nlu` (development: choices were tuned against it) and the
blind sets written from the intent definitions alone and frozen. Each
round is held out for one session (``HELD_OUT``), then read once the next
round is frozen: a development set from then on, and later perhaps training
data, no longer scored here. ``SETS`` says which rounds are scored and what
each one is now. For each set: intent
accuracy and macro-F1, recall of `crisis` and `stop_contact`, the share of
non-crisis messages read as crisis, entity F1 (exact spans), the most
confused pairs, and the scores per register (traditional characters,
Cantonese, pinyin abbreviations, English, emoji, full-width, long messages),
detected from the text itself.

    .venv/bin/python scripts/nlu_blind_report.py [--model bot/models] [--out docs/reports/nlu_blind.md]

The model is loaded once and every message parsed in-process, exactly as
the Rasa server parses it (normaliser, classifier, safety net included).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
SETS = (
    ("tests/nlu (development)", ("tests/nlu",)),
    # Rounds 1-5 (tests/nlu_blind/ .. tests/nlu_blind5/, written blind and
    # frozen 2026-12-03/04) are training data since the fourth session of
    # 2026-12-04 (scripts/dev_rounds_to_training.py --blind): a score on them
    # would be a score on training text, so they are no longer listed.
    # Round 6, written blind and frozen 2026-12-04 (1,315 messages) before
    # any change of that day's third session; held out for that session
    # (scored three times), read in the fourth once round 7 was frozen.
    ("colloquial (blind6)", ("tests/nlu_blind6/colloquial.yml",)),
    ("noisy (blind6)", ("tests/nlu_blind6/noisy.yml",)),
    ("replies (blind6)", ("tests/nlu_blind6/replies.yml",)),
    # Rounds 7-17 (tests/nlu_blind7/ .. tests/nlu_blind17/, written blind and
    # frozen 2026-12-04/05, each held out once, then read) are training data
    # (rounds 7-8 since the first session of 2026-12-05, rounds 9-17 since the
    # third session of 2026-12-06), so they are not scored.
    # Rounds 18-23 (tests/nlu_blind18/ .. tests/nlu_blind23/, written blind
    # and frozen 2026-12-06, each held out once, then read) are training data
    # since the second session of 2026-12-07, so they are not scored.
    # Round 24, written blind and frozen 2026-12-06 (1,598 messages) before
    # any change of that day's seventh session, held out for it; read in the
    # first session of 2026-12-07 once round 25 was frozen: a development set now.
    ("colloquial (blind24)", ("tests/nlu_blind24/colloquial.yml",)),
    ("noisy (blind24)", ("tests/nlu_blind24/noisy.yml",)),
    ("replies (blind24)", ("tests/nlu_blind24/replies.yml",)),
    # Round 25, written blind and frozen 2026-12-07 (1,572 messages) before
    # any change of that day's first session, held out for it; read in the
    # second session once round 26 was frozen: a development set now.
    ("colloquial (blind25)", ("tests/nlu_blind25/colloquial.yml",)),
    ("noisy (blind25)", ("tests/nlu_blind25/noisy.yml",)),
    ("replies (blind25)", ("tests/nlu_blind25/replies.yml",)),
    # Round 26, written blind and frozen 2026-12-07 (1,616 messages) before
    # any change of that day's second session, held out for it; read in the
    # third session once round 27 was frozen: a development set now.
    ("colloquial (blind26)", ("tests/nlu_blind26/colloquial.yml",)),
    ("noisy (blind26)", ("tests/nlu_blind26/noisy.yml",)),
    ("replies (blind26)", ("tests/nlu_blind26/replies.yml",)),
    # Round 27, written blind and frozen 2026-12-07 (1,617 messages) before
    # any change of that day's third session but a fix that let the net
    # answer one of its messages, held out for it; read in the fourth
    # session once round 28 was frozen: a development set now.
    ("colloquial (blind27)", ("tests/nlu_blind27/colloquial.yml",)),
    ("noisy (blind27)", ("tests/nlu_blind27/noisy.yml",)),
    ("replies (blind27)", ("tests/nlu_blind27/replies.yml",)),
    # Round 28, written blind and frozen 2026-12-07 (1,581 messages) before
    # any change of that day's fourth session reached the model or the net
    # it was scored with, held out for it; read in the fifth session once
    # round 29 was frozen: a development set now.
    ("colloquial (blind28)", ("tests/nlu_blind28/colloquial.yml",)),
    ("noisy (blind28)", ("tests/nlu_blind28/noisy.yml",)),
    ("replies (blind28)", ("tests/nlu_blind28/replies.yml",)),
    # Round 29, written blind and frozen 2026-12-07 (1,624 messages) before
    # any change of that day's fifth session but a read-back of the net that
    # changes none of its readings, held out for it; read in the sixth
    # session once round 30 was frozen: a development set now.
    ("colloquial (blind29)", ("tests/nlu_blind29/colloquial.yml",)),
    ("noisy (blind29)", ("tests/nlu_blind29/noisy.yml",)),
    ("replies (blind29)", ("tests/nlu_blind29/replies.yml",)),
    # Round 30, written blind and frozen 2026-12-07 (1,683 messages) before
    # any change of that day's sixth session reached the model or the net it
    # was first scored with: the held-out measure.
    ("colloquial (blind30)", ("tests/nlu_blind30/colloquial.yml",)),
    ("noisy (blind30)", ("tests/nlu_blind30/noisy.yml",)),
    ("replies (blind30)", ("tests/nlu_blind30/replies.yml",)),
)
HELD_OUT = "blind30"
SAFETY = ("crisis", "stop_contact")

_CANTONESE = re.compile("[唔冇咗嘅佢喺啲乜咩嚟睇搵俾嘢咁哋啱嗰噉冚攞諗]|蚊|係咪|點解")
_PINYIN = re.compile(r"(?<![A-Za-z])(?:fq|hk|td|yq|zd|qk|kk|xx|bj|yqq|dd)(?![A-Za-z])", re.I)
_ENGLISH = re.compile(r"[A-Za-z]{3,}")
# Full-width letters and digits (Chinese punctuation is full-width anyway).
_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F300 <= ord(ch) <= 0x1FAFF


def registers(text: str, to_simplified) -> List[str]:
    """The registers a message shows, from its text alone (several may apply)."""
    found = []
    if to_simplified(text) != text:
        found.append("traditional")
    if _CANTONESE.search(text):
        found.append("cantonese")
    if _PINYIN.search(text):
        found.append("pinyin")
    if _ENGLISH.search(_PINYIN.sub("", text)):
        found.append("english")
    if any(_is_emoji(c) for c in text):
        found.append("emoji")
    if _FULLWIDTH.search(text):
        found.append("full-width")
    if len(text) > 30:
        found.append("long")
    return found or ["plain"]


@dataclass
class Result:
    text: str
    gold: str
    predicted: str
    gold_entities: List[Tuple[int, int, str]]
    predicted_entities: List[Tuple[int, int, str]]
    registers: List[str] = field(default_factory=list)


def load_examples(paths: Sequence[str]):
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        data = load_data(str(REPO / path))
        examples += [m for m in data.training_examples if m.get("intent")]
    return examples


async def parse_all(agent, examples) -> List[Tuple[str, List[dict]]]:
    out = []
    for m in examples:
        parsed = await agent.parse_message(m.get("text"))
        out.append((parsed["intent"]["name"], parsed.get("entities") or []))
    return out


def macro_f1(results: Iterable[Result]) -> Tuple[float, float, Dict[str, Tuple[float, float, float, int]]]:
    results = list(results)
    labels = sorted({r.gold for r in results})
    per = {}
    for label in labels:
        tp = sum(r.gold == label and r.predicted == label for r in results)
        fp = sum(r.gold != label and r.predicted == label for r in results)
        fn = sum(r.gold == label and r.predicted != label for r in results)
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * rc / (p + rc) if p + rc else 0.0
        per[label] = (p, rc, f, tp + fn)
    accuracy = sum(r.gold == r.predicted for r in results) / len(results) if results else 0.0
    return accuracy, (sum(v[2] for v in per.values()) / len(per) if per else 0.0), per


def entity_counts(results: Iterable[Result]) -> Dict[str, Tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per entity, exact spans."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for r in results:
        gold, pred = set(r.gold_entities), set(r.predicted_entities)
        for e in gold & pred:
            tp[e[2]] += 1
        for e in pred - gold:
            fp[e[2]] += 1
        for e in gold - pred:
            fn[e[2]] += 1
    return {name: (tp[name], fp[name], fn[name]) for name in sorted(set(tp) | set(fp) | set(fn))}


def entity_f1(results: Iterable[Result]) -> Dict[str, Tuple[float, float, float, int]]:
    out = {}
    for name, (tp, fp, fn) in entity_counts(results).items():
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        out[name] = (p, rc, 2 * p * rc / (p + rc) if p + rc else 0.0, tp + fn)
    return out


def safety_line(results: List[Result]) -> Dict[str, float]:
    line = {}
    for intent in SAFETY:
        gold = [r for r in results if r.gold == intent]
        line[f"{intent} recall"] = sum(r.predicted == intent for r in gold) / len(gold) if gold else float("nan")
    others = [r for r in results if r.gold != "crisis"]
    line["false crisis"] = sum(r.predicted == "crisis" for r in others) / len(others) if others else 0.0
    return line


def report(model: str, scored: Dict[str, List[Result]]) -> str:
    lines = [
        "# NLU on the development set and the blind held-out sets",
        "",
        f"Model `{model}`, generated {date.today().isoformat()} by `scripts/nlu_blind_report.py`.",
        "`tests/nlu`, `tests/nlu_dev/` and `tests/nlu_safety_dev/` guided the choices (development",
        "sets). The blind sets were written from the intent definitions alone and frozen. Rounds 1-5",
        "(`tests/nlu_blind/` to `tests/nlu_blind5/`) guided choices or were scored repeatedly and, since",
        "the fourth session of 2026-12-04, are training data (`bot/data/nlu/blind_rounds_dev.yml`), so",
        "they are not scored here. Round 6 (`tests/nlu_blind6/`) was held out for the third session",
        "(scored three times, its aggregates chose the registers of two safety rounds) and read in the",
        "fourth: the blind development set, which nothing trains on. Round 7 (`tests/nlu_blind7/`)",
        "guided two choices of the fourth session and round 8 (`tests/nlu_blind8/`) was read in the first",
        "session of 2026-12-05 (the safety net's fourteenth round); both are training data since then and",
        "not scored here. Rounds 9 to 17 (`tests/nlu_blind9/` to `tests/nlu_blind17/`), each held out",
        "for one session of 2026-12-05 and then read, are training data since the third session of",
        "2026-12-06 and not scored here either; nor are rounds 18 to 23 (`tests/nlu_blind18/` to",
        "`tests/nlu_blind23/`, held out for the first to sixth sessions of 2026-12-06, then read), training",
        "data since the second session of 2026-12-07. Round 24 (`tests/nlu_blind24/`) was held out for the",
        "seventh session of 2026-12-06, round 25 (`tests/nlu_blind25/`) for the first of 2026-12-07 and",
        "round 26 (`tests/nlu_blind26/`) for the second, round 27 (`tests/nlu_blind27/`) for the third and",
        "round 28 (`tests/nlu_blind28/`) for the fourth and round 29 (`tests/nlu_blind29/`) for the fifth,",
        "each read in the next: development sets, which nothing trains on. Round 30 (`tests/nlu_blind30/`,",
        "written and frozen 2026-12-07 before that day's sixth session changed the net or the model it was",
        "first scored with) is the held-out measure: it is scored in aggregate only, and nobody tuning the",
        "model reads it.",
        "",
        "| set | messages | accuracy | intent macro-F1 | crisis recall | stop_contact recall | benign read as crisis |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, results in scored.items():
        acc, f1, _ = macro_f1(results)
        s = safety_line(results)
        lines.append(
            f"| {name} | {len(results)} | {acc:.3f} | {f1:.3f} | {s['crisis recall']:.3f} | "
            f"{s['stop_contact recall']:.3f} | {s['false crisis']:.1%} |"
        )
    lines += register_table(f"held-out round {HELD_OUT.removeprefix('blind')}", [r for name, rs in scored.items() if HELD_OUT in name for r in rs])
    lines += register_table("all blind rounds together", [r for name, rs in scored.items() if "blind" in name for r in rs])
    for name, results in scored.items():
        _, _, per = macro_f1(results)
        lines += ["", f"## {name}", "", "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        lines += [f"| {k} | {p:.3f} | {rc:.3f} | {f:.3f} | {n} |" for k, (p, rc, f, n) in per.items()]
        ents = entity_f1(results)
        if ents:
            lines += ["", "| entity (exact span) | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            lines += [f"| {k} | {p:.3f} | {rc:.3f} | {f:.3f} | {n} |" for k, (p, rc, f, n) in ents.items()]
        pairs = Counter((r.gold, r.predicted) for r in results if r.gold != r.predicted)
        if pairs:
            lines += ["", "Most confused pairs (gold → predicted):", ""]
            lines += [f"- {g} → {p}: {n}" for (g, p), n in pairs.most_common(12)]
        missed = [r for r in results if r.gold in SAFETY and r.predicted != r.gold]
        if missed and "blind" in name:
            # Counted, not quoted: quoting blind messages in the repository
            # would invite tuning the safety net to them.
            lines += ["", f"Missed crisis / opt-out messages: {len(missed)} (not quoted: blind set)."]
        elif missed:
            lines += ["", "Missed crisis / opt-out messages:", ""]
            lines += [f"- [{r.gold} → {r.predicted}] {r.text}" for r in missed]
    return "\n".join(lines) + "\n"


def register_table(title: str, results: List[Result]) -> List[str]:
    """Scores per register (detected from the text) of ``results``."""
    if not results:
        return []
    lines = ["", f"## By register ({title})", "",
             "| register | messages | accuracy | crisis recall | stop_contact recall | benign read as crisis | most confused (gold → predicted) |",
             "|---|---|---|---|---|---|---|"]
    by_register: Dict[str, List[Result]] = defaultdict(list)
    for r in results:
        for reg in r.registers:
            by_register[reg].append(r)
    for reg, rs in sorted(by_register.items(), key=lambda kv: -len(kv[1])):
        acc, _, _ = macro_f1(rs)
        s = safety_line(rs)
        pairs = Counter((r.gold, r.predicted) for r in rs if r.gold != r.predicted)
        confused = ", ".join(f"{g} → {p} {n}" for (g, p), n in pairs.most_common(3))
        lines.append(f"| {reg} | {len(rs)} | {acc:.3f} | {s['crisis recall']:.3f} | {s['stop_contact recall']:.3f} "
                     f"| {s['false crisis']:.1%} | {confused} |")
    return lines


def quiet_parsing() -> None:
    """Nothing but warnings from Rasa while the sets are parsed.

    Rasa's processor logs every parsed text at debug level (structlog): a
    blind set's messages must not reach a screen or a log.
    """
    import logging

    import structlog

    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def load_agent(model: str):
    """The model at ``model`` (a .tar.gz, or a folder: its newest) loaded as
    the Rasa server loads it; (model path, agent)."""
    from rasa.core.agent import Agent
    from rasa.model import get_local_model

    model_path = get_local_model(model)
    return model_path, Agent.load(model_path)


def score_sets(agent, sets: Sequence[Tuple[str, Sequence[str]]] = SETS, to_simplified=None) -> Dict[str, List[Result]]:
    """Every message of every set parsed by ``agent`` in-process: set name -> results."""
    if to_simplified is None:
        from opencc import OpenCC

        to_simplified = OpenCC("t2s").convert
    scored: Dict[str, List[Result]] = {}
    for name, paths in sets:
        examples = load_examples(paths)
        parsed = asyncio.run(parse_all(agent, examples))
        scored[name] = [
            Result(
                text=m.get("text"), gold=m.get("intent"), predicted=intent,
                gold_entities=[(e["start"], e["end"], e["entity"]) for e in m.get("entities") or []],
                predicted_entities=[(e["start"], e["end"], e["entity"]) for e in entities],
                registers=registers(m.get("text"), to_simplified),
            )
            for m, (intent, entities) in zip(examples, parsed)
        ]
    return scored


def set_summary(results: List[Result]) -> Dict[str, float]:
    """A set's aggregate line: size, accuracy, macro-F1, safety recalls, false crisis share."""
    acc, f1, _ = macro_f1(results)
    return {"n": len(results), "accuracy": acc, "macro_f1": f1, **safety_line(results)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO / "bot" / "models"))
    parser.add_argument("--out", default=str(REPO / "docs" / "reports" / "nlu_blind.md"))
    parser.add_argument("--json", default=str(REPO / "docs" / "reports" / "nlu_blind.json"))
    args = parser.parse_args(argv)

    import rasa.core.agent  # noqa: F401  (Rasa imported before its logging is quietened)

    quiet_parsing()

    model_path, agent = load_agent(args.model)
    scored = score_sets(agent)
    Path(args.out).write_text(report(Path(model_path).name, scored), encoding="utf-8")
    summary = {name: set_summary(results) for name, results in scored.items()}
    Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
