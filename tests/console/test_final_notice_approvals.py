"""The campaign's final notices on the supervisors' approvals page (issue 12),
through the console as a real process: the held notices are listed with the
account's figures; approving goes through the campaign's own
``approve_final_notice`` (the next run sends it), rejecting needs a reason
and drops the held step so the campaign does not send it this cycle;
agents cannot decide; every decision has its audit row."""
from __future__ import annotations

import json
from datetime import date

import pytest

from tests.console import support
from tests.console.support import environ, make_users, running_console

NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
F-1,李明华,+8613700000021,3521,6688,12000.00,1200.00,2026-08-01
F-2,王芳,+8613700000022,8810,4455,3500.00,350.00,2026-08-10
F-3,赵强,+8613700000023,1234,1111,800.00,80.00,2026-11-05
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("final-notices")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW):
        from bot.campaign.runner import cycle_of
        from bot.db.importer import import_accounts_csv
        from bot.db.migrate import upgrade
        from bot.db.models import CampaignSend
        from bot.db.session import session_scope

        upgrade(db_url)
        path = workdir / "accounts.csv"
        path.write_text(ACCOUNTS, encoding="utf-8")
        with session_scope(db_url) as s:
            assert not import_accounts_csv(s, path, today=TODAY).rejected
            for account_id, due in (("F-1", date(2026, 8, 1)), ("F-2", date(2026, 8, 10))):
                s.add(CampaignSend(account_id=account_id, stage="final_notice", cycle=cycle_of(due),
                                   status="awaiting_approval", channel="twilio_sms", to_number="+86137000000" + account_id[-1]))
        make_users(db_url)
        with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW,
                                       "RASA_URL": "http://127.0.0.1:9", "RASA_API_TOKEN": "x"}) as url:
            yield {"url": url, "db": db_url}


def held(env):
    from bot.db.models import CampaignSend
    from bot.db.session import session_scope
    from sqlalchemy import select

    with session_scope(env["db"]) as s:
        return {r.account_id: (r.status, r.reason, json.loads(r.detail) if r.detail else None)
                for r in s.execute(select(CampaignSend)).scalars()}


def audit(env, action):
    from bot.db.session import session_scope
    from console import store

    with session_scope(env["db"]) as s:
        return [e for e in store.audit_entries(s) if e["action"] == action]


def test_held_notices_are_listed_with_the_accounts_figures(env):
    boss = support.signed_in(env["url"], "boss")
    items = boss.get("/api/approvals/final-notices").json()["items"]
    assert [i["account_id"] for i in items] == ["F-1", "F-2"]
    first = items[0]
    assert first["cardholder"] == "李*华" and first["balance"] == "12000.00"
    assert first["days_past_due"] == (TODAY - date(2026, 8, 1)).days and first["stage"] == "M3+"
    page = boss.get("/approvals")
    assert page.status == 200 and "正式通知审批" in page.body
    for who in ("agent1", "trainer1"):
        b = support.signed_in(env["url"], who)
        assert b.get("/api/approvals/final-notices").status == 403
        assert b.post("/api/final-notices/approve", {"account_id": "F-1"}).status == 403
        assert b.post("/api/final-notices/reject", {"account_id": "F-1", "reason": "x"}).status == 403


def test_approve_goes_through_the_campaigns_approval(env):
    from bot.campaign.runner import cycle_of
    from bot.db import campaign as campaign_db
    from bot.db.session import session_scope

    boss = support.signed_in(env["url"], "boss")
    answer = boss.post("/api/final-notices/approve", {"account_id": "F-1"})
    assert answer.status == 200, answer.body
    assert answer.json()["created"] is True
    assert [i["account_id"] for i in boss.get("/api/approvals/final-notices").json()["items"]] == ["F-2"]
    # The campaign's approval row, which its next run reads to send the notice.
    with session_scope(env["db"]) as s:
        assert ("F-1", cycle_of(date(2026, 8, 1))) in campaign_db.final_notice_approvals(s)
    assert [e["account_id"] for e in audit(env, "approve_final_notice")] == ["F-1"]
    # Approved: no rejection afterwards.
    late = boss.post("/api/final-notices/reject", {"account_id": "F-1", "reason": "改主意了"})
    assert late.status == 409 and "已获批准" in late.json()["error"]
    # Not yet at the final-notice stage: the campaign's rule refuses.
    early = boss.post("/api/final-notices/approve", {"account_id": "F-3"})
    assert early.status == 409 and "未到正式通知阶段" in early.json()["error"]


def test_reject_needs_a_reason_and_drops_the_held_notice(env):
    from bot.db.final_notices import REJECTED

    boss = support.signed_in(env["url"], "boss")
    empty = boss.post("/api/final-notices/reject", {"account_id": "F-2", "reason": "  "})
    assert empty.status == 409 and "原因" in empty.json()["error"]
    assert held(env)["F-2"][0] == "awaiting_approval"
    answer = boss.post("/api/final-notices/reject", {"account_id": "F-2", "reason": "客户已申请困难方案，暂缓正式通知"})
    assert answer.status == 200, answer.body
    status, reason, detail = held(env)["F-2"]
    assert status == "dropped" and reason == REJECTED
    assert detail == {"rejected_by": "boss", "reason": "客户已申请困难方案，暂缓正式通知"}
    assert boss.get("/api/approvals/final-notices").json()["items"] == []
    entry = audit(env, "reject_final_notice")
    assert len(entry) == 1 and entry[0]["account_id"] == "F-2"
    again = boss.post("/api/final-notices/reject", {"account_id": "F-2", "reason": "再驳回"})
    assert again.status == 409 and "没有等待审批" in again.json()["error"]
