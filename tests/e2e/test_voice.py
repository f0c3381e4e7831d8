"""Phone calls end to end: the real Rasa server (trained model in bot/models)
and action server, the voice channel (channels/voice.py) configured with a
fake auth token, Twilio's side of each call played by the call simulator
(bot/voice/sim.py: signed webhooks, TwiML followed), Twilio's REST API by
tests/fakes/fake_twilio.py (calls.create, messages.create).

What is checked is what the caller hears, what the guard lets through, and
what lands in the database (``collectbot show-account``).
"""
from __future__ import annotations

import json

import pytest

from bot.voice.sim import CallSim
from tests.e2e.servers import REPO, eventually
from tests.e2e.support import SMS_CHANNELS, twilio_stack
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
LATE = "2026-11-25T21:30:00+08:00"
PUBLIC = "https://voice.example.test"
ONCALL = "+8610000000110"
AGENT = "+8610000000200"
DISCLOSING = ("元", "逾期", "信用卡", "欠款", "还款", "账单", "李", "明华", "王芳")


@pytest.fixture(scope="module")
def fake():
    with FakeTwilio() as f:
        yield f


@pytest.fixture(scope="module")
def stack(tmp_path_factory, fake):
    env = {
        "SMS_SEND_ATTEMPTS": "1",
        "COLLECTBOT_ONCALL_PHONE": ONCALL,
        "VOICE_AGENT_NUMBER": AGENT,
        "VOICE_TURN_SECONDS": "12",
    }
    with twilio_stack(
        tmp_path_factory.mktemp("e2e-voice"), NOW, fake, PUBLIC,
        channels=SMS_CHANNELS + ("voice.VoiceInput",), env=env,
    ) as s:
        yield s


def call(stack, phone: str, **kw) -> CallSim:
    return CallSim(stack.rasa_url, phone, auth_token=AUTH_TOKEN, public_url=PUBLIC, twilio_number=TWILIO_NUMBER,
                   account_sid=ACCOUNT_SID, timeout=60, **kw)


def place_call(stack, phone: str, now: str = NOW) -> dict:
    env = dict(stack.env, COLLECTBOT_NOW=now)
    import subprocess

    from tests.e2e.servers import VENV_BIN

    result = subprocess.run([str(VENV_BIN / "collectbot"), "call", phone, "--json"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def voice_rows(stack, account_id: str):
    return [e for e in stack.show_account(account_id)["contact_log"] if e["channel"] == "voice"]


def test_inbound_call_verifies_on_the_keypad_and_books_a_12_month_installment(stack):
    me = "+8613900000001"
    sim = call(stack, me).start()
    assert "李*华本人吗" in sim.last_said() or "本人" in sim.last_said()
    sim.say("是的")
    assert "按键输入" in sim.last_said() and "身份证" in sim.last_said()
    sim.press("3521")
    facts = sim.last_said()
    assert "一万两千元" in facts  # 12,000.00元 as said on the phone
    assert "二零二六年十月十日" in facts
    assert "3521" not in "".join(sim.said()) and "三五二一" not in "".join(sim.said())
    sim.say("能分12期吗")
    confirm = sim.last_said()
    assert "分十二期" in confirm and "一千零七十二元" in confirm
    sim.say("好的")
    assert "分期已办理成功" in sim.last_said()
    sim.hang_up()

    account = stack.show_account("E2E-1")
    installments = [a for a in account["arrangements"] if a["kind"] == "installment"]
    assert [(a["months"], a["monthly_payment"]) for a in installments] == [(12, "1072.00")]

    def logged():
        rows = voice_rows(stack, "E2E-1")
        assert any(r["direction"] == "in" and r["text"] == "能分12期吗" for r in rows)
        assert any(r["direction"] == "out" and "分期已办理成功" in r["text"] for r in rows)
        assert any(r["status"] == "completed" for r in rows)

    eventually(logged, timeout=15.0)


def import_account(stack, line: str) -> None:
    path = stack.workdir / f"extra-{line.split(',')[0]}.csv"
    path.write_text("account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date\n" + line + "\n",
                    encoding="utf-8")
    imported = stack.collectbot("import-accounts", str(path))
    assert imported.returncode == 0, imported.stderr


def test_outbound_campaign_call_answered_by_a_machine_leaves_a_neutral_message_and_counts(stack, fake):
    me = "+8613900000005"
    # 66 days past due: stage 3 (personal contact), made by phone in this campaign.
    import_account(stack, f"E2E-5,周敏,{me},4321,1234,8000.00,800.00,2026-09-20")
    config = stack.workdir / "campaign.yml"
    config.write_text("voice_steps: [agent_call]\n", encoding="utf-8")
    run = stack.collectbot("campaign", "run", "--no-progress", "--config", str(config))
    assert run.returncode == 0, run.stderr
    created = [r for r in fake.call_requests() if r.form.get("To") == me and r.answer == 201]
    assert len(created) == 1, run.stdout
    assert created[0].form["MachineDetection"] == "Enable"
    assert created[0].form["Url"] == PUBLIC + "/webhooks/voice/call"
    call_sid = created[0].sid

    sim = call(stack, me, outbound=True, call_sid=call_sid, answered_by="machine_start").start()
    speech = "".join(sim.said())
    assert "回电" in speech
    assert not any(w in speech for w in DISCLOSING + ("周", "敏"))
    assert sim.ended
    sim.status("completed", 15)
    rows = voice_rows(stack, "E2E-5")
    assert [r["status"] for r in rows if (r["message_id"] or "").startswith(call_sid)].count("machine") == 1

    # Five more attempts nobody answers: six unanswered today, the seventh is refused.
    for _ in range(5):
        placed = place_call(stack, me)
        assert placed["placed"], placed
        call(stack, me, outbound=True, call_sid=placed["call_sid"]).status("no-answer")
    refused = place_call(stack, me)
    assert not refused["placed"] and refused["reason"] == "unanswered_call_cap"
    assert refused["detail"] == "6/6"


def test_a_call_at_21_30_is_refused(stack, fake):
    before = len(fake.call_requests())
    refused = place_call(stack, "+8613900000004", now=LATE)
    assert not refused["placed"] and refused["reason"] == "quiet_hours"
    assert refused["retry_at"].startswith("2026-11-26T08:00")
    assert len(fake.call_requests()) == before


def test_stop_calling_on_a_call_stops_later_calls_and_sms(stack, fake):
    me = "+8613900000006"
    # 10 days past due: a reminder SMS is due, never sent yet.
    import_account(stack, f"E2E-6,吴刚,{me},5678,2468,3000.00,300.00,2026-11-15")
    sim = call(stack, me).start()
    sim.say("别再打了")
    assert sim.ended
    assert "不再" in "".join(sim.said())
    opt_outs = stack.show_account("E2E-6")["opt_outs"]
    assert "all" in [o["channel"] for o in opt_outs]

    refused = place_call(stack, me)
    assert not refused["placed"] and refused["reason"] == "opted_out"
    fake.reset()
    run = stack.collectbot("campaign", "run", "--no-progress")
    assert run.returncode == 0, run.stderr
    assert "客户已退订该渠道" in run.stdout
    assert [r for r in fake.message_requests() if r.form.get("To") == me] == []


def test_crisis_on_a_call_is_transferred_at_once(stack):
    me = "+8613900000003"
    sim = call(stack, me).start()
    sim.say("还不上了 我真的不想活了")
    assert sim.transfers() == [ONCALL]
    assert any("12356" in s or "幺二三五六" in s or "110" in s or "幺幺零" in s for s in sim.said())
    escalations = stack.show_account("E2E-3")["escalations"]
    assert ("crisis", 0) in [(e["reason"], e["priority"]) for e in escalations]


def test_a_forged_signature_is_refused(stack):
    sim = call(stack, "+8613900000001", forge=True).start()
    assert sim.answers[-1].status == 403
    assert sim.steps[-1].kind == "refused"


def test_a_duplicated_status_callback_is_counted_once(stack):
    me = "+8613900000003"
    sim = call(stack, me, outbound=True)
    assert sim.status("busy").status < 400
    assert sim.status("busy").status < 400
    rows = [r for r in voice_rows(stack, "E2E-3") if (r["message_id"] or "").startswith(sim.call_sid)]
    assert [r["status"] for r in rows] == ["busy"]


def test_a_caller_asking_for_a_person_in_staffed_hours_is_put_through_to_the_agent_line(stack):
    me = "+8613900000002"
    sim = call(stack, me).start()
    sim.say("转人工")
    assert sim.transfers() == [AGENT]
    assert "正在为您转接人工专员" in "".join(sim.said())
    sim.hang_up()
    escalations = stack.show_account("E2E-2")["escalations"]
    assert [e["reason"] for e in escalations] == ["customer_request"]
    # tests/browser/test_voice_console_browser.py: the agent's console shows the call meanwhile.
