"""bot.rasa_server.install(): once, only on the pinned Rasa, never with the
off switch, every patch listed with Rasa's original and undoable; the
middleware on Rasa's app whatever channels are configured."""
from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest

import bot.nlu  # noqa: F401  (installs, as the Rasa server does when it loads the model)
from bot import rasa_server
from bot.rasa_server import registry

# Every attribute of Rasa our code replaces (bot/rasa_server/__init__.py).
EXPECTED = {
    "rasa.core.actions.action.RemoteAction._validate_action_result",
    "rasa.shared.core.events.Event.resolve_by_type",
    "rasa.engine.runner.dask.DaskGraphRunner.run",
    "rasa.utils.endpoints.EndpointConfig.session",
    "rasa.core.processor.copy",
    "rasa.core.actions.forms.copy",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier._create_X",
    "rasa.shared.core.domain.Domain.states_for_tracker_history",
    "rasa.shared.core.slots.Slot.__copy__",
    "rasa.core.actions.action.RemoteAction.run",
    "rasa.core.agent.Agent.handle_message",
    "rasa.core.processor.MessageProcessor._update_tracker_session",
}


def _stock():
    """The attributes as stock Rasa has them (owner's own __dict__ entries)."""
    from rasa.core.actions import forms
    from rasa.core import processor
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.utils.endpoints import EndpointConfig

    owners = [(RemoteAction, "_validate_action_result"), (Event, "resolve_by_type"), (DaskGraphRunner, "run"),
              (EndpointConfig, "session"), (processor, "copy"), (forms, "copy"),
              (LogisticRegressionClassifier, "_create_X"), (Domain, "states_for_tracker_history"),
              (Slot, "__copy__"), (RemoteAction, "run"), (Agent, "handle_message"),
              (MessageProcessor, "_update_tracker_session")]
    return {(id(o), n): vars(o).get(n, registry.ABSENT) for o, n in owners}


@pytest.fixture
def fresh(monkeypatch):
    """No patches and no decision yet; afterwards the process as the rest of
    the suite expects it (installed, as importing bot.nlu leaves it)."""
    monkeypatch.delenv(rasa_server.PATCHES_ENV, raising=False)
    rasa_server.reset_for_tests()
    yield
    rasa_server.reset_for_tests()
    monkeypatch.delenv(rasa_server.PATCHES_ENV, raising=False)
    monkeypatch.setattr(rasa_server, "rasa_version", lambda: rasa_server.PINNED_RASA_VERSION)
    rasa_server.install()


def test_importing_the_nlu_package_makes_every_patch_once():
    assert set(registry.targets()) == EXPECTED
    assert len(registry.targets()) == len(EXPECTED)
    assert {p.plugin for p in rasa_server.patched()} == {"speedups", "resilience", "session_window"}


def test_install_is_idempotent():
    before = [(p.target, p.replacement) for p in rasa_server.patched()]
    from rasa.core.actions.action import RemoteAction

    run = RemoteAction.run
    rasa_server.install()
    rasa_server.install()
    assert [(p.target, p.replacement) for p in rasa_server.patched()] == before
    assert RemoteAction.run is run  # not wrapped twice
    # A sub-installer called again does not wrap its own wrapper either.
    from bot.rasa_server import resilience, session_window, speedups

    speedups.install(), resilience.install(), session_window.install()
    assert [(p.target, p.replacement) for p in rasa_server.patched()] == before
    with pytest.raises(RuntimeError, match="patched already"):
        registry.patch(RemoteAction, "run", lambda *a: None, "test")


def test_the_registry_restores_rasas_originals_and_install_patches_again(fresh):
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.slots import Slot

    stock = _stock()
    assert registry.PATCHES == {}
    assert "__copy__" not in vars(Slot)
    rasa_server.install()
    assert set(registry.targets()) == EXPECTED
    assert set(registry.PATCHES) == set(stock)
    for key, patch in registry.PATCHES.items():
        assert patch.original is stock[key]  # what was there, as it was (a staticmethod stays one)
        assert getattr(patch.owner, patch.name) is not stock[key]
    assert RemoteAction.run.__module__ == "bot.rasa_server.resilience"
    assert rasa_server.original(RemoteAction, "run").__module__ == "rasa.core.actions.action"
    undone = rasa_server.restore_all()
    assert {p.target for p in undone} == EXPECTED
    assert _stock() == stock  # every attribute is Rasa's own again
    assert "__copy__" not in vars(Slot)  # one Rasa did not have is gone again
    assert not hasattr(RemoteAction, "dask_run")


def test_another_rasa_version_gets_no_patch_and_a_warning(fresh, monkeypatch, caplog):
    stock = _stock()
    monkeypatch.setattr(rasa_server, "rasa_version", lambda: "3.6.20")
    with caplog.at_level(logging.WARNING, logger="bot.rasa_server"):
        rasa_server.install()
    assert registry.PATCHES == {}
    assert _stock() == stock
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("3.6.20" in r.getMessage() and "3.6.21" in r.getMessage() for r in warnings)
    rasa_server.install()  # decided once: still nothing
    assert registry.PATCHES == {}


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false"])
def test_the_off_switch_runs_stock_rasa(fresh, monkeypatch, caplog, value):
    stock = _stock()
    monkeypatch.setenv(rasa_server.PATCHES_ENV, value)
    with caplog.at_level(logging.WARNING, logger="bot.rasa_server"):
        rasa_server.install()
    assert registry.PATCHES == {}
    assert _stock() == stock
    assert any(rasa_server.PATCHES_ENV in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_an_unknown_switch_value_stops_the_start(fresh, monkeypatch):
    monkeypatch.setenv(rasa_server.PATCHES_ENV, "fast")
    with pytest.raises(ValueError, match=rasa_server.PATCHES_ENV):
        rasa_server.install()
    assert registry.PATCHES == {}


def test_a_failing_patch_leaves_rasa_unpatched(fresh, monkeypatch):
    from bot.rasa_server import session_window

    stock = _stock()

    def broken():
        raise AttributeError("no such attribute in this Rasa")

    with monkeypatch.context() as m:
        m.setattr(session_window, "install", broken)
        with pytest.raises(AttributeError):
            rasa_server.install()
    assert registry.PATCHES == {}
    assert _stock() == stock


# -- the middleware on Rasa's app, whatever channels credentials.yml lists --------


def _rest_request(body: dict):
    raw = json.dumps(body).encode()
    return SimpleNamespace(method="POST", path="/webhooks/rest/webhook", body=raw,
                           headers={"content-type": "application/json", "content-length": str(len(raw))})


@pytest.mark.parametrize("patches", ["on", "off"])
def test_rasas_app_gets_the_input_limits_without_any_channel_of_ours(fresh, monkeypatch, patches):
    from rasa.core.channels.rest import RestInput
    from rasa.core.run import configure_app
    from sanic import Sanic

    monkeypatch.setenv(rasa_server.PATCHES_ENV, patches)
    monkeypatch.setattr(Sanic, "test_mode", True)
    # As `rasa run --credentials` with only Rasa's own REST channel listed.
    app = configure_app([RestInput()], enable_api=False)
    try:
        assert app.name in rasa_server.RASA_APP_NAMES
        before = list(app.request_middleware)
        rasa_server.install()  # what loading the model does (bot/nlu/__init__.py)
        rasa_server.install()
        added = [m for m in app.request_middleware if m not in before]
        assert {m.__name__ for m in added} == {"start_timer", "limit_input", "reset_failure"} - (
            set() if _metrics_on() else {"start_timer"})

        limit_input = next(m for m in added if m.__name__ == "limit_input")
        request = _rest_request({"sender": "someone", "message": "我要查询欠款",
                                 "metadata": {"collectbot_identity": {"account_id": "E2E-1"}, "app": "x"}})
        assert asyncio.run(limit_input(request)) is None
        # What Rasa's REST channel reads as request.json: no identity claim.
        assert request.parsed_json["metadata"] == {"app": "x"}
        refused = asyncio.run(limit_input(_rest_request({"message": "no sender"})))
        assert refused.status == 400
    finally:
        Sanic._app_registry.pop(app.name, None)


def _metrics_on() -> bool:
    from bot.observability import metrics

    return metrics.enabled()


def test_no_app_no_middleware(fresh):
    """rasa test / rasa train: patches only, nothing else to find."""
    assert rasa_server.rasa_app() is None or rasa_server.rasa_app().name in rasa_server.RASA_APP_NAMES
    rasa_server.install()
    assert set(registry.targets()) == EXPECTED
