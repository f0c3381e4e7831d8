"""The agent console's HTTP API, with the console as a real process
(``python -m console``), a real SQLite account database and a fake Rasa
HTTP API (tests/fakes/fake_rasa.py) standing in for the conversations.

The real Rasa server is in tests/e2e/test_handoff.py.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import date

import pytest

from tests.console.support import PASSWORD, Browser, environ, make_users, running_console
from tests.fakes.fake_rasa import HANDED_BACK_TEXT, FakeRasa

NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
C-1,李明华,+8613700000001,3521,6688,12000.00,1200.00,2026-10-10
C-2,王芳,+8613700000002,8810,4455,3500.00,350.00,2026-11-05
C-3,赵强,+8613700000003,1207,9001,800.00,100.00,2026-11-20
C-4,陈静,+8613700000004,660X,7788,5000.00,500.00,2026-11-15
C-5,周杰,+8613700000005,1111,1234,9000.00,900.00,2026-11-10
C-6,吴敏,+8613700000006,2222,2345,6000.00,600.00,2026-11-10
C-7,郑爽,+8613700000007,3333,3456,7000.00,700.00,2026-11-10
C-8,孙丽,+8613700000008,4444,4567,8000.00,800.00,2026-11-10
C-9,钱多,+8613700000009,5555,5678,4000.00,400.00,2026-11-10
"""




def _running(workdir, db_url):
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(db_url)
    csv = workdir / "accounts.csv"
    csv.write_text(ACCOUNTS, encoding="utf-8")
    with session_scope(db_url) as s:
        result = import_accounts_csv(s, csv, today=TODAY)
        assert not result.rejected
    make_users(db_url)
    fake = FakeRasa().start()
    try:
        with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW, "RASA_URL": fake.url,
                                       "RASA_API_TOKEN": fake.token}) as url:
            yield {"url": url, "db": db_url, "fake": fake}
    finally:
        fake.stop()


def console_fixtures(name):
    """The ``env`` (one console process with the accounts above, per test
    module) and ``_database`` fixtures every console test module shares:
    ``env, _database = console_fixtures("my-module")``."""

    @pytest.fixture(scope="module", name="env")
    def env(tmp_path_factory):
        workdir = tmp_path_factory.mktemp(name)
        db_url = f"sqlite:///{workdir / 'accounts.db'}"
        with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW):
            yield from _running(workdir, db_url)

    @pytest.fixture(autouse=True, name="_database")
    def _database(env, monkeypatch):
        # The root conftest points DATABASE_URL at a throwaway file per test;
        # these tests share the console's database.
        monkeypatch.setenv("DATABASE_URL", env["db"])
        monkeypatch.setenv("COLLECTBOT_NOW", NOW)

    return env, _database


env, _database = console_fixtures("console")





def browser(env, username=None) -> Browser:
    b = Browser(env["url"])
    if username:
        assert b.login(username).status == 302
    return b


def hand_over(env, cid, account_id, reason="customer_request", priority=2, channel="webchat",
              verified=True, summary="客户要求人工：转人工", tracker=True, metadata=None):
    """What escalate() leaves behind: an escalation row and a paused conversation."""
    from bot.db import repository
    from bot.db.session import session_scope

    with session_scope(env["db"]) as s:
        esc_id, _ = repository.open_escalation(
            s, conversation_id=cid, account_id=account_id, channel=channel, reason=reason,
            priority=priority, summary=summary,
        )
    if tracker:
        env["fake"].conversation(
            cid, channel=channel, metadata=metadata,
            slots={"verified": verified, "account_id": account_id if verified else None,
                   "auth_state": "verified" if verified else "unverified"},
        )
        env["fake"].user_says(cid, "转人工")
    return esc_id


def snapshot(env, account_id):
    from bot.db import repository
    from bot.db.session import session_scope

    with session_scope(env["db"]) as s:
        return repository.account_snapshot(s, account_id, TODAY)


def audit_actions(env, cid):
    from bot.db.session import session_scope
    from console import store

    with session_scope(env["db"]) as s:
        return [(e["username"], e["action"], e["account_id"]) for e in reversed(store.audit_entries(s, conversation_id=cid))]


# --- signing in -------------------------------------------------------------------


def test_not_signed_in_pages_redirect_and_the_api_answers_401(env):
    anon = browser(env)
    page = anon.get("/queue")
    assert page.status == 302 and page.headers["Location"] == "/login?next=/queue"
    assert anon.get("/api/queue").status == 401
    assert anon.post(Browser.cpath("x", "/claim")).status == 401
    assert anon.get("/api/queue/stream").status == 401


def test_sign_in_sets_a_secure_http_only_session_cookie_and_logout_ends_it(env):
    b = Browser(env["url"])
    answer = b.login("agent1")
    assert answer.status == 302 and answer.headers["Location"] == "/queue"
    cookie = next(c for c in answer.headers.get_all("Set-Cookie") if c.startswith("collectbot_console="))
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert attribute.lower() in cookie.lower(), cookie
    assert b.get("/api/me").json()["role"] == "agent"
    token = b.cookies["collectbot_console"]
    assert b.request("POST", "/logout", form={"csrf_token": b.csrf}).status == 302
    again = Browser(env["url"])
    again.cookies["collectbot_console"] = token  # the old cookie no longer works
    assert again.get("/api/me").status == 401


def test_wrong_password_is_refused_and_repeated_failures_slow_that_name_down(env):
    # Per (name, address) back-off: tests/console/test_console_hardening.py.
    b = Browser(env["url"])
    assert b.login("agent2", "wrong-password-123").status == 401
    for _ in range(5):
        b.login("nobody-here", "wrong-password-123")
    refused = b.login("nobody-here", "wrong-password-123")
    assert refused.status == 429 and "后再试" in refused.body
    assert b.login("agent2").status == 302  # other names are not affected


def test_login_form_needs_its_csrf_cookie(env):
    b = Browser(env["url"])
    answer = b.request("POST", "/login", form={"csrf_token": "forged", "username": "agent1", "password": PASSWORD})
    assert answer.status == 403
    assert "collectbot_console" not in b.cookies


# --- CSRF and roles -----------------------------------------------------------------


def test_state_changes_without_the_csrf_token_are_refused(env):
    hand_over(env, "csrf-1", "C-9")
    agent = browser(env, "agent1")
    assert agent.post(Browser.cpath("csrf-1", "/claim"), csrf=False).status == 403
    assert agent.post(Browser.cpath("csrf-1", "/claim"), headers={"X-CSRF-Token": "wrong"}).status == 403
    foreign = agent.post(Browser.cpath("csrf-1", "/claim"), headers={"Origin": "https://evil.example"})
    assert foreign.status == 403
    assert agent.request("POST", "/logout", form={"csrf_token": "wrong"}).status == 403
    assert audit_actions(env, "csrf-1") == []  # nothing happened
    assert agent.claim("csrf-1").status == 200


def test_a_trainer_reads_but_cannot_claim_or_reply(env):
    ref = f"esc-{hand_over(env, 'trainer-1', 'C-9')}"  # trainers open conversations by reference
    trainer = browser(env, "trainer1")
    assert trainer.get("/queue").status == 200
    assert trainer.detail(ref)["transcript"][-1]["text"] == "转人工"
    assert trainer.get(Browser.cpath("trainer-1")).status == 404
    _assert_trainer_sees_no_personal_data(env, trainer, ref)
    for answer in (
        trainer.claim("trainer-1"),
        trainer.reply("trainer-1", "您好"),
        trainer.book("trainer-1", kind="deferral", days=7),
        trainer.hand_back("trainer-1"),
        trainer.resolve("trainer-1", "promise"),
    ):
        assert answer.status == 403, answer.body
        assert "训练师" in answer.json()["error"]
    assert trainer.get("/audit").status == 403
    assert trainer.get("/api/audit").status == 403
    assert env["fake"].sent == [] or all(m["conversation_id"] != "trainer-1" for m in env["fake"].sent)


def _assert_trainer_sees_no_personal_data(env, trainer, ref):
    env["fake"].user_says("trainer-1", "我是本人，身份证后四位3521，电话13912345678")
    agent_view = browser(env, "agent1").detail("trainer-1")
    shown = trainer.detail(ref)
    holder = agent_view["account"]["cardholder"]
    assert holder["name"] and holder["name"] not in json.dumps(shown, ensure_ascii=False)
    assert shown["account"]["cardholder"]["id_last4"] == "****"
    assert set(shown["account"]["account"]["card_last4"]) == {"*"}
    said = shown["transcript"][-1]["text"]
    assert "3521" not in said and "13912345678" not in said and said.startswith("我是本人")
    # Agents see the same conversation in full.
    assert "3521" in agent_view["transcript"][-1]["text"]
    assert shown["account"]["account"]["balance"] == agent_view["account"]["account"]["balance"]


# --- queue and claims -------------------------------------------------------------------


def test_queue_puts_crisis_on_top_then_the_longest_wait(env):
    hand_over(env, "q-routine", None, reason="fallback", priority=3, tracker=False)
    time.sleep(0.01)
    hand_over(env, "q-request", None, reason="customer_request", priority=2, tracker=False)
    hand_over(env, "q-crisis", None, reason="crisis", priority=0, tracker=False, summary="危机（自伤风险）：不想活了")
    items = browser(env, "agent2").get("/api/queue").json()["items"]
    ours = [i for i in items if i["conversation_id"].startswith("q-")]
    assert [i["conversation_id"] for i in ours] == ["q-crisis", "q-request", "q-routine"]
    crisis = ours[0]
    assert crisis["crisis"] is True and crisis["priority"] == 0
    assert crisis["reason_labels"] == ["危机（自伤风险）"] and crisis["channel_label"] == "在线聊天"
    assert crisis["summary"] == "危机（自伤风险）：不想活了"
    assert crisis["sla_seconds_left"] == 5 * 60 and crisis["waiting_seconds"] == 0  # pinned clock
    assert [i["priority"] for i in items] == sorted(i["priority"] for i in items)


def test_two_agents_claiming_at_once_exactly_one_wins(env):
    hand_over(env, "race-1", "C-9")
    agents = [browser(env, "agent1"), browser(env, "agent2")]
    start = threading.Barrier(2)
    answers = [None, None]

    def claim(i):
        start.wait()
        answers[i] = agents[i].claim("race-1")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status == 409)
    assert "处理中" in loser.json()["error"]
    from bot.db.session import session_scope
    from console.models import Claim
    from sqlalchemy import select

    with session_scope(env["db"]) as s:
        live = s.execute(select(Claim).where(Claim.conversation_id == "race-1", Claim.released_at.is_(None))).scalars().all()
    assert len(live) == 1
    winner = agents[[a.status for a in answers].index(200)]
    assert winner.claim("race-1").status == 200  # claiming again is harmless
    other = agents[[a.status for a in answers].index(409)]
    assert other.reply("race-1", "您好").status == 409  # only the holder talks


def test_release_puts_the_conversation_back_in_the_queue(env):
    hand_over(env, "rel-1", "C-9")
    a1, a2 = browser(env, "agent1"), browser(env, "agent2")
    assert a1.claim("rel-1").status == 200
    assert [e["status"] for e in a1.detail("rel-1")["escalations"]] == ["claimed"]
    assert a2.post(Browser.cpath("rel-1", "/release")).status == 403
    assert a1.post(Browser.cpath("rel-1", "/release")).status == 200
    assert [e["status"] for e in a1.detail("rel-1")["escalations"]] == ["open"]
    assert a2.claim("rel-1").status == 200


def test_claiming_a_conversation_the_bot_is_answering_pauses_it(env):
    hand_over(env, "claim-pause", "C-9")
    env["fake"].trackers["claim-pause"]["paused"] = False
    assert browser(env, "agent1").claim("claim-pause").status == 200
    assert env["fake"].paused("claim-pause")


# --- replies ----------------------------------------------------------------------------------


def test_an_agent_reply_is_delivered_on_the_cardholders_channel_and_kept_in_the_tracker(env):
    hand_over(env, "+8613700000001", "C-1", channel="twilio_sms")
    agent = browser(env, "agent1")
    assert agent.reply("+8613700000001", "您好").status == 409  # claim first
    assert agent.claim("+8613700000001").status == 200
    answer = agent.reply("+8613700000001", "您好，我是人工专员，现在由我为您服务。")
    assert answer.status == 200, answer.body
    assert answer.json() == {"delivered": True, "channel": "twilio_sms"}
    # An SMS says how to stop them: the console appends the line, the agent does not type it.
    assert {"conversation_id": "+8613700000001", "channel": "twilio_sms",
            "text": "您好，我是人工专员，现在由我为您服务。回T退订"} in env["fake"].sent
    transcript = agent.detail("+8613700000001")["transcript"]
    assert transcript[-1] == {**transcript[-1], "from": "agent", "text": "您好，我是人工专员，现在由我为您服务。回T退订"}
    again = agent.reply("+8613700000001", "请问还有其他问题吗？回T退订")  # typed anyway: not doubled
    assert again.status == 200 and env["fake"].sent[-1]["text"] == "请问还有其他问题吗？回T退订"
    executed = [r for r in env["fake"].requests if r["path"].endswith("/execute")]
    assert executed[-1]["query"]["output_channel"] == ["latest"]
    assert executed[-1]["body"] == {"name": "action_relay_agent_message"}
    assert ("agent1", "reply", "C-1") in audit_actions(env, "+8613700000001")


def test_a_reply_with_forbidden_wording_is_refused_with_the_reason(env):
    hand_over(env, "guard-1", "C-9")
    agent = browser(env, "agent1")
    agent.claim("guard-1")
    sent_before = len(env["fake"].sent)
    answer = agent.reply("guard-1", "再不还钱就让你坐牢")
    assert answer.status == 422
    assert "禁止使用的措辞" in answer.json()["error"] and "坐牢" in answer.json()["error"]
    assert len(env["fake"].sent) == sent_before
    assert env["fake"].trackers["guard-1"]["slots"]["agent_message"] is None
    assert ("agent1", "reply_blocked", "C-9") in audit_actions(env, "guard-1")


def test_replies_to_a_third_party_or_an_opted_out_channel_are_refused(env):
    from bot.db import repository
    from bot.db.session import session_scope

    hand_over(env, "third-1", "C-9", verified=False)
    env["fake"].trackers["third-1"]["slots"]["auth_state"] = "third_party"
    hand_over(env, "+8613700000009", "C-9", channel="twilio_sms")
    with session_scope(env["db"]) as s:
        repository.record_opt_out(s, "+8613700000009", "twilio_sms")
    agent = browser(env, "agent2")
    agent.claim("third-1")
    agent.claim("+8613700000009")
    third = agent.reply("third-1", "您好")
    assert third.status == 422 and "不是持卡人本人" in third.json()["error"]
    opted = agent.reply("+8613700000009", "您好")
    assert opted.status == 422 and "退订" in opted.json()["error"] and "短信" in opted.json()["error"]


def test_a_reply_the_action_server_never_ran_is_reported_as_not_sent(env):
    hand_over(env, "down-1", "C-9")
    agent = browser(env, "agent1")
    agent.claim("down-1")
    env["fake"].fail_actions = True
    try:
        answer = agent.reply("down-1", "您好")
    finally:
        env["fake"].fail_actions = False
    assert answer.status == 502 and "未能发送" in answer.json()["error"]
    assert ("agent1", "reply_failed", "C-9") in audit_actions(env, "down-1")


def test_rest_conversations_cannot_receive_an_agent_reply(env):
    hand_over(env, "rest-1", "C-9", channel="rest")
    agent = browser(env, "agent1")
    agent.claim("rest-1")
    answer = agent.reply("rest-1", "您好")
    assert answer.status == 409 and "测试接口" in answer.json()["error"]


# --- bookings -------------------------------------------------------------------------------------


def test_an_agent_books_a_deferral_through_the_policy(env):
    hand_over(env, "defer-1", "C-4")
    agent = browser(env, "agent1")
    agent.claim("defer-1")
    too_long = agent.book("defer-1", kind="deferral", days=45)
    assert too_long.status == 422 and "最长为30天" in too_long.json()["error"]
    answer = agent.book("defer-1", kind="deferral", days=14)
    assert answer.status == 200, answer.body
    result = answer.json()
    assert result["created"] is True and result["summary"] == {"days": 14, "new_due_date": "2026-12-09"}
    # With the reference number and how to pay (issue 14).
    assert result["suggested_reply"].startswith("已为您办理延期，新的还款日为2026年12月9日，请在该日期前完成还款。业务编号：HK-")
    assert "还款方式：" in result["suggested_reply"]
    again = agent.book("defer-1", kind="deferral", days=14).json()
    assert again["created"] is False and again["arrangement_id"] == result["arrangement_id"]
    deferrals = [a for a in snapshot(env, "C-4")["arrangements"] if a["kind"] == "deferral"]
    assert [(d["new_due_date"], d["status"], d["conversation_id"]) for d in deferrals] == [("2026-12-09", "booked", "defer-1")]
    # the same policy as the bot: one deferral per delinquency
    second = agent.book("defer-1", kind="deferral", days=7)
    assert second.status == 422 and "已办理过延期" in second.json()["error"]
    assert ("agent1", "book", "C-4") in audit_actions(env, "defer-1")


def test_an_unverified_person_gets_no_booking(env):
    hand_over(env, "unverified-1", "C-5", verified=False)
    agent = browser(env, "agent2")
    agent.claim("unverified-1")
    answer = agent.book("unverified-1", kind="deferral", days=7)
    assert answer.status == 403 and "身份验证" in answer.json()["error"]
    assert agent.detail("unverified-1")["state"]["identity_confirmed"] is False


def test_an_app_token_identity_counts_as_verified(env):
    hand_over(env, "token-1", "C-5", verified=False,
              metadata={"collectbot_identity": {"account_id": "C-5", "method": "app_token"}})
    agent = browser(env, "agent2")
    agent.claim("token-1")
    assert agent.detail("token-1")["state"]["identity_confirmed"] is True
    assert agent.book("token-1", kind="promise", amount="900", pay_date="2026-12-01").status == 200
    assert [(p["amount"], p["pay_date"]) for p in snapshot(env, "C-5")["promises"]] == [("900.00", "2026-12-01")]


def test_plans_beyond_the_bots_limits_need_a_supervisor(env):
    hand_over(env, "long-1", "C-1")
    agent = browser(env, "agent1")
    agent.claim("long-1")
    refused = agent.book("long-1", kind="installment", months=36)
    assert refused.status == 403 and "主管" in refused.json()["error"]
    assert agent.book("long-1", kind="hardship_plan", months=36).status == 403
    agent.post(Browser.cpath("long-1", "/release"))
    boss = browser(env, "boss")
    assert boss.claim("long-1").status == 200
    answer = boss.book("long-1", kind="installment", months=36)
    assert answer.status == 200, answer.body
    assert answer.json()["summary"]["months"] == 36
    plans = [a for a in snapshot(env, "C-1")["arrangements"] if a["kind"] == "hardship_plan"]
    assert [(p["months"], p["status"], p["monthly_payment"]) for p in plans] == [(36, "booked", "333.33")]


def test_a_supervisor_approves_the_bots_pending_hardship_plan(env):
    from bot.db import repository
    from bot.db.session import session_scope

    with session_scope(env["db"]) as s:
        plan_id, _ = repository.book_arrangement(
            s, account_id="C-6", kind="hardship_plan", status="pending_approval", idempotency_key="hp-C-6",
            conversation_id="hp-1", amount="6000.00", months=48, monthly_payment="161.00", total_fee="1728.00",
        )
    hand_over(env, "hp-1", "C-6", reason="hardship_plan")
    assert browser(env, "agent1").post(f"/api/arrangements/{plan_id}/approve").status == 403
    boss = browser(env, "boss")
    answer = boss.post(f"/api/arrangements/{plan_id}/approve")
    assert answer.status == 200, answer.body
    plan = next(a for a in snapshot(env, "C-6")["arrangements"] if a["id"] == plan_id)
    assert plan["status"] == "booked"
    assert boss.post(f"/api/arrangements/{plan_id}/approve").status == 409


# --- notes, hand-back, resolution --------------------------------------------------------------------


def test_hand_back_resumes_the_bot_with_a_message(env):
    hand_over(env, "back-1", "C-7")
    agent = browser(env, "agent1")
    agent.claim("back-1")
    answer = agent.hand_back("back-1")
    assert answer.status == 200 and answer.json()["warning"] is None
    assert not env["fake"].paused("back-1")
    assert env["fake"].trackers["back-1"]["slots"]["escalated"] is False
    assert {"conversation_id": "back-1", "channel": "webchat", "text": HANDED_BACK_TEXT} in env["fake"].sent
    detail = agent.detail("back-1")
    assert detail["state"]["paused"] is False and detail["claim"]["handed_back_at"]
    assert agent.reply("back-1", "还在吗").status == 409  # take over again first
    assert agent.claim("back-1").status == 200 and env["fake"].paused("back-1")


def test_hand_back_still_resumes_when_the_action_server_is_down(env):
    hand_over(env, "back-2", "C-7", reason="complaint", priority=1)
    agent = browser(env, "agent1")
    agent.claim("back-2")
    env["fake"].fail_actions = True
    try:
        answer = agent.hand_back("back-2")
    finally:
        env["fake"].fail_actions = False
    assert answer.status == 200 and "未能发送" in answer.json()["warning"]
    assert not env["fake"].paused("back-2")


def test_resolving_lands_the_outcome_on_the_account_and_empties_the_queue(env):
    hand_over(env, "done-1", "C-8")
    agent = browser(env, "agent2")
    agent.claim("done-1")
    assert agent.post(Browser.cpath("done-1", "/notes"), {"text": "客户答应月底前还款"}).status == 200
    assert agent.resolve("done-1", "nonsense").status == 400
    answer = agent.resolve("done-1", "promise", "月底前还最低还款额")
    assert answer.status == 200, answer.body
    assert not env["fake"].paused("done-1")  # resolving hands back too
    escalations = [e for e in snapshot(env, "C-8")["escalations"] if e["conversation_id"] == "done-1"]
    assert [e["status"] for e in escalations] == ["resolved"]
    detail = agent.detail("done-1")
    assert [(r["outcome"], r["note"], r["display_name"]) for r in detail["resolutions"]] == [
        ("promise", "月底前还最低还款额", "李专员")
    ]
    assert [n["text"] for n in detail["notes"]] == ["客户答应月底前还款"]
    assert detail["claim"] is None
    queue = agent.get("/api/queue").json()["items"]
    assert "done-1" not in [i["conversation_id"] for i in queue]
    actions = [a for _, a, _ in audit_actions(env, "done-1")]
    assert actions[-4:] == ["claim", "note", "hand_back", "resolve"] or actions[-3:] == ["claim", "note", "resolve"]
    assert "resolve" in actions and all(acc == "C-8" for _, a, acc in audit_actions(env, "done-1") if a != "view_conversation")


def test_resolving_an_sms_conversation_as_wrong_party_marks_the_number(env):
    from sqlalchemy import select

    from bot.db.models import PhoneMark
    from bot.db.session import session_scope

    number = "+8613900000777"
    hand_over(env, number, "C-8", channel="twilio_sms", verified=False)
    agent = browser(env, "agent1")
    agent.claim(number)
    assert agent.resolve(number, "wrong_party", "接电话的是客户同事").status == 200
    with session_scope(env["db"]) as s:
        marks = s.execute(select(PhoneMark.phone, PhoneMark.kind, PhoneMark.created_by, PhoneMark.note)).all()
    assert marks == [(number, "third_party", "agent1", "接电话的是客户同事")]


def test_a_dispute_opened_keeps_the_account_disputed_but_leaves_the_queue(env):
    hand_over(env, "disp-1", "C-3", reason="dispute_debt", priority=1, summary="债务异议：这笔不是我刷的")
    agent = browser(env, "agent1")
    agent.claim("disp-1")
    assert agent.resolve("disp-1", "dispute_opened", "客户否认交易，已提交争议").status == 200
    snap = snapshot(env, "C-3")
    assert snap["account"]["open_dispute"] is True
    assert "disp-1" not in [i["conversation_id"] for i in agent.get("/api/queue").json()["items"]]
    assert snap["assessment"]["willingness"] == "disputes"


# --- live updates and escaping -------------------------------------------------------------------


def test_a_new_cardholder_message_reaches_the_open_conversation_stream(env):
    from bot.db import repository
    from bot.db.session import session_scope

    hand_over(env, "live-1", "C-9")
    agent = browser(env, "agent1")
    agent.claim("live-1")

    def later():
        time.sleep(1.0)
        env["fake"].user_says("live-1", "<b>我明天还钱</b>", intent="promise_to_pay")
        with session_scope(env["db"]) as s:
            repository.log_contact(s, conversation_id="live-1", channel="webchat", direction="in",
                                   text="<b>我明天还钱</b>", account_id="C-9")

    threading.Thread(target=later).start()
    events = agent.sse(
        Browser.cpath("live-1", "/stream"),
        until=lambda evs: any(m["text"] == "<b>我明天还钱</b>" for e in evs for m in e["data"].get("transcript", [])),
    )
    assert events[0]["event"] == "update"


def test_the_queue_stream_shows_a_new_hand_over(env):
    agent = browser(env, "agent2")

    def later():
        time.sleep(1.0)
        hand_over(env, "live-q", None, reason="crisis", priority=0, tracker=False)

    threading.Thread(target=later).start()
    agent.sse("/api/queue/stream", until=lambda evs: any(
        i["conversation_id"] == "live-q" for i in evs[-1]["data"]["items"]))


def test_pages_escape_what_they_echo_and_send_a_strict_policy(env):
    agent = browser(env, "agent1")
    page = agent.get("/conversations/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.status == 200
    assert "<script>alert(1)</script>" not in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.body
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    static = agent.get("/static/conversation.js")
    assert static.status == 200 and "innerHTML" not in static.body
    assert agent.get("/static/../app.py").status == 404


def test_supervisors_read_the_audit_log(env):
    hand_over(env, "aud-1", "C-9")
    agent = browser(env, "agent1")
    agent.claim("aud-1")
    entries = browser(env, "boss").get("/api/audit?conversation_id=aud-1").json()["entries"]
    assert [(e["username"], e["action"], e["account_id"]) for e in entries][0] == ("agent1", "claim", "C-9")
    assert entries[0]["created_at"].startswith("2026-11-25T10:00:00")
    assert agent.get("/api/audit").status == 403


def test_sign_in_only_returns_to_local_pages(env):
    import re as _re

    for target, expected in (("/queue", "/queue"), ("//evil.example/x", "/queue"), ("https://evil.example", "/queue"),
                             ("/conversations/abc", "/conversations/abc")):
        b = Browser(env["url"])
        page = b.get("/login?next=" + target)
        token = _re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
        answer = b.request("POST", "/login", form={"csrf_token": token, "username": "agent1", "password": PASSWORD,
                                                   "next": target})
        assert answer.status == 302 and answer.headers["Location"] == expected
