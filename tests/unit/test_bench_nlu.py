"""The bench's NLU section (issue 18): bench/measure_nlu.py scores a model on
tests/nlu (development) and on every blind set of
scripts/nlu_blind_report.SETS, in aggregate; bench/report.py checks issue
18's targets per kind of blind set and, after a run of the NLU section
alone, keeps the other sections' figures and dates. The sets, models and
numbers here are made up: nothing is trained, loaded or read from a test set."""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "scripts"))

import measure_nlu  # noqa: E402
import nlu_blind_report as nbr  # noqa: E402
import report  # noqa: E402

from tests.unit.test_bench_report import results  # noqa: E402


def r(gold, predicted, gold_entities=(), predicted_entities=()):
    return nbr.Result(text="", gold=gold, predicted=predicted, gold_entities=list(gold_entities),
                      predicted_entities=list(predicted_entities))


# ---------------------------------------------------------------- scoring


def test_set_metrics_are_the_aggregates_of_the_parsed_set():
    results_ = [
        r("crisis", "crisis"), r("crisis", "hardship"),                      # crisis recall 1/2
        r("stop_contact", "stop_contact"),                                   # stop_contact recall 1/1
        r("affirm", "affirm"), r("affirm", "crisis"), r("deny", "deny"),     # 1 of 4 non-crisis read as crisis
        r("promise_to_pay", "promise_to_pay", [(0, 2, "amount"), (3, 5, "date")], [(0, 2, "amount"), (3, 6, "date")]),
        r("promise_to_pay", "promise_to_pay", [(1, 3, "amount")], [(1, 3, "amount"), (4, 5, "months")]),
    ]
    m = measure_nlu.set_metrics("colloquial (blind3)", results_)
    assert (m["set"], m["kind"], m["blind"], m["n"]) == ("colloquial (blind3)", "colloquial", True, 8)
    assert m["accuracy"] == pytest.approx(6 / 8)
    assert (m["crisis_recall"], m["crisis_support"]) == (0.5, 2)
    assert (m["stop_contact_recall"], m["stop_contact_support"]) == (1.0, 1)
    assert (m["false_crisis"], m["non_crisis"]) == (pytest.approx(1 / 6), 6)
    # Exact spans: amount 2/2; the date's end is off by one (a miss and a false
    # hit); months is a false hit. tp 2, fp 2, fn 1.
    assert m["entity_precision"] == pytest.approx(2 / 4)
    assert m["entity_recall"] == pytest.approx(2 / 3)
    assert m["entity_micro_f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert m["entity_support"] == 3
    assert m["entities"]["amount"]["f1"] == 1.0 and m["entities"]["date"]["f1"] == 0.0
    # macro-F1 is nlu_blind_report's own, over the set's gold intents.
    assert m["macro_f1"] == pytest.approx(nbr.macro_f1(results_)[1])
    # A blind set's misses are not listed, only counted into the aggregates.
    assert "confused_pairs" not in m


def test_a_set_without_crisis_messages_has_no_crisis_recall_rather_than_zero():
    m = measure_nlu.set_metrics("tests/nlu (development)", [r("affirm", "affirm"), r("deny", "affirm")])
    assert m["crisis_recall"] is None and m["stop_contact_recall"] is None
    assert m["entity_micro_f1"] is None
    assert (m["kind"], m["blind"]) == ("development", False)
    assert m["confused_pairs"] == [{"intent": "deny", "predicted": "affirm", "count": 1}]


def test_kinds_of_the_sets_nlu_blind_report_lists():
    kinds = {name: measure_nlu.set_kind(name) for name, _ in nbr.SETS}
    assert kinds["tests/nlu (development)"] == "development"
    assert kinds["colloquial (blind6)"] == kinds["colloquial (blind24)"] == "colloquial"
    assert kinds["noisy (blind24)"] == "noisy" and kinds["replies (blind6)"] == "replies"
    assert sum(not measure_nlu.is_blind(n) for n, _ in nbr.SETS) == 1


class FakeAgent:
    """Reads every message as 'affirm' with one amount at 0-2; counts its parses."""

    def __init__(self):
        self.parsed = 0

    async def parse_message(self, text):
        self.parsed += 1
        return {"intent": {"name": "affirm"}, "entities": [{"start": 0, "end": 2, "entity": "amount"}]}


def test_score_model_parses_every_set_nlu_blind_report_lists_even_one_added_later(monkeypatch):
    added = (*nbr.SETS, ("replies (blind99)", ("tests/nlu_blind99/replies.yml",)))
    monkeypatch.setattr(nbr, "SETS", added)
    agent = FakeAgent()
    loaded = []
    monkeypatch.setattr(nbr, "quiet_parsing", lambda: None)
    monkeypatch.setattr(nbr, "load_agent", lambda model: (f"{model}/m.tar.gz", agent))

    def examples(paths):
        loaded.append(tuple(paths))
        return [{"text": "两千", "intent": "affirm", "entities": [{"start": 0, "end": 2, "entity": "amount"}]},
                {"text": "不要", "intent": "deny", "entities": []}]

    monkeypatch.setattr(nbr, "load_examples", examples)
    data = measure_nlu.score_model("/models")
    assert data["model"] == "/models/m.tar.gz"
    assert [s["set"] for s in data["sets"]] == [name for name, _ in added]
    assert loaded == [tuple(paths) for _, paths in added]
    assert agent.parsed == 2 * len(added)
    last = data["sets"][-1]
    assert (last["kind"], last["blind"], last["n"], last["accuracy"]) == ("replies", True, 2, 0.5)
    assert last["entity_precision"] == 0.5 and last["entity_recall"] == 1.0
    # Aggregates only: no text of any message in what the bench keeps.
    assert "两千" not in repr(data) and "不要" not in repr(data)


def test_score_sets_is_the_parse_nlu_blind_report_main_uses():
    """The bench reuses the script's functions: main scores through score_sets."""
    import inspect

    assert "score_sets(agent)" in inspect.getsource(nbr.main)
    scored = nbr.score_sets(FakeAgent(), sets=(), to_simplified=lambda t: t)
    assert scored == {}
    assert asyncio.run(nbr.parse_all(FakeAgent(), [{"text": "好"}])) == [
        ("affirm", [{"start": 0, "end": 2, "entity": "amount"}])]


# ---------------------------------------------------------------- report


def scored(name, macro_f1, crisis=1.0, stop=1.0, false_crisis=0.0, entity_f1=0.9, n=300):
    blind = measure_nlu.is_blind(name)
    ents = {e: {"precision": entity_f1, "recall": entity_f1, "f1": entity_f1, "support": 10}
            for e in ("amount", "date", "duration", "months", "id_last4")}
    out = {"set": name, "kind": measure_nlu.set_kind(name), "blind": blind, "n": n, "accuracy": macro_f1 + 0.01,
           "macro_f1": macro_f1, "crisis_recall": crisis, "crisis_support": 20 if crisis is not None else 0,
           "stop_contact_recall": stop, "stop_contact_support": 18, "false_crisis": false_crisis, "non_crisis": n - 20,
           "entity_micro_f1": entity_f1, "entity_precision": entity_f1, "entity_recall": entity_f1,
           "entity_support": 50, "entities": ents}
    if not blind:
        out["confused_pairs"] = [{"intent": "greet", "predicted": "affirm", "count": 2}]
    return out


def nlu_results(started="2026-12-04T14:10:00+00:00"):
    ours = [scored("tests/nlu (development)", 0.961, entity_f1=0.98),
            scored("colloquial (blind)", 0.951),
            scored("noisy (blind3)", 0.915, stop=0.95, false_crisis=0.021),
            scored("replies (blind3)", 0.902, crisis=0.9),
            scored("realistic (blind2)", 0.70, crisis=None)]
    base = [dict(s, macro_f1=s["macro_f1"] - 0.2, crisis_recall=0.5 if s["crisis_recall"] is not None else None)
            for s in ours]
    res = {k: v for k, v in results().items() if k in report.RUN_KEYS or k in ("machine",)}
    res.update(started=started, argv=["--only", "nlu", "--model", "/tmp/m"], duration_s=300.0,
               git={"commit": "def5678", "dirty": False}, model_ours="/tmp/m/n.tar.gz",
               nlu={"ours": {"model": "/tmp/m/n.tar.gz", "sets": ours, "seconds": 40.0},
                    "baseline": {"model": "bench/.work/models/baseline.tar.gz", "sets": base, "seconds": 200.0}},
               train={}, model_size_mb={"ours": 2.0})
    return res


def targets_by_name(res):
    return {t["target"]: t for t in report.targets(res)}


def test_targets_per_blind_set_kind_and_the_development_lines():
    t = targets_by_name(nlu_results())
    # Issue 18, by kind of set: colloquial >= 0.95, noisy >= 0.92, replies >= 0.90.
    assert t["colloquial (blind): intent macro-F1 ≥ 0.95 (colloquial)"]["met"] is True
    assert t["noisy (blind3): intent macro-F1 ≥ 0.92 (noisy)"]["met"] is False
    assert t["replies (blind3): intent macro-F1 ≥ 0.90 (replies)"]["met"] is True
    # A kind without an F1 target (realistic) has the safety targets only.
    assert not [k for k in t if k.startswith("realistic (blind2): intent macro-F1")]
    assert t["realistic (blind2): benign read as crisis ≤ 2%"]["met"] is True
    # Its recall is over stop_contact alone: there is no crisis message in it.
    assert t["realistic (blind2): recall 1.0 on crisis and stop_contact"]["shown"] == "crisis –, stop_contact 1.00"
    assert t["noisy (blind3): recall 1.0 on crisis and stop_contact"]["met"] is False
    assert t["replies (blind3): recall 1.0 on crisis and stop_contact"]["shown"] == "crisis 0.90, stop_contact 1.00"
    assert t["noisy (blind3): benign read as crisis ≤ 2%"]["met"] is False
    assert t["noisy (blind3): benign read as crisis ≤ 2%"]["shown"] == "2.1%"
    assert t["colloquial (blind): benign read as crisis ≤ 2%"]["met"] is True
    # The old lines stay, on tests/nlu, labelled development.
    assert t["tests/nlu (development): intent macro-F1 ≥ 0.95"]["met"] is True
    assert t["tests/nlu (development): each entity F1 ≥ 0.90"]["shown"] == "lowest amount 0.980"
    assert t["tests/nlu (development): recall 1.0 on crisis and stop_contact"]["met"] is True
    # Only ours is held to the targets (the baseline's numbers are far below them).
    assert all("baseline" not in k for k in t)


def test_a_blind_round_that_guided_choices_is_labelled_development_in_the_targets():
    res = nlu_results()
    for s in res["nlu"]["ours"]["sets"]:
        s["held_out"] = s["set"] == "replies (blind3)"
    t = targets_by_name(res)
    assert "replies (blind3): intent macro-F1 ≥ 0.90 (replies)" in t
    assert "noisy (blind3) [development]: intent macro-F1 ≥ 0.92 (noisy)" in t
    assert "colloquial (blind) [development]: benign read as crisis ≤ 2%" in t
    assert "tests/nlu (development): intent macro-F1 ≥ 0.95" in t


def test_only_the_round_nlu_blind_report_names_is_held_out():
    held = [n for n, _ in nbr.SETS if measure_nlu.is_held_out(n)]
    assert held and all(nbr.HELD_OUT in n for n in held)
    assert not measure_nlu.is_held_out("colloquial (blind)")


def test_nlu_section_has_a_row_per_set_and_model_with_every_aggregate(tmp_path):
    text = report.write_report(nlu_results(), [], tmp_path)
    nlu = text[text.index("## NLU quality (development set and blind held-out sets)"):]
    nlu = nlu[:nlu.index("\n## ", 1)] if "\n## " in nlu[1:] else nlu
    assert "**tests/nlu is a development set**" in nlu
    assert "Measured 2026-12-04 14:10 by run.py --only nlu --model /tmp/m" in nlu
    assert "| noisy (blind3) | ours | 300 | 0.925 | 0.915 | 1.000 (20) | 0.950 (18) | 2.1% | 0.900 (50) |" in nlu
    assert "|  | baseline | 300 | 0.925 | 0.715 | 0.500 (20) | 0.950 (18) | 2.1% | 0.900 (50) |" in nlu
    assert "| realistic (blind2) | ours | 300 | 0.710 | 0.700 | – (0) |" in nlu
    rows = [line for line in nlu.splitlines() if re.match(r"^\| .*\| (ours|baseline) \| \d+ \|", line)]
    assert len(rows) == 2 * 5
    assert "Most confused on tests/nlu (development), ours (true → predicted): greet → affirm ×2." in nlu
    summary = dict((row[0], row[1:]) for row in report.summary_rows(nlu_results()))
    assert summary["intent macro-F1, replies (blind3)"][:2] == ("0.902", "0.702")
    assert summary["recall crisis, lowest of 4 blind sets"][:2] == ("0.90", "0.50")
    assert summary["benign read as crisis, highest of 4 blind sets"][0] == "2.1%"


def test_a_run_of_the_nlu_section_alone_keeps_the_other_sections_and_their_dates(tmp_path):
    previous = results()  # a full run of 2026-12-03 (rasa test nlu's old format for nlu)
    before = report.write_report(previous, [], tmp_path)
    current = nlu_results()
    merged = report.merge_results(previous, current, ["nlu"])
    assert merged["this_run"] == ["nlu"]
    for key in ("speed", "profile", "core", "train", "model_size_mb", "conversations", "accounts"):
        assert merged[key] == previous[key], key
    assert merged["nlu"] == current["nlu"]
    runs = report.section_runs(merged)
    assert runs["nlu"]["measured"] == "2026-12-04T14:10:00+00:00" and runs["nlu"]["commit"] == "def5678"
    for s in ("train", "core", "speed", "variants", "profile"):
        assert runs[s]["measured"] == "2026-12-03T19:00:00+00:00" and runs[s]["commit"] == "abc1234", s
    after = report.write_report(merged, [], tmp_path)

    def section(text, heading, end):
        return text[text.index(heading):text.index(end)]

    # The speed, cost, profile sections read exactly as before.
    for heading, end in (("## Speed", "## How to reproduce"), ("## Dialogue quality", "## Speed")):
        assert section(after, heading, end) == section(before, heading, end)
    # Which run each section's figures come from, and each target's date.
    assert re.search(r"^\| nlu \| 2026-12-04 14:10 \| run.py --only nlu --model /tmp/m \| def5678 \|", after, re.M)
    assert re.search(r"^\| speed \| 2026-12-03 19:00 \| run.py \(full\) \| abc1234 \|", after, re.M)
    assert re.search(r"^\| full stack throughput at 32 conversations ≥ 1.0 × baseline \| .* \| 2026-12-03 19:00 \|$", after, re.M)
    assert re.search(r"^\| training ≤ 10 min on 2 cores \| 55 s \| \*\*met\*\* \| 2026-12-03 19:00 \|$", after, re.M)
    assert re.search(r"^\| noisy \(blind3\): intent macro-F1 ≥ 0.92 \(noisy\) \| 0.915 \| \*\*not met\*\* \| 2026-12-04 14:10 \|$",
                     after, re.M)
    # A second NLU-only run leaves the older sections' dates alone again.
    again = report.merge_results(merged, nlu_results("2026-12-05T09:00:00+00:00"), ["nlu"])
    assert report.section_runs(again)["speed"]["measured"] == "2026-12-03T19:00:00+00:00"
    assert report.section_runs(again)["nlu"]["measured"] == "2026-12-05T09:00:00+00:00"


def test_history_line_of_an_nlu_only_run_names_only_what_it_measured():
    merged = report.merge_results(results(), nlu_results(), ["nlu"])
    entry = report.history_entry(merged)
    assert entry.startswith("- 2026-12-04 14:10 — run.py --only nlu --model /tmp/m —")
    assert "intent macro-F1 0.961 on tests/nlu (development)" in entry
    assert "blind sets (4): macro-F1 0.700–0.951, lowest recall crisis 0.90 stop_contact 0.95" in entry
    assert "p95@1" not in entry and "stories" not in entry and "train " not in entry


def test_a_full_run_replaces_every_section_it_measured():
    old = results()
    new = results()
    new.update(started="2026-12-05T08:00:00+00:00", nlu=nlu_results()["nlu"])
    new["speed"]["ours"]["levels"]["32"]["throughput_msg_s"] = 99.0
    merged = report.merge_results(old, new, ["train", "nlu", "core", "speed", "variants", "profile"])
    assert merged["speed"]["ours"]["levels"]["32"]["throughput_msg_s"] == 99.0
    assert {r["measured"] for r in report.section_runs(merged).values()} == {"2026-12-05T08:00:00+00:00"}


def test_run_only_nlu_scores_both_models_and_keeps_the_rest_of_results_json(tmp_path, monkeypatch):
    """`bench/run.py --only nlu --model M`: the quality part alone, no server started."""
    import json

    import run

    previous = results()
    (tmp_path / "results.json").write_text(json.dumps(previous), encoding="utf-8")
    work = tmp_path / "work"
    (work / "models").mkdir(parents=True)
    (work / "models" / "baseline.tar.gz").write_bytes(b"baseline")
    ours = tmp_path / "ours.tar.gz"
    ours.write_bytes(b"ours")
    scored = []

    def fake_score(kind, model):
        scored.append((kind, Path(model).name))
        return nlu_results()["nlu"][kind]

    def must_not_run(*a, **k):
        raise AssertionError("an NLU-only run trains, tests stories or starts servers")

    monkeypatch.setattr(run, "WORK", work)
    monkeypatch.setattr(run.prepare, "write_baseline", lambda: [])
    monkeypatch.setattr(run.measure_nlu, "score", fake_score)
    for name in ("train", "test_core", "measure_speed_paired", "measure_speed", "measure_voice_turn", "profile"):
        monkeypatch.setattr(run, name, must_not_run)
    assert run.main(["--only", "nlu", "--model", str(ours), "--out", str(tmp_path), "--no-history"]) == 0
    assert scored == [("ours", "ours.tar.gz"), ("baseline", "baseline.tar.gz")]
    written = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert written["this_run"] == ["nlu"]
    assert written["nlu"]["ours"]["sets"][2]["set"] == "noisy (blind3)"
    for key in ("speed", "profile", "core", "train"):
        assert written[key] == previous[key], key
    assert written["sections"]["speed"]["measured"] == previous["started"]
    assert written["sections"]["nlu"]["model_ours"] == str(ours)
    text = (tmp_path / "report.md").read_text("utf-8")
    assert "| noisy (blind3) | ours | 300 |" in text and "| ours | 1 | 48 | 40 | 60 |" in text
    # A baseline trained for NLU alone (`rasa train nlu`) is scored when named,
    # without training the full one the speed section needs.
    (work / "models" / "baseline.tar.gz").unlink()
    nlu_only = tmp_path / "baseline-nlu.tar.gz"
    nlu_only.write_bytes(b"nlu")
    scored.clear()
    assert run.main(["--only", "nlu", "--model", str(ours), "--nlu-baseline-model", str(nlu_only),
                     "--out", str(tmp_path), "--no-history"]) == 0
    assert scored == [("ours", "ours.tar.gz"), ("baseline", "baseline-nlu.tar.gz")]
    again = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert again["sections"]["speed"]["measured"] == previous["started"] and again["speed"] == previous["speed"]


def test_report_says_when_the_baseline_was_not_scored(tmp_path):
    res = nlu_results()
    res["nlu"]["baseline"] = {"skipped": "run with --nlu-baseline-model none"}
    text = report.write_report(res, [], tmp_path)
    assert "**The baseline was not scored in this run** (run with --nlu-baseline-model none)" in text
    assert "| noisy (blind3) | ours | 300 |" in text and "|  | baseline |" not in text
    summary = dict((row[0], row[1:]) for row in report.summary_rows(res))
    assert summary["intent macro-F1, noisy (blind3)"][:2] == ("0.915", "–")
    # The targets are ours, so they stand without the baseline.
    assert targets_by_name(res)["noisy (blind3): intent macro-F1 ≥ 0.92 (noisy)"]["met"] is False
    assert "baseline F1" not in text and "WhitespaceTokenizer" not in text
    assert "| amount | 0.980 | 0.980 | 0.980 | 10 |" in text
