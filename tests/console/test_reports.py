"""Supervisor reports (console/reports.py) and agent tasks (console/tasks.py)
in the console, run as a real process: supervisors see /reports and the CSV,
agents and trainers get 403; agents work through the open tasks."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from tests.console import support
from tests.console.support import Browser, environ, make_users, running_console

NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
R-1,李明华,+8613700000001,3521,6688,12000.00,1200.00,2026-11-05
R-2,王芳,+8613700000002,8810,4455,3500.00,350.00,2026-08-01
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("reports")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW):
        yield from _running(workdir, db_url)


def _running(workdir, db_url):
    from bot import clock
    from bot.campaign.runner import cycle_of
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.models import AgentTask, CampaignSend, ContactLog, OutboundBlock
    from bot.db.session import session_scope

    upgrade(db_url)
    path = workdir / "accounts.csv"
    path.write_text(ACCOUNTS, encoding="utf-8")
    at = datetime(2026, 11, 25, 9, 0, tzinfo=clock.SHANGHAI)
    with session_scope(db_url) as s:
        assert not import_accounts_csv(s, path, today=TODAY).rejected
        s.add(ContactLog(conversation_id="+8613700000001", account_id="R-1", channel="twilio_sms", direction="out",
                         text="提醒", status="outbox", created_at=at))
        s.add(OutboundBlock(account_id="R-1", phone="+8613700000001", channel="twilio_sms", source="campaign",
                            reason="<script>alert(1)</script>", action="dropped", created_at=at))
        s.add(CampaignSend(account_id="R-2", stage="final_notice", cycle=cycle_of(date(2026, 8, 1)),
                           status="awaiting_approval", channel="twilio_sms", to_number="+8613700000002"))
        for key, kind, status, text in (("t1", "campaign_call", "open", "逾期第三阶段：请致电客户"),
                                        ("t2", "broken_promise", "open", "承诺11月20日还款1000.00元未兑现"),
                                        ("t3", "broken_promise", "done", "已处理")):
            s.add(AgentTask(account_id="R-2", kind=kind, stage="M3", description=text, status=status,
                            idempotency_key=key, created_at=at))
    make_users(db_url)
    with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW, "RASA_URL": "http://127.0.0.1:9",
                                   "RASA_API_TOKEN": "x"}) as url:
        yield {"url": url, "db": db_url}


def signed_in(env, username):
    return support.signed_in(env["url"], username)


def test_supervisor_sees_tables_charts_and_csv(env):
    boss = signed_in(env, "boss")
    page = boss.get("/reports?from=2026-11-24&to=2026-11-25")
    assert page.status == 200
    body = page.body
    assert "催收指标报表" in body and "<svg" in body and "按日汇总" in body and "2026-11-25" in body
    assert 'href="/reports"' in boss.get("/queue").body
    # Values from the database are escaped, never markup.
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "R-2" in body and "批准发送正式通知" in body

    answer = boss.get("/reports.csv?from=2026-11-24&to=2026-11-25")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.body.lstrip("\ufeff"))))
    assert rows[0][0] == "日期" and rows[-1][0] == "合计" and rows[-1][3] == "1"


def test_agent_and_trainer_are_refused(env):
    for username in ("agent1", "trainer1"):
        b = signed_in(env, username)
        assert b.get("/reports").status == 403
        assert b.get("/reports.csv").status == 403


def test_not_signed_in_is_sent_to_login(env):
    b = Browser(env["url"])
    answer = b.get("/reports")
    assert answer.status == 302 and answer.headers["Location"].startswith("/login")
    assert b.get("/reports.csv").status == 401


def test_supervisor_approves_the_final_notice_in_the_console(env):
    agent = signed_in(env, "agent1")
    assert agent.request("POST", "/reports/approve-final", form={"csrf_token": agent.csrf, "account_id": "R-2"}).status == 403
    boss = signed_in(env, "boss")
    # Without the CSRF token: refused.
    assert boss.request("POST", "/reports/approve-final", form={"account_id": "R-2"}).status == 403
    answer = boss.request("POST", "/reports/approve-final", form={"csrf_token": boss.csrf, "account_id": "R-2"})
    assert answer.status == 302 and answer.headers["Location"].startswith("/reports?notice=")
    assert "没有等待审批的正式通知" in boss.get("/reports").body
    from bot.db.models import FinalNoticeApproval
    from bot.db.session import session_scope
    from sqlalchemy import select

    with session_scope(env["db"]) as s:
        assert s.execute(select(FinalNoticeApproval.account_id, FinalNoticeApproval.approved_by)).all() == [("R-2", "boss")]


def test_agents_see_the_open_tasks_and_mark_them_done(env):
    agent = signed_in(env, "agent1")
    tasks = agent.get("/api/tasks").json()["items"]
    assert [(t["kind_label"], t["description"]) for t in tasks] == [
        ("人工联系（逾期第三阶段）", "逾期第三阶段：请致电客户"),
        ("违约承诺跟进", "承诺11月20日还款1000.00元未兑现"),
    ]
    assert agent.post(f"/api/tasks/{tasks[0]['id']}/done").json() == {"id": tasks[0]["id"], "status": "done"}
    again = agent.post(f"/api/tasks/{tasks[0]['id']}/done")
    assert again.status == 409 and "已处理" in again.json()["error"]
    assert [t["id"] for t in agent.get("/api/tasks").json()["items"]] == [tasks[1]["id"]]
    assert agent.post("/api/tasks/999999/done").status == 404

    from sqlalchemy import select

    from bot.db.session import session_scope
    from console.models import AuditLog

    with session_scope(env["db"]) as s:
        logged = s.execute(select(AuditLog.action, AuditLog.account_id).where(AuditLog.action == "task_done")).all()
    assert logged == [("task_done", "R-2")]


def test_trainers_do_not_see_tasks(env):
    assert signed_in(env, "trainer1").get("/api/tasks").status == 403
