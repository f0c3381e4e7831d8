"""bot/services: the bot's actions and the agents' console book through the
same use cases, so the same terms give the same rows and keys; a booking is
one transaction (never an arrangement without its assessment, or the other
way round); a specialist's decision on a hardship plan closes the hand-over
and tells the cardholder. Real SQLite databases, a fake Rasa for the console."""
from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.actions.arrangements import ActionBookDeferral, ActionBookInstallment, ActionBookPromise
from bot.actions.assessment import ActionAnswerHardshipOffer, ActionHandleIncome
from bot.core import booking, guard, replies
from bot.db import repository
from bot.db.models import Arrangement, Assessment, Escalation
from bot.db.session import dispose_engines, session_scope
from bot.services import UseCaseError, hardship
from bot.services import booking as bookings
from bot.settings import get_settings
from tests.unit.actions_support import make_tracker, run_action, slot_events

CID = "+8613900000001"
ACCOUNT = "E2E-1"  # 12,000.00 owed, minimum 1,200.00, due 2026-10-10
HEADER = "account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date\n"
ROWS = (
    f"{ACCOUNT},李明华,{CID},3521,6688,12000.00,1200.00,2026-10-10\n"
    "HS-1,刘建国,+8613900000091,4321,5566,90000.00,9000.00,2026-10-10\n"
)
VERIFIED = {"verified": True, "account_id": ACCOUNT}


def fresh_database(tmp_path, monkeypatch, today, name: str) -> str:
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade

    dispose_engines()
    url = f"sqlite:///{tmp_path / name}.db"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    csv = tmp_path / f"{name}.csv"
    csv.write_text(HEADER + ROWS, "utf-8")
    with session_scope(url) as s:
        assert not import_accounts_csv(s, csv, today=today).rejected
    return url


@pytest.fixture
def database(tmp_path, monkeypatch, pinned_now, today):
    return fresh_database(tmp_path, monkeypatch, today, "accounts")


def arrangement_rows() -> List[Dict[str, Any]]:
    """Every arrangement as stored, without the row id, the time and who booked it."""
    with session_scope() as s:
        rows = s.execute(select(Arrangement).order_by(Arrangement.idempotency_key)).scalars().all()
        out = []
        for r in rows:
            details = json.loads(r.details or "{}")
            details.pop("booked_by", None)
            out.append({
                "account_id": r.account_id, "kind": r.kind, "status": r.status, "amount": r.amount,
                "pay_date": r.pay_date, "months": r.months, "monthly_payment": r.monthly_payment,
                "total_fee": r.total_fee, "new_due_date": r.new_due_date, "details": details,
                "idempotency_key": r.idempotency_key, "conversation_id": r.conversation_id,
            })
        return out


def assessment_rows() -> List[tuple]:
    with session_scope() as s:
        return [
            (a.account_id, a.conversation_id, a.willingness, a.ability, a.monthly_affordable)
            for a in s.execute(select(Assessment).order_by(Assessment.id)).scalars()
        ]


# --------------------------------------------------------------------------
# The console, in-process, with a fake Rasa
# --------------------------------------------------------------------------


class FakeRasaClient:
    """The parts of console/rasa_api.RasaClient the console's service uses."""

    def __init__(self, channel: str = "twilio_sms") -> None:
        self.trackers: Dict[str, Dict[str, Any]] = {}
        self.channel = channel
        self.sent: List[Dict[str, str]] = []

    def conversation(self, cid: str, slots: Dict[str, Any], paused: bool = True) -> None:
        self.trackers[cid] = {"sender_id": cid, "slots": {"agent_message": None, **slots}, "paused": paused,
                              "latest_input_channel": self.channel, "latest_message": {}, "events": []}

    async def tracker(self, cid: str) -> Dict[str, Any]:
        return json.loads(json.dumps(self.trackers[cid]))

    async def append_events(self, cid: str, events: List[Dict[str, Any]]) -> None:
        t = self.trackers[cid]
        for e in events:
            t["events"].append(e)
            if e["event"] == "slot":
                t["slots"][e["name"]] = e.get("value")
            elif e["event"] in ("pause", "resume"):
                t["paused"] = e["event"] == "pause"

    async def execute(self, cid: str, action: str) -> None:
        t = self.trackers[cid]
        t["events"].append({"event": "action", "name": action})
        if action == "action_relay_agent_message":
            text = t["slots"]["agent_message"]
            t["events"].append({"event": "bot", "text": text})
            self.sent.append({"conversation_id": cid, "channel": self.channel, "text": text})
            t["slots"]["agent_message"] = None
        elif action == "action_hand_back":
            t["events"].append({"event": "bot", "text": replies.HANDED_BACK})
            self.sent.append({"conversation_id": cid, "channel": self.channel, "text": replies.HANDED_BACK})
            await self.append_events(cid, [{"event": "resume"}, {"event": "slot", "name": "escalated", "value": False}])


def console_actor(username: str, role: str):
    from console import store
    from console.service import Actor

    with session_scope() as s:
        user = store.create_user(s, username, role, "correct-horse-battery-staple", username)
    return Actor(user=user)


def console_claims(actor, cid: str, account_id: str = ACCOUNT, reason: str = "customer_request") -> None:
    from console import store

    with session_scope() as s:
        repository.open_escalation(s, conversation_id=cid, account_id=account_id, channel="twilio_sms",
                                   reason=reason, priority=2, summary="转人工")
    with session_scope() as s:
        store.claim(s, cid, actor.user)


def console_books(kind: str, params: Dict[str, Any], role: str = "agent") -> Dict[str, Any]:
    from console.service import ConsoleService

    rasa = FakeRasaClient()
    rasa.conversation(CID, {**VERIFIED, "auth_state": "verified"})
    actor = console_actor(f"u-{role}", role)
    console_claims(actor, CID)
    return asyncio.run(ConsoleService(rasa).book(CID, kind, params, actor))


def bot_books(action, slots: Dict[str, Any]) -> List[str]:
    _, texts = run_action(action, make_tracker(CID, slots={**VERIFIED, **slots}, intent="affirm"))
    return texts


# (console kind and form, bot action and slots) for the same terms
SAME_TERMS = {
    "promise": (
        ("promise", {"amount": "3000", "pay_date": "2026-12-04"}),
        (ActionBookPromise(), {"promise_amount": "3000.00", "promise_date": "2026-12-04", "promise_confirmed": True}),
    ),
    "partial promise": (
        ("promise", {"amount": "900.00", "pay_date": "2026-12-01"}),
        (ActionBookPromise(), {"promise_amount": "900.00", "promise_date": "2026-12-01", "promise_confirmed": True}),
    ),
    "installment": (
        ("installment", {"months": "12"}),
        (ActionBookInstallment(), {"installment_months": "12", "installment_confirmed": True}),
    ),
    "deferral": (
        ("deferral", {"days": "14"}),
        (ActionBookDeferral(), {"deferral_days": "14", "deferral_confirmed": True}),
    ),
}


@pytest.mark.parametrize("terms", list(SAME_TERMS))
def test_the_bot_and_an_agent_book_the_same_rows_for_the_same_terms(terms, tmp_path, monkeypatch, pinned_now, today):
    (kind, form), (action, slots) = SAME_TERMS[terms]

    fresh_database(tmp_path, monkeypatch, today, "bot")
    texts = bot_books(action, slots)
    assert texts and replies.SYSTEM_BUSY not in texts
    by_bot, bot_assessments = arrangement_rows(), assessment_rows()

    fresh_database(tmp_path, monkeypatch, today, "console")
    answer = console_books(kind, form)
    assert answer["created"] is True
    by_agent, agent_assessments = arrangement_rows(), assessment_rows()

    assert len(by_bot) == 1
    assert by_bot == by_agent  # same fields, same idempotency key
    assert bot_assessments == agent_assessments
    # And what the agent is offered to tell the cardholder is what the bot
    # said, reference number included (the bot adds the payment methods to a
    # promise; both list them for an instalment plan and a deferral).
    def without_methods(text):
        return re.sub(r"还款方式：[^。]*。", "", text)

    assert without_methods(answer["suggested_reply"]) == without_methods(texts[0])
    assert "业务编号：HK-" in texts[0]


def test_a_supervisors_plan_and_the_bots_submitted_plan_share_figures_and_key(tmp_path, monkeypatch, pinned_now, today):
    fresh_database(tmp_path, monkeypatch, today, "bot")
    # 12,000.00 and at most 400 a month: no standard term fits, a 30-month personalised plan does.
    events, _ = run_action(ActionHandleIncome(), make_tracker(
        CID, slots=VERIFIED, text="每月400", intent="inform_income", entities=[{"entity": "amount", "value": "400"}]))
    offer = slot_events(events)["hardship_offer"]
    yes_to_the_plan_twice(CID, VERIFIED, offer)
    [submitted] = arrangement_rows()
    assert submitted["status"] == "pending_approval" and submitted["months"] == 30

    fresh_database(tmp_path, monkeypatch, today, "console")
    console_books("hardship_plan", {"months": "30"}, role="supervisor")
    [booked] = arrangement_rows()
    assert booked["status"] == "booked"
    same = ("kind", "amount", "months", "monthly_payment", "total_fee", "idempotency_key", "account_id")
    assert {k: submitted[k] for k in same} == {k: booked[k] for k in same}
    assert booked["total_fee"] == Decimal("0.00")  # the policy's hardship rate (0 by default), not the standard fee


# --------------------------------------------------------------------------
# One transaction
# --------------------------------------------------------------------------


def yes_to_the_plan_twice(cid: str, slots: Dict[str, Any], offer: str):
    """The cardholder says yes to the personalised plan's card, which only
    opens the confirmation step (nothing submitted yet), then yes again."""
    events, _ = run_action(ActionAnswerHardshipOffer(),
                           make_tracker(cid, slots={**slots, "hardship_offer": offer}, intent="affirm"))
    assert arrangement_rows() == []
    confirming = slot_events(events)["hardship_offer"]
    return run_action(ActionAnswerHardshipOffer(),
                      make_tracker(cid, slots={**slots, "hardship_offer": confirming}, intent="affirm"))


def _fail(*args, **kwargs):
    raise OperationalError("INSERT INTO assessments", {}, Exception("disk I/O error"))


def test_a_bot_booking_whose_assessment_fails_leaves_no_arrangement(database, monkeypatch):
    monkeypatch.setattr(repository, "record_assessment", _fail)
    texts = bot_books(ActionBookPromise(), {"promise_amount": "3000.00", "promise_date": "2026-12-04",
                                            "promise_confirmed": True})
    assert texts == [replies.SYSTEM_BUSY]
    assert arrangement_rows() == [] and assessment_rows() == []


def test_a_bot_booking_whose_arrangement_fails_leaves_no_assessment(database, monkeypatch):
    monkeypatch.setattr(repository, "book_arrangement", _fail)
    texts = bot_books(ActionBookDeferral(), {"deferral_days": "14", "deferral_confirmed": True})
    assert texts == [replies.SYSTEM_BUSY]
    assert arrangement_rows() == [] and assessment_rows() == []


def test_a_console_booking_whose_audit_fails_leaves_nothing(database, monkeypatch):
    from console import store

    def broken_audit(*args, **kwargs):
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr(store, "audit", broken_audit)
    with pytest.raises(OperationalError):
        console_books("installment", {"months": "12"})
    assert arrangement_rows() == [] and assessment_rows() == []


def test_a_submitted_plan_whose_hand_over_fails_leaves_no_plan(database, monkeypatch):
    events, _ = run_action(ActionHandleIncome(), make_tracker(
        CID, slots=VERIFIED, text="每月400", intent="inform_income", entities=[{"entity": "amount", "value": "400"}]))
    offer = slot_events(events)["hardship_offer"]
    monkeypatch.setattr(repository, "open_escalation", _fail)
    events, texts = yes_to_the_plan_twice(CID, VERIFIED, offer)
    assert texts == [replies.SYSTEM_BUSY]
    assert "escalated" not in slot_events(events)
    with session_scope() as s:
        assert s.execute(select(Escalation)).first() is None
    # The budget assessment from the income message is all there is.
    assert arrangement_rows() == [] and [a[2:] for a in assessment_rows()] == [("unknown", "partial", Decimal("400.00"))]


def test_the_same_terms_again_are_already_booked_not_refused(database, today):
    cfg = get_settings().policy
    first = bookings.book_deferral(account_id=ACCOUNT, conversation_id=CID, days=14, today=today, config=cfg,
                                   booked_by=booking.BY_BOT)
    again = bookings.book_deferral(account_id=ACCOUNT, conversation_id=CID, days=14, today=today, config=cfg,
                                   booked_by=booking.BY_AGENT)
    other = bookings.book_deferral(account_id=ACCOUNT, conversation_id=CID, days=7, today=today, config=cfg,
                                   booked_by=booking.BY_BOT)
    assert (first.outcome, first.created) == (bookings.BOOKED, True)
    assert (again.outcome, again.arrangement_id) == (bookings.ALREADY, first.arrangement_id)
    assert again.reply == replies.DEFERRAL_ALREADY.format(
        new_date="2026年12月9日", reference=booking.reference_text(first.idempotency_key)
    )
    assert other.outcome == bookings.REFUSED and "已办理过延期" in other.reason
    assert len(arrangement_rows()) == 1 and len(assessment_rows()) == 1


# --------------------------------------------------------------------------
# A specialist's decision
# --------------------------------------------------------------------------


class FakeConversations:
    def __init__(self, problem: Optional[str] = None) -> None:
        self.told: List[tuple] = []
        self.handed_back: List[str] = []
        self.problem = problem

    async def tell(self, cid: str, text: str) -> Optional[str]:
        self.told.append((cid, text))
        return self.problem

    async def hand_back(self, cid: str) -> Optional[str]:
        self.handed_back.append(cid)
        return None


HS_CID = "+8613900000091"


def submitted_plan() -> int:
    """The reported case: 90,000.00 owed, at most 1,000 a month, the cardholder says yes."""
    slots = {"verified": True, "account_id": "HS-1"}
    events, _ = run_action(ActionHandleIncome(), make_tracker(
        HS_CID, slots=slots, text="每月1000", intent="inform_income", entities=[{"entity": "amount", "value": "1000"}]))
    offer = slot_events(events)["hardship_offer"]
    events, texts = yes_to_the_plan_twice(HS_CID, slots, offer)
    assert slot_events(events)["escalated"] is True
    with session_scope() as s:
        return s.execute(select(Arrangement.id).where(Arrangement.account_id == "HS-1")).scalar_one()


def plan_and_escalations(plan_id: int):
    with session_scope() as s:
        plan = s.get(Arrangement, plan_id)
        escalations = s.execute(select(Escalation.reason, Escalation.status)
                                .where(Escalation.conversation_id == HS_CID)).all()
        return plan.status, json.loads(plan.details), sorted(escalations)


def test_an_approval_books_the_plan_closes_the_hand_over_and_tells_the_cardholder(database):
    plan_id = submitted_plan()
    assert plan_and_escalations(plan_id)[2] == [("hardship_plan", "open")]
    result = hardship.decide_hardship_plan(plan_id, hardship.APPROVE, decided_by="boss")
    status, details, escalations = plan_and_escalations(plan_id)
    assert status == "booked" and details["decision"] == "approved" and details["decided_by"] == "boss"
    assert details["monthly_budget"] == "1000.00"  # what the cardholder confirmed stays
    assert escalations == [("hardship_plan", "resolved")]
    conversations = FakeConversations()
    told = asyncio.run(hardship.tell_cardholder(result, conversations))
    with session_scope() as s:
        key = s.get(Arrangement, plan_id).idempotency_key
    assert conversations.told == [(HS_CID, replies.HARDSHIP_APPROVED.format(
        months=90, monthly="1,000.00元", total="90,000.00元", reference=booking.reference_text(key), methods=""))]
    assert conversations.handed_back == [HS_CID] and told.delivered and told.handed_back
    with pytest.raises(UseCaseError) as twice:
        hardship.decide_hardship_plan(plan_id, hardship.REJECT, decided_by="boss", reason="重复")
    assert twice.value.status == 409


def test_a_rejection_needs_a_reason_cancels_the_plan_and_tells_the_cardholder_why(database):
    plan_id = submitted_plan()
    with pytest.raises(UseCaseError) as no_reason:
        hardship.decide_hardship_plan(plan_id, hardship.REJECT, decided_by="boss", reason="  ")
    assert no_reason.value.status == 400
    assert plan_and_escalations(plan_id)[0] == "pending_approval"
    result = hardship.decide_hardship_plan(plan_id, hardship.REJECT, decided_by="boss", reason="期限超出可特批范围")
    status, details, escalations = plan_and_escalations(plan_id)
    assert status == "cancelled" and details["decision"] == "rejected"
    assert details["decision_reason"] == "期限超出可特批范围"
    assert escalations == [("hardship_plan", "resolved")]
    conversations = FakeConversations()
    asyncio.run(hardship.tell_cardholder(result, conversations))
    [(cid, text)] = conversations.told
    assert cid == HS_CID and "未能通过审批" in text and "原因：期限超出可特批范围。" in text
    # The account no longer counts a plan: a new one can be worked out.
    with session_scope() as s:
        assert "hardship_plan" not in repository.get_account(s, "HS-1", date(2026, 11, 25)).active_arrangement_kinds


def test_another_open_hand_over_keeps_the_conversation_with_a_person(database):
    plan_id = submitted_plan()
    with session_scope() as s:
        repository.open_escalation(s, conversation_id=HS_CID, account_id="HS-1", channel="twilio_sms",
                                   reason="complaint", priority=1, summary="投诉")
    result = hardship.decide_hardship_plan(plan_id, hardship.APPROVE, decided_by="boss")
    assert result.other_open_reasons == ["complaint"] and not result.hand_back
    conversations = FakeConversations()
    asyncio.run(hardship.tell_cardholder(result, conversations))
    assert len(conversations.told) == 1 and conversations.handed_back == []
    assert plan_and_escalations(plan_id)[2] == [("complaint", "open"), ("hardship_plan", "resolved")]


def test_a_decision_whose_record_fails_changes_nothing(database):
    plan_id = submitted_plan()

    def broken(s, result):
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    with pytest.raises(OperationalError):
        hardship.decide_hardship_plan(plan_id, hardship.APPROVE, decided_by="boss", also=broken)
    assert plan_and_escalations(plan_id)[0] == "pending_approval"
    assert plan_and_escalations(plan_id)[2] == [("hardship_plan", "open")]


def test_the_console_decision_tells_the_cardholder_releases_the_claim_and_hands_back(database):
    from console import store
    from console.service import ConsoleService

    plan_id = submitted_plan()
    agent = console_actor("demo-agent", "agent")
    boss = console_actor("boss", "supervisor")
    with session_scope() as s:
        store.claim(s, HS_CID, agent.user)
    rasa = FakeRasaClient()
    rasa.conversation(HS_CID, {"verified": True, "account_id": "HS-1", "escalated": True}, paused=True)
    service = ConsoleService(rasa)
    from console.store import ConsoleError

    with pytest.raises(ConsoleError):
        asyncio.run(service.reject(plan_id, "没有原因", agent))  # agents do not decide
    pending = asyncio.run(service.pending_plans())["items"]
    assert [(p["id"], p["monthly_budget"], p["months"], p["cardholder"]) for p in pending] == [
        (plan_id, "1000.00", 90, "刘*国")]

    answer = asyncio.run(service.reject(plan_id, "期限超出可特批范围", boss))
    assert answer["status"] == "cancelled" and answer["delivered"] and answer["handed_back"]
    texts = [m["text"] for m in rasa.sent]
    # On the cardholder's SMS channel, through the compliance guard like an agent's reply.
    assert texts[0] == guard.as_sent(answer["message"], "twilio_sms") and "未能通过审批" in texts[0]
    assert texts[1] == replies.HANDED_BACK and rasa.trackers[HS_CID]["paused"] is False
    with session_scope() as s:
        assert store.live_claim(s, HS_CID) is None  # nobody shown as handling it
        actions = [e["action"] for e in store.audit_entries(s, conversation_id=HS_CID)]
    assert "reject_arrangement" in actions
    assert asyncio.run(service.pending_plans())["items"] == []


def test_the_use_cases_load_no_rasa_web_framework_or_entry_point():
    """Every entry point calls bot/services; it must not pull an entry point's
    framework into the console, the campaign runner or the CLI."""
    import subprocess
    import sys

    code = (
        "import sys, bot.services.booking, bot.services.escalation, bot.services.hardship; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'sanic', 'console') "
        "or m.startswith('bot.actions')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_hand_back_announces_or_at_least_resumes():
    from bot.services import conversation

    rasa = FakeRasaClient(channel="webchat")
    rasa.conversation("web-1", {"escalated": True}, paused=True)
    done = asyncio.run(conversation.hand_back("web-1", rasa))
    assert done.announced and done.warning is None
    assert rasa.sent == [{"conversation_id": "web-1", "channel": "webchat", "text": replies.HANDED_BACK}]
    assert rasa.trackers["web-1"]["paused"] is False

    class ActionServerDown(FakeRasaClient):
        async def execute(self, cid, action):  # Rasa answers 200 and the events are lost
            self.trackers[cid]["events"].append({"event": "action", "name": action})

    down = ActionServerDown(channel="webchat")
    down.conversation("web-2", {"escalated": True}, paused=True)
    done = asyncio.run(conversation.hand_back("web-2", down))
    assert not done.announced and done.warning == conversation.NOT_ANNOUNCED
    tracker = down.trackers["web-2"]
    assert tracker["paused"] is False and tracker["slots"]["escalated"] is False and down.sent == []
    assert tracker["events"][-1] == {"event": "action", "name": "action_listen"}
