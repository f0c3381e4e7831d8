"""The hot-path fix the benchmark recommends, applied to the Rasa server of
the `patched` variant only (nothing in bot/ is changed).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result,
schema)`. jsonschema 4.17 (the newest Rasa 3.6 allows) re-validates the
*schema* against the draft 2020-12 meta-schema on every call
(`check_schema`), which costs ~100-250 ms of the Rasa server's event loop per
action call on this machine; a form turn makes two or three such calls.
Building the validator once and reusing it gives the same verdicts (the
schema is a constant) for ~5 ms.

The bench loads this module into the Rasa server through the event broker
entry of its endpoints file (`bench_patches.PatchedContactLogBroker`, which
is the product's ContactLogBroker unchanged), with bench/patches on
PYTHONPATH. In the product the same `install()` would be called from a
module the Rasa server always imports (e.g. bot/nlu/__init__.py).
"""
from __future__ import annotations

from typing import Any, Dict, Text


def _product_broker() -> type:
    """The event broker endpoints.yml configures (the product's ContactLogBroker)."""
    import importlib
    from pathlib import Path

    import yaml

    repo = Path(__file__).resolve().parents[2]
    kind = (yaml.safe_load((repo / "endpoints.yml").read_text("utf-8")).get("event_broker") or {}).get("type")
    module, _, name = (kind or "bot.rasa_server.contact_log.ContactLogBroker").rpartition(".")
    return getattr(importlib.import_module(module), name)


ContactLogBroker = _product_broker()


def install() -> None:
    import jsonschema
    from rasa.core.actions import action as rasa_action
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(rasa_action.RemoteAction, "_bench_patched", False):
        return
    schema = rasa_action.RemoteAction.action_response_format_spec()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)  # once, instead of on every response
    validator = validator_cls(schema)

    def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except jsonschema.ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    rasa_action.RemoteAction._validate_action_result = _validate_action_result
    rasa_action.RemoteAction._bench_patched = True


install()


class PatchedContactLogBroker(ContactLogBroker):
    """The product's broker; importing this module installed the fix."""
