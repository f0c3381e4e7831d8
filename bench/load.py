"""Load generator: scripted collection conversations over Rasa's REST channel.

Each conversation is one cardholder (a distinct phone of bench/accounts.csv,
the sender id) following a realistic script; `concurrency` conversations run
at once, each sending its next message only after the previous answer (as a
person would). Every loop is bounded: a fixed list of conversations, a fixed
number of steps, a timeout on every request.

    .venv/bin/python bench/load.py --url http://127.0.0.1:5005 --concurrency 8 --conversations 16
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from stack import REST_HEADERS

# (message, substring every correct answer contains) — {id} is the
# cardholder's ID digits. The expectations check that the full stack really
# did the work (verified, quoted, booked), not that it answered fast with an
# error.
SCRIPTS: Dict[str, List[Tuple[str, Optional[str]]]] = {
    "promise": [
        ("你好", "本人吗"),
        ("是的", "后四位"),
        ("{id}", "元"),
        ("我下周五还两千", "2026年12月4日"),
        ("是的", "已为您登记还款承诺"),
        ("谢谢", "不客气"),
    ],
    "installment": [
        ("您好", "本人吗"),
        ("对 是我", "后四位"),
        ("后四位是{id}", "元"),
        ("能分12期吗", "每期还款"),
        ("好的", "分期已办理成功"),
        ("谢谢", "不客气"),
    ],
    "deferral": [
        ("在吗", "本人吗"),
        ("是我", "后四位"),
        ("{id}", "元"),
        ("能不能宽限两周", "2026年12月9日"),
        ("可以", "新的还款日为2026年12月9日"),
        ("谢谢", "不客气"),
    ],
    "hardship": [
        ("你好", "本人吗"),
        ("是的", "后四位"),
        ("{id}", "元"),
        ("我失业了 手头很紧", "个性化还款方案"),
        ("每个月最多能还三千", "每期"),
        ("好的", "分期已办理成功"),
    ],
}
SCRIPT_ORDER = ("promise", "installment", "deferral", "hardship")
# What each step is, for charts (matplotlib has no CJK font here).
STEP_LABELS = {
    "promise": ("greet", "right party", "ID digits", "promise 2000 next Fri", "confirm", "thanks"),
    "installment": ("greet", "right party", "ID digits", "12 installments?", "confirm", "thanks"),
    "deferral": ("greet", "right party", "ID digits", "defer two weeks", "confirm", "thanks"),
    "hardship": ("greet", "right party", "ID digits", "lost my job", "can pay 3000/month", "confirm"),
}
MAX_TIMEOUT = 60.0


@dataclass
class Conversation:
    sender: str
    kind: str
    steps: List[Tuple[str, Optional[str]]]


@dataclass
class Sample:
    conversation: int
    step: int
    text: str
    latency: float
    status: int
    expect_ok: Optional[bool]
    error: str = ""
    sent_at: float = 0.0
    replies: List[str] = field(default_factory=list)


def conversations_for(
    accounts: Sequence[dict], n: int, start: int = 0, check: bool = True, kinds: Sequence[str] = SCRIPT_ORDER
) -> List[Conversation]:
    """n conversations on accounts[start:start+n], scripts in rotation."""
    if start + n > len(accounts):
        raise ValueError(f"need {start + n} accounts, the portfolio has {len(accounts)}")
    convs = []
    for i in range(n):
        acc = accounts[start + i]
        kind = kinds[i % len(kinds)]
        steps = [(t.format(id=acc["id_last4"]), e if check else None) for t, e in SCRIPTS[kind]]
        convs.append(Conversation(acc["phone"], kind, steps))
    return convs


async def _converse(session, url, idx, conv, timeout, samples, t_origin) -> None:
    for step, (text, expect) in enumerate(conv.steps):
        t0 = time.perf_counter()
        status, error, replies = 0, "", []
        try:
            async with session.post(
                url, json={"sender": conv.sender, "message": text}, timeout=aiohttp.ClientTimeout(total=timeout),
                headers=REST_HEADERS,
            ) as r:
                status = r.status
                body = await r.read()
            if status == 200:
                replies = [m.get("text") or "" for m in json.loads(body.decode("utf-8"))]
            else:
                error = f"HTTP {status}"
        except asyncio.TimeoutError:
            error = "timeout"
        except aiohttp.ClientError as exc:
            error = type(exc).__name__
        dt = time.perf_counter() - t0
        joined = "\n".join(replies)
        if expect is None:
            expect_ok = None if error else bool(joined.strip())
        else:
            expect_ok = (not error) and expect in joined
        samples.append(Sample(idx, step, text, dt, status, expect_ok, error, t0 - t_origin, replies))
        if error:
            return  # the rest of this conversation would measure nothing useful


async def run_level(
    base_url: str, conversations: List[Conversation], concurrency: int, timeout: float = 30.0
) -> Tuple[dict, List[Sample]]:
    timeout = min(timeout, MAX_TIMEOUT)
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    todo: asyncio.Queue = asyncio.Queue()
    for i, c in enumerate(conversations):
        todo.put_nowait((i, c))
    samples: List[Sample] = []
    connector = aiohttp.TCPConnector(limit=concurrency + 2)
    t_origin = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while True:
                try:
                    i, c = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await _converse(session, url, i, c, timeout, samples, t_origin)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t_origin
    return summarize(samples, wall, concurrency, len(conversations)), samples


def percentiles_ms(values: List[float]) -> dict:
    if not values:
        return {k: None for k in ("p50", "p95", "p99", "mean", "max")}
    a = np.asarray(values) * 1000.0
    return {
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
        "mean": float(a.mean()),
        "max": float(a.max()),
    }


def summarize(samples: List[Sample], wall: float, concurrency: int, n_conversations: int) -> dict:
    ok = [s for s in samples if not s.error]
    checked = [s for s in samples if s.expect_ok is not None]
    by_conv: Dict[int, List[Sample]] = {}
    for s in samples:
        by_conv.setdefault(s.conversation, []).append(s)
    complete = sum(
        1 for c in by_conv.values() if all(s.expect_ok is not False and not s.error for s in c)
    )
    return {
        "concurrency": concurrency,
        "conversations": n_conversations,
        "messages": len(samples),
        "errors": len(samples) - len(ok),
        "error_kinds": sorted({s.error for s in samples if s.error}),
        "expectation_failures": sum(1 for s in checked if s.expect_ok is False),
        "conversations_as_scripted": complete,
        "wall_s": wall,
        "throughput_msg_s": len(ok) / wall if wall > 0 else 0.0,
        "latency_ms": percentiles_ms([s.latency for s in ok]),
    }


def main() -> None:
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from prepare import read_accounts

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:5005")
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--conversations", type=int, default=4)
    ap.add_argument("--start", type=int, default=0, help="first account (index) to use")
    ap.add_argument("--no-check", action="store_true", help="only require a non-empty answer (baseline)")
    ap.add_argument("--show", action="store_true", help="print every reply")
    args = ap.parse_args()
    convs = conversations_for(read_accounts(), args.conversations, args.start, check=not args.no_check)
    summary, samples = asyncio.run(run_level(args.url, convs, args.concurrency))
    if args.show:
        for s in sorted(samples, key=lambda s: (s.conversation, s.step)):
            mark = {True: "ok", False: "FAIL", None: "-"}[s.expect_ok]
            print(f"[{s.conversation}:{s.step}] {mark} {s.latency*1000:7.1f} ms  {s.text!r} → {' / '.join(s.replies)!r} {s.error}")
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
