"""The world of a console browser test, in one place: the Rasa server (its
HTTP API on, with a token) and the action server, the e2e accounts imported,
agents created, and the agent console (``python -m console``) on the same
database and Rasa. The browser tests of the console copied this fixture body
each; new ones (tests/browser/test_voice_console_browser.py first) use it.
"""
from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional, Tuple

import pytest

from tests.console.support import PASSWORD, running_console
from tests.e2e import servers
from tests.e2e.servers import REPO, VENV_BIN, Stack, running_stack

MODEL = os.environ.get("COLLECTBOT_E2E_MODEL", "bot/models")


@contextmanager
def console_stack(
    workdir: Path,
    now: str,
    credentials: str,
    rasa_token: str,
    extra_env: Optional[Mapping[str, str]] = None,
    agents: Tuple[Tuple[str, str, str], ...] = (("zhang", "agent", "张专员"),),
    console_extra_env: Optional[Mapping[str, str]] = None,
) -> Iterator[Tuple[Stack, str]]:
    """(the stack, the console's base URL). ``credentials``: the text of
    credentials.yml; ``agents``: (username, role, display name), password
    tests.console.support.PASSWORD; ``console_extra_env``: settings the
    console needs besides the database and Rasa. RASA_URL is known before Rasa starts, so
    the action server (hand-overs) and the console reach this stack's Rasa."""
    path = workdir / "credentials.yml"
    path.write_text(credentials, encoding="utf-8")
    rasa_port, actions_port = servers.free_port(), servers.free_port()
    env: Dict[str, str] = {"RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_API_TOKEN": rasa_token}
    env.update(extra_env or {})
    ports = iter([rasa_port, actions_port])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(servers, "free_port", lambda: next(ports))
        stack_cm = running_stack(workdir, now, extra_env=env, credentials=path,
                                 rasa_args=("--enable-api", "--auth-token", rasa_token, "--model", MODEL))
        stack = stack_cm.__enter__()
    try:
        imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        for username, role, display in agents:
            created = subprocess.run(
                [str(VENV_BIN / "collectbot"), "create-user", username, "--role", role, "--display-name", display,
                 "--password-stdin"],
                input=PASSWORD + "\n", env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60,
            )
            assert created.returncode == 0, created.stderr
        console_env = {"DATABASE_URL": stack.env["DATABASE_URL"], "COLLECTBOT_NOW": now,
                       "RASA_URL": stack.rasa_url, "RASA_API_TOKEN": rasa_token}
        console_env.update(console_extra_env or {})
        with running_console(workdir, console_env) as console_url:
            yield stack, console_url
    finally:
        stack_cm.__exit__(None, None, None)
