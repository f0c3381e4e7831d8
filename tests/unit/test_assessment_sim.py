"""The portfolio simulator, the keep model, the report and the treatment
table (issue 13). Fixed seeds; every figure here is on simulated data."""
from __future__ import annotations

from datetime import date

import pytest

from bot.assessment import model as m
from bot.assessment import report, simulator, treatments
from bot.cli import main
from bot.core import assessment as core

# Stated accuracy: the rules recover the hidden segment of at least 70 % of
# the accounts they give a segment to, and give one to at least 75 %
# (chance with four segments is 25-35 %).
MIN_ACCURACY = 0.70
MIN_COVERAGE = 0.75


def test_the_rules_recover_the_hidden_segments():
    sim = simulator.simulate(400, seed=7, strategy="fixed")
    result = simulator.segment_recovery(sim)
    assert result["coverage"] >= MIN_COVERAGE
    assert result["accuracy"] >= MIN_ACCURACY
    # Every hidden segment is mostly recognised, not only the big ones.
    for hidden in (core.WILLING_ABLE, core.WILLING_UNABLE):
        row = {a: n for (h, a), n in result["confusion"].items() if h == hidden}
        assert max(row, key=row.get) == hidden


def test_the_simulator_is_deterministic_and_produces_evidence():
    a = simulator.simulate(60, seed=3, strategy="segment")
    b = simulator.simulate(60, seed=3, strategy="segment")
    assert simulator.outcomes(a) == simulator.outcomes(b)
    ev = a.accounts[0].evidence(a.end)
    assert isinstance(ev, core.Evidence) and ev.days_past_due > 0
    statuses = {p.status for acc in a.accounts for p in acc.promises}
    assert {core.KEPT, core.BROKEN} <= statuses


def test_the_model_trains_and_beats_the_rules_on_a_held_out_portfolio():
    rows = []
    for strategy in ("fixed", "segment"):
        s = simulator.simulate(300, seed=1, strategy=strategy)
        rows += m.rows_from_evidence(acc.evidence(s.end) for acc in s.accounts)
    trained = m.KeepModel.train(rows, "simulated")
    held_out = simulator.simulate(300, seed=2, strategy="fixed")
    test_rows = m.rows_from_evidence(acc.evidence(held_out.end) for acc in held_out.accounts)
    e = m.evaluate(trained, test_rows)
    assert e["auc"] > 0.8 and e["auc"] > e["rule_auc"]
    assert sum(b["n"] for b in e["calibration"]) == len(test_rows)
    # Calibrated: over the held-out set, predicted and observed agree within 5 points.
    mean_predicted = sum(b["predicted"] * b["n"] for b in e["calibration"]) / len(test_rows)
    assert abs(mean_predicted - e["kept_rate"]) < 0.05
    assert set(e["by_stage"]) <= set(m.STAGES) and e["by_stage"]


def test_the_model_waits_for_enough_outcomes():
    s = simulator.simulate(20, seed=5, strategy="fixed")
    rows = m.rows_from_evidence(acc.evidence(s.end) for acc in s.accounts)[:50]
    with pytest.raises(m.NotEnoughOutcomes):
        m.KeepModel.train(rows, "simulated")


def test_features_at_booking_do_not_see_the_outcome():
    s = simulator.simulate(80, seed=4, strategy="fixed")
    acc = next(a for a in s.accounts if any(p.status == core.BROKEN for p in a.promises))
    ev = acc.evidence(s.end)
    promise = next(p for p in ev.promises if p.status == core.BROKEN)
    at = m.evidence_at_booking(ev, promise)
    assert all(p.id != promise.id for p in at.promises)
    assert all(x.on <= promise.booked_on for x in at.payments + at.statements)


def test_saved_model_is_used_by_recompute(tmp_path, monkeypatch, session):
    from tests.unit.test_db_repository import add_account
    from bot.db import assessments

    rows = []
    s = simulator.simulate(300, seed=1, strategy="segment")
    rows += m.rows_from_evidence(acc.evidence(s.end) for acc in s.accounts)
    path = tmp_path / "keep.pkl"
    m.KeepModel.train(rows, "simulated").save(path)
    monkeypatch.setenv(m.MODEL_FILE_ENV, str(path))
    add_account(session)
    view = assessments.recompute_assessment(session, "ACC-1", date(2026, 11, 25))
    assert view.scorer == "model" and 0 <= view.keep_probability <= 1
    monkeypatch.setenv(m.MODEL_FILE_ENV, str(tmp_path / "missing.pkl"))
    assert assessments.recompute_assessment(session, "ACC-1", date(2026, 11, 25)).scorer == "rules"


def test_strategy_comparison_runs_and_says_simulated():
    results = report.run(accounts=200, seeds=(21, 22), train_seeds=(1,))
    fixed, segment = results.strategies["fixed"], results.strategies["segment"]
    assert len(fixed) == len(segment) == 2
    assert sum(x["kept"] for x in segment) > sum(x["kept"] for x in fixed)
    text = report.render(results)
    assert "SIMULATED" in text and "模拟数据" in text
    assert "| calibrated model |" in text and "mean ± sd" in text
    assert "能还但不愿还" in text


def test_cli_report_and_retrain(tmp_path, monkeypatch, capsys, sqlite_url, pinned_now):
    db_url = sqlite_url  # empty: the commands migrate it
    monkeypatch.setenv(m.MODEL_FILE_ENV, str(tmp_path / "keep.pkl"))
    out = tmp_path / "assessment.md"
    assert main(["--database-url", db_url, "assessment", "report", "--out", str(out),
                 "--accounts", "120", "--seeds", "3,4"]) == 0
    text = out.read_text("utf-8")
    assert "All figures below are on SIMULATED data" in text
    assert "This database holds 0 promises and plans with a known outcome" in text
    assert "AUC" in capsys.readouterr().out
    assert main(["--database-url", db_url, "assessment", "retrain"]) == 0
    assert "继续使用规则评估" in capsys.readouterr().out
    assert not (tmp_path / "keep.pkl").exists()


def test_treatment_table_is_checked():
    table = treatments.load()
    assert set(table) == set(core.SEGMENTS)
    assert table[core.WILLING_UNABLE].offer == "hardship_plan" and table[core.WILLING_UNABLE].tone != "firm"
    assert table[core.UNWILLING_ABLE].agent_call
    raw = {seg: {"offer": t.offer, "tone": t.tone, "channel": t.channel, "agent_call": t.agent_call}
           for seg, t in table.items()}
    with pytest.raises(treatments.TreatmentConfigError, match="not allowed"):
        treatments.from_mapping({**raw, "willing_unable": {**raw["willing_unable"], "tone": "firm"}})
    with pytest.raises(treatments.TreatmentConfigError, match="no treatment"):
        treatments.from_mapping({k: v for k, v in raw.items() if k != "unknown"})
    with pytest.raises(treatments.TreatmentConfigError, match="offer must be one of"):
        treatments.from_mapping({**raw, "unknown": {**raw["unknown"], "offer": "threaten"}})
