"""Two hot-path fixes for the Rasa 3.6 server, measured by `make bench`.

Both keep Rasa's behaviour and only remove repeated work; both are installed
when the Rasa server imports the project's NLU components (bot/nlu/__init__.py),
so `rasa run`, `rasa shell` and `rasa test` all get them. bench/history.md
records what each one saved.

1. Action response check. Rasa checks every action-server answer with
   ``jsonschema.validate(result, schema)``. jsonschema 4.17 (the newest Rasa
   3.6 allows) re-validates the *schema* against its meta-schema on every
   call: ~100 ms of the server's single event loop per action call on this
   machine, and a form turn makes two or three calls. The schema is a
   constant, so it is checked once and the validator reused: the same
   verdict and the same (best-match) error.

2. Event class lookup. ``Event.resolve_by_type`` walks every Event subclass
   for each event it deserialises, and the SQL tracker store deserialises
   the whole conversation on every load (twice with an event broker). A dict
   built from the same walk answers in O(1); a miss falls back to the walk,
   so event classes defined later are still found.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _install_action_response_check()
    _install_event_lookup()
    _installed = True


def _install_action_response_check() -> None:
    import jsonschema
    from jsonschema import exceptions as jsonschema_exceptions
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        error = jsonschema_exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        # Same message as Rasa's own check, so logs read the same.
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]


def _install_event_lookup() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    by_name: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        cls = by_name.get(type_name)
        if cls is not None:
            return cls
        cls = original(type_name, default)
        # Only real matches are cached: a default or "topic" stays a miss.
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            by_name[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]
