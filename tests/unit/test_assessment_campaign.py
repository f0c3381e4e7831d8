"""The assessed segment's treatment in `collectbot campaign run` (issue 13):
an able-but-unwilling account gets its SMS step and, as its treatment says,
an agent call for this cycle with the reasons; a willing-and-able one only
its SMS; nothing without a stored assessment."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bot.db.models import AgentTask, AssessmentScore, SmsOutbox
from bot.db.session import session_scope
from tests.unit.test_campaign_run import _no_outside_services, at, phone, run, seed  # noqa: F401

TODAY = date(2026, 11, 25)


def score(s, account_id, segment):
    s.add(AssessmentScore(
        account_id=account_id, as_of=TODAY, willingness_score=0.2, willingness_band="low", ability_score=0.7,
        ability_band="high", segment=segment, keep_probability=0.2, scorer="rules",
        reasons=json.dumps([{"dimension": "willingness", "direction": "-", "weight": -2.4,
                             "text": "明确表示拒绝还款 2 次"}], ensure_ascii=False),
        signals="[]", trigger="test",
    ))


def test_treatment_adds_the_agent_call_for_able_but_unwilling(capsys, tmp_path, sqlite_url, monkeypatch):
    seed(sqlite_url, tmp_path, 3, dpd_of=lambda i: 35, verified=lambda i: True)  # the notice step
    with session_scope(sqlite_url) as s:
        score(s, "A00000", "unwilling_able")
        score(s, "A00001", "willing_able")
    monkeypatch.setenv("COLLECTBOT_NOW", at(25, 10))
    code, out, err = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0, err
    with session_scope(sqlite_url) as s:
        tasks = {t.account_id: (t.kind, t.status, t.description) for t in s.execute(select(AgentTask)).scalars()}
        sent = {r.to_number for r in s.execute(select(SmsOutbox)).scalars()}
    assert sent == {phone(0), phone(1), phone(2)}  # the stage plan's SMS still goes out
    assert set(tasks) == {"A00000"}
    kind, status, description = tasks["A00000"]
    assert kind == "campaign_call" and status == "open"
    assert "能还但不愿还" in description and "明确表示拒绝还款 2 次" in description
    assert "坐席致电" in description
    # A rerun does not open it twice.
    code, _, err = run(capsys, sqlite_url, "campaign", "run", "--no-progress")
    assert code == 0, err
    with session_scope(sqlite_url) as s:
        assert len(s.execute(select(AgentTask)).scalars().all()) == 1
