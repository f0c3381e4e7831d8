"""The ID digits answer verification however they were written (issue 18):
full-width (３５２１), read out in Chinese (三五二一) or in English
("last 4 is 3521"), the extractor's entity is compared as stored."""
from __future__ import annotations

import pytest

from bot.actions.verification import ValidateVerifyForm
from bot.core.normalize import find_entities
from tests.unit.actions_support import make_tracker, run_action, slot_events
from tests.unit.test_actions import PHONE, accounts  # noqa: F401  (fixture; PHONE is E2E-1, ID digits 3521)


@pytest.mark.parametrize("answer", ["last 4 is 3521", "３５２１", "三五二一", "身份证尾号是3521", "3521，你核对下"])
def test_the_extracted_id_digits_verify_however_they_were_written(accounts, answer):
    entities = [{"entity": s.entity, "value": s.value, "start": s.start, "end": s.end}
                for s in find_entities(answer)]
    assert [e["entity"] for e in entities] == ["id_last4"]
    digits = entities[0]["value"]
    tracker = make_tracker(
        PHONE, slots={"right_party": True, "requested_slot": "id_last4", "id_last4": digits}, text=answer,
        intent="inform_identity", entities=entities, active_loop="verify_form",
        events=[{"event": "slot", "name": "id_last4", "value": digits}],
    )
    slots = slot_events(run_action(ValidateVerifyForm(), tracker)[0])
    assert (slots["verified"], slots["account_id"]) == (True, "E2E-1")
