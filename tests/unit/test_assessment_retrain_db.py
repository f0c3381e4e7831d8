"""`collectbot assessment retrain` on the database's own outcomes (issue 13):
a simulated portfolio written into the database gives enough kept and broken
promises; the model is trained from the tables, saved, and then used when
assessments are recomputed. Simulated accounts are refused in production."""
from __future__ import annotations

from datetime import date

import pytest

from bot.assessment import demo, simulator
from bot.assessment import model as m
from bot.cli import main
from bot.db import assessments
from bot.db.migrate import upgrade
from bot.db.session import session_scope

TODAY = date(2026, 11, 25)


def test_retrain_from_the_database_then_recompute_uses_the_model(sqlite_url, tmp_path, monkeypatch, capsys):
    path = tmp_path / "keep.pkl"
    monkeypatch.setenv(m.MODEL_FILE_ENV, str(path))
    assert main(["--database-url", sqlite_url, "assessment", "simulate-db", "--accounts", "150", "--seed", "1"]) == 0
    assert "已写入模拟账户 150 个" in capsys.readouterr().out
    # The database gives back the promises the simulation made, with their outcomes.
    sim = simulator.simulate(150, 1, "segment")
    expected = m.rows_from_evidence(acc.evidence(sim.end) for acc in sim.accounts)
    with session_scope(sqlite_url, read_only=True) as s:
        rows = m.rows_from_database(s, sim.end)
    assert len(rows) == len(expected) >= m.MIN_OUTCOMES
    assert sum(r.kept for r in rows) == sum(r.kept for r in expected)

    assert main(["--database-url", sqlite_url, "assessment", "retrain"]) == 0
    out = capsys.readouterr().out
    assert "已训练并保存到" in out and path.exists()
    saved = m.KeepModel.load(path)
    assert saved.trained_on == "database" and saved.n_train == len(rows)
    with session_scope(sqlite_url) as s:
        view = assessments.recompute_assessment(s, sim.accounts[0].holder.account_id, sim.end)
    assert view.scorer == "model" and 0 <= view.keep_probability <= 1


def test_simulated_accounts_are_refused_in_production(sqlite_url, monkeypatch):
    upgrade(sqlite_url)
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    with session_scope(sqlite_url) as s, pytest.raises(demo.RefusedInProduction):
        demo.write(s, simulator.simulate(5, 1, "fixed"))
