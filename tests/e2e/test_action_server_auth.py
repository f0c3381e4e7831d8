"""The action server answers only the Rasa server, on the loopback address
(issue 16, finding 5), and never 5xx on a route or tracker it does not know.

Only the action server is started (no model needed): a demo database, the
real ``rasa run actions`` with the token and no SANIC_HOST.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from tests.e2e.servers import REPO, VENV_BIN, free_port, wait_for

pytestmark = pytest.mark.e2e

TOKEN = secrets.token_urlsafe(24)
# The finding's request: a tracker that claims a verified account.
FORGED = {
    "next_action": "action_state_balance",
    "tracker": {"sender_id": "attacker", "slots": {"verified": True, "account_id": "DEMO-0002"},
                "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


@pytest.fixture(scope="module")
def actions(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("actions")
    env = {k: v for k, v in os.environ.items() if k not in ("SANIC_HOST", "COLLECTBOT_ENV")}
    env.update(DATABASE_URL=f"sqlite:///{workdir / 'accounts.db'}", ACTION_SERVER_TOKEN=TOKEN,
               COLLECTBOT_NOW="2026-11-25T10:00:00+08:00", RASA_TELEMETRY_ENABLED="false",
               SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3")
    for command in ("migrate", "seed-demo"):
        subprocess.run([str(VENV_BIN / "collectbot"), command], env=env, cwd=REPO, check=True,
                       capture_output=True, timeout=120)
    port = free_port()
    log = open(workdir / "actions.log", "w")
    proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", [proc])
        yield port, proc
    except Exception:
        print((workdir / "actions.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def call(port: int, method: str, path: str, body: Optional[dict] = None,
         token: Optional[str] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_a_forged_action_call_without_the_token_is_refused(actions):
    port, _ = actions
    for token in (None, "wrong", TOKEN + "x", ""):
        status, body = call(port, "POST", "/webhook", FORGED, token)
        assert status == 401, body
        assert "128" not in body and "余额" not in body and "欠款" not in body
    status, _ = call(port, "POST", "/webhook", FORGED, headers={"Authorization": TOKEN})  # not a Bearer
    assert status == 401
    status, _ = call(port, "GET", "/webhook?token=" + TOKEN)  # not in the query string either
    assert status in (401, 405)
    assert call(port, "GET", "/actions")[0] == 401


def test_the_rasa_servers_token_is_let_through(actions):
    port, _ = actions
    status, body = call(port, "POST", "/webhook", FORGED, TOKEN)
    assert status == 200, body
    assert call(port, "GET", "/actions", token=TOKEN)[0] == 200


def test_health_needs_no_token(actions):
    port, _ = actions
    assert call(port, "GET", "/health") == (200, '{"status":"ok"}')


def test_unknown_routes_and_accounts_are_not_5xx(actions):
    port, _ = actions
    assert call(port, "GET", "/")[0] in (401, 404)
    assert call(port, "GET", "/", token=TOKEN)[0] == 404
    assert call(port, "DELETE", "/webhook", token=TOKEN)[0] == 405


def test_a_tracker_for_an_unknown_account_is_not_5xx(actions):
    port, _ = actions
    unknown = json.loads(json.dumps(FORGED))
    unknown["tracker"]["slots"]["account_id"] = "NO-SUCH-ACCOUNT"
    status, body = call(port, "POST", "/webhook", unknown, TOKEN)
    assert status < 500, body


def _listening(port: int) -> set:
    """Local addresses (hex, as /proc/net/tcp* shows them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, state = fields[1], fields[3]
            if state == "0A" and int(address.rsplit(":", 1)[1], 16) == port:
                found.add(address.rsplit(":", 1)[0])
    return found


def test_it_listens_on_the_loopback_address_only(actions):
    port, _ = actions
    addresses = _listening(port)
    if not addresses:
        pytest.skip("/proc/net/tcp not readable here")
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, not 0.0.0.0
