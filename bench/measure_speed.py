"""Speed of the full stack, measured by `make bench`: REST latency and
throughput of scripted collection conversations at 1, 8 and 32 at once, for
ours and the stock-Rasa baseline side by side (ABBA order), and for each
variant (bench_config.VARIANTS) on its own; start-up time and peak RSS.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import load
import prepare
from bench_config import LEVELS, PATCHES_SWITCH, REDIS, REDIS_PREFIX, WARMUP_CONVERSATIONS
from stack import (
    BENCH,
    RASA,
    REPO,
    REST_HEADERS,
    WORK,
    Server,
    bench_env,
    free_port,
    http_get,
    load_average,
    log,
    post_json,
    product_endpoint_types,
    rel,
    seeded_database,
    wait_until,
)


def endpoints_yaml(action_url: Optional[str], tracker: str, broker: Optional[str], lock: Optional[str], w: Path) -> str:
    parts = ["# Written by bench/measure_speed.py for one measurement; see bench/report.md.\n"]
    if action_url:
        # As endpoints.yml: the domain only goes to actions marked send_domain.
        parts.append(f'action_endpoint:\n  url: "{action_url}"\n  enable_selective_domain: true\n'
                     '  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n')
    if tracker in ("sql", "rasa-sql"):
        # "sql" is the product's store (as endpoints.yml names it); "rasa-sql" Rasa's own.
        kind = product_endpoint_types()["tracker_store"] if tracker == "sql" else "SQL"
        parts.append(f'tracker_store:\n  type: {kind}\n  url: "sqlite:///{w / "tracker.db"}"\n')
    elif tracker == "redis":
        parts.append(
            f"tracker_store:\n  type: redis\n  url: {REDIS['host']}\n  port: {REDIS['port']}\n  db: 15\n  key_prefix: {REDIS_PREFIX}\n"
        )
    # "memory": no tracker_store entry = Rasa's in-memory store
    if broker:
        parts.append(f"event_broker:\n  type: {broker}\n")
    if lock == "redis":
        parts.append(
            f"lock_store:\n  type: redis\n  url: {REDIS['host']}\n  port: {REDIS['port']}\n  db: 14\n  key_prefix: {REDIS_PREFIX}\n"
        )
    return "\n".join(parts)


def clear_redis() -> None:
    try:
        import redis

        for db in (14, 15):
            r = redis.Redis(host=REDIS["host"], port=REDIS["port"], db=db, socket_timeout=5)
            for key in r.scan_iter(match=f"{REDIS_PREFIX}*", count=500):
                r.delete(key)
    except Exception as exc:  # only matters for the Redis variants
        log(f"(could not clear bench keys in Redis: {exc})")


def switch_readers() -> List[str]:
    """The product's modules that mention the Rasa-patches switch: none means
    a variant that sets it measures the patched server again."""
    found = []
    for f in sorted((REPO / "bot").rglob("*.py")):
        try:
            if PATCHES_SWITCH in f.read_text("utf-8", errors="replace"):
                found.append(rel(f))
        except OSError:
            continue
    return found


class Stack:
    """Our full stack (or the baseline) started for one measurement."""

    def __init__(self, name: str, model: Path, *, baseline: bool = False, variant: Optional[Dict[str, Any]] = None,
                 api_token: Optional[str] = None, action_url_override=None) -> None:
        self.name, self.model, self.baseline = name, model, baseline
        self.variant = variant or {}
        self.w = WORK / "stacks" / name
        shutil.rmtree(self.w, ignore_errors=True)
        self.w.mkdir(parents=True)
        self.servers: List[Server] = []
        self.actions: Optional[Server] = None
        self.rasa: Optional[Server] = None
        self.api_token = api_token
        self.action_port = free_port()
        self.rasa_port = free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_url_override = action_url_override
        # Set for both servers and never recorded in results.json (e.g. a
        # webhook signing secret made up for this run).
        self.secret_env: Dict[str, str] = {}
        self.info: Dict[str, Any] = {"model": rel(model)}

    def start(self) -> None:
        v = self.variant
        extra_env = dict(v.get("env", {}))
        if self.baseline:
            env = bench_env()
            endpoints = endpoints_yaml(None, "memory", None, None, self.w)
        else:
            seeded_database(prepare.ACCOUNTS_CSV, self.w / "accounts.db")
            action_url = self.action_url_override or f"http://127.0.0.1:{self.action_port}/webhook"
            # The action server this stack starts (through the profile's proxy
            # when there is one) also as ACTION_SERVER_URL, which endpoints.yml
            # may read: a bench stack never calls another stack's action server.
            env = bench_env(f"sqlite:///{self.w / 'accounts.db'}", action_url=action_url, **extra_env, **self.secret_env)
            broker = product_endpoint_types()["event_broker"]
            if v.get("patch"):
                broker = "bench_patches.PatchedContactLogBroker"
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH / "patches"), str(REPO), env.get("PYTHONPATH")]))
            endpoints = endpoints_yaml(action_url, v.get("tracker", "sql"), broker, v.get("lock"), self.w)
            if v.get("tracker") == "redis" or v.get("lock") == "redis":
                clear_redis()
        (self.w / "endpoints.yml").write_text(endpoints, encoding="utf-8")
        self.info["endpoints"] = endpoints
        self.info["env"] = extra_env
        if not self.baseline:
            # As scripts/run_all.sh: the action server outlives Rasa's pooled connections.
            action_env = {**env, "SANIC_KEEP_ALIVE_TIMEOUT": "30", **v.get("action_env", {})}
            self.info["action_env"] = v.get("action_env", {})
            self.actions = Server("actions", [RASA, "run", "actions", "--actions", "bot.actions",
                                              "--port", str(self.action_port)], action_env, self.w / "actions.log")
            self.servers.append(self.actions)
            self.info["actions_startup_s"] = wait_until(
                lambda: http_get(f"http://127.0.0.1:{self.action_port}/health") == 200, self.servers, 180, "action server")
        cmd = [RASA, "run", "--model", str(self.model), "--endpoints", str(self.w / "endpoints.yml"),
               "--credentials", "credentials.yml", "--port", str(self.rasa_port), "--interface", "127.0.0.1"]
        if self.api_token:
            cmd += ["--enable-api", "--auth-token", self.api_token]
        self.rasa = Server("rasa", cmd, env, self.w / "rasa.log")
        self.servers.append(self.rasa)
        wait_until(lambda: http_get(f"{self.url}/") == 200, self.servers, 600, "Rasa server")

    def first_answer(self, sender: str, text: str) -> float:
        """Seconds from starting the Rasa server to its first answer."""
        post_json(f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout=120,
                  headers=REST_HEADERS)
        self.info["startup_s"] = time.monotonic() - self.rasa.started
        return self.info["startup_s"]

    def memory(self) -> Dict[str, Any]:
        out = {"rasa": self.rasa.memory() if self.rasa else None}
        if self.actions:
            out["actions"] = self.actions.memory()
        return out

    def action_failures(self) -> int:
        """Action calls the Rasa server gave up on ("Bot will continue, but the
        actions events are lost"): the cardholder got no or a wrong answer."""
        try:
            return (self.w / "rasa.log").read_text(errors="replace").count("Failed to run custom action")
        except OSError:
            return 0

    def patches_switch(self) -> Dict[str, Any]:
        """What this stack set for the product's Rasa-patches switch, and the
        Rasa server's log lines about it (the evidence that it was honoured)."""
        value = self.variant.get("env", {}).get(PATCHES_SWITCH)
        lines: List[str] = []
        try:
            for line in (self.w / "rasa.log").read_text(errors="replace").splitlines():
                low = line.lower()
                if PATCHES_SWITCH.lower() in low or ("patch" in low and any(w in low for w in ("off", "stock", "skip", "refus"))):
                    lines.append(line.strip()[:300])
        except OSError:
            pass
        return {"set": value, "log_lines": lines[:5], "read_by": switch_readers()}

    def stop(self) -> None:
        for s in reversed(self.servers):
            try:
                s.stop()
            except Exception as exc:  # keep stopping the others
                log(f"could not stop {s.name}: {exc}")
        self.servers = []
        if self.variant.get("tracker") == "redis" or self.variant.get("lock") == "redis":
            clear_redis()


def _started(name: str, model: Path, accounts: List[dict], *, baseline: bool = False,
             variant: Optional[Dict[str, Any]] = None) -> "Stack":
    """A stack started, its first answer timed, and warmed up on the last accounts."""
    stack = Stack(name, model, baseline=baseline, variant=variant)
    log(f"speed: starting {name}")
    try:
        stack.start()
        warm = load.conversations_for(accounts, WARMUP_CONVERSATIONS, len(accounts) - WARMUP_CONVERSATIONS, check=not baseline)
        stack.first_answer(warm[0].sender, warm[0].steps[0][0])
        # The first conversation continues where the start-up probe left off.
        warm[0].steps = warm[0].steps[1:]
        asyncio.run(load.run_level(stack.url, warm, 1))
        return stack
    except Exception:
        for s in stack.servers:
            log(f"--- {s.name} log tail ---\n{s.tail()}")
        stack.stop()
        raise


def _run_chunk(stack: "Stack", accounts: List[dict], concurrency: int, start: int, n: int,
               offset: int) -> Tuple[List[Any], float, List[Any]]:
    """``n`` scripted conversations from account ``start`` at ``concurrency``:
    their samples (conversation numbers shifted by ``offset``), wall time
    and the conversations."""
    convs = load.conversations_for(accounts, n, start, check=not stack.baseline)
    t0 = time.perf_counter()
    _, samples = asyncio.run(load.run_level(stack.url, convs, concurrency, timeout=60))
    wall = time.perf_counter() - t0
    for smp in samples:
        smp.conversation += offset
    return samples, wall, convs


def _level_result(stack: "Stack", concurrency: int, samples: List[Any], wall: float, convs: List[Any]) -> Dict[str, Any]:
    summary = load.summarize(samples, wall, concurrency, len(convs))
    summary["load_average"] = load_average()
    lat = summary["latency_ms"]
    log(f"  {stack.name} c={concurrency}: {summary['messages']} msgs, {summary['throughput_msg_s']:.2f} msg/s, "
        f"p50 {lat['p50']:.0f} p95 {lat['p95']:.0f} p99 {lat['p99']:.0f} ms, errors {summary['errors']}, "
        f"off-script {summary['expectation_failures']}")
    if concurrency == 1:
        stack.info["single_samples"] = [
            {"kind": convs[s.conversation].kind, "step": s.step, "text": s.text, "ms": s.latency * 1000}
            for s in samples
        ]
    failures = [s for s in samples if s.expect_ok is False][:3]
    if failures:
        stack.info.setdefault("off_script_examples", []).extend(
            {"text": s.text, "replies": s.replies, "error": s.error} for s in failures)
    return summary


def _stack_result(stack: "Stack", levels: Dict[str, Any], variant: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {**stack.info, "levels": levels, "memory": stack.memory(), "variant": variant or {},
            "lost_action_calls": stack.action_failures(), "patches_switch": stack.patches_switch()}


def measure_speed(name: str, model: Path, accounts: List[dict], conversations: Dict[int, int], *,
                  baseline: bool = False, variant: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """One stack on its own: each level once (the variants)."""
    stack = _started(name, model, accounts, baseline=baseline, variant=variant)
    try:
        levels, start = {}, 0
        for c in LEVELS:
            n = conversations[c]
            samples, wall, convs = _run_chunk(stack, accounts, c, start, n, 0)
            start += n
            levels[str(c)] = _level_result(stack, c, samples, wall, convs)
        return _stack_result(stack, levels, variant)
    finally:
        stack.stop()


def measure_speed_paired(model_ours: Path, baseline_model: Path, accounts: List[dict],
                         conversations: Dict[int, int], rounds: int = 2) -> Dict[str, Dict[str, Any]]:
    """Ours and the baseline side by side, interleaved.

    Both stacks are up at once (the idle one costs no CPU); each level's
    conversations are split into ``rounds`` chunks run in ABBA order (ours,
    baseline, baseline, ours, ...). The machine's speed drifts by more than
    10 % between minutes when other work shares it (bench/history.md); run
    one after the other, the two stacks would meet different machines, and
    the ratio would measure the drift. Throughput is all messages of a level
    over the summed wall time of its chunks; latencies are over all samples.
    """
    stacks = {"ours": _started("ours", model_ours, accounts),
              "baseline": None}
    try:
        stacks["baseline"] = _started("baseline", baseline_model, accounts, baseline=True)
        levels: Dict[str, Dict[str, Any]] = {"ours": {}, "baseline": {}}
        start = 0  # each stack has its own databases: both use the same accounts
        for c in LEVELS:
            n = conversations[c]
            sizes = [n // rounds + (1 if i < n % rounds else 0) for i in range(rounds)]
            got = {k: ([], 0.0, []) for k in stacks}
            offset = 0
            for i, size in enumerate(sizes):
                order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
                for k in order:
                    samples, wall, convs = _run_chunk(stacks[k], accounts, c, start + offset, size, offset)
                    got[k] = (got[k][0] + samples, got[k][1] + wall, got[k][2] + convs)
                offset += size
            start += n
            for k in stacks:
                levels[k][str(c)] = _level_result(stacks[k], c, *got[k])
        return {k: _stack_result(stacks[k], levels[k], None) for k in stacks}
    finally:
        for stack in stacks.values():
            if stack is not None:
                stack.stop()
