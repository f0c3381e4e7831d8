"""Hand-over to a person and back (bot/actions/handoff.py, bot/core/staffing.py)."""
from __future__ import annotations

from datetime import datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import (
    ActionHandBack,
    ActionPausedSafety,
    ActionRelayAgentMessage,
    ActionSessionStart,
    escalate,
    handed_over,
    was_paused,
)
from bot.core import replies
from bot.core.compliance import find_forbidden
from bot.core.staffing import StaffedHours, StaffedHoursError, handoff_eta, sla_deadline
from bot.db import repository
from bot.db.session import session_scope
from bot.settings import get_settings
from tests.unit.actions_support import DOMAIN, SLOT_DEFAULTS, make_tracker, run_action, slot_events

SH = "+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + SH)


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def accounts(db_url, pinned_now, today):
    from pathlib import Path

    from bot.db.importer import import_accounts_csv

    with session_scope() as s:
        import_accounts_csv(s, Path(__file__).parents[1] / "fixtures" / "e2e_accounts.csv", today=today)


def paused_tracker(sender: str, text: str, intent: str, slots=None, events=None) -> Tracker:
    all_slots = dict(SLOT_DEFAULTS)
    all_slots.update(slots or {})
    return Tracker(
        sender, all_slots, {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], "metadata": {}},
        events or [], True, None, {}, "action_listen",
    )


def events_of(events, kind):
    return [e for e in events if e.get("event") == kind]


# --- staffed hours ----------------------------------------------------------------


def test_staffed_hours_parse_and_opening_times():
    hours = StaffedHours.parse("09:00-21:00")
    assert hours.is_staffed(at("2026-11-25T09:00:00")) and hours.is_staffed(at("2026-11-25T20:59:00"))
    assert not hours.is_staffed(at("2026-11-25T21:00:00")) and not hours.is_staffed(at("2026-11-25T08:59:00"))
    assert hours.next_opening(at("2026-11-25T23:30:00")) == at("2026-11-26T09:00:00")
    assert hours.next_opening(at("2026-11-25T06:00:00")) == at("2026-11-25T09:00:00")
    assert hours.next_opening(at("2026-11-25T10:00:00")) == at("2026-11-25T10:00:00")
    night = StaffedHours.parse("20:00-02:00")
    assert night.is_staffed(at("2026-11-25T01:00:00")) and not night.is_staffed(at("2026-11-25T03:00:00"))
    assert StaffedHours.parse("00:00-24:00").is_staffed(at("2026-11-25T03:00:00"))
    for bad in ("9-21", "25:00-26:00", "", "09:00~21:00"):
        with pytest.raises(StaffedHoursError):
            StaffedHours.parse(bad)


def test_the_cardholder_is_told_when_a_person_will_answer():
    hours = StaffedHours.parse("09:00-21:00")
    assert handoff_eta(at("2026-11-25T10:00:00"), hours, 5) == "人工专员预计约5分钟内接入，请留意这里的消息。"
    evening = handoff_eta(at("2026-11-25T22:00:00"), hours, 5)
    assert "非人工服务时间" in evening and "09:00-21:00" in evening and "明天09:00" in evening
    assert "今天09:00" in handoff_eta(at("2026-11-25T07:00:00"), hours, 5)


def test_a_crisis_at_night_is_never_told_to_wait_until_morning():
    # Issue 14: at 22:05 a self-harm hand-over said "专员将于明天09:00上班后尽快回复您".
    hours = StaffedHours.parse("09:00-21:00")
    night = handoff_eta(at("2026-11-25T22:05:00"), hours, 5, crisis_hotline="全国心理援助热线 12356（24小时）")
    assert night.startswith("现在是非人工服务时间，但您不需要等到明天")
    assert "110或120" in night and "12356" in night
    assert "尽快回复您" not in night and "请留意这里的消息" not in night
    # In staffed hours a crisis hears the usual minutes (the crisis reply itself gives the hotline).
    assert handoff_eta(at("2026-11-25T10:00:00"), hours, 5, crisis_hotline="12356") == replies.HANDOFF_ETA_IN_HOURS.format(minutes=5)


def test_the_sla_clock_starts_when_the_desk_opens():
    hours = StaffedHours.parse("09:00-21:00")
    assert sla_deadline(at("2026-11-25T10:00:00"), hours, 5) == at("2026-11-25T10:05:00")
    assert sla_deadline(at("2026-11-25T23:00:00"), hours, 5) == at("2026-11-26T09:05:00")


def test_staffed_hours_and_sla_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("STAFFED_HOURS", "08:30-18:00")
    monkeypatch.setenv("HANDOFF_SLA_MINUTES", "10")
    cfg = get_settings()
    assert cfg.staffed_hours.label() == "08:30-18:00" and cfg.handoff_sla_minutes == 10


@pytest.mark.parametrize(
    "text", [replies.HANDOFF_ETA_IN_HOURS, replies.HANDOFF_ETA_OUT_OF_HOURS, replies.HANDOFF_ETA_CRISIS_OUT_OF_HOURS,
             replies.HANDED_BACK]
)
def test_hand_over_wording_is_reviewed_and_discloses_nothing(text):
    assert find_forbidden(text) == []
    assert not [w for w in ("元", "逾期", "信用卡", "欠", "还款", "账单", "催收") if w in text]


# --- escalate ------------------------------------------------------------------------


def test_escalate_pauses_the_conversation_and_says_when_someone_answers(accounts, today):
    tracker = make_tracker("+8613900000001", text="转人工", intent="request_human",
                           events=[{"event": "user", "text": "转人工"}])
    events = __import__("asyncio").run(escalate(tracker, "customer_request"))
    assert [e["event"] for e in events] == ["slot", "bot", "pause"]
    assert slot_events(events) == {"escalated": True}
    assert events_of(events, "bot")[0]["text"] == "人工专员预计约5分钟内接入，请留意这里的消息。"
    with session_scope() as s:
        snap = repository.account_snapshot(s, "E2E-1", today)
    assert [(e["reason"], e["status"], e["channel"]) for e in snap["escalations"]] == [("customer_request", "open", "rest")]


def test_out_of_staffed_hours_the_cardholder_hears_when_the_desk_opens(accounts, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T22:30:00+08:00")
    events = __import__("asyncio").run(escalate(make_tracker("+8613900000001", intent="request_human"), "customer_request"))
    assert "明天09:00" in events_of(events, "bot")[0]["text"]


def test_a_web_visitor_with_an_app_token_is_escalated_on_that_account(accounts, today):
    tracker = make_tracker("a" * 64, intent="request_human", channel="webchat",
                           metadata={"collectbot_identity": {"account_id": "E2E-4", "method": "app_token"}})
    __import__("asyncio").run(escalate(tracker, "customer_request"))
    with session_scope() as s:
        snap = repository.account_snapshot(s, "E2E-4", today)
    assert [e["conversation_id"] for e in snap["escalations"]] == ["a" * 64]


# --- actions run by the console ----------------------------------------------------------------


def test_the_agents_message_is_sent_and_the_slot_cleared():
    tracker = make_tracker("+8613900000001", slots={"agent_message": "您好，我是人工专员。"})
    events, texts = run_action(ActionRelayAgentMessage(), tracker)
    assert texts == ["您好，我是人工专员。"]
    assert slot_events(events) == {"agent_message": None}
    assert run_action(ActionRelayAgentMessage(), make_tracker("+8613900000001"))[1] == []


def test_the_agents_message_in_a_crisis_conversation_is_a_safety_reply_and_no_other_is():
    """The SMS channel sends a safety reply even to a number that opted out
    in the crisis message itself (channels/twilio_sms.py)."""
    crisis = make_tracker("+8613900000001", slots={"agent_message": "我是专员小王，我在。"},
                          events=[{"event": "action", "name": "action_handle_crisis"}])
    ordinary = make_tracker("+8613900000001", slots={"agent_message": "我是专员小王。"})
    for tracker, safety in ((crisis, True), (ordinary, False)):
        dispatcher = CollectingDispatcher()
        __import__("asyncio").run(ActionRelayAgentMessage().run(dispatcher, tracker, DOMAIN))
        (message,) = dispatcher.messages
        assert bool(message.get(replies.SAFETY_REPLY_KEY)) is safety


def test_only_the_crisis_hand_over_line_is_a_safety_reply():
    crisis = [e for e in handed_over("crisis") if e.get("event") == "bot"]
    other = [e for e in handed_over("customer_request") if e.get("event") == "bot"]
    assert crisis[0]["metadata"][replies.SAFETY_REPLY_KEY] is True
    assert replies.SAFETY_REPLY_KEY not in other[0]["metadata"]


def test_forbidden_wording_never_leaves_even_if_the_console_let_it_through():
    tracker = make_tracker("+8613900000001", slots={"agent_message": "再不还钱就让你坐牢"})
    events, texts = run_action(ActionRelayAgentMessage(), tracker)
    assert texts == [] and slot_events(events) == {"agent_message": None}


def test_hand_back_resumes_with_the_context_and_says_so():
    events, texts = run_action(ActionHandBack(), make_tracker("+8613900000001", slots={"escalated": True}))
    assert texts == [replies.HANDED_BACK]
    assert events_of(events, "resume") and slot_events(events)["escalated"] is False
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}


# --- while paused ------------------------------------------------------------------------


def test_the_safety_net_does_nothing_when_the_bot_is_answering(accounts):
    events, texts = run_action(ActionPausedSafety(), make_tracker("+8613900000002", text="退订", intent="stop_contact"))
    assert events == [] and texts == []
    with session_scope() as s:
        assert not repository.is_opted_out(s, "+8613900000002", "rest")


def run_paused_safety(tracker):
    """Run the action and wait for the reply it has Rasa send."""
    import asyncio

    from bot.actions import handoff
    from rasa_sdk.executor import CollectingDispatcher

    async def go():
        dispatcher = CollectingDispatcher()
        events = await ActionPausedSafety().run(dispatcher, tracker, DOMAIN)
        if handoff._pending:
            await asyncio.wait(list(handoff._pending), timeout=10)
        return events, dispatcher.messages

    return asyncio.run(go())


@pytest.fixture
def fake_rasa(monkeypatch):
    from tests.fakes.fake_rasa import FakeRasa

    fake = FakeRasa().start()
    monkeypatch.setenv("RASA_URL", fake.url)
    monkeypatch.setenv("RASA_API_TOKEN", fake.token)
    yield fake
    fake.stop()


def executed(fake):
    return [(r["path"], r["body"]["name"], r["query"]["output_channel"]) for r in fake.requests
            if r["path"].endswith("/execute")]


def test_an_opt_out_while_a_person_has_the_conversation_is_honoured(accounts, fake_rasa):
    fake_rasa.conversation("+8613900000002", channel="twilio_sms")
    events, messages = run_paused_safety(paused_tracker("+8613900000002", "退订", "stop_contact"))
    assert events == [] and messages == []  # Rasa would drop them here
    with session_scope() as s:
        assert repository.is_opted_out(s, "+8613900000002", "rest")
    # the usual confirmation, by the usual action, on the cardholder's channel
    assert executed(fake_rasa) == [("/conversations/+8613900000002/execute", "action_opt_out", ["latest"])]


def test_crisis_talk_while_paused_gets_a_top_priority_escalation_and_the_crisis_reply(accounts, today, fake_rasa):
    fake_rasa.conversation("+8613900000003")
    tracker = paused_tracker("+8613900000003", "我不想活了", "crisis", slots={"escalated": True},
                             events=[{"event": "user", "text": "我不想活了"}])
    events, _ = run_paused_safety(tracker)
    assert events == []
    with session_scope() as s:
        snap = repository.account_snapshot(s, "E2E-3", today)
    assert [(e["reason"], e["priority"]) for e in snap["escalations"]] == [("crisis", 0)]
    assert executed(fake_rasa) == [("/conversations/+8613900000003/execute", "action_handle_crisis", ["latest"])]


def test_without_the_api_token_the_record_is_still_made(accounts, today, monkeypatch, caplog):
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    run_paused_safety(paused_tracker("+8613900000002", "退订", "stop_contact"))
    with session_scope() as s:
        assert repository.is_opted_out(s, "+8613900000002", "rest")
    assert "RASA_API_TOKEN is not set" in caplog.text


def test_the_hand_over_actions_are_in_the_domain():
    assert DOMAIN["slots"]["agent_message"] == {
        "type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]
    }
    for action in ("action_relay_agent_message", "action_hand_back", "action_paused_safety",
                   "action_session_start"):
        assert action in DOMAIN["actions"]
    mapping = DOMAIN["slots"]["paused_safety"]["mappings"]
    assert mapping == [{"type": "custom", "action": "action_paused_safety", "intent": ["crisis", "stop_contact"]}]


# --- session start ---------------------------------------------------------------------------


def test_a_new_session_of_a_paused_conversation_stays_paused():
    old = [{"event": "user", "text": "转人工"}, {"event": "slot", "name": "escalated", "value": True},
           {"event": "pause"}]
    events, _ = run_action(ActionSessionStart(), make_tracker("+8613900000001", events=old))
    assert [e["event"] for e in events] == ["session_started", "slot", "pause", "action"]
    assert events[-1]["name"] == "action_listen"
    assert slot_events(events) == {"escalated": True}


def test_a_new_session_otherwise_starts_as_rasas_own_does():
    tracker = make_tracker("+8613900000001", slots={"session_started_metadata": {"x": 1}},
                           events=[{"event": "pause"}, {"event": "resume"}])
    events, _ = run_action(ActionSessionStart(), tracker)
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert slot_events(events) == {"session_started_metadata": {"x": 1}}


def test_a_new_session_keeps_the_campaign_stage_but_not_the_verification():
    tracker = make_tracker("+8613900000001", slots={"campaign_stage": "notice", "verified": True})
    events, _ = run_action(ActionSessionStart(), tracker)
    assert slot_events(events) == {"campaign_stage": "notice"}


def test_was_paused_reads_the_last_pause_or_resume():
    assert was_paused([{"event": "pause"}])
    assert not was_paused([{"event": "pause"}, {"event": "resume"}])
    assert not was_paused([{"event": "pause"}, {"event": "restart"}])
    assert not was_paused([])


def test_a_crisis_hand_over_at_night_points_to_help_now_and_others_wait(monkeypatch):
    from bot.actions.handoff import eta_text

    monkeypatch.setenv("COLLECTBOT_NOW", "2026-11-25T22:05:00+08:00")
    assert "不需要等到明天" in eta_text("crisis") and "12356" in eta_text("crisis")
    assert "明天09:00上班后尽快回复您" in eta_text("complaint")
