"""The speed-ups must give Rasa's own verdicts, only faster."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

import bot.nlu  # noqa: F401  (installs the speed-ups, as in the Rasa server)
from bot import rasa_speedups


def _action() -> RemoteAction:
    return RemoteAction("action_x", None)


def test_installed_by_importing_the_nlu_package():
    assert rasa_speedups._installed
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_speedups"


def test_a_valid_action_response_passes():
    response = {"events": [{"event": "slot", "name": "verified", "value": True}],
                "responses": [{"text": "好的"}]}
    assert _action()._validate_action_result(response) is True


@pytest.mark.parametrize(
    "response",
    [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": [{"text": 5}]},
     {"events": [{"event": "slot"}], "responses": "x"}],
)
def test_an_invalid_action_response_fails_as_in_rasa(response):
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(response, schema)
        expected = None
    except jsonschema.ValidationError as e:
        expected = e
    if expected is None:
        assert _action()._validate_action_result(response) is True
        return
    with pytest.raises(jsonschema.ValidationError) as raised:
        _action()._validate_action_result(response)
    assert raised.value.message.startswith(expected.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_event_lookup_matches_the_walk_over_all_subclasses():
    for cls in all_subclasses(Event):
        first = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is first
        assert Event.resolve_by_type(cls.type_name) is first  # cached answer too


def test_event_lookup_keeps_defaults_and_errors():
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    events = [UserUttered("你好", {"name": "greet", "confidence": 1.0}), ActionExecuted("action_listen")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events
