"""Starting and stopping the servers the benchmark measures.

Every server is a child process started from the repository root with the
bench environment; `Stack.stop()` ends exactly the processes it started (and
their Sanic worker children), so a crashed run leaves nothing behind when the
caller uses `with` or try/finally.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
WORK = BENCH / ".work"
VENV_BIN = REPO / ".venv" / "bin"
RASA = str(VENV_BIN / "rasa")
PY = str(VENV_BIN / "python")
NOW = "2026-11-25T10:00:00+08:00"


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def rel(p: Path) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    try:
        return str(Path(p).resolve().relative_to(REPO))
    except ValueError:
        return str(p)


ACTION_SERVER_TOKEN = secrets.token_urlsafe(24)
# Our REST channel (channels/rest.py) answers only a client with this token;
# stock Rasa's channel (the baseline) ignores the header. Against a stack
# started by `make run`: REST_CHANNEL_TOKEN=$(cat var/rest_channel_token).
REST_CHANNEL_TOKEN = os.environ.get("REST_CHANNEL_TOKEN") or secrets.token_urlsafe(24)
REST_HEADERS = {"Authorization": f"Bearer {REST_CHANNEL_TOKEN}"}


def rest_conversation(stack_is_ours: bool, sender: str) -> str:
    """The conversation id a REST sender gets (bot/core/identity.py)."""
    return f"rest:{sender}" if stack_is_ours else sender


def bench_env(database_url: Optional[str] = None, *, action_url: Optional[str] = None, **extra: str) -> Dict[str, str]:
    """The environment of every process the bench starts. ``action_url``: the
    webhook of the action server this stack started, as ACTION_SERVER_URL
    (endpoints.yml may read it; the bench's own endpoints files name it too)."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        COLLECTBOT_NOW=NOW,
        PYTHONUNBUFFERED="1",
    )
    # Never let a developer's shell settings leak into a measurement.
    for key in ("SANIC_WORKERS", "ACTION_SERVER_SANIC_WORKERS", "COLLECTBOT_RASA_PATCHES", "ACTION_SERVER_URL"):
        env.pop(key, None)
    if action_url:
        env["ACTION_SERVER_URL"] = action_url
    if database_url:
        env["DATABASE_URL"] = database_url
    # The action server answers only a caller with this token (bot/action_server.py).
    env["ACTION_SERVER_TOKEN"] = ACTION_SERVER_TOKEN
    # The bench measures throughput, not the REST channel's rate limits: one
    # load generator on one address sends for many cardholders at once.
    env.update(REST_CHANNEL_TOKEN=REST_CHANNEL_TOKEN, REST_RATE_BURST="1000000", REST_CLIENT_RATE_BURST="1000000")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def post_json(url: str, payload: dict, timeout: float = 60.0, headers: Optional[dict] = None):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read().decode("utf-8"))


def product_endpoint_types() -> Dict[str, str]:
    """The tracker store and event broker classes the product configures in
    endpoints.yml, so a bench stack runs what `make run` runs even after a
    plug-in moves to another module."""
    import yaml

    try:
        data = yaml.safe_load((REPO / "endpoints.yml").read_text("utf-8")) or {}
    except (OSError, ValueError):
        data = {}
    return {
        "tracker_store": (data.get("tracker_store") or {}).get("type") or "bot.rasa_server.tracker_store.BrokeredSQLTrackerStore",
        "event_broker": (data.get("event_broker") or {}).get("type") or "bot.rasa_server.contact_log.ContactLogBroker",
    }


def run_logged(cmd: List[str], logfile: Path, env: Dict[str, str], timeout: float) -> Tuple[int, float, float, str]:
    """Run a command to completion (bounded); exit code, seconds, peak RSS (MB), output."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "w") as f:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        status, rusage = 0, None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                os.killpg(proc.pid, 9)
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        seconds = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, seconds, rusage.ru_maxrss / 1024 if rusage else 0.0, logfile.read_text(errors="replace")


# ---------------------------------------------------------------- /proc


def _children(pid: int) -> List[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def process_tree(pid: int) -> List[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def proc_status_kb(pid: int, key: str) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_of_tree(pid: int) -> Dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process and its
    children, in MB: per process and summed."""
    procs = []
    for p in process_tree(pid):
        hwm, rss = proc_status_kb(p, "VmHWM"), proc_status_kb(p, "VmRSS")
        if hwm is not None:
            procs.append({"pid": p, "hwm_mb": hwm / 1024, "rss_mb": (rss or 0) / 1024})
    return {
        "processes": len(procs),
        "peak_rss_mb_max": max((p["hwm_mb"] for p in procs), default=0.0),
        "peak_rss_mb_sum": sum(p["hwm_mb"] for p in procs),
        "rss_mb_sum": sum(p["rss_mb"] for p in procs),
    }


def load_average() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


# ---------------------------------------------------------------- servers


class Server:
    def __init__(self, name: str, args: List[str], env: Dict[str, str], log: Path) -> None:
        self.name, self.args, self.log = name, args, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._logf = open(log, "w")
        self.started = time.monotonic()
        # Own process group: stop() can signal Sanic's worker processes too.
        self.proc = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=self._logf, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def memory(self) -> Dict[str, float]:
        return memory_of_tree(self.pid)

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        else:
            # The leader is gone; make sure no worker of its group survives.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._logf.close()


def wait_until(check, servers: List[Server], timeout: float, what: str) -> float:
    """Poll `check()` until true; seconds waited. Fails fast if a server died."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        for s in servers:
            if not s.alive():
                raise RuntimeError(f"{s.name} exited with {s.proc.returncode} while waiting for {what}:\n{s.tail()}")
        if check():
            return time.monotonic() - t0
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def collectbot(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(VENV_BIN / "collectbot"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"collectbot {' '.join(args)} failed: {result.stdout}\n{result.stderr}")
    return result


def seeded_database(accounts_csv: Path, target: Path) -> None:
    """A migrated account database with the portfolio, built once and copied
    for each stack so every measurement starts from the same state."""
    template = WORK / "accounts-template.db"
    stamp = WORK / "accounts-template.stamp"
    key = f"{accounts_csv.stat().st_mtime_ns}:{accounts_csv.stat().st_size}:{NOW}"
    if not template.exists() or not stamp.exists() or stamp.read_text() != key:
        for suffix in ("", "-wal", "-shm"):
            Path(str(template) + suffix).unlink(missing_ok=True)
        env = bench_env(f"sqlite:///{template}")
        collectbot(env, "migrate")
        collectbot(env, "import-accounts", str(accounts_csv))
        # Fold the WAL into the main file so a plain copy is complete.
        import sqlite3

        con = sqlite3.connect(template)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        stamp.write_text(key)
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
