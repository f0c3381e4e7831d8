#!/usr/bin/env python
"""`make soak`: a bounded soak run of the full stack on loopback (issue 7).

Starts the action server and the Rasa server as in production on one
machine (SQLite account database and SQL tracker store, the contact-log
broker, JSON logs), then for ``--duration`` seconds (default 180) keeps
``--concurrency`` (default 8) scripted collection conversations running at
once over /webhooks/rest/webhook: the four scripts of bench/load.py
(promise, installment, deferral, hardship), each a distinct cardholder of a
generated portfolio, every answer checked against the script. A finished
conversation is replaced by the next one until the time is up; the ones
still running then finish (every request has a timeout).

Every ``--sample-every`` seconds (default 5) it records the resident memory
(RSS) of the Rasa server and of the action server (each process with its
children). At the end it scrapes both servers' /metrics and writes
``bench/soak.md`` and ``bench/soak.json``: errors (HTTP errors and
timeouts, answers off the script, action calls Rasa gave up on, the
servers' own error counters), latency p50/p95/p99, throughput, RSS at the
start and end, and the growth slope over the whole run and over its second
half (after warm-up caches fill, steady growth there is what "unbounded"
would look like).

    .venv/bin/python bench/soak.py                      # 3 minutes, 8 conversations
    .venv/bin/python bench/soak.py --duration 120 --concurrency 8

Exit code 0 when there were no errors and memory stayed flat (second-half
slope below ``--max-slope-mb-min`` per server), else 1. Work files (databases,
logs) are in bench/.work/soak/; servers are always stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
import numpy as np  # noqa: E402

import load  # noqa: E402
import prepare  # noqa: E402
from stack import (  # noqa: E402
    REST_HEADERS,
    BENCH,
    REPO,
    VENV_BIN,
    WORK,
    Server,
    bench_env,
    collectbot,
    cpu_model,
    free_port,
    http_get,
    load_average,
    post_json,
    product_endpoint_types,
    wait_until,
)

RASA = str(VENV_BIN / "rasa")
SOAK = WORK / "soak"
MAX_ACCOUNTS = 50_000


def log(msg: str) -> None:
    print(f"[soak {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def newest_model() -> Optional[Path]:
    models = sorted((REPO / "bot" / "models").glob("*.tar.gz"), key=os.path.getmtime)
    return models[-1] if models else None


class SoakStack:
    """Action server + Rasa server on free loopback ports, stopped by stop()."""

    def __init__(self, workdir: Path, model: Path, log_format: str) -> None:
        self.w = workdir
        self.model = model
        self.log_format = log_format
        self.action_port, self.rasa_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions_url = f"http://127.0.0.1:{self.action_port}"
        self.servers: List[Server] = []
        self.rasa: Optional[Server] = None
        self.actions: Optional[Server] = None

    def start(self, accounts_csv: Path) -> None:
        db = self.w / "accounts.db"
        env = bench_env(f"sqlite:///{db}", action_url=f"{self.actions_url}/webhook", LOG_FORMAT=self.log_format)
        types = product_endpoint_types()  # as endpoints.yml names them
        log(f"migrating and importing {accounts_csv.name}")
        collectbot(env, "migrate")
        collectbot(env, "import-accounts", str(accounts_csv))
        (self.w / "endpoints.yml").write_text(
            "# Written by bench/soak.py: the production layout on one machine (endpoints.yml).\n"
            f'action_endpoint:\n  url: "{self.actions_url}/webhook"\n  enable_selective_domain: true\n'
            '  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n'
            f'tracker_store:\n  type: {types["tracker_store"]}\n  url: "sqlite:///{self.w / "tracker.db"}"\n'
            f'event_broker:\n  type: {types["event_broker"]}\n',
            encoding="utf-8",
        )
        # As scripts/run_all.sh: the action server outlives Rasa's pooled connections.
        self.actions = Server("actions", [RASA, "run", "actions", "--actions", "bot.actions", "--port",
                                          str(self.action_port)], {**env, "SANIC_KEEP_ALIVE_TIMEOUT": "30"},
                              self.w / "actions.log")
        self.servers.append(self.actions)
        wait_until(lambda: http_get(f"{self.actions_url}/health") == 200, self.servers, 180, "action server")
        self.rasa = Server("rasa", [RASA, "run", "--model", str(self.model), "--endpoints", str(self.w / "endpoints.yml"),
                                    "--credentials", "credentials.yml", "--port", str(self.rasa_port),
                                    "--interface", "127.0.0.1"], env, self.w / "rasa.log")
        self.servers.append(self.rasa)
        wait_until(lambda: http_get(f"{self.url}/") == 200, self.servers, 600, "Rasa server")

    def rss_mb(self) -> Dict[str, float]:
        return {s.name: s.memory()["rss_mb_sum"] for s in self.servers}

    def alive(self) -> bool:
        return all(s.alive() for s in self.servers)

    def action_failures(self) -> int:
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


def scrape(url: str) -> Dict[str, float]:
    """Our own samples of a server's /metrics (``name{labels}`` → value); {} if unreachable."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as r:
            text = r.read().decode("utf-8")
    except OSError as exc:
        log(f"could not scrape {url}/metrics: {exc}")
        return {}
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if (s.name.startswith("collectbot_") and not s.name.endswith("_bucket")) or s.name == "process_resident_memory_bytes":
                labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                out[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return out


def delta(after: Dict[str, float], before: Dict[str, float], prefix: str) -> Dict[str, float]:
    return {k: after[k] - before.get(k, 0.0) for k in sorted(after) if k.startswith(prefix) and after[k] - before.get(k, 0.0)}


def slope_mb_per_min(points: List[Dict[str, float]], name: str) -> Optional[float]:
    """Least-squares slope of RSS over time (MB per minute)."""
    xs = [p["t_s"] for p in points if p.get(name) is not None]
    ys = [p[name] for p in points if p.get(name) is not None]
    if len(xs) < 3 or xs[-1] - xs[0] <= 0:
        return None
    return float(np.polyfit(np.asarray(xs) / 60.0, np.asarray(ys), 1)[0])


async def drive(url: str, convs: List[load.Conversation], concurrency: int, duration: float, timeout: float,
                stack: SoakStack, sample_every: float) -> Dict[str, Any]:
    """Keep `concurrency` conversations going for `duration` seconds; sample RSS meanwhile."""
    endpoint = url.rstrip("/") + "/webhooks/rest/webhook"
    samples: List[load.Sample] = []
    memory: List[Dict[str, float]] = []
    started: List[int] = []
    ran_out: List[bool] = []
    t_origin = time.perf_counter()
    deadline = t_origin + duration
    next_conv = iter(range(len(convs)))
    stop = asyncio.Event()

    def record_memory() -> None:
        point = {"t_s": round(time.perf_counter() - t_origin, 1), "messages": len(samples)}
        point.update({k: round(v, 1) for k, v in stack.rss_mb().items()})
        memory.append(point)

    async def sampler() -> None:
        while not stop.is_set():
            record_memory()
            try:
                await asyncio.wait_for(stop.wait(), sample_every)
            except asyncio.TimeoutError:
                pass

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency + 2)) as session:

        async def worker() -> None:
            while time.perf_counter() < deadline and stack.alive():
                i = next(next_conv, None)
                if i is None:
                    log("ran out of generated accounts; this worker stops early")
                    ran_out.append(True)
                    return
                started.append(i)
                await load._converse(session, endpoint, i, convs[i], timeout, samples, t_origin)

        sampling = asyncio.create_task(sampler())
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        stop.set()
        await sampling
    record_memory()
    wall = time.perf_counter() - t_origin
    return {"samples": samples, "memory": memory, "conversations": len(started), "wall_s": wall,
            "ran_out_of_accounts": bool(ran_out)}


def _num(value: Optional[float], fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def write_report(res: Dict[str, Any], out: Path) -> None:
    lat = res["latency_ms"]
    mem = res["memory"]
    lines = [
        "# Soak run",
        "",
        f"`{res['command']}` — {res['started']}, {res['machine']['nproc']} × {res['machine']['cpu']}, "
        f"load average {res['machine']['load_start']} → {res['machine']['load_end']}, model `{res['model']}`.",
        "",
        f"The full stack on loopback (action server, Rasa server, SQLite accounts, SQL tracker store, contact-log "
        f"broker, LOG_FORMAT={res['log_format']}) under {res['concurrency']} concurrent scripted conversations for "
        f"{res['duration_s']:.0f} s (bench/load.py scripts in rotation: promise, installment, deferral, hardship; "
        f"each a new cardholder; every answer checked against the script). RSS sampled every "
        f"{res['sample_every_s']:.0f} s.",
        "",
        "| | value |",
        "|---|---|",
        f"| verdict | **{'pass' if res['passed'] else 'FAIL'}** — {res['verdict']} |",
        f"| conversations started / as scripted | {res['conversations']} / {res['conversations_as_scripted']} |",
        f"| messages answered | {res['messages']} ({res['throughput_msg_s']:.2f} msg/s over {res['wall_s']:.0f} s) |",
        f"| errors (HTTP error or timeout) | {res['errors']} {', '.join(res['error_kinds'])} |",
        f"| answers off the script | {res['expectation_failures']} |",
        f"| action calls Rasa gave up on | {res['lost_action_calls']} |",
        f"| servers' error counters during the run (`collectbot_errors_total`) | Rasa {res['server_errors']['rasa']:.0f}, "
        f"actions {res['server_errors']['actions']:.0f} |",
        f"| latency p50 / p95 / p99 / max | {lat['p50']:.0f} / {lat['p95']:.0f} / {lat['p99']:.0f} / {lat['max']:.0f} ms |",
    ]
    for name in ("rasa", "actions"):
        m = mem[name]
        lines.append(
            f"| {name} RSS start → end (max) | {_num(m['start_mb'], '.0f')} → {_num(m['end_mb'], '.0f')} MB "
            f"({_num(m['max_mb'], '.0f')}); slope {_num(m['slope_mb_min'], '+.2f')} MB/min over the run, "
            f"{_num(m['slope_second_half_mb_min'], '+.2f')} MB/min over the second half |"
        )
    lines += [
        "",
        "Latency is per message, from the request to the full answer (the Rasa server answers a REST message "
        "after every action of the turn ran). Throughput is bounded by the scripts: each conversation sends "
        "its next message only after the answer, as a person would.",
        "",
        "## What the servers counted (/metrics, difference over the run)",
        "",
        "| server | metric | value |",
        "|---|---|---|",
    ]
    for server, counted in res["metrics_delta"].items():
        for key, value in counted.items():
            if key.split("{")[0].endswith("_sum"):
                continue
            lines.append(f"| {server} | `{key}` | {value:g} |")
    lines += [
        "",
        "## Memory samples",
        "",
        "| t (s) | messages | Rasa RSS MB | actions RSS MB |",
        "|---|---|---|---|",
    ]
    points = res["memory_samples"]
    step = max(1, len(points) // 24)
    for p in points[::step] + ([points[-1]] if (len(points) - 1) % step else []):
        lines.append(f"| {p['t_s']:.0f} | {p['messages']} | {p.get('rasa', 0):.0f} | {p.get('actions', 0):.0f} |")
    lines += [
        "",
        f"Criteria: zero errors, zero answers off the script, zero lost action calls, and a second-half RSS "
        f"slope below {res['max_slope_mb_min']} MB/min for each server. Per-conversation state that "
        f"legitimately grows with the number of conversations (the contact-log broker's channel and account "
        f"maps, one entry per cardholder) is part of what is measured.",
        "",
        f"Raw data: bench/soak.json. Logs of the run: bench/.work/soak/ (not committed).",
        "",
    ]
    (out / "soak.md").write_text("\n".join(lines), encoding="utf-8")


def memory_summary(points: List[Dict[str, float]], name: str) -> Dict[str, Any]:
    values = [p[name] for p in points if p.get(name)]
    half = [p for p in points if p["t_s"] >= points[-1]["t_s"] / 2]
    return {
        "start_mb": values[0] if values else None,
        "end_mb": values[-1] if values else None,
        "max_mb": max(values) if values else None,
        "growth_mb": (values[-1] - values[0]) if values else None,
        "slope_mb_min": slope_mb_per_min(points, name),
        "slope_second_half_mb_min": slope_mb_per_min(half, name),
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=180.0, help="seconds of load (default 180)")
    ap.add_argument("--concurrency", type=int, default=8, help="conversations at once (default 8)")
    ap.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    ap.add_argument("--timeout", type=float, default=60.0, help="per request (default 60 s)")
    ap.add_argument("--max-slope-mb-min", type=float, default=5.0,
                    help="largest second-half RSS slope per server that counts as flat (default 5 MB/min)")
    ap.add_argument("--log-format", default="json", choices=("json", "text"), help="LOG_FORMAT of the servers")
    ap.add_argument("--out", default=str(BENCH), help="where soak.md and soak.json go (default bench/)")
    args = ap.parse_args(argv)
    if not 10 <= args.duration <= 3600:
        ap.error("--duration must be between 10 and 3600 seconds (a soak run is bounded)")
    if not 1 <= args.concurrency <= 64:
        ap.error("--concurrency must be between 1 and 64")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    model = newest_model()
    if model is None:
        print("No model in bot/models: run `make train` first (make soak does).", file=sys.stderr)
        return 2

    shutil.rmtree(SOAK, ignore_errors=True)
    SOAK.mkdir(parents=True)
    # Every conversation is a new cardholder (a booked one would answer differently);
    # generously more than the run can reach (≈ 40 msg/s = 7 conversations/s here).
    n_accounts = int(min(MAX_ACCOUNTS, max(200, args.duration * 12 + args.concurrency * 4)))
    rows = prepare.account_rows(n_accounts)
    for i, row in enumerate(rows, 1):  # bench/accounts.csv's numbering stops at 9999
        row["account_id"], row["phone"] = f"SOAK-{i:05d}", f"+86137{i:08d}"
    accounts_csv = SOAK / "accounts.csv"
    with open(accounts_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=prepare.HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    warmup, convs = rows[-1], load.conversations_for(rows[:-1], n_accounts - 1)

    res: Dict[str, Any] = {
        "command": "bench/soak.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "load_start": load_average()},
        "model": str(model.relative_to(REPO)),
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "sample_every_s": args.sample_every,
        "timeout_s": args.timeout,
        "max_slope_mb_min": args.max_slope_mb_min,
        "log_format": args.log_format,
        "accounts": n_accounts,
    }
    stack = SoakStack(SOAK, model, args.log_format)
    try:
        stack.start(accounts_csv)
        log(f"servers up (Rasa {stack.url}, actions {stack.actions_url}); warming up")
        post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": warmup["phone"], "message": "你好"}, timeout=120,
                  headers=REST_HEADERS)
        before = {"rasa": scrape(stack.url), "actions": scrape(stack.actions_url)}
        log(f"driving {args.concurrency} conversations for {args.duration:.0f} s")
        run = asyncio.run(drive(stack.url, convs, args.concurrency, args.duration, args.timeout, stack,
                                args.sample_every))
        after = {"rasa": scrape(stack.url), "actions": scrape(stack.actions_url)}
        res["lost_action_calls"] = stack.action_failures()
        res["servers_alive_at_end"] = stack.alive()
    except Exception:
        for s in stack.servers:
            log(f"--- {s.name} log tail ---\n{s.tail()}")
        raise
    finally:
        stack.stop()

    samples = run["samples"]
    summary = load.summarize(samples, run["wall_s"], args.concurrency, run["conversations"])
    res.update({k: summary[k] for k in ("messages", "errors", "error_kinds", "expectation_failures",
                                        "conversations_as_scripted", "throughput_msg_s", "latency_ms")})
    res["conversations"] = run["conversations"]
    res["ran_out_of_accounts"] = run["ran_out_of_accounts"]
    res["wall_s"] = run["wall_s"]
    res["off_script_examples"] = [{"text": s.text, "replies": s.replies, "error": s.error}
                                  for s in samples if s.expect_ok is False][:5]
    points = run["memory"]
    res["memory_samples"] = points
    res["memory"] = {name: memory_summary(points, name) for name in ("rasa", "actions")}
    res["metrics_delta"] = {name: delta(after[name], before[name], "collectbot_") for name in ("rasa", "actions")}
    # Counted during the run only (start-up warnings such as "no Twilio token" are not load errors).
    res["server_errors"] = {name: sum(v for k, v in res["metrics_delta"][name].items()
                                      if k.startswith("collectbot_errors_total")) for name in ("rasa", "actions")}
    res["machine"]["load_end"] = load_average()

    problems = []
    if res["errors"]:
        problems.append(f"{res['errors']} errors")
    if res["expectation_failures"]:
        problems.append(f"{res['expectation_failures']} answers off the script")
    if res["lost_action_calls"]:
        problems.append(f"{res['lost_action_calls']} lost action calls")
    if any(res["server_errors"].values()):
        problems.append(f"server error counters {res['server_errors']}")
    if res["ran_out_of_accounts"]:
        problems.append("ran out of generated cardholders before the time was up (load dropped)")
    if not res["servers_alive_at_end"]:
        problems.append("a server died")
    for name, m in res["memory"].items():
        slope = m["slope_second_half_mb_min"]
        if slope is None:
            problems.append(f"too few memory samples for {name}")
        elif slope > args.max_slope_mb_min:
            problems.append(f"{name} RSS still growing {slope:+.2f} MB/min in the second half")
    res["passed"] = not problems
    res["verdict"] = "; ".join(problems) if problems else (
        f"no errors; RSS flat in the second half (Rasa {res['memory']['rasa']['slope_second_half_mb_min']:+.2f}, "
        f"actions {res['memory']['actions']['slope_second_half_mb_min']:+.2f} MB/min, "
        f"limit {args.max_slope_mb_min:g})")
    (out / "soak.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    write_report(res, out)
    lat = res["latency_ms"]
    log(f"{res['messages']} messages, {res['throughput_msg_s']:.2f} msg/s, p50 {lat['p50']:.0f} p95 {lat['p95']:.0f} "
        f"p99 {lat['p99']:.0f} ms, errors {res['errors']}, off-script {res['expectation_failures']}")
    for name, m in res["memory"].items():
        log(f"{name} RSS {_num(m['start_mb'], '.0f')} → {_num(m['end_mb'], '.0f')} MB, slope "
            f"{_num(m['slope_mb_min'], '+.2f')} MB/min (second half {_num(m['slope_second_half_mb_min'], '+.2f')})")
    log(("PASS: " if res["passed"] else "FAIL: ") + res["verdict"])
    log(f"wrote {out / 'soak.md'} and {out / 'soak.json'}")
    return 0 if res["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
