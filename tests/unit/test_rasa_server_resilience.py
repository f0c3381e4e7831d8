"""bot/rasa_server/resilience.py: a failed action call answers with the holding reply."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import bot.nlu  # noqa: F401  (installs the patch, as in the Rasa server)
from bot.rasa_server import resilience as rasa_resilience
from bot.core import replies
from bot.core.compliance import find_forbidden

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_turns() -> Iterator[None]:
    rasa_resilience._reset_for_tests()
    yield
    rasa_resilience._reset_for_tests()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def closed_port_endpoint() -> EndpointConfig:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The socket is closed again: nothing listens there.
    return EndpointConfig(f"http://127.0.0.1:{port}/webhook")


class _Server:
    def __init__(self, status: int, body: dict, delay: float = 0.0) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(outer.delay)
                raw = json.dumps(outer.body).encode()
                try:
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass

            def log_message(self, *args) -> None:
                pass

        self.status, self.body, self.delay = status, body, delay
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EndpointConfig:
        self.thread.start()
        return EndpointConfig(f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook")

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def user_tracker(sender: str = "+8613900000001", text: str = "你好") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": "greet", "confidence": 1.0}, message_id="m-1"),
    ])


def run(action, tracker, domain) -> List:
    return asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                  tracker, domain))


def texts(events) -> List[str]:
    return [e.text for e in events if isinstance(e, BotUttered)]


def test_installed_by_importing_the_nlu_package():
    from bot.rasa_server import patched

    assert {p.target for p in patched() if p.plugin == rasa_resilience.PLUGIN} == {
        "rasa.core.actions.action.RemoteAction.run", "rasa.core.agent.Agent.handle_message"}
    assert RemoteAction.run.__module__ == "bot.rasa_server.resilience"


def test_the_holding_reply_is_polite_and_compliant():
    assert not find_forbidden(replies.SYSTEM_BUSY)


def test_a_closed_port_gives_the_holding_reply_and_ends_the_turn(domain):
    started = time.monotonic()
    events = run(RemoteAction("action_state_balance", closed_port_endpoint()), user_tracker(), domain)
    assert time.monotonic() - started < 5
    assert texts(events) == [replies.SYSTEM_BUSY]
    assert events[-1] == FollowupAction(ACTION_LISTEN_NAME)
    assert not any(isinstance(e, (SlotSet, ActionExecutionRejected)) for e in events)


def test_the_holding_reply_is_sent_once_per_turn(domain):
    tracker = user_tracker()
    first = run(RemoteAction("action_state_balance", closed_port_endpoint()), tracker, domain)
    second = run(RemoteAction("action_ask_promise_amount", closed_port_endpoint()), tracker, domain)
    assert texts(first) == [replies.SYSTEM_BUSY]
    assert texts(second) == []
    assert second == [FollowupAction(ACTION_LISTEN_NAME)]
    # The next message is a new turn.
    later = user_tracker()
    later.update(ActionExecuted(ACTION_LISTEN_NAME))
    later.update(UserUttered("在吗", {"name": "greet", "confidence": 1.0}, message_id="m-2"))
    assert texts(run(RemoteAction("action_state_balance", closed_port_endpoint()), later, domain)) == [
        replies.SYSTEM_BUSY]


def test_a_5xx_answer_gives_the_holding_reply(domain):
    with _Server(503, {"error": "down"}) as endpoint:
        events = run(RemoteAction("action_state_balance", endpoint), user_tracker(), domain)
    assert texts(events) == [replies.SYSTEM_BUSY]


def test_a_hung_action_server_is_cut_by_the_timeout(domain, monkeypatch):
    monkeypatch.setenv(rasa_resilience.TIMEOUT_ENV, "0.5")
    with _Server(200, {"events": [], "responses": []}, delay=3) as endpoint:
        started = time.monotonic()
        events = run(RemoteAction("action_state_balance", endpoint), user_tracker(), domain)
        assert time.monotonic() - started < 2.5
    assert texts(events) == [replies.SYSTEM_BUSY]


def test_a_working_action_server_is_unchanged(domain):
    answer = {"events": [{"event": "slot", "name": "account_id", "value": "A1"}], "responses": [{"text": "好的"}]}
    with _Server(200, answer) as endpoint:
        events = run(RemoteAction("action_state_balance", endpoint), user_tracker(), domain)
    assert texts(events) == ["好的"]
    assert SlotSet("account_id", "A1") in events
    assert not any(isinstance(e, FollowupAction) for e in events)


def test_a_rejection_still_propagates(domain):
    with _Server(400, {"action_name": "action_state_balance", "error": "no"}) as endpoint:
        with pytest.raises(ActionExecutionRejection):
            run(RemoteAction("action_state_balance", endpoint), user_tracker(), domain)


def test_bad_timeout_setting_fails_loudly(monkeypatch):
    monkeypatch.setenv(rasa_resilience.TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError):
        rasa_resilience.action_timeout()
    monkeypatch.setenv(rasa_resilience.TIMEOUT_ENV, "0")
    assert rasa_resilience.action_timeout() is None


# ------------------------------------------------------------------ forms
def promise_form_tracker(sender: str = "+8613900000002") -> DialogueStateTracker:
    """promise_form asked for the confirmation; the cardholder said 是的."""
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("我下周五还两千", {"name": "promise_to_pay", "confidence": 1.0}, message_id="p-1"),
        ActionExecuted("promise_form"),
        ActiveLoop("promise_form"),
        SlotSet("promise_amount", "2000.00"),
        SlotSet("promise_date", "2026-12-04"),
        SlotSet(REQUESTED_SLOT, "promise_confirmed"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("是的", {"name": "affirm", "confidence": 1.0}, message_id="p-2"),
        # what action_extract_slots put there from the message, not validated
        SlotSet("promise_confirmed", True),
    ], slots=[])


def test_a_failed_form_validation_keeps_no_unvalidated_value(domain):
    tracker = DialogueStateTracker.from_events(
        "+8613900000002", promise_form_tracker().events, slots=domain.slots)
    assert tracker.get_slot("promise_confirmed") is True
    form = FormAction("promise_form", closed_port_endpoint())
    events = run(form, tracker, domain)

    assert texts(events) == [replies.SYSTEM_BUSY]  # and no question after it
    assert SlotSet("promise_confirmed", None) in events
    assert ActionExecutionRejected("validate_promise_form") in events
    assert events[-1] == FollowupAction(ACTION_LISTEN_NAME)
    assert not any(isinstance(e, ActiveLoop) and e.name is None for e in events)

    tracker.update_with_events(events, domain)
    assert tracker.get_slot("promise_confirmed") is None
    assert tracker.active_loop_name == "promise_form"
    assert tracker.get_slot(REQUESTED_SLOT) == "promise_confirmed"
    assert tracker.get_slot("promise_amount") == "2000.00"  # validated in an earlier turn
    # The form is not marked rejected: the repeated "是的" fills the slot again.
    assert not tracker.is_active_loop_rejected


def test_a_failed_validation_at_form_activation_keeps_nothing(domain):
    tracker = DialogueStateTracker.from_events("+8613900000003", [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("我下周五还两千", {"name": "promise_to_pay", "confidence": 1.0},
                    entities=[{"entity": "amount", "value": "2000.00", "start": 4, "end": 6},
                              {"entity": "date", "value": "2026-12-04", "start": 0, "end": 3}],
                    message_id="a-1"),
        SlotSet("promise_amount", "2000.00"),
        SlotSet("promise_date", "2026-12-04"),
    ], slots=domain.slots)
    form = FormAction("promise_form", closed_port_endpoint())
    events = run(form, tracker, domain)
    assert texts(events) == [replies.SYSTEM_BUSY]
    tracker.update_with_events(events, domain)
    assert tracker.get_slot("promise_amount") is None
    assert tracker.get_slot("promise_date") is None
    assert tracker.active_loop_name == "promise_form"
    assert tracker.followup_action == ACTION_LISTEN_NAME


def test_a_failed_identity_check_asks_nothing_more(domain):
    # The identity question is a domain response the form says itself; with
    # the validation failed the busy reply must still be the turn's only answer.
    tracker = DialogueStateTracker.from_events("+8613900000004", [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("是我本人", {"name": "affirm", "confidence": 1.0}, message_id="v-1"),
        ActionExecuted("verify_form"), ActiveLoop("verify_form"), SlotSet(REQUESTED_SLOT, "right_party"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("是的", {"name": "affirm", "confidence": 1.0}, message_id="v-2"),
        SlotSet("right_party", True),
    ], slots=domain.slots)
    form = FormAction("verify_form", closed_port_endpoint())
    events = run(form, tracker, domain)
    assert texts(events) == [replies.SYSTEM_BUSY]
    tracker.update_with_events(events, domain)
    assert tracker.get_slot("right_party") is None and tracker.get_slot(REQUESTED_SLOT) == "right_party"


def test_crisis_talk_still_gets_the_crisis_lines_when_the_action_server_is_down(domain):
    from bot.settings import get_settings

    tracker = DialogueStateTracker.from_events("+8613900000003", [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("我不想活了", {"name": "crisis", "confidence": 1.0}, message_id="c-1"),
    ])
    events = run(RemoteAction("action_handle_crisis", closed_port_endpoint()), tracker, domain)
    said = texts(events)
    assert len(said) == 1 and get_settings().crisis_hotline in said[0] and "110" in said[0]
    assert not find_forbidden(said[0])
    # A safety reply: the SMS channel sends it even after an opt-out.
    (uttered,) = [e for e in events if isinstance(e, BotUttered)]
    assert uttered.message()[replies.SAFETY_REPLY_KEY] is True


def test_the_busy_reply_is_no_safety_reply(domain):
    events = run(RemoteAction("action_state_balance", closed_port_endpoint()), user_tracker(), domain)
    (uttered,) = [e for e in events if isinstance(e, BotUttered)]
    assert replies.SAFETY_REPLY_KEY not in uttered.message()
