"""Where the time of one message goes, measured by `make bench`: one message
at a time through the full stack (NLU, action server, tracker store,
action-response check, the rest), with a recording proxy in front of the
action server and the Rasa-side costs timed in-process (rasa_timing.py).
"""
from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import load
from bench_config import REDIS, REDIS_PREFIX
from measure_speed import Stack
from stack import (
    ACTION_SERVER_TOKEN,
    BENCH,
    PY,
    REPO,
    REST_HEADERS,
    WORK,
    bench_env,
    free_port,
    log,
    rest_conversation,
    run_logged,
)


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
            # What the product's Rasa server runs (its patches to Rasa, on by default).
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
