"""The safety net end to end at 23:00 Asia/Shanghai, when no person is on
duty: a noisy crisis message (traditional characters, a place or a method
instead of a word for dying) reaches a person (an escalation at priority 0
in the database) with the hotline in the reply and no money talk, whether
the bot or a person has the conversation; a possible crisis gets the gentle
check-in first, and an answer that they are not safe hands over.

The real Rasa server (``--enable-api``: the paused-safety net sends its
reply through Rasa's HTTP API) and action server; the model is bot/models
unless COLLECTBOT_E2E_MODEL names another one.
"""
from __future__ import annotations

import json
import os
import urllib.request
from typing import Any, Dict, List
from urllib.parse import quote

import pytest

from bot.core.identity import rest_conversation_id
from tests.e2e import servers
from tests.e2e.servers import REPO, eventually, running_stack

pytestmark = pytest.mark.e2e

NIGHT = "2026-11-25T23:00:00+08:00"
RASA_TOKEN = "e2e-safety-rasa-token-0123456789"
MODEL = os.environ.get("COLLECTBOT_E2E_MODEL", "bot/models")
HOTLINE = "12356"
MONEY = ("元", "逾期", "信用卡", "欠", "还款", "账单", "催收", "分期", "征信", "钱")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-safety")
    # The action server reaches Rasa's HTTP API for the replies of a paused
    # conversation, so it must know Rasa's port before both start.
    rasa_port, actions_port = servers.free_port(), servers.free_port()
    env = {"RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_API_TOKEN": RASA_TOKEN}
    ports = iter([rasa_port, actions_port])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(servers, "free_port", lambda: next(ports))
        stack_cm = running_stack(workdir, NIGHT, extra_env=env,
                                 rasa_args=("--enable-api", "--auth-token", RASA_TOKEN, "--model", MODEL))
        s = stack_cm.__enter__()
    try:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s
    finally:
        stack_cm.__exit__(None, None, None)


def bot_texts(stack, sender: str) -> List[str]:
    conversation = quote(rest_conversation_id(sender), safe="+:")
    url = f"{stack.rasa_url}/conversations/{conversation}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as r:
        tracker: Dict[str, Any] = json.loads(r.read().decode("utf-8"))
    return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]


def escalations(stack, account_id: str):
    return [(e["reason"], e["priority"]) for e in stack.show_account(account_id)["escalations"]]


def no_money(texts: List[str]) -> List[str]:
    return [w for t in texts for w in MONEY if w in t]


def test_a_traditional_place_message_at_night_reaches_a_person_with_the_hotline(stack):
    answer = stack.say("+8613900000001", "我已經站在天台上了")
    reply = "\n".join(answer)
    assert HOTLINE in reply and "我已请人工专员" in reply
    assert "非人工服务时间" in reply  # 23:00: the desk opens in the morning
    assert no_money(answer) == []
    assert escalations(stack, "E2E-1") == [("crisis", 0)]


def test_a_method_only_message_while_a_person_has_the_conversation_reaches_the_top_of_the_queue(stack):
    me = "+8613900000002"
    assert "人工专员" in "\n".join(stack.say(me, "转人工"))
    assert stack.say(me, "安眠藥攢了一瓶") == []  # paused: the reply follows through Rasa's API

    def replied():
        # After the two lines of the hand-over: the crisis reply and when a person will answer.
        after = bot_texts(stack, me)[2:]
        assert any(HOTLINE in t and "我已请人工专员" in t for t in after) and no_money(after) == [], after

    eventually(replied)
    assert escalations(stack, "E2E-2") == [("customer_request", 2), ("crisis", 0)]


def test_a_possible_crisis_gets_a_gentle_check_in_and_not_safe_hands_over(stack):
    me = "+8613900000003"
    check_in = stack.say(me, "活著好累")
    assert HOTLINE in "\n".join(check_in) and "您现在安全吗" in "\n".join(check_in)
    assert no_money(check_in) == []
    assert escalations(stack, "E2E-3") == []

    handed_over = stack.say(me, "不太好")
    assert HOTLINE in "\n".join(handed_over) and "我已请人工专员" in "\n".join(handed_over)
    assert no_money(handed_over) == []
    assert escalations(stack, "E2E-3") == [("crisis", 0)]
