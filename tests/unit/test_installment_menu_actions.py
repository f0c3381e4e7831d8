"""The instalment offer as a menu, through the real actions and a SQLite
account database (issue 14): the options carry their figures, the offered
terms are kept, and a reply picks only a plan that was offered."""
from __future__ import annotations

import asyncio
import json

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.arrangements import ActionAskInstallmentMonths, ValidateInstallmentForm
from bot.db.importer import import_accounts_csv
from bot.db.session import session_scope
from tests.unit.actions_support import DOMAIN, REPO, make_tracker, slot_events

PHONE = "+8613900000001"  # E2E-1: 12,000.00 owed
VERIFIED = {"verified": True, "auth_state": "verified", "account_id": "E2E-1"}


@pytest.fixture
def accounts(db_url, pinned_now, today):
    with session_scope() as s:
        result = import_accounts_csv(s, REPO / "tests/fixtures/e2e_accounts.csv", today=today)
    assert not result.rejected
    return db_url


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def offer():
    events, messages = run(ActionAskInstallmentMonths(), make_tracker(PHONE, slots=VERIFIED, intent="request_installment"))
    return slot_events(events), messages


def answer(text, slots, channel, intent="inform_income", entities=None):
    tracker = make_tracker(
        PHONE, slots={**VERIFIED, **slots, "installment_months": text}, text=text, intent=intent,
        entities=entities, active_loop="installment_form",
        events=[{"event": "user", "text": text, "input_channel": channel},
                {"event": "slot", "name": "installment_months", "value": text}],
    )
    events, messages = run(ValidateInstallmentForm(), tracker)
    return slot_events(events).get("installment_months"), [m.get("text") or "" for m in messages]


def test_the_offer_is_one_option_per_plan_with_its_figures_and_is_remembered(accounts):
    slots, (message,) = offer()
    assert "12,000.00元" in message["text"]
    # The figures are on the options, not a wall of lines in the text.
    assert "1,072.00元" not in message["text"]
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [
        "3期：每期4,072.00元，手续费216.00元，合计12,216.00元",
        "6期：每期2,072.00元，手续费432.00元，合计12,432.00元",
        "12期：每期1,072.00元，手续费864.00元，合计12,864.00元",
        "24期：每期572.00元，手续费1,728.00元，合计13,728.00元",
    ]
    assert all(b["card"]["figures"] for b in message["buttons"])
    assert json.loads(slots["installment_offer"]) == [3, 6, 12, 24]


@pytest.mark.parametrize("reply", ["3", "３", "第3个"])
def test_a_number_over_sms_picks_the_option_in_that_place(accounts, reply):
    slots, _ = offer()
    months, said = answer(reply, slots, "twilio_sms")
    assert months == "12" and said == []


def test_a_number_in_the_web_chat_is_a_term_not_a_place(accounts):
    slots, _ = offer()
    months, _ = answer("3", slots, "webchat")
    assert months == "3"


def test_a_tap_names_its_plan_and_a_forged_payload_cannot_name_one_not_offered(accounts):
    slots, _ = offer()
    tapped, _ = answer("12期", slots, "webchat", intent="request_installment")
    assert tapped == "12"
    # Only the shorter plans were offered (a segment's order, say): 24 was not on the screen.
    narrowed = {**slots, "installment_offer": "[6, 3]"}
    months, said = answer("24期", narrowed, "webchat", intent="request_installment")
    assert months is None
    assert said == ["抱歉，这不是为您列出的方案之一，请从以下方案中选择：6期、3期。"]
    # A number beyond the list over SMS is no pick: read as a term, and 4 is none.
    months, said = answer("4", narrowed, "twilio_sms")
    assert months is None and said
