"""The Rasa server as production-like start-up runs it (``python -m bot.serve``):
the API token is not on any command line, CORS answers configured origins
only (issue 16, finding 9). Only the Rasa server is started."""
from __future__ import annotations

import os
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.servers import REPO, VENV_BIN, free_port, wait_for

pytestmark = pytest.mark.e2e

API_TOKEN = "serve-" + secrets.token_urlsafe(18)
ALLOWED = "https://app.bank.example"


@pytest.fixture(scope="module")
def rasa(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: \"http://127.0.0.1:9/webhook\"\n  headers:\n"
        "    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "COLLECTBOT_ENV"}
    env.update(RASA_API_TOKEN=API_TOKEN, ACTION_SERVER_TOKEN=secrets.token_urlsafe(18),
               WEBCHAT_TOKEN_SECRET=secrets.token_urlsafe(18), COLLECTBOT_CORS_ORIGINS=ALLOWED,
               DATABASE_URL=f"sqlite:///{workdir / 'accounts.db'}", RASA_TELEMETRY_ENABLED="false",
               SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3")
    port = free_port()
    log = open(workdir / "rasa.log", "w")
    proc = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "bot.serve", "run", "--model", "bot/models", "--endpoints", str(endpoints),
         "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port), "--enable-api"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/", [proc])
        yield f"http://127.0.0.1:{port}", proc
    except Exception:
        print((workdir / "rasa.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get(url: str, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def test_the_api_token_is_not_on_the_command_line(rasa):
    _, proc = rasa
    cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode("utf-8", "replace")
    assert "--enable-api" in cmdline
    assert API_TOKEN not in cmdline and "--auth-token" not in cmdline


def test_the_api_needs_the_token_from_the_environment(rasa):
    url, _ = rasa
    assert get(f"{url}/status")[0] == 401
    assert get(f"{url}/status?token=wrong")[0] == 401
    assert get(f"{url}/status?token={API_TOKEN}")[0] == 200


def test_cors_answers_configured_origins_only(rasa):
    url, _ = rasa
    for method in ("GET", "OPTIONS"):
        headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        _, answer = get(f"{url}/webhooks/webchat/health", headers, method)
        assert "Access-Control-Allow-Origin" not in answer, answer
        _, answer = get(f"{url}/webhooks/webchat/health", {**headers, "Origin": ALLOWED}, method)
        assert answer.get("Access-Control-Allow-Origin") == ALLOWED
