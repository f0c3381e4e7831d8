"""Starting the real action server and Rasa server for end-to-end tests.

Each test session gets its own SQLite files, ports and a pinned clock, so
the tests see exactly what a cardholder would and never touch var/.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, procs: List[subprocess.Popen], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"server exited with {p.returncode}: {p.args}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def eventually(fn, timeout: float = 30.0):
    """Call ``fn`` until it stops raising AssertionError (what the servers
    write behind the conversation, e.g. the contact log), at most ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class Stack:
    def __init__(self, workdir: Path, env: Dict[str, str], rasa_port: int) -> None:
        self.workdir = workdir
        self.env = env
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.actions_url = ""  # set by running_stack
        self.action_token = ""  # the action server's caller token (set by running_stack)
        # Set by running_stack(slow_actions=True): change .delay to slow the assistant down.
        self.action_proxy = None
        # The running processes (set by running_stack); stop_actions and
        # start_actions replace the action server's entry.
        self.procs: List[subprocess.Popen] = []
        self._actions_cmd: List[str] = []

    def stop_actions(self) -> None:
        """Kill the action server (SIGKILL: no graceful shutdown)."""
        actions = self.procs[0]
        actions.kill()
        actions.wait(timeout=20)

    def start_actions(self) -> None:
        """Start the action server again on the same port and wait until it is up."""
        log = open(self.workdir / "logs" / "actions.log", "a")
        self.procs[0] = subprocess.Popen(self._actions_cmd, cwd=REPO, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)
        wait_for(f"{self.actions_url}/health", self.procs)

    def say(self, sender: str, message: str) -> List[str]:
        """POST one message to the REST channel; the texts the bot answered."""
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers=self.rest_headers,
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            return [m.get("text", "") for m in json.loads(r.read().decode("utf-8"))]

    @property
    def rest_headers(self) -> Dict[str, str]:
        """What an authorised REST client sends (channels/rest.py)."""
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.env['REST_CHANNEL_TOKEN']}"}

    def collectbot(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(VENV_BIN / "collectbot"), *args],
            env=self.env, cwd=REPO, capture_output=True, text=True, timeout=120,
        )

    def show_account(self, account_id: str) -> dict:
        result = self.collectbot("show-account", account_id, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@contextmanager
def running_stack(
    workdir: Path,
    now: str,
    extra_env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
    credentials: Optional[Path] = None,
    slow_actions: bool = False,
    endpoints_extra: str = "",
    tracker_url: Optional[str] = None,
) -> Iterator[Stack]:
    """Action server + Rasa server on free ports.

    ``extra_env`` is added to both servers' environment, ``rasa_args`` to the
    ``rasa run`` command line (e.g. ``--enable-api --auth-token ...``), and
    ``credentials`` replaces the repository's credentials.yml.
    ``slow_actions`` routes action calls through a SlowProxy: set
    ``stack.action_proxy.delay`` (seconds per call) to make the assistant slow.
    ``endpoints_extra`` is appended to the generated endpoints.yml (e.g. a
    ``lock_store:`` section); ``tracker_url`` replaces the SQLite tracker store.
    """
    rasa_port, actions_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'accounts.db'}",
        COLLECTBOT_NOW=now,
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="3",
        # As in scripts/run_all.sh: the action server keeps Rasa's pooled
        # connections open longer than Sanic's 5 s default.
        SANIC_KEEP_ALIVE_TIMEOUT="30",
        # The action server answers only the Rasa server (bot/action_server.py),
        # on the loopback address.
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
        SANIC_HOST="127.0.0.1",
        # The REST channel (channels/rest.py) is authenticated; the tests
        # talk faster than a person, so its rate limits are raised here
        # (tests/e2e/test_rest_channel.py checks them at their defaults).
        REST_CHANNEL_TOKEN=secrets.token_urlsafe(24),
        REST_RATE_BURST="10000",
        REST_CLIENT_RATE_BURST="10000",
    )
    env.update(extra_env or {})
    action_proxy = None
    action_base = f"http://127.0.0.1:{actions_port}"
    if slow_actions:
        from tests.fakes.slow_proxy import SlowProxy

        action_proxy = SlowProxy(action_base).start()
        action_base = action_proxy.url
    # The repository's endpoints.yml reads it (no default there): anything in
    # this stack that uses that file reaches this stack's action server.
    env["ACTION_SERVER_URL"] = f"{action_base}/webhook"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f"""
action_endpoint:
  url: "{action_base}/webhook"
  enable_selective_domain: true
  headers:
    Authorization: Bearer ${{ACTION_SERVER_TOKEN}}
tracker_store:
  # Rasa's SQL store that feeds the event broker without re-reading the
  # conversation on every save (bot/rasa_server/tracker_store.py); same keys as type SQL.
  type: bot.rasa_server.tracker_store.BrokeredSQLTrackerStore
  url: "{tracker_url or f"sqlite:///{workdir / 'tracker.db'}"}"
event_broker:
  type: bot.rasa_server.contact_log.ContactLogBroker
""" + endpoints_extra,
        encoding="utf-8",
    )
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    actions_cmd = [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "--port", str(actions_port)]
    actions = subprocess.Popen(
        actions_cmd, cwd=REPO, env=env, stdout=open(logs / "actions.log", "w"), stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--model", "bot/models", "--endpoints", str(endpoints),
         "--credentials", str(credentials or "credentials.yml"), "--port", str(rasa_port),
         "--interface", "127.0.0.1", *rasa_args],
        cwd=REPO, env=env, stdout=open(logs / "rasa.log", "w"), stderr=subprocess.STDOUT,
    )
    procs = [actions, rasa]
    stack = Stack(workdir, env, rasa_port)
    stack.action_proxy = action_proxy
    stack.actions_url = f"http://127.0.0.1:{actions_port}"
    stack.action_token = env["ACTION_SERVER_TOKEN"]
    stack.procs = procs
    stack._actions_cmd = actions_cmd
    try:
        migrate = stack.collectbot("migrate")
        assert migrate.returncode == 0, migrate.stderr
        wait_for(f"http://127.0.0.1:{actions_port}/health", procs)
        wait_for(f"{stack.rasa_url}/webhooks/rest/", procs)
        yield stack
    except Exception:
        for name in ("actions.log", "rasa.log"):
            print(f"--- {name}\n" + (logs / name).read_text(errors="replace")[-6000:])
        raise
    finally:
        for p in procs:  # stack.procs: the action server may have been restarted
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if action_proxy is not None:
            action_proxy.stop()
