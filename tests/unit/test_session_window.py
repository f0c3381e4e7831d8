"""A long conversation starts a new session that carries its state (bot/rasa_server/session_window.py).

Runs Rasa's own MessageProcessor session check (with the window installed)
on trackers of the real domain, and reads each session back the way the SQL
tracker store does (only the latest session), so what Rasa replays, copies
and ships to the action server per turn is what these trackers hold.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server import session_window
from bot.rasa_server.session_window import carry_over_events, is_carried, max_events, roll_over_if_long, session_length

REPO = Path(__file__).resolve().parents[2]
SENDER = "+8613800000002"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


@pytest.fixture(scope="module")
def processor(domain):
    """Rasa's processor with the window installed (as the Rasa server runs it);
    only its session check is used, which needs nothing but the domain."""
    session_window.install()
    proc = object.__new__(MessageProcessor)
    proc.domain = domain
    proc.nlg = None
    return proc


def user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.99}, input_channel="rest")


def verified_start(domain) -> DialogueStateTracker:
    """A cardholder who has just verified, as the real verification leaves it."""
    return DialogueStateTracker.from_events(SENDER, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        user("5678", "inform_identity"),
        SlotSet("verified", True), SlotSet("auth_state", "verified"), SlotSet("account_id", "DEMO-0002"),
        ActionExecuted("action_verification_result"), BotUttered("您本期账单……"),
        ActionExecuted("action_listen"),
    ], domain.slots)


def balance_turn():
    return [user("我欠多少钱", "ask_balance"), ActionExecuted("action_state_balance"),
            BotUttered("您的欠款为23,500.50元"), ActionExecuted("action_listen")]


def read_back(tracker: DialogueStateTracker, domain) -> DialogueStateTracker:
    """What the SQL tracker store hands the next turn: the latest session only."""
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    return DialogueStateTracker.from_events(tracker.sender_id, events[starts[-1]:], domain.slots)


def turn_start(processor, tracker) -> None:
    asyncio.run(processor._update_tracker_session(tracker, None))


def test_the_window_is_read_from_the_environment_and_can_be_turned_off():
    assert max_events({}) == session_window.DEFAULT_MAX_EVENTS
    assert max_events({session_window.ENV: "0"}) == 0
    assert max_events({session_window.ENV: "500"}) == 500
    # Smaller than a busy turn would start a session on every message.
    assert max_events({session_window.ENV: "3"}) == 40
    for bad in ("-1", "lots"):
        with pytest.raises(ValueError):
            max_events({session_window.ENV: bad})


def test_what_rasa_replays_per_turn_stays_bounded_over_500_turns(processor, domain):
    limit = max_events()
    tracker = verified_start(domain)
    replayed = []
    for turn in range(1, 501):
        turn_start(processor, tracker)  # Rasa's processor, before the message is logged
        tracker.update_with_events(balance_turn(), domain)
        replayed.append(len(tracker.events))
        tracker = read_back(tracker, domain)
    # The tracker of a turn never holds more than one full session (the
    # window, overshot by less than a turn), the carried state and the turn
    # itself: at turn 500 as at turn 50.
    turn = len(balance_turn())
    bound = limit + turn + len(carry_over_events(tracker)) + turn
    assert max(replayed) <= bound
    assert max(replayed[400:]) == max(replayed[:100])
    assert sum(isinstance(e, SessionStarted) for e in tracker.events) == 1
    # ... and the cardholder is still verified, on the same account.
    assert tracker.get_slot("verified") is True
    assert tracker.get_slot("account_id") == "DEMO-0002"
    assert tracker.get_slot("auth_state") == "verified"


def test_without_the_window_the_session_grows_with_every_turn(domain):
    tracker = verified_start(domain)
    for _ in range(500):
        assert not roll_over_if_long(tracker, domain, 0)
        tracker.update_with_events(balance_turn(), domain)
    assert session_length(tracker) > 2000


def test_an_open_form_a_pause_and_the_last_action_survive_the_new_session(domain):
    tracker = verified_start(domain)
    tracker.update_with_events([
        SlotSet("escalated", True), SlotSet("campaign_stage", "notice"),
        user("我想分12期", "request_installment"),
        ActionExecuted("installment_form"), ActiveLoop("installment_form"),
        SlotSet("installment_months", "12"), SlotSet("requested_slot", "installment_confirmed"),
        BotUttered("每期还款……确认办理吗？"),
        ActionExecuted("action_listen"),
    ], domain)
    tracker.update(ConversationPaused(), domain)
    before = tracker.current_state()

    assert roll_over_if_long(tracker, domain, 10)
    after = read_back(tracker, domain)

    state = after.current_state()
    assert state["slots"] == before["slots"]
    assert after.active_loop_name == "installment_form"
    assert after.get_slot("requested_slot") == "installment_confirmed"
    assert after.get_slot("installment_months") == "12"
    assert after.is_paused()
    assert after.latest_action_name == "action_listen"
    # The rules see the form as the bot's last action before it listened,
    # exactly as in the old session.
    assert after.past_states(domain)[-1] == tracker.past_states(domain)[-1]
    assert all(is_carried(e) for e in after.events)
    # The same again is only needed once the new session is long again.
    # (the carried state alone is shorter than the smallest window allowed).
    assert not roll_over_if_long(after, domain, max_events({session_window.ENV: "1"}))


def test_a_rule_that_looks_at_the_last_action_sees_it_after_the_new_session(domain):
    tracker = verified_start(domain)
    tracker.update_with_events(balance_turn(), domain)
    assert roll_over_if_long(tracker, domain, 10)
    after = read_back(tracker, domain)
    after.update(user("好的", "affirm"), domain)
    tracker.update(user("好的", "affirm"), domain)
    # "yes after the balance → promise form": the last two states match.
    assert after.past_states(domain)[-2:] == tracker.past_states(domain)[-2:]


def test_a_short_session_and_rasas_own_session_start_are_left_alone(processor, domain):
    tracker = verified_start(domain)
    length = len(tracker.events)
    turn_start(processor, tracker)
    assert len(tracker.events) == length

    # A tracker with no events is Rasa's to start (action_session_start on
    # the action server); the window adds nothing on top.
    fresh = DialogueStateTracker(SENDER, domain.slots)

    calls = []

    async def run_action(*args, **kwargs):
        calls.append(kwargs["action"].name())
        fresh.update_with_events([ActionExecuted("action_session_start"), SessionStarted(),
                                  ActionExecuted("action_listen")], domain)

    processor._run_action = run_action
    processor._get_action = lambda name: type("A", (), {"name": lambda self: name})()
    try:
        turn_start(processor, fresh)
    finally:
        del processor._run_action, processor._get_action
    assert calls == ["action_session_start"]
    assert not any(is_carried(e) for e in fresh.events)


def test_the_tracker_store_keeps_the_carried_session_and_does_not_count_it_again(tmp_path, domain):
    from bot.observability import metrics
    from bot.rasa_server.tracker_store import BrokeredSQLTrackerStore

    store = BrokeredSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.db'}")
    tracker = verified_start(domain)
    tracker.update(ConversationPaused(), domain)
    tracker.update_with_events(balance_turn(), domain)
    asyncio.run(store.save(tracker))
    pauses, messages_in = metrics.PAUSES.labels("rest"), metrics.MESSAGES.labels("in", "rest")
    counted = pauses._value.get(), messages_in._value.get()

    assert roll_over_if_long(tracker, domain, 10)
    tracker.update_with_events(balance_turn(), domain)
    asyncio.run(store.save(tracker))

    # The carried pause is no new hand-over; the new message is counted.
    assert pauses._value.get() == counted[0]
    assert messages_in._value.get() == counted[1] + 1
    # The next turn gets the new session only, still paused and verified.
    back = asyncio.run(store.retrieve(SENDER))
    assert back is not tracker
    assert isinstance(back.events[0], SessionStarted) and len(back.events) < len(tracker.events)
    assert back.is_paused() and back.get_slot("verified") is True
    assert back.get_slot("account_id") == "DEMO-0002"
