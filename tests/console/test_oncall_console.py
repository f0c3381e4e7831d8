"""The console's side of paging (issue 14): a crisis item shows the page the
on-call supervisor got (read from the sender's record), every waiting item
is in ``alerts`` whatever the view (the desktop notification and sound), and
without an on-call number the queue carries a loud warning. Real console
process, real SQLite database, fake Rasa."""
from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.clock import SHANGHAI
from tests.console.support import environ, make_users, running_console
from tests.console.test_console_api import ACCOUNTS, TODAY, browser, hand_over
from tests.fakes.fake_rasa import FakeRasa

NIGHT = "2026-11-25T23:00:00+08:00"
ONCALL = "+8613811112222"


def start(tmp_path_factory, name):
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    workdir = tmp_path_factory.mktemp(name)
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    upgrade(db_url)
    csv = workdir / "accounts.csv"
    csv.write_text(ACCOUNTS, encoding="utf-8")
    with session_scope(db_url) as s:
        assert not import_accounts_csv(s, csv, today=TODAY).rejected
    make_users(db_url)
    return workdir, db_url


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir, db_url = start(tmp_path_factory, "console-oncall")
    fake = FakeRasa().start()
    try:
        with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NIGHT):
            with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NIGHT, "RASA_URL": fake.url,
                                           "RASA_API_TOKEN": fake.token, "COLLECTBOT_ONCALL_PHONE": ONCALL}) as url:
                yield {"url": url, "db": db_url, "fake": fake}
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def _database(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", env["db"])
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)


def test_a_crisis_item_shows_the_page_and_every_view_gets_the_alert(env, monkeypatch):
    from bot.services import paging

    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    crisis_id = hand_over(env, "oncall-crisis", "C-1", reason="crisis", priority=0)
    hand_over(env, "oncall-other", "C-2")
    result = paging.page_crisis(crisis_id, "crisis", now=datetime(2026, 11, 25, 23, 0, tzinfo=SHANGHAI), url=env["db"])
    assert result.outcome == paging.PAGED
    agent = browser(env, "agent1")
    everything = agent.get("/api/queue?view=all").json()
    items = {i["conversation_id"]: i for i in everything["items"]}
    assert items["oncall-crisis"]["oncall_page"]["status"] == "outbox"
    assert items["oncall-crisis"]["sla_from"] == "message"  # the P0 clock runs from the message, at night too
    assert items["oncall-other"]["oncall_page"] is None
    assert everything["oncall_warning"] is None
    mine = agent.get("/api/queue?view=mine").json()
    assert mine["items"] == []
    assert {a["conversation_id"]: a["crisis"] for a in mine["alerts"]} == {"oncall-crisis": True, "oncall-other": False}
    assert agent.claim("oncall-other").status == 200
    assert [a["conversation_id"] for a in agent.get("/api/queue?view=mine").json()["alerts"]] == ["oncall-crisis"]


def test_without_an_on_call_number_the_queue_warns(tmp_path_factory):
    workdir, db_url = start(tmp_path_factory, "console-no-oncall")
    fake = FakeRasa().start()
    try:
        with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NIGHT, "RASA_URL": fake.url,
                                       "RASA_API_TOKEN": fake.token}) as url:
            agent = browser({"url": url}, "agent1")
            warning = agent.get("/api/queue").json()["oncall_warning"]
    finally:
        fake.stop()
    assert "未配置值班主管手机号" in warning and "COLLECTBOT_ONCALL_PHONE" in warning
