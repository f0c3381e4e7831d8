"""Phone calls out of staffed hours (issue 17), end to end through the call
simulator: the real Rasa server and action server at 22:30 Shanghai time
(staffed hours 09:00-21:00), the voice channel with an agent line and an
on-call number.

- a caller who asks for a person is not put through to an empty desk: the
  call ends politely after they are told when a person will call them back
  and when they can call (the staffed hours, the hotline); the hand-over is
  open for the morning;
- a crisis is put through to the on-call number at once, whatever the hour.
"""
from __future__ import annotations

import pytest

from bot.voice.sim import CallSim
from tests.e2e.servers import REPO, running_stack
from tests.fakes.fake_twilio import AUTH_TOKEN, TWILIO_NUMBER

pytestmark = pytest.mark.e2e

LATE = "2026-11-25T22:30:00+08:00"
PUBLIC = "https://voice.example.test"
ONCALL = "+8610000000110"
AGENT = "+8610000000200"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-voice-late")
    credentials = workdir / "credentials.yml"
    credentials.write_text("channels.rest.RestChannel:\nchannels.voice.VoiceInput:\n", encoding="utf-8")
    env = {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_PUBLIC_URL": PUBLIC, "COLLECTBOT_ONCALL_PHONE": ONCALL,
           "VOICE_AGENT_NUMBER": AGENT, "VOICE_TURN_SECONDS": "12", "STAFFED_HOURS": "09:00-21:00"}
    with running_stack(workdir, LATE, extra_env=env, credentials=credentials) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def call(stack, phone: str) -> CallSim:
    return CallSim(stack.rasa_url, phone, auth_token=AUTH_TOKEN, public_url=PUBLIC, twilio_number=TWILIO_NUMBER,
                   timeout=60).start()


def test_out_of_hours_a_caller_asking_for_a_person_is_told_when_to_call_back(stack):
    sim = call(stack, "+8613900000002")
    sim.say("转人工")
    assert sim.transfers() == []  # nobody at the desk: no <Dial> into the void
    assert sim.ended and sim.steps[-1].kind == "hangup"
    said = sim.last_said()
    assert "人工服务时间为每天九点到二十一点" in said  # the staffed hours, spoken as times
    assert "明天九点" in said  # when a person calls back
    assert "每天九点到二十一点，拨打四零零" in said  # when and where the caller can call
    assert ":" not in said and "09" not in said
    assert "正在为您转接" not in said  # nothing promised that does not happen
    account = stack.show_account("E2E-2")
    assert [(e["reason"], e["status"]) for e in account["escalations"]] == [("customer_request", "open")]


def test_out_of_hours_a_crisis_goes_to_the_on_call_number_at_once(stack):
    sim = call(stack, "+8613900000003")
    sim.say("还不上了 我真的不想活了")
    assert sim.transfers() == [ONCALL]
    speech = "".join(sim.said())
    assert "现在就为您转接值班专员" in speech
    assert "幺幺零" in speech or "幺二三五六" in speech  # where help is now, before the transfer
    escalations = stack.show_account("E2E-3")["escalations"]
    assert ("crisis", 0) in [(e["reason"], e["priority"]) for e in escalations]
