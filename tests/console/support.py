"""Running the agent console as a real process (``python -m console``) and
talking to it like a browser does: session cookie, CSRF header, JSON."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
USERS = {
    # username: (role, display name)
    "agent1": ("agent", "张专员"),
    "agent2": ("agent", "李专员"),
    "trainer1": ("trainer", "王训练师"),
    "boss": ("supervisor", "赵主管"),
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: Any
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class Browser:
    """One signed-in (or not) user: keeps the cookies itself, because the
    session cookie is Secure and urllib's cookie jar would not send it
    over http://127.0.0.1."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: Dict[str, str] = {}
        self.csrf: Optional[str] = None
        self._opener = urllib.request.build_opener(NoRedirect)

    def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        form: Optional[Dict[str, str]] = None,
        headers: Optional[Dict[str, str]] = None,
        csrf: bool = True,
        timeout: float = 60,
    ) -> Answer:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None or method == "POST":
            body = json.dumps(data or {}).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if csrf and self.csrf and method == "POST" and form is None:
            headers.setdefault("X-CSRF-Token", self.csrf)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=timeout) as r:
                answer = Answer(r.status, r.headers, r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            answer = Answer(e.code, e.headers, e.read().decode("utf-8"))
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower() or value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return answer

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: Any = None, **kw) -> Answer:
        return self.request("POST", path, data=data, **kw)

    def login(self, username: str, password: str = PASSWORD) -> Answer:
        page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
        answer = self.request("POST", "/login", form={"csrf_token": token, "username": username, "password": password})
        if answer.status == 302:
            queue = self.get("/queue")
            self.csrf = re.search(r'data-csrf="([^"]+)"', queue.body).group(1)
        return answer

    # conversation API shortcuts
    @staticmethod
    def cpath(conversation_id: str, suffix: str = "") -> str:
        return f"/api/conversations/{quote(conversation_id, safe='')}{suffix}"

    def claim(self, cid: str) -> Answer:
        return self.post(self.cpath(cid, "/claim"))

    def reply(self, cid: str, text: str) -> Answer:
        return self.post(self.cpath(cid, "/reply"), {"text": text})

    def book(self, cid: str, **params) -> Answer:
        return self.post(self.cpath(cid, "/book"), params)

    def hand_back(self, cid: str) -> Answer:
        return self.post(self.cpath(cid, "/hand-back"))

    def resolve(self, cid: str, outcome: str, note: str = "") -> Answer:
        return self.post(self.cpath(cid, "/resolve"), {"outcome": outcome, "note": note})

    def detail(self, cid: str) -> Dict[str, Any]:
        answer = self.get(self.cpath(cid))
        assert answer.status == 200, answer.body
        return answer.json()

    def sse(self, path: str, until, timeout: float = 20) -> List[Dict[str, Any]]:
        """Read server-sent events until ``until(events)`` is true."""
        headers = {"Accept": "text/event-stream"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        req = urllib.request.Request(self.base_url + path, headers=headers)
        events: List[Dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        with self._opener.open(req, timeout=timeout) as r:
            assert r.headers["Content-Type"].startswith("text/event-stream")
            name, data = None, []
            while time.monotonic() < deadline:
                line = r.readline().decode("utf-8")
                if not line:
                    break
                line = line.rstrip("\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    events.append({"event": name, "data": json.loads("\n".join(data))})
                    name, data = None, []
                    if until(events):
                        return events
        raise AssertionError(f"stream ended without the expected event; got {len(events)} events")


@contextmanager
def environ(**values: str) -> Iterator[None]:
    """These environment variables set for a module's fixture, then restored."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def signed_in(base_url: str, username: str, password: str = PASSWORD) -> Browser:
    b = Browser(base_url)
    answer = b.login(username, password)
    assert answer.status == 302, answer.body[:300]
    return b


def make_users(db_url: str) -> None:
    from bot.db.session import session_scope
    from console import store

    with session_scope(db_url) as s:
        for username, (role, display) in USERS.items():
            store.create_user(s, username, role, PASSWORD, display)


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"console exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


@contextmanager
def running_console(workdir: Path, env: Dict[str, str]) -> Iterator[str]:
    """``python -m console`` on a free port; yields its base URL."""
    port = free_port()
    full_env = dict(os.environ)
    full_env.update(env)
    full_env.update(CONSOLE_PORT=str(port), CONSOLE_HOST="127.0.0.1", CONSOLE_POLL_SECONDS="0.3")
    log = open(workdir / "console.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "console"], cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health", proc)
        yield url
    except Exception:
        log.flush()
        print("--- console.log\n" + (workdir / "console.log").read_text(errors="replace")[-6000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
