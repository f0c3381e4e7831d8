"""Turns the blind-written development rounds (safety and NLU) into training data (issue 18).

Rounds 5-12 of `tests/nlu_safety_dev/` were written by three writers each,
who saw only the intent definitions; once read, their misses shaped the safety net,
so they no longer measure anything new. As training data they give the
classifier and the safety risk detector crisis wordings and look-alikes of
many more people than ours. This writes them, as they are, to
`bot/data/nlu/safety_rounds_blind.yml`: the entity markup of the other
intents is what the rule extractor finds (bot.core.normalize.find_entities,
as tests/unit/test_nlu_annotations.py requires); crisis and opt-out lines
stay unmarked, as in the other safety files. A text already in the training
data is left out.

    .venv/bin/python scripts/dev_rounds_to_training.py [--rounds 5 6 7 8 9 10 11 12] [--out PATH]
    .venv/bin/python scripts/dev_rounds_to_training.py --blind [--rounds 1 2 3 4 5 7 8 ... 17] [--out PATH]

``--blind`` does the same for the blind NLU rounds that have become
development sets (`tests/nlu_blind/` .. `tests/nlu_blind5/` and
`tests/nlu_blind7/` .. `tests/nlu_blind17/`: every intent, written by writers
who never saw our data), into `bot/data/nlu/blind_rounds_dev.yml`. Round 6 stays out, as the
development set of blind-written text that nothing trains on; the held-out
round (nlu_blind_report.HELD_OUT) is refused: it must stay unseen. Rounds 7
and 8 joined on 2026-12-05 (first session), measured on round 6 and the
other development sets before round 9 was scored again: intent macro-F1 on
round 6 0.962 / 0.951 / 0.940 -> 0.969 / 0.958 / 0.945, tests/nlu 0.961 ->
0.963, crisis recall equal everywhere, benign read as crisis equal but on
tests/nlu_safety_dev/safety_dev_registers.yml (0 -> 1 of 98) and lower on
round13_indirect (8.0 -> 6.9 %). Measured
2026-12-04 (fourth session) by training with and without rounds 1-4 and
scoring rounds 5 and 6: intent macro-F1 0.965 / 0.967 / 0.945 -> 0.975 /
0.972 / 0.954 (round 5) and 0.958 / 0.931 / 0.919 -> 0.959 / 0.945 / 0.930
(round 6), crisis recall equal or better, benign -> crisis equal or lower;
tests/nlu 0.966 -> 0.959 (docs/reports/nlu_tuning.md, fourth session).

Measured on round 8 before it was added (its first score, fresh text): crisis
recall 0.67 / 0.74 / 0.87 without rounds 5-7 in the training data, 0.84 /
0.82 / 0.91 with them; benign read as crisis 5.0 / 10.0 / 11.4 % and 6.4 / 9.3
/ 9.3 % (docs/reports/nlu_tuning.md, sixth pass).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.core.normalize import find_entities  # noqa: E402
from bot.core.safety import third_party_only_request  # noqa: E402

sys.path.insert(0, str(REPO / "scripts"))
import nlu_blind_report as nbr  # noqa: E402  (its Rasa loader: text without markup, intent)

SAFETY_INTENTS = ("crisis", "stop_contact")
# Round 13 stays a development set only: trained on, it added false alarms
# on the sets nothing trains on (blind round 6 noisy 0.7 -> 0.9 %, replies
# 0.5 -> 0.8 %, tests/nlu 0.3 -> 0.7 % of benign read as crisis; macro-F1
# -0.001 to -0.003) and no crisis recall, with its net rules in place either
# way (2026-12-04, fourth session; docs/reports/nlu_tuning.md).
SAFETY_ROUNDS = ["5", "6", "7", "8", "9", "10", "11", "12"]
# Round 6 is the blind development set nothing trains on (see above).
# Rounds 9-17 joined on 2026-12-06 (third session): decided on the sets
# nothing trains on (blind rounds 6, 18 and 19, tests/nlu, tests/nlu_dev,
# safety rounds 13-21), a model trained with and without them, same net:
# intent macro-F1 up on 22 of 29 files (blind round 19 replies 0.892 ->
# 0.920, safety round 20 regions 0.807 -> 0.863), crisis recall lost on
# 11 messages, every one of which the net's twenty-sixth round now reads
# itself (the classifier had been their only reader). Round 9 alone, in
# 2026-12-05, had lost one crisis and gained too little to keep.
# Rounds 18-23 joined on 2026-12-07 (second session): decided on the sets
# nothing trains on (tests/nlu, tests/nlu_dev, tests/nlu_safety_dev, blind
# rounds 6, 24 and 25; 19,149 messages), a model trained with and without
# them, same net: wrong 1,108 -> 1,045, opt-out misses 41 -> 38, benign read
# as crisis 159 -> 147, benign read as opt-out 247 -> 247, crisis misses 13
# -> 13 once the net's thirty-second round read the nine crises the
# classifier alone had heard and no longer did (22 before it); macro-F1
# blind round 24 0.925 -> 0.937, round 25 0.920 -> 0.931, safety rounds
# 0.926 -> 0.928, tests/nlu 0.971 -> 0.972, round 6 0.973 -> 0.970,
# tests/nlu_dev 0.992 -> 0.990.
BLIND_ROUNDS = ["1", "2", "3", "4", "5", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
                "18", "19", "20", "21", "22", "23"]


def round_files(blind: bool, rounds):
    """The YAML files of the given rounds: safety development rounds, or blind NLU rounds."""
    for r in rounds:
        if not blind:
            yield from sorted((REPO / "tests" / "nlu_safety_dev").glob(f"round{r}_*.yml"))
            continue
        folder = "nlu_blind" if r == "1" else f"nlu_blind{r}"
        if folder == f"nlu_{nbr.HELD_OUT}":
            raise SystemExit(f"tests/{folder} is the held-out round: never training data")
        yield from sorted((REPO / "tests" / folder).glob("*.yml"))


def examples(path: Path):
    """(intent, plain text) of every example in an NLU YAML file."""
    for m in nbr.load_examples([str(path)]):
        yield m.get("intent"), m.get("text").strip()


def annotated(text: str) -> str:
    """``text`` with the rule extractor's entities marked, right to left."""
    out = text
    for span in sorted(find_entities(text), key=lambda s: s.start, reverse=True):
        out = out[:span.start] + f"[{out[span.start:span.end]}]({span.entity})" + out[span.end:]
    return out


def key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", action="store_true", help="the blind NLU rounds, not the safety rounds")
    parser.add_argument("--rounds", nargs="+")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    rounds = args.rounds or (BLIND_ROUNDS if args.blind else SAFETY_ROUNDS)
    default_out = "blind_rounds_dev.yml" if args.blind else "safety_rounds_blind.yml"
    out = Path(args.out or REPO / "bot" / "data" / "nlu" / default_out)
    # The file being (re)generated does not count as known, wherever it is
    # written: a check can regenerate it elsewhere and compare.
    known = {key(t) for f in (REPO / "bot" / "data" / "nlu").glob("*.yml") if f.name != out.name
             for _, t in examples(f)}
    by_intent = {}
    for path in round_files(args.blind, rounds):
        for intent, text in examples(path):
            if key(text) in known or not text:
                continue
            if intent not in SAFETY_INTENTS and re.search(r"[\[\]]", text) and find_entities(text):
                # "[2024-03-05 09:12] 我：您好": an entity inside square
                # brackets cannot be marked up unambiguously (Rasa's markup
                # is brackets too); such an example is left out.
                continue
            known.add(key(text))
            if intent == "stop_contact" and third_party_only_request(text):
                # "别再给我爸妈打电话了 有事找我": a few early writers called it
                # an opt-out, every later one a complaint, as the definitions
                # do (stop_contact is "stop contacting them"), and the net no
                # longer records it (issue 18, eighteenth round).
                intent = "complain"
            by_intent.setdefault(intent, []).append(text if intent in SAFETY_INTENTS else annotated(text))
    source = (f"tests/nlu_blind{{{','.join(rounds)}}}/*.yml (round 1 is tests/nlu_blind/)" if args.blind
              else f"tests/nlu_safety_dev/round{{{','.join(rounds)}}}_*.yml")
    flags = "--blind " if args.blind else ""
    lines = ['version: "3.1"', "",
             f"# GENERATED by scripts/dev_rounds_to_training.py {flags}from {source}",
             "# (written blind, three writers a round, who saw only the intent definitions; development sets,",
             "# read and tuned against, so used as training data too). Do not edit by hand.", "", "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {t}" for t in by_intent[intent]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print({i: len(t) for i, t in sorted(by_intent.items())}, sum(len(t) for t in by_intent.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
