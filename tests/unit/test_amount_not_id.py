"""Four digits put forward as a sum (issue 18, real writing): "1288 行不行",
"每月1288可以吗" offer an amount, not the ID card's last four characters,
unless the bot has just asked for them or a word names the ID."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.actions.verification import ValidateVerifyForm
from bot.core.normalize import find_entities, parse_amount
from tests.unit.actions_support import make_tracker, run_action, slot_events
from tests.unit.test_actions import accounts  # noqa: F401  (the action tests' fixture: the E2E accounts)

PHONE = "+8613900000001"  # E2E-1, ID digits 3521



def found(text):
    return [(s.entity, s.value) for s in find_entities(text)]


@pytest.mark.parametrize(
    "text",
    [
        # asked whether the sum will do
        "1288 行不行", "1288行不行", "1288可以吗", "1288 够不够", "1288 OK吗", "1288 ok吗", "1288行吗",
        "1288行不", "先还1288行不行",
        # paid per month
        "每月1288可以吗", "每个月1288行吗", "每月是1288", "月供是1288", "每期1288", "1288 per month",
    ],
)
def test_a_sum_put_forward_is_an_amount_not_id_digits(text):
    assert found(text) == [("amount", "1288")]
    assert parse_amount("1288") == Decimal("1288.00")


@pytest.mark.parametrize(
    "text, digits",
    [
        ("1288", "1288"),  # nothing but the digits
        ("尾号1288 行不行", "1288"),  # a word naming the ID outweighs the question
        ("身份证后四位1288可以吗", "1288"),
        ("5321 这下可以了吧", "5321"),  # "that should do", not "will this sum do"
        ("1966 可以了吗", "1966"),
        ("6603 对了吗", "6603"),
    ],
)
def test_id_digits_stay_id_digits(text, digits):
    assert found(text) == [("id_last4", digits)]


@pytest.mark.parametrize("answer", ["3521 行不行", "3521可以吗", "每月3521可以吗"])
def test_while_the_id_is_asked_for_four_digits_are_the_answer(accounts, answer):
    entities = [{"entity": s.entity, "value": s.value, "start": s.start, "end": s.end}
                for s in find_entities(answer)]
    assert [e["entity"] for e in entities] == ["amount"]  # what the extractor says
    tracker = make_tracker(
        PHONE, slots={"right_party": True, "requested_slot": "id_last4"}, text=answer,
        intent="inform_identity", entities=entities, active_loop="verify_form",
    )
    slots = slot_events(run_action(ValidateVerifyForm(), tracker)[0])
    assert (slots["id_last4"], slots["verified"], slots["account_id"]) == ("3521", True, "E2E-1")

