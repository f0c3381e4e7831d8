#!/usr/bin/env python
"""`make bench`: one command, one report (issue 8).

Measures, in one run on this machine, our assistant against a stock-Rasa
baseline (bench/baseline/: `rasa init`'s default config on the same NLU data):

  train    training time, peak memory and model size of both
  nlu      `rasa test nlu --nlu tests/nlu` on our model (bot/models) and the baseline
  core     `rasa test core --stories tests/stories` on our model
  speed    REST latency p50/p95/p99 and throughput at 1, 8 and 32 concurrent
           conversations; full stack (action server, SQLite accounts, SQL tracker
           store, contact-log broker) vs the baseline (in-memory, no actions);
           start-up time and peak RSS of each server
  profile  where the time of one message goes (NLU, action server, tracker store,
           action-response check, the rest)

and writes bench/report.md, bench/results.json, bench/*.png, appends a line to
bench/history.md and prints the summary table. Everything it creates besides
those lives in bench/.work/ (models, databases, logs); servers are always
stopped at the end.

    .venv/bin/python bench/run.py            # the full run (~20 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # fewer conversations, reuse trained models
    .venv/bin/python bench/run.py --quick --only speed,variants --variants workers2,redis-tracker
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402

import load  # noqa: E402
import prepare  # noqa: E402
from stack import (  # noqa: E402
    ACTION_SERVER_TOKEN,
    REST_HEADERS,
    BENCH,
    REPO,
    VENV_BIN,
    WORK,
    Server,
    bench_env,
    cpu_model,
    free_port,
    http_get,
    load_average,
    post_json,
    rest_conversation,
    seeded_database,
    wait_until,
)

RASA = str(VENV_BIN / "rasa")
PY = str(VENV_BIN / "python")
SECTIONS = ("train", "nlu", "core", "speed", "variants", "profile")
LEVELS = (1, 8, 32)
FULL_CONVERSATIONS = {1: 8, 8: 24, 32: 64}
QUICK_CONVERSATIONS = {1: 4, 8: 8, 32: 32}
WARMUP_CONVERSATIONS = 2
ENTITIES = ("amount", "date", "duration", "months", "id_last4")
SAFETY_INTENTS = ("crisis", "stop_contact")
REDIS = {"host": "127.0.0.1", "port": 6379}
REDIS_PREFIX = "collectbench"
TARGETS = {
    "throughput_ratio_32": 1.0,
    "p95_ratio_1": 2.0,
    "intent_macro_f1": 0.95,
    "entity_f1": 0.90,
    "safety_recall": 1.0,
    "rasa_rss_mb": 1536.0,
    "train_s": 600.0,
}

# Levers tried on the full stack (see history.md). Each is a change of
# deployment settings or, for `patched`, of a hot path measured from a copy
# (bench/patches/) without touching the product's files.
VARIANTS: Dict[str, Dict[str, Any]] = {
    # Since 2026-11-29 09:00 the product itself installs the validator fix
    # (bot/rasa_speedups.py) and runs the action server with the 30 s
    # keep-alive, so "ours" includes them; the variants below that name them
    # measure the same stack again.
    "rasa-sql-tracker": {"tracker": "rasa-sql", "about": "Rasa's own SQL tracker store (re-reads the conversation on every save to feed the event broker)"},
    "patched": {"patch": True, "about": "Rasa server validates action responses with a validator built once (bench/patches)"},
    "memory-tracker": {"tracker": "memory", "about": "in-memory tracker store (conversations lost on restart: a reference, not an option)"},
    "redis-tracker": {"tracker": "redis", "about": "Redis tracker store (127.0.0.1:6379)"},
    "workers2": {"env": {"SANIC_WORKERS": "2"}, "lock": "redis", "about": "SANIC_WORKERS=2 with a Redis lock store"},
    "action-workers2": {"env": {"ACTION_SERVER_SANIC_WORKERS": "2"}, "about": "ACTION_SERVER_SANIC_WORKERS=2"},
    "action-keepalive": {"action_env": {"SANIC_KEEP_ALIVE_TIMEOUT": "30"},
                         "about": "action server keeps idle connections 30 s (Sanic default 5 s < aiohttp's 15 s pool keep-alive)"},
    "patched+action-keepalive": {"patch": True, "action_env": {"SANIC_KEEP_ALIVE_TIMEOUT": "30"},
                                 "about": "patched and the action server's keep-alive raised to 30 s"},
    "patched+workers2": {"patch": True, "env": {"SANIC_WORKERS": "2"}, "lock": "redis", "about": "patched and SANIC_WORKERS=2 (Redis lock store)"},
    "patched+redis-tracker": {"patch": True, "tracker": "redis", "about": "patched and Redis tracker store"},
}
DEFAULT_VARIANTS = ("rasa-sql-tracker",)
OUT = BENCH  # where report.md, results.json and the charts go (--out)


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def newest_model(folder: Path) -> Optional[Path]:
    models = sorted(glob.glob(str(folder / "*.tar.gz")), key=os.path.getmtime)
    return Path(models[-1]) if models else None


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


# ---------------------------------------------------------------- training


def train(kind: str) -> Dict[str, Any]:
    out = WORK / "models"
    cache = WORK / "cache" / kind
    shutil.rmtree(cache, ignore_errors=True)  # a cold cache: the real training time
    if kind == "ours":
        data = ["bot/data"]
        domain, config = "domain.yml", "config.yml"
    else:
        data = ["bot/data/nlu", "bench/baseline/data"]
        domain, config = "bench/baseline/domain.yml", "bench/baseline/config.yml"
    target = out / f"{kind}.tar.gz"
    target.unlink(missing_ok=True)
    cmd = [RASA, "train", "--data", *data, "--domain", domain, "--config", config,
           "--out", str(out), "--fixed-model-name", kind, "--force"]
    log(f"training {kind} ({' '.join(cmd[1:])})")
    code, seconds, peak, output = run_logged(cmd, WORK / "logs" / f"train-{kind}.log",
                                             bench_env(RASA_CACHE_DIRECTORY=str(cache)), timeout=1800)
    if code != 0 or not target.exists():
        raise RuntimeError(f"training {kind} failed ({code}); see {rel(WORK / 'logs' / f'train-{kind}.log')}")
    log(f"trained {kind} in {seconds:.0f} s")
    return {
        "seconds": seconds,
        "peak_rss_mb": peak,
        "model": rel(target),
        "model_mb": target.stat().st_size / 2**20,
        "misaligned_entity_warnings": output.count("Misaligned entity annotation"),
        "config": config,
    }


# ---------------------------------------------------------------- NLU / core tests


def entity_reports(out: Path) -> Dict[str, Dict[str, Any]]:
    reports = {}
    for f in sorted(out.glob("*_report.json")):
        name = f.name[: -len("_report.json")]
        if name in ("intent", "response_selection") or name.endswith("Policy"):
            continue
        data = json.loads(f.read_text("utf-8"))
        reports[name] = {k: v for k, v in data.items() if isinstance(v, dict) and "f1-score" in v}
    return reports


def test_nlu(kind: str, model: Path) -> Dict[str, Any]:
    out = WORK / "results" / f"nlu-{kind}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [RASA, "test", "nlu", "--model", str(model), "--nlu", "tests/nlu", "--out", str(out), "--no-plot"]
    log(f"rasa test nlu ({kind}, {rel(model)})")
    code, seconds, _, _ = run_logged(cmd, WORK / "logs" / f"test-nlu-{kind}.log", bench_env(), timeout=1200)
    if code != 0:
        raise RuntimeError(f"rasa test nlu ({kind}) failed; see bench/.work/logs/test-nlu-{kind}.log")
    report = json.loads((out / "intent_report.json").read_text("utf-8"))
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and k not in ("macro avg", "weighted avg", "micro avg")}
    errors = json.loads((out / "intent_errors.json").read_text("utf-8")) if (out / "intent_errors.json").exists() else []
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    ents = entity_reports(out)
    # The extractor that answers for our entities: the rule extractor in our
    # pipeline, DIET in the baseline's (whichever reports the most of them).
    main_extractor = max(ents, key=lambda n: sum(1 for e in ENTITIES if e in ents[n]), default=None)
    return {
        "model": rel(model),
        "seconds": seconds,
        "intent_accuracy": report.get("accuracy"),
        "intent_macro_f1": report["macro avg"]["f1-score"],
        "intent_weighted_f1": report["weighted avg"]["f1-score"],
        "intents": {k: {m: v[m] for m in ("precision", "recall", "f1-score", "support")} for k, v in intents.items()},
        "test_examples": int(report["macro avg"]["support"]),
        "errors": len(errors),
        "confused_pairs": [{"intent": a, "predicted": b, "count": n} for (a, b), n in pairs.most_common(10)],
        "entity_extractor": main_extractor,
        "entities": ents.get(main_extractor, {}) if main_extractor else {},
        "all_extractors": ents,
    }


def count_stories(folder: Path) -> int:
    n = 0
    for f in sorted(folder.glob("**/*.yml")):
        data = yaml.safe_load(f.read_text("utf-8")) or {}
        n += len(data.get("stories") or [])
    return n


def test_core(model: Path) -> Dict[str, Any]:
    out = WORK / "results" / "core"
    shutil.rmtree(out, ignore_errors=True)
    endpoints = WORK / "endpoints-empty.yml"
    endpoints.write_text("# rasa test core predicts actions only: no action server, no tracker store\n")
    cmd = [RASA, "test", "core", "--model", str(model), "--stories", "tests/stories",
           "--endpoints", str(endpoints), "--out", str(out), "--no-plot"]
    log(f"rasa test core ({rel(model)})")
    code, seconds, _, output = run_logged(cmd, WORK / "logs" / "test-core.log", bench_env(), timeout=1200)
    total = count_stories(REPO / "tests" / "stories")
    failed_file = out / "failed_test_stories.yml"
    if code != 0 or not failed_file.exists():
        raise RuntimeError("rasa test core failed; see bench/.work/logs/test-core.log")
    failed = yaml.safe_load(failed_file.read_text("utf-8")) or {}
    failed_names = [s.get("story") for s in (failed.get("stories") or [])]
    report = json.loads((out / "story_report.json").read_text("utf-8")) if (out / "story_report.json").exists() else {}
    return {
        "model": rel(model),
        "seconds": seconds,
        "stories": total,
        "failed": len(failed_names),
        "failed_stories": failed_names,
        "passed_share": (total - len(failed_names)) / total if total else None,
        "action_macro_f1": (report.get("macro avg") or {}).get("f1-score"),
    }


# ---------------------------------------------------------------- stacks


def endpoints_yaml(action_url: Optional[str], tracker: str, broker: Optional[str], lock: Optional[str], w: Path) -> str:
    parts = ["# Written by bench/run.py for one measurement; see bench/report.md.\n"]
    if action_url:
        # As endpoints.yml: the domain only goes to actions marked send_domain.
        parts.append(f'action_endpoint:\n  url: "{action_url}"\n  enable_selective_domain: true\n'
                     '  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n')
    if tracker in ("sql", "rasa-sql"):
        # "sql" is the product's store (endpoints.yml); "rasa-sql" Rasa's own.
        kind = "bot.tracker_store.BrokeredSQLTrackerStore" if tracker == "sql" else "SQL"
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
        self.info: Dict[str, Any] = {"model": rel(model)}

    def start(self) -> None:
        v = self.variant
        extra_env = dict(v.get("env", {}))
        if self.baseline:
            env = bench_env()
            endpoints = endpoints_yaml(None, "memory", None, None, self.w)
        else:
            seeded_database(prepare.ACCOUNTS_CSV, self.w / "accounts.db")
            env = bench_env(f"sqlite:///{self.w / 'accounts.db'}", **extra_env)
            broker = "bot.contact_log.ContactLogBroker"
            if v.get("patch"):
                broker = "bench_patches.PatchedContactLogBroker"
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH / "patches"), str(REPO), env.get("PYTHONPATH")]))
            action_url = self.action_url_override or f"http://127.0.0.1:{self.action_port}/webhook"
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
            "lost_action_calls": stack.action_failures()}


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


# ---------------------------------------------------------------- profile


class ActionProxy:
    """Transparent proxy between the Rasa server and the action server that
    records each call (timing and payloads) — the profile's eyes on the wire."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.calls: List[Dict[str, Any]] = []
        self.port = free_port()

    async def start(self) -> None:
        import aiohttp
        from aiohttp import web

        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            t0 = time.perf_counter()
            headers = {"Content-Type": "application/json"}
            if "Authorization" in request.headers:  # the action server's token (bot/action_server.py)
                headers["Authorization"] = request.headers["Authorization"]
            async with self.session.post(self.target, data=body, headers=headers) as r:
                resp = await r.read()
                status = r.status
            elapsed = time.perf_counter() - t0
            payload = json.loads(body)
            self.calls.append({
                "action": payload.get("next_action"), "ms": elapsed * 1000, "status": status,
                "request_bytes": len(body), "response_bytes": len(resp),
                "request": payload, "response": json.loads(resp) if status == 200 else None,
            })
            return web.Response(body=resp, status=status, content_type="application/json")

        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_post("/webhook", handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.session.close()
        await self.runner.cleanup()


async def _profile(stack: Stack, proxy: ActionProxy, accounts: List[dict], start: int, repeat: int) -> Dict[str, Any]:
    import aiohttp

    await proxy.start()
    token = stack.api_token
    try:
        await asyncio.to_thread(stack.start)
        await asyncio.to_thread(stack.first_answer, accounts[-1]["phone"], "你好")
        convs = load.conversations_for(accounts, len(load.SCRIPT_ORDER) + 1, start)
        messages = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            for ci, conv in enumerate(convs):
                for step, (text, expect) in enumerate(conv.steps):
                    proxy.calls = []
                    t0 = time.perf_counter()
                    async with http.post(f"{stack.url}/webhooks/rest/webhook", headers=REST_HEADERS,
                                         json={"sender": conv.sender, "message": text}) as r:
                        replies = [m.get("text", "") for m in await r.json()]
                    total = time.perf_counter() - t0
                    if ci == 0:
                        continue  # warm-up conversation
                    messages.append({
                        "conversation": ci - 1, "kind": conv.kind, "sender": conv.sender, "step": step, "text": text,
                        "total_ms": total * 1000, "as_scripted": expect is None or expect in "\n".join(replies),
                        "calls": proxy.calls,
                    })
            # NLU alone: the same texts through /model/parse (pipeline only).
            parse_ms: Dict[str, float] = {}
            for m in messages:
                if m["text"] in parse_ms:
                    continue
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    async with http.post(f"{stack.url}/model/parse", params={"token": token}, json={"text": m["text"]}) as r:
                        await r.read()
                    times.append(time.perf_counter() - t0)
                parse_ms[m["text"]] = statistics.median(times) * 1000
            # The trackers as stored, for the tracker-store timings.
            trackers = []
            for conv in convs[1:]:
                async with http.get(f"{stack.url}/conversations/{rest_conversation(not stack.baseline, conv.sender)}/tracker",
                                    params={"token": token, "include_events": "ALL"}) as r:
                    trackers.append({"sender": conv.sender, "events": (await r.json())["events"]})
            # Action server alone: replay the captured payloads straight to it.
            for m in messages:
                for call in m["calls"]:
                    times = []
                    for _ in range(repeat):
                        t0 = time.perf_counter()
                        async with http.post(f"http://127.0.0.1:{stack.action_port}/webhook", json=call["request"],
                                             headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}) as r:
                            await r.read()
                        times.append(time.perf_counter() - t0)
                    call["direct_ms"] = statistics.median(times) * 1000
        for m in messages:
            m["nlu_ms"] = parse_ms[m["text"]]
        return {"messages": messages, "trackers": trackers, "memory": stack.memory(), "startup_s": stack.info.get("startup_s")}
    finally:
        await asyncio.to_thread(stack.stop)
        await proxy.stop()


def profile(model: Path, accounts: List[dict], repeat: int) -> Dict[str, Any]:
    """One message at a time through the full stack, split into its parts."""
    log("profile: full stack with --enable-api (random token) and a recording proxy before the action server")
    token = secrets.token_urlsafe(24)
    proxy_holder: Dict[str, ActionProxy] = {}
    stack = Stack("profile", model, api_token=token)
    proxy = ActionProxy(f"http://127.0.0.1:{stack.action_port}/webhook")
    stack.action_url_override = f"http://127.0.0.1:{proxy.port}/webhook"
    proxy_holder["p"] = proxy
    try:
        raw = asyncio.run(_profile(stack, proxy, accounts, start=100, repeat=repeat))
    except Exception:
        for s in stack.servers:
            log(f"--- {s.name} log tail ---\n{s.tail()}")
        raise
    # Rasa-side costs measured in-process with nothing else running.
    responses = [c["response"] for m in raw["messages"] for c in m["calls"] if c["response"] is not None]
    spec = {
        "domain": str(REPO / "domain.yml"),
        "conversations": raw["trackers"],
        "responses": responses,
        "sqlite_path": str(WORK / "stacks" / "profile" / "tracker-timing.db"),
        "redis": {"host": REDIS["host"], "port": REDIS["port"], "db": 15, "key_prefix": REDIS_PREFIX + "timing"},
        "repeat": repeat,
    }
    inp, outp = WORK / "stacks" / "profile" / "timing-in.json", WORK / "stacks" / "profile" / "timing-out.json"
    inp.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    log("profile: tracker-store and action-response timings in-process")
    code, _, _, output = run_logged([PY, str(BENCH / "rasa_timing.py"), str(inp), str(outp)],
                                    WORK / "logs" / "rasa-timing.log", bench_env(), timeout=900)
    if code != 0:
        raise RuntimeError(f"rasa_timing failed:\n{output[-3000:]}")
    timing = json.loads(outp.read_text("utf-8"))
    # Put the pieces together per message.
    vi = 0
    per_conv_turn: Dict[Tuple[int, int], Dict[str, float]] = {}
    for ci, conv in enumerate(timing["sql"]):
        for k, t in enumerate(conv):
            per_conv_turn[(ci, k)] = t
    rows = []
    for m in raw["messages"]:
        validation = []
        for c in m["calls"]:
            if c["response"] is not None:
                validation.append(timing["validation"][vi])
                vi += 1
        t = per_conv_turn.get((m["conversation"], m["step"]), {"load_ms": 0.0, "save_ms": 0.0})
        parts = {
            "nlu": m["nlu_ms"],
            "action_server": sum(c["ms"] for c in m["calls"]),
            # What the product's Rasa server runs (bot/rasa_speedups.py).
            "action_response_check": sum(v["cached_ms"] for v in validation),
            "tracker_load": t["load_ms"],
            "tracker_save": t["save_ms"],
        }
        parts["rest"] = max(0.0, m["total_ms"] - sum(parts.values()))
        rows.append({
            "kind": m["kind"], "step": m["step"], "text": m["text"], "total_ms": m["total_ms"],
            "as_scripted": m["as_scripted"], "action_calls": [c["action"] for c in m["calls"]],
            "action_direct_ms": sum(c.get("direct_ms", 0.0) for c in m["calls"]),
            "request_bytes": sum(c["request_bytes"] for c in m["calls"]),
            "response_check_cached_ms": sum(v["cached_ms"] for v in validation),
            "parts_ms": parts,
        })
    n = len(rows) or 1
    mean_parts = {k: sum(r["parts_ms"][k] for r in rows) / n for k in rows[0]["parts_ms"]} if rows else {}
    mean_total = sum(r["total_ms"] for r in rows) / n

    def store_mean(name: str) -> Optional[Dict[str, float]]:
        if name not in timing:
            return None
        flat = [t for conv in timing[name] for t in conv]
        return {"load_ms": statistics.mean(t["load_ms"] for t in flat), "save_ms": statistics.mean(t["save_ms"] for t in flat)}

    calls = [c for m in raw["messages"] for c in m["calls"]]
    return {
        "messages": rows,
        "mean_total_ms": mean_total,
        "mean_parts_ms": mean_parts,
        "action_calls_per_message": len(calls) / n,
        "mean_action_request_kb": (statistics.mean(c["request_bytes"] for c in calls) / 1024) if calls else 0,
        "action_proxy_ms_mean": statistics.mean(c["ms"] for c in calls) if calls else 0,
        "action_direct_ms_mean": statistics.mean(c.get("direct_ms", 0) for c in calls) if calls else 0,
        "response_check_stock_ms_mean": statistics.mean(v["stock_ms"] for v in timing["validation"]) if timing["validation"] else 0,
        "response_check_cached_ms_mean": statistics.mean(v["cached_ms"] for v in timing["validation"]) if timing["validation"] else 0,
        "tracker_stores": {k: store_mean(k) for k in ("sql", "rasa_sql", "sql_no_broker", "memory", "redis")},
        "redis_error": timing.get("redis_error"),
        "jsonschema": timing.get("jsonschema"),
        "api_rss": raw["memory"],
    }


# ---------------------------------------------------------------- report


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def targets(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    sp = res.get("speed", {})
    ours, base = sp.get("ours"), sp.get("baseline")

    def add(name, value, target, met, shown):
        out.append({"target": name, "value": value, "threshold": target, "met": met, "shown": shown})

    if ours and base:
        r = ratio(ours["levels"]["32"]["throughput_msg_s"], base["levels"]["32"]["throughput_msg_s"])
        add("full stack throughput at 32 conversations ≥ 1.0 × baseline", r, TARGETS["throughput_ratio_32"],
            r is not None and r >= TARGETS["throughput_ratio_32"], f"{r:.2f}×")
        r = ratio(ours["levels"]["1"]["latency_ms"]["p95"], base["levels"]["1"]["latency_ms"]["p95"])
        add("full stack p95 at 1 conversation ≤ 2 × baseline p95", r, TARGETS["p95_ratio_1"],
            r is not None and r <= TARGETS["p95_ratio_1"], f"{r:.2f}×")
    nlu = res.get("nlu", {}).get("ours")
    if nlu:
        f1 = nlu["intent_macro_f1"]
        add("intent macro-F1 ≥ 0.95", f1, TARGETS["intent_macro_f1"], f1 >= TARGETS["intent_macro_f1"], f"{f1:.3f}")
        worst = min((nlu["entities"].get(e, {}).get("f1-score", 0.0), e) for e in ENTITIES)
        add("each entity F1 ≥ 0.90", worst[0], TARGETS["entity_f1"], worst[0] >= TARGETS["entity_f1"],
            f"lowest {worst[1]} {worst[0]:.3f}")
        rec = {i: nlu["intents"].get(i, {}).get("recall", 0.0) for i in SAFETY_INTENTS}
        add("recall 1.0 on crisis and stop_contact", min(rec.values()), 1.0, min(rec.values()) >= 1.0,
            ", ".join(f"{k} {v:.2f}" for k, v in rec.items()))
    if ours:
        rss = ours["memory"]["rasa"]["peak_rss_mb_sum"]
        add("Rasa server peak RSS ≤ 1.5 GB", rss, TARGETS["rasa_rss_mb"], rss <= TARGETS["rasa_rss_mb"], f"{rss:.0f} MB")
    tr = res.get("train", {}).get("ours")
    if tr:
        add("training ≤ 10 min on 2 cores", tr["seconds"], TARGETS["train_s"], tr["seconds"] <= TARGETS["train_s"],
            f"{tr['seconds']:.0f} s" + (" (reused)" if tr.get("reused") else ""))
    return out


def fmt(v, spec=".1f", suffix=""):
    return "–" if v is None else f"{v:{spec}}{suffix}"


def summary_rows(res: Dict[str, Any]) -> List[Tuple[str, str, str, str]]:
    """(metric, ours, baseline, ours/baseline)"""
    rows = []
    no, nb = res.get("nlu", {}).get("ours"), res.get("nlu", {}).get("baseline")
    if no or nb:
        g = lambda d, k: d.get(k) if d else None  # noqa: E731
        rows.append(("intent accuracy", fmt(g(no, "intent_accuracy"), ".3f"), fmt(g(nb, "intent_accuracy"), ".3f"), ""))
        rows.append(("intent macro-F1", fmt(g(no, "intent_macro_f1"), ".3f"), fmt(g(nb, "intent_macro_f1"), ".3f"), ""))
        for e in ENTITIES:
            eo = (no or {}).get("entities", {}).get(e, {})
            eb = (nb or {}).get("entities", {}).get(e, {})
            rows.append((f"entity F1 {e}", fmt(eo.get("f1-score"), ".3f"), fmt(eb.get("f1-score"), ".3f"), ""))
        for i in SAFETY_INTENTS:
            rows.append((f"recall {i}", fmt((no or {}).get("intents", {}).get(i, {}).get("recall"), ".2f"),
                         fmt((nb or {}).get("intents", {}).get(i, {}).get("recall"), ".2f"), ""))
    core = res.get("core")
    if core:
        rows.append(("test stories passed", f"{core['stories'] - core['failed']}/{core['stories']}", "n/a", ""))
    sp = res.get("speed", {})
    o, b = sp.get("ours"), sp.get("baseline")
    for c in LEVELS if (o or b) else ():
        lo = o["levels"][str(c)] if o else None
        lb = b["levels"][str(c)] if b else None
        for p in ("p50", "p95", "p99"):
            vo = lo["latency_ms"][p] if lo else None
            vb = lb["latency_ms"][p] if lb else None
            rows.append((f"latency {p} @{c} (ms)", fmt(vo, ".0f"), fmt(vb, ".0f"), fmt(ratio(vo, vb), ".2f", "×")))
        vo = lo["throughput_msg_s"] if lo else None
        vb = lb["throughput_msg_s"] if lb else None
        rows.append((f"throughput @{c} (msg/s)", fmt(vo, ".2f"), fmt(vb, ".2f"), fmt(ratio(vo, vb), ".2f", "×")))
    if o or b:
        mo = o["memory"]["rasa"]["peak_rss_mb_sum"] if o else None
        mb = b["memory"]["rasa"]["peak_rss_mb_sum"] if b else None
        rows.append(("Rasa server peak RSS (MB)", fmt(mo, ".0f"), fmt(mb, ".0f"), fmt(ratio(mo, mb), ".2f", "×")))
        if o:
            rows.append(("action server peak RSS (MB)", fmt(o["memory"]["actions"]["peak_rss_mb_sum"], ".0f"), "n/a", ""))
        so, sb = (o or {}).get("startup_s"), (b or {}).get("startup_s")
        rows.append(("start-up to first answer (s)", fmt(so, ".1f"), fmt(sb, ".1f"), fmt(ratio(so, sb), ".2f", "×")))
    tr = res.get("train", {})
    if tr:
        to, tb = tr.get("ours"), tr.get("baseline")
        rows.append(("training time (s)", fmt((to or {}).get("seconds"), ".0f"), fmt((tb or {}).get("seconds"), ".0f"),
                     fmt(ratio((to or {}).get("seconds"), (tb or {}).get("seconds")), ".2f", "×")))
        mo, mb = res.get("model_size_mb", {}).get("ours"), res.get("model_size_mb", {}).get("baseline")
        rows.append(("model size (MB)", fmt(mo, ".1f"), fmt(mb, ".1f"), fmt(ratio(mo, mb), ".2f", "×")))
    return rows


def table(rows, header=("metric", "ours", "baseline", "ours/baseline")) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def plain_table(rows, header=("metric", "ours", "baseline", "ours/baseline")) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt_row = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([fmt_row(header), fmt_row(["-" * w for w in widths]), *map(fmt_row, rows)])


def charts(res: Dict[str, Any]) -> List[str]:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")
    import matplotlib.pyplot as plt

    made = []
    sp = res.get("speed", {})
    series = [("ours (full stack)", sp.get("ours"), "tab:blue"), ("baseline (stock Rasa)", sp.get("baseline"), "tab:gray")]
    palette = ["tab:green", "tab:orange", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"]
    series += [(f"variant: {k}", v, palette[i % len(palette)]) for i, (k, v) in enumerate(sp.get("variants", {}).items())]
    series = [s for s in series if s[1]]
    if series:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for label, data, color in series:
            xs = list(LEVELS)
            axes[0].plot(xs, [data["levels"][str(c)]["latency_ms"]["p95"] for c in xs], marker="o", label=label, color=color)
            axes[0].plot(xs, [data["levels"][str(c)]["latency_ms"]["p50"] for c in xs], marker=".", linestyle=":", color=axes[0].lines[-1].get_color())
            axes[1].plot(xs, [data["levels"][str(c)]["throughput_msg_s"] for c in xs], marker="o", label=label, color=color)
        axes[0].set(xscale="log", yscale="log", xlabel="concurrent conversations", ylabel="latency (ms): p95 solid, p50 dotted",
                    title="REST message latency")
        axes[1].set(xscale="log", xlabel="concurrent conversations", ylabel="messages / s", title="Throughput")
        for ax in axes:
            ax.set_xticks(list(LEVELS))
            ax.set_xticklabels([str(c) for c in LEVELS])
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(OUT / "speed.png", dpi=110)
        plt.close(fig)
        made.append("speed.png")
    prof = res.get("profile")
    if prof and prof.get("messages"):
        # Mean per script step (across the scripted conversations).
        groups: Dict[str, List[dict]] = {}
        for m in prof["messages"]:
            groups.setdefault(f"{m['kind']} {m['step'] + 1}: {load.STEP_LABELS[m['kind']][m['step']]}", []).append(m)
        labels = list(groups)
        parts = list(prof["messages"][0]["parts_ms"])
        colors = ["tab:green", "tab:orange", "tab:red", "tab:purple", "tab:pink", "tab:gray"]
        fig, ax = plt.subplots(figsize=(10, 0.32 * len(labels) + 1.5))
        left = [0.0] * len(labels)
        for p, col in zip(parts, colors):
            vals = [statistics.mean(m["parts_ms"][p] for m in groups[l]) for l in labels]
            ax.barh(labels, vals, left=left, label=p.replace("_", " "), color=col)
            left = [a + b for a, b in zip(left, vals)]
        ax.invert_yaxis()
        ax.set(xlabel="ms (one conversation at a time)", title="Where the time of one message goes (full stack)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        fig.savefig(OUT / "profile.png", dpi=110)
        plt.close(fig)
        made.append("profile.png")
    no, nb = res.get("nlu", {}).get("ours"), res.get("nlu", {}).get("baseline")
    if no and nb:
        names = sorted(no["intents"])
        fig, ax = plt.subplots(figsize=(11, 4))
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [no["intents"][n]["f1-score"] for n in names], width=0.4, label="ours", color="tab:blue")
        ax.bar([i + 0.2 for i in x], [nb["intents"].get(n, {}).get("f1-score", 0) for n in names], width=0.4,
               label="baseline", color="tab:gray")
        ax.axhline(TARGETS["intent_macro_f1"], color="tab:red", linewidth=0.8, linestyle="--")
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
        ax.set(ylim=(0, 1.05), ylabel="F1 on tests/nlu", title="Intent F1, held-out test set")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(OUT / "nlu.png", dpi=110)
        plt.close(fig)
        made.append("nlu.png")
    return made


def write_report(res: Dict[str, Any], made: List[str]) -> str:
    m = res["machine"]
    L = [
        "# Benchmark: 催收助手 vs stock Rasa",
        "",
        f"Generated by bench/run.py{' ' + ' '.join(res['argv']) if res.get('argv') else ''} (what `make bench` runs after "
        f"`setup train`) on {res['started']} "
        f"in {res['duration_s'] / 60:.1f} min. Machine: {m['nproc']} × {m['cpu']}, {m['mem_gb']:.0f} GB; "
        f"load average at start {m['load_start']}, at end {m['load_end']}"
        + (" — **other work was running on the machine: absolute times are inflated and noisy; compare the ratios**." if max(m["load_start"][0], m["load_end"][0]) > 0.7 else "."),
        f"Commit {res['git']['commit']}{' (+ uncommitted changes)' if res['git']['dirty'] else ''}; our model "
        f"`{res.get('model_ours')}`"
        + (f" (older than {', '.join(res['model_stale'][:4])}: a `make bench` would have retrained it first)"
           if res.get("model_stale") else "")
        + f". Raw numbers: {rel(OUT)}/results.json; run log: bench/history.md.",
        "",
        "## Summary",
        "",
        table(summary_rows(res)),
        "",
    ]
    tg = targets(res)
    if tg:
        L += ["## Targets", "", table([(t["target"], t["shown"], "**met**" if t["met"] else "**not met**") for t in tg],
                                      header=("target", "measured", "")), ""]
    nlu = res.get("nlu", {})
    if nlu:
        L += ["## NLU quality (tests/nlu, held out)", ""]
        for kind in ("ours", "baseline"):
            n = nlu.get(kind)
            if not n:
                continue
            L.append(f"**{kind}** (`{n['model']}`): {n['test_examples']} examples, accuracy {n['intent_accuracy']:.3f}, "
                     f"macro-F1 {n['intent_macro_f1']:.3f}, {n['errors']} misclassified; entities by {n['entity_extractor']}.")
            L.append("")
            if n["entities"]:
                L.append(table([(e, fmt(v.get("precision"), ".3f"), fmt(v.get("recall"), ".3f"), fmt(v.get("f1-score"), ".3f"),
                                 v.get("support")) for e, v in n["entities"].items() if e not in ("macro avg", "weighted avg")],
                               header=("entity", "precision", "recall", "F1", "support")))
                L.append("")
            if n["confused_pairs"]:
                L.append("Most confused (true → predicted): " + "; ".join(
                    f"{p['intent']} → {p['predicted']} ×{p['count']}" for p in n["confused_pairs"][:6]) + ".")
                L.append("")
        tr = res.get("train", {}).get("baseline")
        if tr:
            L.append(f"The baseline's WhitespaceTokenizer sees each Chinese sentence as one token (Rasa printed "
                     f"{tr['misaligned_entity_warnings']} 'misaligned entity' warnings while training it): its intents "
                     "rest on character n-grams alone, and its entity extractor can only tag whole space-separated "
                     "chunks. Rasa's evaluation also drops the gold entities that do not line up with tokens, so the "
                     "baseline's entity support is smaller than ours: its F1 is over the subset it could have found.")
            L.append("")
        if "nlu.png" in made:
            L += ["![intent F1](nlu.png)", ""]
    core = res.get("core")
    if core:
        L += ["## Dialogue quality (tests/stories)", "",
              f"{core['stories'] - core['failed']} of {core['stories']} test stories pass end to end "
              f"({100 * core['passed_share']:.0f} %); action-level macro-F1 {fmt(core['action_macro_f1'], '.3f')}."
              + (" Failed: " + ", ".join(core["failed_stories"]) if core["failed_stories"] else ""), ""]
    sp = res.get("speed", {})
    if sp:
        conv = res["conversations"]
        L += ["## Speed (REST channel, scripted collection conversations)", "",
              "Each conversation is a distinct cardholder (phone from bench/accounts.csv, "
              f"{res['accounts']} accounts) following one of four scripts in rotation — promise "
              "(你好 → 是的 → ID digits → 我下周五还两千 → 是的 → 谢谢), installment (… → 能分12期吗 → 好的 → 谢谢), "
              "deferral (… → 能不能宽限两周 → 可以 → 谢谢) and hardship (… → 我失业了 手头很紧 → 每个月最多能还三千 → 好的); "
              "each sends its next message after the answer to the previous one. Conversations per level: "
              + ", ".join(f"{c} at {k}" for k, c in conv.items())
              + " concurrent; request timeout 60 s. Our full stack: Rasa server + action server + SQLite account "
              "database + SQL tracker store (SQLite) + contact-log broker; every answer is checked against the "
              "script (verified, quoted, booked). The baseline gets the same texts and sender ids. Ours and the "
              "baseline are up side by side and measured interleaved: each level's conversations are split into "
              "two halves run in ABBA order (ours, baseline, baseline, ours), so both meet the same machine even "
              "when its speed drifts; a level's throughput is all its messages over the summed wall time of its "
              "halves. The variants below run alone, after them.", ""]
        rows = []
        for name, data in [("ours", sp.get("ours")), ("baseline", sp.get("baseline"))] + [
                (f"variant {k}", v) for k, v in sp.get("variants", {}).items()]:
            if not data:
                continue
            for c in LEVELS:
                lv = data["levels"][str(c)]
                lat = lv["latency_ms"]
                rows.append((name, c, lv["messages"], f"{lat['p50']:.0f}", f"{lat['p95']:.0f}", f"{lat['p99']:.0f}",
                             f"{lv['throughput_msg_s']:.2f}", lv["errors"],
                             "n/a" if name == "baseline" else lv["expectation_failures"]))
        L.append(table(rows, header=("stack", "concurrent", "messages", "p50 ms", "p95 ms", "p99 ms", "msg/s", "errors", "off-script")))
        L.append("")
        lost = [(n, d.get("lost_action_calls")) for n, d in [("ours", sp.get("ours"))] + list(sp.get("variants", {}).items()) if d]
        L.append("Off-script = answers that missed the script's expected words (e.g. an empty answer after a failed "
                 "action call, or a wrong turn). Action calls the Rasa server gave up on (its log's \"Failed to run "
                 "custom action … the actions events are lost\"): " + ", ".join(f"{n} {c}" for n, c in lost) + ".")
        L.append("")
        if "speed.png" in made:
            L += ["![latency and throughput](speed.png)", ""]
        if sp.get("variants"):
            L += ["Variants (levers, same conversations and machine):", ""]
            for k, v in sp["variants"].items():
                o = sp.get("ours")
                r32 = ratio(v["levels"]["32"]["throughput_msg_s"], o["levels"]["32"]["throughput_msg_s"]) if o else None
                p1 = ratio(v["levels"]["1"]["latency_ms"]["p95"], o["levels"]["1"]["latency_ms"]["p95"]) if o else None
                L.append(f"- **{k}** — {VARIANTS.get(k, {}).get('about', '')}: throughput @32 {fmt(r32, '.2f', '×')} ours, "
                         f"p95 @1 {fmt(p1, '.2f', '×')} ours, Rasa RSS {v['memory']['rasa']['peak_rss_mb_sum']:.0f} MB "
                         f"({v['memory']['rasa']['processes']} process(es)), lost action calls {v.get('lost_action_calls')}.")
            L.append("")
            L.append("Each variant runs once per benchmark, after the interleaved pair. With other work on the machine "
                     "the same stack's throughput varied by up to ±50 % between runs (history.md), and by ±15 % between "
                     "minutes on a quiet but shared machine: treat variant ratios below ~1.2× as within noise.")
            L.append("")
    o, b = sp.get("ours"), sp.get("baseline")
    tr = res.get("train", {})
    if o or tr:
        L += ["## Cost", ""]
        rows = []
        if o:
            rows.append(("Rasa server peak RSS (VmHWM)", f"{o['memory']['rasa']['peak_rss_mb_sum']:.0f} MB",
                         f"{b['memory']['rasa']['peak_rss_mb_sum']:.0f} MB" if b else "–"))
            rows.append(("action server peak RSS (VmHWM)", f"{o['memory']['actions']['peak_rss_mb_sum']:.0f} MB", "none"))
            rows.append(("start-up until the first answer", f"{o['startup_s']:.1f} s (action server {o['actions_startup_s']:.1f} s, in parallel)",
                         f"{b['startup_s']:.1f} s" if b else "–"))
        for k, label in (("ours", "ours"), ("baseline", "baseline")):
            pass
        if tr:
            to, tb = tr.get("ours"), tr.get("baseline")
            rows.append(("training time (cold cache, `--force`)",
                         f"{to['seconds']:.0f} s" + (" (reused)" if to and to.get("reused") else "") if to else "–",
                         f"{tb['seconds']:.0f} s" + (" (reused)" if tb and tb.get("reused") else "") if tb else "–"))
            rows.append(("training peak RSS", f"{to['peak_rss_mb']:.0f} MB" if to and to.get("peak_rss_mb") else "–",
                         f"{tb['peak_rss_mb']:.0f} MB" if tb and tb.get("peak_rss_mb") else "–"))
        ms = res.get("model_size_mb", {})
        rows.append(("model size on disk", fmt(ms.get("ours"), ".1f", " MB"), fmt(ms.get("baseline"), ".1f", " MB")))
        L.append(table(rows, header=("", "ours", "baseline")))
        L.append("")
    prof = res.get("profile")
    if prof and prof.get("messages"):
        mp = prof["mean_parts_ms"]
        tot = prof["mean_total_ms"]
        L += ["## Where the time goes", "",
              f"{len(prof['messages'])} messages of four scripted conversations, one at a time, through the full stack "
              "started with `--enable-api --auth-token <random>` and a recording proxy in front of the action server. "
              "NLU = the same text through `/model/parse` (median of repeats); action server = the proxied round "
              "trips of that message's action calls; action-response check = Rasa's `jsonschema.validate` of each "
              "captured response, timed in-process; tracker load/save = Rasa's SQLTrackerStore on SQLite with the "
              "conversation's real events, timed in-process; rest = total − all of these (policies, slot "
              "mapping, tracker copies, Sanic, JSON).", "",
              table([(k.replace("_", " "), f"{v:.1f}", f"{100 * v / tot:.0f} %") for k, v in mp.items()]
                    + [("**total (mean)**", f"**{tot:.1f}**", "100 %")], header=("part", "mean ms / message", "share")), ""]
        ts = prof["tracker_stores"]
        L.append(f"Action calls per message: {prof['action_calls_per_message']:.2f}; mean request to the action server "
                 f"{prof['mean_action_request_kb']:.1f} KB (tracker + domain); round trip {prof['action_proxy_ms_mean']:.1f} ms "
                 f"through the proxy, {prof['action_direct_ms_mean']:.1f} ms replayed directly. Rasa's check of one action "
                 f"response: {prof['response_check_stock_ms_mean']:.1f} ms as shipped (jsonschema {prof['jsonschema']}), "
                 f"{prof['response_check_cached_ms_mean']:.2f} ms with a validator built once.")
        L.append("")
        names = {"sql": "SQL on SQLite with the event broker (as configured)", "sql_no_broker": "SQL on SQLite without a broker",
                 "memory": "in-memory", "redis": "Redis"}
        L.append("Tracker store per message (mean load / save): " + "; ".join(
            f"{names.get(k, k)} {v['load_ms']:.1f} / {v['save_ms']:.1f} ms" for k, v in ts.items() if v) + ".")
        L.append("")
        if "profile.png" in made:
            L += ["![profile](profile.png)", ""]
        L += analysis(res)
    L += recommendations(res)
    L += ["## How to reproduce", "",
          "`make bench` (= `setup train` then `.venv/bin/python bench/run.py`); `--quick` for development "
          "(fewer conversations, reuses trained models); `--quick --only speed,variants --variants workers2,redis-tracker` to try a "
          "lever against ours and the baseline in the same run. Work files (models, databases, server logs) are in bench/.work/ (git-ignored).", ""]
    return "\n".join(L)


def analysis(res: Dict[str, Any]) -> List[str]:
    """The written analysis: computed sentences, so it stays true on a rerun."""
    prof, sp = res["profile"], res.get("speed", {})
    mp, tot = prof["mean_parts_ms"], prof["mean_total_ms"]
    biggest = sorted(mp.items(), key=lambda kv: -kv[1])
    L = ["**Analysis.**", ""]
    L.append(f"- The largest part of a message is **{biggest[0][0].replace('_', ' ')}** "
             f"({100 * biggest[0][1] / tot:.0f} % of {tot:.0f} ms), then {biggest[1][0].replace('_', ' ')} "
             f"({100 * biggest[1][1] / tot:.0f} %).")
    chk = mp.get("action_response_check", 0)
    L.append(f"- Rasa 3.6 as shipped checks every action-server answer with `jsonschema.validate`, which with jsonschema "
             f"{prof['jsonschema']} re-checks the schema itself against the 2020-12 meta-schema on each call: "
             f"{prof['response_check_stock_ms_mean']:.0f} ms per action call on the Rasa server's single event loop. "
             "The product's server builds the validator once (bot/rasa_speedups.py): "
             f"{prof['response_check_cached_ms_mean']:.2f} ms per call, {chk:.1f} ms per message here (an upper "
             "bound: since session 3 it also checks each event against the one schema its type selects, "
             "not all of them).")
    ts = prof["tracker_stores"]
    if ts.get("sql") and ts.get("memory"):
        both = lambda k: ts[k]["load_ms"] + ts[k]["save_ms"]  # noqa: E731
        L.append(f"- The product's SQL tracker store on SQLite (bot/tracker_store.py) costs {both('sql'):.1f} ms per "
                 "message (load + save)"
                 + (f"; Rasa's own SQL store {both('rasa_sql'):.1f} ms, because with an event broker (the contact log) "
                    "its `save` re-reads and re-deserialises the whole stored tracker to find the events to publish"
                    if ts.get("rasa_sql") else "")
                 + (f"; without a broker {both('sql_no_broker'):.1f} ms. " if ts.get("sql_no_broker") else ". ")
                 + f"In memory it is {both('memory'):.1f} ms"
                 + (f", in Redis {both('redis'):.1f} ms" if ts.get("redis") else "")
                 + ". Loading deserialises every event of the session, so the cost grows with the length of the "
                 "conversation (Rasa looks each event's class up by walking all Event subclasses; the product's "
                 "server caches that lookup).")
    L.append(f"- The action server itself answers in {prof['action_direct_ms_mean']:.1f} ms per call (database work "
             f"in worker threads); each call carries the whole tracker (and the domain for form validators only) ({prof['mean_action_request_kb']:.0f} KB), "
             f"and a form turn makes up to {max(len(m['action_calls']) for m in prof['messages'])} calls.")
    try:
        pipeline = [c["name"].split(".")[-1] for c in yaml.safe_load((REPO / "config.yml").read_text("utf-8"))["pipeline"]]
    except Exception:  # the report must not fail on a config being edited
        pipeline = []
    L.append(f"- NLU ({', '.join(pipeline) or 'config.yml pipeline'}) takes {mp.get('nlu', 0):.0f} ms per message.")
    o, b = sp.get("ours"), sp.get("baseline")
    if o and o.get("lost_action_calls"):
        L.append(f"- Under load the Rasa server lost {o['lost_action_calls']} action call(s) in this run (\"Cannot write to "
                 "closing transport\": it reused a pooled connection the action server was closing — Sanic closes idle "
                 "connections after 5 s, aiohttp keeps them 15 s); the cardholder got an empty or wrong answer and the "
                 "action's events were dropped. `SANIC_KEEP_ALIVE_TIMEOUT=30` on the action server removes the race "
                 "(variant `action-keepalive`).")
    vname = next((k for k in ("patched+action-keepalive", "patched") if k in sp.get("variants", {})), None)
    v = sp.get("variants", {}).get(vname) if vname else None
    if v and o and b:
        what = "both fixes" if vname == "patched+action-keepalive" else "the response check fixed"
        L.append(f"- With {what} (`{vname}`): p95 at 1 conversation {v['levels']['1']['latency_ms']['p95']:.0f} ms "
                 f"(ours {o['levels']['1']['latency_ms']['p95']:.0f}, baseline {b['levels']['1']['latency_ms']['p95']:.0f}); "
                 f"throughput at 32 {v['levels']['32']['throughput_msg_s']:.2f} msg/s "
                 f"(ours {o['levels']['32']['throughput_msg_s']:.2f}, baseline {b['levels']['32']['throughput_msg_s']:.2f}), "
                 f"lost action calls {v.get('lost_action_calls', '–')}. The baseline stays faster because it does far less per "
                 "message: one NLU pass and one rule, no action server, no database, no tracker persistence.")
    L.append("")
    return L


def recommendations(res: Dict[str, Any]) -> List[str]:
    """Changes in files the benchmark does not own, each with its measured effect."""
    sp = res.get("speed", {})
    prof = res.get("profile") or {}
    if not sp.get("ours"):
        return []
    L = ["## Changes adopted, and what is left", ""]
    L.append(
        "Adopted on 2026-11-29 after the runs in history.md (\"ours\" above runs with all of them): "
        "(1) Rasa's check of action-server responses with a validator built once, and a cached event-class "
        "lookup (bot/rasa_speedups.py, installed by bot/nlu/__init__.py)"
        + (f", {prof['response_check_stock_ms_mean']:.0f} → {prof['response_check_cached_ms_mean']:.2f} ms per action call"
           if prof.get("response_check_stock_ms_mean") else "")
        + "; (2) the action server's `SANIC_KEEP_ALIVE_TIMEOUT=30` (run_all.sh, tests, production), which "
        "removed the lost action calls; (3) bot/tracker_store.BrokeredSQLTrackerStore, which publishes to the "
        "contact-log broker what it writes instead of re-reading the conversation, and reads/writes rows without "
        "ORM objects; (4) SQLite in WAL mode with `synchronous=NORMAL` and kept-open connections for the account "
        "database and the tracker store (fsync per commit had become the largest single cost); (5) the domain is "
        "sent only to the form validators (`enable_selective_domain`).")
    L.append("")
    L.append(
        "Adopted in session 3 (2026-11-29 afternoon), found with a GIL-holding profile of the Rasa server under 32 "
        "conversations and per-thread CPU time per message (history.md has each step): (6) the tracker store hands "
        "back the tracker it saved last, after one indexed query shows nobody wrote since, instead of replaying the "
        "conversation; (7) Rasa opened a new TCP connection (a new aiohttp session) for every action call — one kept "
        "session per endpoint now, bodies written with ujson; (8) the account view in one SQL statement built once "
        "(four ORM queries built per call took 4.1 ms per lookup here, now 0.95 ms); (9) graph runs without dask, "
        "dialogue states cached per (tracker, events, flags), slots copied without `__reduce_ex__`, debug-log deep "
        "copies only with debug on, LogisticRegression input built from the sentence rows only, action responses "
        "checked against the one event schema their type selects; (10) contact-log rows in batches, read-only "
        "lookups without SQLite's write lock, the action call parsed once and its depth measured in numpy; (11) the "
        "identity question as a domain response (one action call fewer).")
    L.append("")
    L.append(
        "Left: the Rasa server's event loop is the limit at 32 conversations (about 25 ms of CPU per message on this "
        "machine, 85–90 % busy); its largest parts are the rule and memoization policies' state featurisation "
        "(computed once per predicted action over the whole conversation; an incremental version would carry "
        "Rasa's generator state), NLU (jieba, two CountVectorsFeaturizers, the classifier), the action calls "
        "(tracker copy, serialisation, HTTP) and the tracker save. `SANIC_WORKERS=2` with the Redis lock store and "
        "more action-server workers gave no gain on this 2-core machine in session 1; with the event loop now the "
        "limit and half a core idle, it is worth measuring again (history.md).")
    L.append("")
    return L


def append_history(res: Dict[str, Any]) -> None:
    path = BENCH / "history.md"
    if not path.exists():
        path.write_text("# Benchmark history\n\nOne entry per `make bench` run (appended by bench/run.py) and per "
                        "experiment (written by hand). Newest last.\n\n", encoding="utf-8")
    m = res["machine"]
    sp = res.get("speed", {})
    bits = []
    o, b = sp.get("ours"), sp.get("baseline")
    if o and b:
        bits.append(f"p95@1 {o['levels']['1']['latency_ms']['p95']:.0f}/{b['levels']['1']['latency_ms']['p95']:.0f} ms, "
                    f"msg/s@32 {o['levels']['32']['throughput_msg_s']:.2f}/{b['levels']['32']['throughput_msg_s']:.2f} (ours/baseline)")
    if o:
        bits.append(f"ours lost action calls {o.get('lost_action_calls')}")
    for k, v in sp.get("variants", {}).items():
        bits.append(f"{k}: p95@1 {v['levels']['1']['latency_ms']['p95']:.0f} ms, msg/s@32 {v['levels']['32']['throughput_msg_s']:.2f}, "
                    f"lost {v.get('lost_action_calls')}")
    nlu = res.get("nlu", {}).get("ours")
    if nlu:
        bits.append(f"intent macro-F1 {nlu['intent_macro_f1']:.3f}")
    if res.get("core"):
        bits.append(f"stories {res['core']['stories'] - res['core']['failed']}/{res['core']['stories']}")
    tr = res.get("train", {})
    if tr.get("ours") and not tr["ours"].get("reused"):
        bits.append(f"train {tr['ours']['seconds']:.0f}/{tr['baseline']['seconds']:.0f} s" if tr.get("baseline") else f"train {tr['ours']['seconds']:.0f} s")
    met = [t for t in targets(res)]
    if met:
        bits.append(f"targets met {sum(t['met'] for t in met)}/{len(met)}")
    entry = (f"- {res['started'][:16].replace('T', ' ')} — run.py {' '.join(res['argv']) or '(full)'} — "
             f"{m['nproc']} × {m['cpu']}, load {m['load_start'][0]:.2f}→{m['load_end'][0]:.2f}, commit {res['git']['commit']}"
             f"{'+dirty' if res['git']['dirty'] else ''}: " + "; ".join(bits) + ".\n")
    with open(path, "a", encoding="utf-8") as f:
        f.write(entry)


# ---------------------------------------------------------------- main


def stale_inputs(model: Path) -> List[str]:
    """Training inputs changed after the model was trained (make train would retrain)."""
    t = model.stat().st_mtime
    files = [REPO / "config.yml", REPO / "domain.yml", *sorted((REPO / "bot" / "data").rglob("*.yml"))]
    return [rel(f) for f in files if f.exists() and f.stat().st_mtime > t]


def git_info() -> Dict[str, Any]:
    def git(*a):
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, timeout=30)
        return r.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer conversations; reuse trained models when present")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument("--variants", default=None,
                    help=f"levers to measure on the full stack, comma-separated, of {','.join(VARIANTS)} "
                         f"(default: {','.join(DEFAULT_VARIANTS)} in a full run, none with --quick; 'none' for none)")
    ap.add_argument("--reuse-models", action="store_true", help="do not retrain when bench/.work/models has both models")
    ap.add_argument("--no-history", action="store_true", help="do not append to bench/history.md")
    ap.add_argument("--report-only", action="store_true", help="rewrite report.md and charts from results.json, measure nothing")
    ap.add_argument("--out", default=None, help="write report.md, results.json and charts here instead of bench/ (experiments)")
    args = ap.parse_args(argv)
    global OUT
    if args.out:
        OUT = Path(args.out).resolve()
        OUT.mkdir(parents=True, exist_ok=True)
    argv_used = list(argv if argv is not None else sys.argv[1:])
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in sections:
        if s not in SECTIONS:
            ap.error(f"unknown section {s!r}")
    if args.variants is None:
        variants = [] if args.quick else list(DEFAULT_VARIANTS)
    else:
        variants = [v.strip() for v in args.variants.split(",") if v.strip() and v.strip() != "none"]
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}")
    conversations = QUICK_CONVERSATIONS if args.quick else FULL_CONVERSATIONS
    WORK.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        res = json.loads((OUT / "results.json").read_text("utf-8"))
        made = charts(res)
        (OUT / "report.md").write_text(write_report(res, made), encoding="utf-8")
        print(plain_table(summary_rows(res)))
        return 0

    t_start = time.monotonic()
    res: Dict[str, Any] = {
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "argv": argv_used,
        "quick": args.quick,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "load_start": load_average(),
                    "mem_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30},
        "git": git_info(),
        "conversations": {str(k): v for k, v in conversations.items()},
        "targets": TARGETS,
    }
    previous = {}
    if (BENCH / "results.json").exists():
        try:
            previous = json.loads((BENCH / "results.json").read_text("utf-8"))
        except ValueError:
            previous = {}

    # Inputs: the portfolio (generated once, committed) and the baseline project.
    if not prepare.ACCOUNTS_CSV.exists():
        prepare.write_accounts()
    accounts = prepare.read_accounts()
    res["accounts"] = len(accounts)
    prepare.write_baseline()

    model_ours = newest_model(REPO / "bot" / "models")
    if model_ours is None:
        print("No model in bot/models: run `make train` first (make bench does).", file=sys.stderr)
        return 2
    res["model_ours"] = rel(model_ours)
    res["model_stale"] = stale_inputs(model_ours)
    if res["model_stale"]:
        log(f"note: {rel(model_ours)} is older than {', '.join(res['model_stale'][:5])} — `make bench` retrains first")
    log(f"our model: {rel(model_ours)}; sections: {', '.join(sections)}; variants: {', '.join(variants) or 'none'}")

    baseline_model = WORK / "models" / "baseline.tar.gz"
    need_baseline_model = any(s in sections for s in ("nlu", "speed"))
    res["train"] = {}
    reuse = args.reuse_models or args.quick
    if "train" in sections or (need_baseline_model and not baseline_model.exists()):
        for kind in ("ours", "baseline"):
            target = WORK / "models" / f"{kind}.tar.gz"
            if reuse and target.exists():
                prev = (previous.get("train") or {}).get(kind) or {}
                res["train"][kind] = {**prev, "reused": True, "model": rel(target), "model_mb": target.stat().st_size / 2**20}
                log(f"reusing {rel(target)}")
            else:
                res["train"][kind] = train(kind)
    res["model_size_mb"] = {"ours": model_ours.stat().st_size / 2**20}
    if baseline_model.exists():
        res["model_size_mb"]["baseline"] = baseline_model.stat().st_size / 2**20

    if "nlu" in sections:
        res["nlu"] = {"ours": test_nlu("ours", model_ours), "baseline": test_nlu("baseline", baseline_model)}
    if "core" in sections:
        res["core"] = test_core(model_ours)
    if "speed" in sections:
        res["speed"] = measure_speed_paired(model_ours, baseline_model, accounts, conversations)
    if "variants" in sections and variants:
        res.setdefault("speed", {})["variants"] = {
            v: measure_speed(f"variant-{v}", model_ours, accounts, conversations, variant=VARIANTS[v]) for v in variants}
    if "profile" in sections:
        res["profile"] = profile(model_ours, accounts, repeat=3 if args.quick else 5)

    res["machine"]["load_end"] = load_average()
    res["duration_s"] = time.monotonic() - t_start
    res["targets_met"] = targets(res)
    made = charts(res)
    res["charts"] = made
    (OUT / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (OUT / "report.md").write_text(write_report(res, made), encoding="utf-8")
    if not args.no_history:
        append_history(res)
    print()
    print(plain_table(summary_rows(res)))
    print()
    for t in res["targets_met"]:
        print(f"{'MET    ' if t['met'] else 'NOT MET'}  {t['target']}: {t['shown']}")
    where = rel(OUT) + "/"
    print(f"\n{where}report.md, {where}results.json, {', '.join(where + m for m in made)} written "
          f"in {res['duration_s'] / 60:.1f} min (load average {res['machine']['load_start']} → {res['machine']['load_end']}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
