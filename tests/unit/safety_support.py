"""What the safety-net rounds share: their {kind: [texts]} tables as
parametrised cases, the check that a text is caught as a crisis, and a
message run through KeywordIntentOverride after a classifier ranking."""
from __future__ import annotations

from typing import Dict, List, Optional

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.safety import CERTAIN, OPT_OUT_TOO, POSSIBLE, assess_crisis, is_stop_request, verdict
from bot.nlu.keyword_override import KeywordIntentOverride
from bot.nlu.risk_detector import FLAGGED, RISK_KEY


def parametrize_by_kind(table: Dict[str, List[str]]):
    """One case a text, with its kind first, so that a failing case's id
    names the kind of wording it stands for."""
    return pytest.mark.parametrize("kind,text", [(kind, text) for kind, texts in table.items() for text in texts])


def assert_caught_as_crisis(kind: str, text: str) -> None:
    found = verdict(text)
    assert found is not None and found.intent == "crisis", (kind, text, found)


def assert_checks_in_at_least(kind: str, text: str) -> None:
    """An ambiguous sign: the net must at least ask (tier possible), or more."""
    found = assess_crisis(text)
    assert found is not None and found.tier in (POSSIBLE, CERTAIN), (kind, text, found)


def assert_no_crisis(text: str) -> None:
    found = assess_crisis(text)
    assert found is None, (text, found)


def overridden(text: str, ranking: List[dict], config: Optional[dict] = None,
               risk: Optional[Dict[str, float]] = None) -> Message:
    """``text`` as the classifier ranked it (best first), after the override;
    ``risk``: the safety risk detector's probabilities (flagged at >= 0.70)."""
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    if risk is not None:
        flagged = [intent for intent, p in risk.items() if p >= 0.70]
        message.set(RISK_KEY, {**risk, FLAGGED: flagged}, add_to_output=True)
    KeywordIntentOverride(config).process([message])
    return message


def _stops_contact(text: str) -> None:
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact", (text, found)


def round_tests(crisis_by_kind: Optional[Dict[str, List[str]]] = None,
                possible_by_kind: Optional[Dict[str, List[str]]] = None,
                look_alikes: Optional[List[str]] = None,
                crisis_over_opt_out: Optional[List[str]] = None,
                opt_outs: Optional[List[str]] = None,
                not_opt_outs: Optional[List[str]] = None) -> tuple:
    """The parametrised tests every safety round runs over its tables, for a
    module to bind to names starting with ``test_`` so that pytest collects
    them. Returns one test for each table given, in the order of the
    parameters above; each call builds new functions, so two modules never
    share a test object."""
    tests = []

    if crisis_by_kind is not None:
        @parametrize_by_kind(crisis_by_kind)
        def test_crisis_is_caught(kind, text):
            assert_caught_as_crisis(kind, text)
        tests.append(test_crisis_is_caught)

    if possible_by_kind is not None:
        @parametrize_by_kind(possible_by_kind)
        def test_ambiguous_signs_check_in(kind, text):
            assert_checks_in_at_least(kind, text)
        tests.append(test_ambiguous_signs_check_in)

    if look_alikes is not None:
        @pytest.mark.parametrize("text", look_alikes)
        def test_look_alikes_are_no_crisis(text):
            assert_no_crisis(text)
        tests.append(test_look_alikes_are_no_crisis)

    if crisis_over_opt_out is not None:
        # A message that asks to stop contact and shows a crisis is a crisis,
        # and carries the opt-out the net heard for action_handle_crisis to
        # record.
        @pytest.mark.parametrize("text", crisis_over_opt_out)
        def test_crisis_wins_over_an_opt_out(text):
            assert_caught_as_crisis("crisis_over_opt_out", text)
            assert (OPT_OUT_TOO in verdict(text).rules) == is_stop_request(text), text
        tests.append(test_crisis_wins_over_an_opt_out)

    if opt_outs is not None:
        @pytest.mark.parametrize("text", opt_outs)
        def test_opt_outs_stop_contact(text):
            _stops_contact(text)
        tests.append(test_opt_outs_stop_contact)

    if not_opt_outs is not None:
        @pytest.mark.parametrize("text", not_opt_outs)
        def test_look_alikes_of_an_opt_out_are_none(text):
            found = verdict(text)
            assert found is None or found.intent != "stop_contact", (text, found)
        tests.append(test_look_alikes_of_an_opt_out_are_none)

    return tuple(tests)
