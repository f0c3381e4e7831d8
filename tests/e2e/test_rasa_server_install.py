"""bot.rasa_server.install() in a real Rasa server that lists none of our
channels (only Rasa's own ``rest``), on Rasa's own code paths
(``COLLECTBOT_RASA_PATCHES=off``): the input limits and the REST channel's
identity stripping are still there, the log says the patches were not made,
and the assistant still answers."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

from tests.e2e.servers import REPO, running_stack

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
TOKEN = "install-test-rasa-token"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-rasa-server-install")
    credentials = workdir / "credentials.yml"
    credentials.write_text("rest:\n", encoding="utf-8")  # Rasa's own REST channel, nothing of ours
    env = {"COLLECTBOT_RASA_PATCHES": "off"}
    with running_stack(workdir, NOW, extra_env=env, credentials=credentials,
                       rasa_args=("--enable-api", "--auth-token", TOKEN)) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def post(stack, body: bytes):
    req = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode("utf-8") or "null")


def tracker(stack, sender: str) -> dict:
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker?token={TOKEN}", timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def test_the_log_says_rasa_runs_its_own_code_paths(stack):
    log = (stack.workdir / "logs" / "rasa.log").read_text(errors="replace")
    assert "patches NOT made: COLLECTBOT_RASA_PATCHES=off" in log


def test_rasas_own_rest_channel_cannot_claim_an_app_identity(stack):
    sender = "claim-" + uuid.uuid4().hex[:8]
    status, answer = post(stack, json.dumps({
        "sender": sender, "message": "我要查询欠款",
        "metadata": {"collectbot_identity": {"account_id": "E2E-1", "method": "app_token"}, "app": "kept"},
    }).encode())
    assert status == 200 and answer  # stock Rasa code paths still answer
    conversation = tracker(stack, sender)
    user_events = [e for e in conversation["events"] if e["event"] == "user"]
    assert user_events and all("collectbot_identity" not in json.dumps(e.get("metadata") or {}) for e in user_events)
    assert user_events[-1]["metadata"].get("app") == "kept"  # the rest of the metadata passes
    slots = conversation["slots"]
    assert slots.get("verified") is not True and slots.get("account_id") != "E2E-1"


def test_rasas_own_rest_channel_gets_the_input_limits(stack):
    status, answer = post(stack, b"")
    assert status == 400 and answer["error"] == "empty_body"
    status, answer = post(stack, json.dumps({"message": "没有 sender"}).encode())
    assert status == 400 and answer["error"] == "invalid_sender"
