"""The web chat end to end: real Rasa server (trained model, the web chat
channel as configured in credentials.yml), real action server, a
python-socketio client speaking Rasa's socket.io protocol.

Rasa's HTTP API is on (with an auth token) to read trackers and to push
messages through the channel (`output_channel=latest`).
"""
from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional

import pytest
import yaml

from bot.core import tokens
from tests.e2e.servers import REPO, running_stack
from tests.webchat_client import WebChatClient

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
SECRET = "e2e-webchat-" + secrets.token_hex(16)
API_TOKEN = "e2e-api-" + secrets.token_hex(16)
IDENTITY_KEY = "collectbot_identity"
REPLY_TIMEOUT = 90  # the first message of a fresh server loads the model's graph


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-webchat")
    # The web chat block exactly as credentials.yml has it, beside the REST
    # channel (the other channels are tested elsewhere).
    repo_credentials = yaml.safe_load((REPO / "credentials.yml").read_text(encoding="utf-8"))
    block = repo_credentials["channels.webchat.WebChatInput"]
    credentials = workdir / "credentials.yml"
    credentials.write_text(
        yaml.safe_dump({"rest": None, "channels.webchat.WebChatInput": block}, allow_unicode=True),
        encoding="utf-8",
    )
    with running_stack(
        workdir, NOW,
        extra_env={"WEBCHAT_TOKEN_SECRET": SECRET, "WEBCHAT_DEMO": "1"},
        rasa_args=["--enable-api", "--auth-token", API_TOKEN],
        credentials=credentials,
    ) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def api(stack, method: str, path: str, body: Any = None, token: Optional[str] = API_TOKEN, **query) -> Any:
    if token:
        query["token"] = token
    url = f"{stack.rasa_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        raw = r.read().decode("utf-8")
        return json.loads(raw) if raw else None


def tracker(stack, session_id: str) -> Dict[str, Any]:
    return api(stack, "GET", f"/conversations/{session_id}/tracker")


def user_events(stack, session_id: str) -> List[Dict[str, Any]]:
    return [e for e in tracker(stack, session_id)["events"] if e["event"] == "user"]


class Client(WebChatClient):
    """One browser tab on the stack's web chat."""

    def __init__(self, stack) -> None:
        super().__init__(stack.rasa_url, timeout=REPLY_TIMEOUT, session_timeout=20)
        self.stack = stack


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def run(coro):
    return asyncio.run(coro)


def test_session_request_confirm_and_a_reply_to_hello(stack):
    async def scenario():
        async with Client(stack) as c:
            session_id, status = await c.session()
            assert re.fullmatch(r"[0-9a-f]{32}", session_id)
            assert status["identified"] is False and re.fullmatch(r"[0-9a-f]{32}", status["session_proof"])
            await c.say(session_id, "你好")
            replies = await c.replies()
            assert replies and all(isinstance(m, dict) for m in replies)
            assert texts(replies).strip()
            return session_id

    session_id = run(scenario())
    current = tracker(stack, session_id)
    assert current["latest_input_channel"] == "webchat"
    assert [e["text"] for e in current["events"] if e["event"] == "user"] == ["你好"]


def test_reconnecting_with_the_session_id_continues_the_same_conversation(stack):
    async def scenario():
        async with Client(stack) as first_tab:
            session_id, first = await first_tab.session()
            await first_tab.say(session_id, "你好")
            await first_tab.replies()
        async with Client(stack) as after_reload:
            confirmed, status = await after_reload.session(session_id, session_proof=first["session_proof"])
            assert confirmed == session_id
            await after_reload.say(session_id, "在吗")
            assert await after_reload.replies()
        return session_id

    session_id = run(scenario())
    assert [e["text"] for e in user_events(stack, session_id)] == ["你好", "在吗"]


def test_a_token_session_ignores_a_client_claiming_another_account(stack):
    link = tokens.issue("E2E-1", 15 * 60, SECRET, time.time())
    claim = {IDENTITY_KEY: {"account_id": "E2E-2", "method": "app_token"}, "page": "home"}

    async def scenario():
        async with Client(stack) as c:
            session_id, status = await c.session(customData={"token": link})
            assert status["identified"] is True
            await c.say(session_id, "你好", claim)
            first = await c.replies()
            await c.say(session_id, "我欠多少钱", claim)
            second = await c.replies()
            return session_id, texts(first + second)

    session_id, said = run(scenario())
    # Nothing of E2E-2's account (balance 3,500.00, card 4455) was said.
    assert "3,500" not in said and "4455" not in said
    events = user_events(stack, session_id)
    assert [e["text"] for e in events] == ["你好", "我欠多少钱"]
    for event in events:
        assert event["metadata"][IDENTITY_KEY] == {"account_id": "E2E-1", "method": "app_token"}
        assert event["metadata"]["page"] == "home"


def test_a_session_id_alone_neither_joins_nor_talks_in_the_conversation(stack):
    """Issue 16: the anonymous session id was a bearer credential."""
    async def scenario():
        async with Client(stack) as visitor, Client(stack) as attacker:
            session_id, _ = await visitor.session()
            await visitor.say(session_id, "你好")
            await visitor.replies()
            taken, _ = await attacker.session(session_id)
            assert taken != session_id
            await attacker.say(session_id, "我欠多少钱")
            await asyncio.sleep(2)
            return session_id

    session_id = run(scenario())
    assert [e["text"] for e in user_events(stack, session_id)] == ["你好"]


ID_QUESTION = "请回复您身份证号码的后四位"


def test_verifying_in_chat_rotates_the_session_proof(stack):
    """The proof held before the visitor verified (phone + ID digits) no
    longer opens the conversation once it holds the cardholder's debt."""
    async def scenario():
        async with Client(stack) as visitor:
            session_id, status = await visitor.session()
            old_proof = status["session_proof"]
            said = ""
            # The first answer now explains both steps (phone, then ID
            # digits), so wait for the question that asks for the digits.
            for text in ("我欠多少钱", "13900000001", "是的"):
                if ID_QUESTION in said:
                    break
                await visitor.say(session_id, text)
                said = texts(await visitor.replies())
            assert ID_QUESTION in said, said
            await visitor.say(session_id, "3521")
            rotated = (await visitor.next("webchat_status"))["session_proof"]
            assert rotated != old_proof
        async with Client(stack) as stale:
            taken, _ = await stale.session(session_id, session_proof=old_proof)
            assert taken != session_id
        async with Client(stack) as reloaded:
            again, _ = await reloaded.session(session_id, session_proof=rotated)
            assert again == session_id
            await reloaded.say(session_id, "我欠多少钱")
            return texts(await reloaded.replies())

    assert "12,000.00" in run(scenario())


def test_an_anonymous_client_claiming_an_account_stays_anonymous(stack):
    claim = {IDENTITY_KEY: {"account_id": "E2E-1", "method": "app_token"}}

    async def scenario():
        async with Client(stack) as c:
            session_id, _ = await c.session()
            await c.say(session_id, "我欠多少钱", claim)
            return session_id, texts(await c.replies())

    session_id, said = run(scenario())
    assert "12,000" not in said and "6688" not in said
    assert all(IDENTITY_KEY not in (e.get("metadata") or {}) for e in user_events(stack, session_id))


def test_a_token_holder_is_told_the_balance_without_questions(stack):
    link = tokens.issue("E2E-1", 15 * 60, SECRET, time.time())

    async def scenario():
        async with Client(stack) as c:
            session_id, _ = await c.session(customData={"token": link})
            await c.say(session_id, "我欠多少钱")
            return texts(await c.replies())

    assert "12,000.00元" in run(scenario())


def test_an_expired_token_is_told_and_the_visitor_continues_anonymously(stack):
    expired = tokens.issue("E2E-1", 15 * 60, SECRET, time.time() - 3600)

    async def scenario():
        async with Client(stack) as c:
            session_id, status = await c.session(customData={"token": expired})
            assert (status["identified"], status["notice"]) == (False, "链接已过期，请在App内重新打开")
            assert re.fullmatch(r"[0-9a-f]{32}", session_id)
            await c.say(session_id, "我欠多少钱")
            return session_id, texts(await c.replies())

    session_id, said = run(scenario())
    assert "12,000" not in said
    assert all(IDENTITY_KEY not in (e.get("metadata") or {}) for e in user_events(stack, session_id))


def test_messages_pushed_through_the_http_api_reach_the_open_widget(stack):
    async def scenario():
        async with Client(stack) as c:
            session_id, _ = await c.session()
            await c.say(session_id, "你好")
            await c.replies()
            loop = asyncio.get_running_loop()
            # An intent triggered from outside: its answer goes to the widget.
            await loop.run_in_executor(None, lambda: api(
                stack, "POST", f"/conversations/{session_id}/trigger_intent",
                {"name": "greet", "entities": {}}, output_channel="latest",
            ))
            assert texts(await c.replies()).strip()
            # A message an agent writes later, with quick replies.
            event = {"event": "bot", "text": "专员已回复：请选择",
                     "data": {"buttons": [{"title": "好的", "payload": "好的"},
                                          {"title": "转人工", "payload": "/request_human"}]}}
            await loop.run_in_executor(None, lambda: api(
                stack, "POST", f"/conversations/{session_id}/tracker/events", [event],
                output_channel="latest", execute_side_effects="true",
            ))
            pushed = await c.next("bot_uttered", 30)
            assert pushed["text"] == "专员已回复：请选择"
            assert [(q["title"], q["payload"]) for q in pushed["quick_replies"]] == [
                ("好的", "好的"), ("转人工", "/request_human")]

    run(scenario())


def test_the_http_api_is_not_open_without_the_token(stack):
    with pytest.raises(urllib.error.HTTPError) as e:
        api(stack, "GET", "/conversations/anyone/tracker", token=None)
    assert e.value.code == 401


def test_the_demo_page_opens_the_widget_with_fresh_tokens(stack):
    with urllib.request.urlopen(f"{stack.rasa_url}/webhooks/webchat/demo", timeout=30) as r:
        page = r.read().decode("utf-8")
    assert "王*明" in page and "王小明" not in page
    links = re.findall(r'href="\./\?token=([^"]+)"', page)
    assert [tokens.verify(t, SECRET, time.time()) for t in links][:1] == ["DEMO-0001"]
    with urllib.request.urlopen(f"{stack.rasa_url}/webhooks/webchat/", timeout=30) as r:
        assert "智能客服" in r.read().decode("utf-8")
