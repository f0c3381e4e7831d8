"""A crisis never waits (issue 14): out of staffed hours, opening a crisis
hand-over pages the on-call supervisor by SMS through the one sender (the
local outbox here), past the cardholders' quiet hours, with nothing about
the cardholder or the debt; in hours, or for any other reason, no page; with
no number configured, nobody is paged and the event is logged as an error."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.core.clock import SHANGHAI
from bot.db import sms as sms_db
from bot.db.models import ContactLog
from bot.db.session import session_scope
from bot.services import escalation, paging

ONCALL = "+8613811112222"
NIGHT = "2026-11-25T23:00:00+08:00"


@pytest.fixture
def accounts(db_url, today):
    from pathlib import Path

    from bot.db.importer import import_accounts_csv

    with session_scope() as s:
        import_accounts_csv(s, Path(__file__).parents[1] / "fixtures" / "e2e_accounts.csv", today=today)


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch):
    from bot.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    yield
    get_settings.cache_clear()


def crisis(cid="+8613900000001", account="E2E-1", reason="crisis"):
    return escalation.Handover(conversation_id=cid, account_id=account, channel="twilio_sms", reason=reason,
                               summary="危机（自伤风险）：我不想活了，欠12000.00元还不上")


def outbox():
    with session_scope() as s:
        return [(m.to_number, m.body) for m in sms_db.list_outbox(s)]


def test_a_crisis_at_night_pages_the_on_call_number_at_once(accounts, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    opened = escalation.open_escalation(crisis())
    sent = outbox()
    assert sent == [(ONCALL, f"【星河银行】P0危机转接：一位客户23:00表达了自伤风险，现为非值班时间，请立即登录坐席台处理（转接编号{opened.escalation_id}）。")]
    body = sent[0][1]
    for detail in ("李明华", "8613900000001", "12000", "E2E-1", "不想活"):
        assert detail not in body  # a page to staff, not the cardholder's story
    with session_scope() as s:
        logged = s.execute(select(ContactLog).where(ContactLog.conversation_id == ONCALL)).scalars().all()
        assert [(r.direction, r.account_id, r.status) for r in logged] == [("out", None, "outbox")]
    # The same crisis again (still open) pages nobody twice.
    escalation.open_escalation(crisis())
    assert len(outbox()) == 1


def test_in_staffed_hours_the_console_is_the_page(accounts, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T10:00:00+08:00")
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    escalation.open_escalation(crisis())
    assert outbox() == []


def test_only_a_crisis_pages(accounts, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    escalation.open_escalation(crisis(reason="complaint"))
    assert outbox() == []


def test_without_an_on_call_number_nobody_is_paged_and_it_is_logged(accounts, monkeypatch, caplog):
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)
    monkeypatch.delenv("COLLECTBOT_ONCALL_PHONE", raising=False)
    with caplog.at_level(logging.ERROR, logger="bot.services.paging"):
        opened = escalation.open_escalation(crisis())
    assert opened.created and outbox() == []
    assert "NOBODY PAGED" in caplog.text and "COLLECTBOT_ONCALL_PHONE" in caplog.text


def test_a_malformed_number_pages_nobody_loudly(db_url, monkeypatch, caplog):
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", "13811112222")
    with caplog.at_level(logging.ERROR, logger="bot.services.paging"):
        result = paging.page_crisis(7, "crisis", now=datetime(2026, 11, 25, 23, 0, tzinfo=SHANGHAI))
    assert result.outcome == paging.NO_NUMBER and "E.164" in caplog.text


class Refusing:
    async def send(self, to, body, *, bypass_opt_out=False):
        raise RuntimeError("Twilio down")


def test_a_failed_page_is_reported_not_raised(db_url, monkeypatch, caplog):
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    with caplog.at_level(logging.ERROR, logger="bot.services.paging"):
        result = paging.page_crisis(7, "crisis", now=datetime(2026, 11, 25, 23, 0, tzinfo=SHANGHAI), sender=Refusing())
    assert result.outcome == paging.FAILED and "paging the on-call" in caplog.text


class Stuck:
    """Twilio hanging: the send finishes only when the test lets it."""

    def __init__(self):
        import threading

        self.release = threading.Event()
        self.sent = []

    async def send(self, to, body, *, bypass_opt_out=False):
        import asyncio

        while not self.release.is_set():
            await asyncio.sleep(0.01)
        self.sent.append((to, body))
        return type("Result", (), {"sent": True, "status": "queued"})()


def test_a_slow_page_does_not_hold_the_cardholders_crisis_reply(db_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    stuck = Stuck()
    result = paging.page_crisis_promptly(7, "crisis", wait=0.05, sender=stuck)
    # The caller went on while the page was still going out ...
    assert result.outcome == paging.SENDING and stuck.sent == []
    # ... and the page still goes out, stamped with when the crisis came in.
    stuck.release.set()
    import threading

    for thread in [t for t in threading.enumerate() if t.name == "page-crisis-7"]:
        thread.join(5)
    assert len(stuck.sent) == 1
    to, body = stuck.sent[0]
    assert to == ONCALL and "23:00" in body and "转接编号7" in body


def test_a_prompt_page_reports_what_happened(db_url, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", NIGHT)
    monkeypatch.setenv("COLLECTBOT_ONCALL_PHONE", ONCALL)
    assert paging.page_crisis_promptly(7, "complaint").outcome == paging.NOT_CRISIS
    assert paging.page_crisis_promptly(7, "crisis", sender=Refusing()).outcome == paging.FAILED
