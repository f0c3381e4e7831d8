"""Stated income and expenses, apart from the budget (issue 13): a turn of
the conversation records each as evidence, the assessment's ability reasons
name them, and a salary is never put to the cardholder as the monthly
payment. Real SQLite database, the bot's own action."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.actions.assessment import ActionHandleIncome
from bot.core import replies
from bot.db import assessments, repository
from bot.db.session import session_scope
from tests.unit.actions_support import make_tracker, run_action, slot_events
from tests.unit.test_booking_services import ACCOUNT, CID, VERIFIED, fresh_database


@pytest.fixture(autouse=True)
def _no_saved_model(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTBOT_ASSESSMENT_MODEL", str(tmp_path / "none.pkl"))


@pytest.fixture
def url(tmp_path, monkeypatch, pinned_now, today):
    return fresh_database(tmp_path, monkeypatch, today, "means")


def say(text):
    """One cardholder turn with its amounts marked as the NLU marks them."""
    entities = []
    for value in ("4500", "3000", "1000"):
        start = text.find(value)
        if start >= 0:
            entities.append({"entity": "amount", "value": value, "start": start, "end": start + len(value)})
    return run_action(ActionHandleIncome(), make_tracker(CID, slots=VERIFIED, text=text, intent="inform_income",
                                                         entities=entities))


def ability_texts():
    with session_scope() as s:
        view = assessments.latest(s, ACCOUNT)
    return view, [r["text"] for r in view.reasons if r["dimension"] == "ability"]


def test_stated_income_and_expenses_are_evidence_and_no_plan_is_built_on_the_salary(url, today):
    events, texts = say("我一个月工资4500，房租加生活费要3000")
    (text,) = texts
    # Read back and the budget asked: no plan at 4,500 a month.
    assert text == "好的，已记下您的月收入约4,500.00元、每月开销约3,000.00元。" + replies.INCOME_ASK
    assert slot_events(events) == {"suggested_plan": "none", "hardship_offer": None}

    view, ability = ability_texts()
    assert view.trigger == "statement:income+expenses"
    assert assessments.trigger_label(view.trigger) == "客户表述：月收入、每月开销"
    # Balance against the stated income, and what is left after the expenses
    # against the lowest plan payment the policy allows.
    assert "欠款 12,000.00 元，约为自述月收入 4,500.00 元的 2.7 倍" in ability, ability
    assert any(t.startswith("自述月收入 4,500.00 元、每月开销 3,000.00 元，每月结余 1,500.00 元，不低于最低分期月供")
               for t in ability), ability
    with session_scope() as s:
        labels = repository.account_snapshot(s, ACCOUNT, today)["assessment_history"]
    assert labels[-1]["monthly_affordable"] is None  # the salary is not the budget


def test_a_later_budget_is_what_can_be_paid_and_the_income_stays(url):
    say("我一个月工资4500")
    _, texts = say("每个月最多还1000")
    assert "1,000.00" in texts[0] and "4,500.00" not in texts[0]
    view, ability = ability_texts()
    assert view.trigger == "statement:budget"
    assert any("自述每月可还 1,000.00 元" in t for t in ability), ability
    assert any("自述月收入 4,500.00 元" in t for t in ability), ability


def test_expenses_above_income_leave_nothing(url):
    say("我一个月工资3000，房租加生活费要4500")
    _, ability = ability_texts()
    assert any(t.endswith("每月结余 0.00 元，无力还款") for t in ability), ability


def test_the_note_of_a_label_row_that_is_not_ours_is_not_a_statement(url, today):
    with session_scope() as s:
        repository.record_assessment(s, account_id=ACCOUNT, conversation_id=CID, note="客户说下月发工资")
        ev = assessments.load_evidence(s, ACCOUNT, today)
    assert ev.statements == ()
    with session_scope() as s:
        assessments.record_stated_means(s, account_id=ACCOUNT, conversation_id=CID, income=Decimal("4500"))
        ev = assessments.load_evidence(s, ACCOUNT, today)
    assert [(st.kind, st.amount) for st in ev.statements] == [("income", Decimal("4500.00"))]


def test_the_console_account_panel_shows_the_stated_income_and_why_it_moved(url, today):
    from console.assessment_view import account_assessment

    say("我一个月工资4500，房租加生活费要3000")
    with session_scope() as s:
        panel = account_assessment(s, ACCOUNT, today)
    ability = [r["text"] for r in panel["reasons"] if r["dimension"] == "ability"]
    assert any("自述月收入 4,500.00 元" in t for t in ability), ability
    assert panel["history"][0]["trigger_label"] == "客户表述：月收入、每月开销"


def test_figures_in_a_hardship_message_are_evidence_not_a_budget(url, today):
    from bot.actions.assessment import ActionHandleHardship

    text = "打零工一个月才800 房租都交不起"
    start = text.index("800")
    events, texts = run_action(ActionHandleHardship(), make_tracker(
        CID, slots=VERIFIED, text=text, intent="inform_hardship",
        entities=[{"entity": "amount", "value": "800", "start": start, "end": start + 3}]))
    assert texts == [replies.HARDSHIP_ASK_BUDGET]  # what can be paid is still asked
    _, ability = ability_texts()
    # 12,000.00 owed is 15 months of it.
    assert "欠款 12,000.00 元，约为自述月收入 800.00 元的 15.0 倍" in ability, ability
    with session_scope() as s:
        labels = repository.account_snapshot(s, ACCOUNT, today)["assessment_history"]
    assert all(row["monthly_affordable"] is None for row in labels)
