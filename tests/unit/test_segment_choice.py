"""The bot chooses by segment (issue 13), from the segment-to-treatment
table: willing but unable gets the longest plan and the hardship review
first, never the factual notice; able but unwilling gets the factual notice
in today's order; an unknown segment keeps today's order. What the
cardholder receives is checked: the plan menu's order, the options after
the account's facts, the text."""
from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.account import ActionStateBalance
from bot.actions.arrangements import ActionAskInstallmentMonths
from bot.assessment import offer_choice, treatments
from bot.core import replies
from bot.db.models import AssessmentScore
from bot.db.session import session_scope
from tests.unit.actions_support import DOMAIN, make_tracker, slot_events
from tests.unit.test_installment_menu_actions import PHONE, VERIFIED, accounts  # noqa: F401 (the fixture)

ACCOUNT = VERIFIED["account_id"]


def store_segment(segment: str) -> None:
    with session_scope() as s:
        s.add(AssessmentScore(
            account_id=ACCOUNT, as_of=date(2026, 11, 25), willingness_score=0.5, willingness_band="medium",
            ability_score=0.5, ability_band="medium", segment=segment, keep_probability=0.5, scorer="rules",
            reasons="[]", signals="[]", trigger="test",
        ))


def run(action, intent):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, make_tracker(PHONE, slots=VERIFIED, intent=intent), DOMAIN))
    [message] = dispatcher.messages
    return slot_events(events), message


def plan_menu():
    slots, message = run(ActionAskInstallmentMonths(), "request_installment")
    return json.loads(slots["installment_offer"]), [b["title"][:3] for b in message["buttons"]]


def facts():
    _, message = run(ActionStateBalance(), "ask_balance")
    return message["text"], [b["payload"] for b in message["buttons"]]


TODAY_OPTIONS = [payload for _, payload in replies.FACTS_BUTTONS]


def test_without_an_assessment_the_order_is_todays(accounts):
    assert plan_menu() == ([3, 6, 12, 24], ["3期：", "6期：", "12期", "24期"])
    text, options = facts()
    assert options == TODAY_OPTIONS and replies.CONSEQUENCES not in text


def test_willing_but_unable_gets_the_longest_plan_and_the_hardship_review_first(accounts):
    store_segment("willing_unable")
    offered, titles = plan_menu()
    assert offered == [24, 12, 6, 3] and titles[0] == "24期"
    text, options = facts()
    assert options[0] == "/inform_hardship" and sorted(options) == sorted(TODAY_OPTIONS)
    assert replies.CONSEQUENCES not in text  # never pressure


def test_able_but_unwilling_gets_the_factual_notice_in_todays_order(accounts):
    store_segment("unwilling_able")
    assert plan_menu()[0] == [3, 6, 12, 24]
    text, options = facts()
    assert options == TODAY_OPTIONS
    assert replies.CONSEQUENCES + replies.FACTS_QUESTION in text


def test_unknown_and_willing_and_able_keep_todays_order(accounts):
    for segment in ("unknown", "willing_able"):
        store_segment(segment)
        assert plan_menu()[0] == [3, 6, 12, 24]
        text, options = facts()
        assert options == TODAY_OPTIONS and replies.CONSEQUENCES not in text


def test_the_choice_is_the_configuration(tmp_path, monkeypatch):
    table = treatments.load()
    # The table says willing-and-able is offered instalments: that option first.
    changed = dict(table, willing_able=treatments.Treatment("willing_able", "installment", "standard", "preferred",
                                                            False, ""))
    choice = offer_choice.choice_for("willing_able", changed)
    assert offer_choice.order_options(choice, replies.FACTS_BUTTONS)[0][1] == "/request_installment"
    assert not choice.longest_plan_first and not choice.factual_notice
    # Not a segment: unknown.
    assert offer_choice.choice_for("nonsense", table).segment == "unknown"
    # A firm tone for those who cannot pay is refused when the table is loaded.
    bad = tmp_path / "t.yml"
    bad.write_text((treatments.DEFAULT_FILE.read_text("utf-8"))
                   .replace("  offer: hardship_plan\n  tone: supportive", "  offer: hardship_plan\n  tone: firm"),
                   "utf-8")
    with pytest.raises(treatments.TreatmentConfigError):
        treatments.load(str(bad))
