#!/usr/bin/env python
"""`make bench-long`: turn latency over one 1,000-turn conversation (issue 16, finding 8).

Starts the real action and Rasa servers on loopback (tests/e2e/servers.py's
``running_stack``: SQLite account and tracker databases, the contact-log
broker), verifies one demo cardholder (+8613800000002, ID digits 5678) and
then keeps that one conversation going for ``--turns`` messages that each
reach the action server (balance, payment methods, consequences) or a
domain response (thanks, is this a bot). Every answer is checked: the
balance answer must still carry the figures, i.e. the cardholder is still
verified however long the conversation runs.

It does this twice, "before" with the session window off
(``COLLECTBOT_SESSION_MAX_EVENTS=0``: Rasa's own behaviour, one session
that grows with every turn) and "after" with the default window
(bot/session_window.py), and writes the median turn latency per
``--window`` turns to ``bench/long_conversation.md`` and ``.json`` and, when
matplotlib is installed, ``bench/long_conversation.png``.

Bounded: at most ``--turns`` turns and ``--max-seconds`` per run (a run cut
short says so in the report); servers are always stopped at the end. Work
files are in bench/.work/long/.

    .venv/bin/python bench/long_conversation.py                 # 1,000 turns, before and after
    .venv/bin/python bench/long_conversation.py --turns 300 --modes after
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import shutil
import sqlite3
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.servers import running_stack  # noqa: E402

WORK = REPO / "bench" / ".work" / "long"
NOW = "2026-11-25T10:00:00+08:00"
PHONE, ID_DIGITS = "+8613800000002", "5678"
# (message, a piece of text the answer must contain)
CYCLE = [
    ("我欠多少钱", "23,500.50元"),
    ("怎么还款", ""),
    ("不还会怎么样", ""),
    ("谢谢", "不客气"),
    ("你是机器人吗", "智能客服"),
]
MODES = {"before": "0", "after": ""}  # COLLECTBOT_SESSION_MAX_EVENTS ("" = the default)


class Conversation:
    """One sender on the REST channel, with the channel's bearer token."""

    def __init__(self, rasa_url: str, token: str, sender: str) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.token = token
        self.sender = sender

    def say(self, message: str) -> List[str]:
        body = json.dumps({"sender": self.sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return [m.get("text", "") for m in json.loads(r.read().decode("utf-8"))]


def expect(replies: List[str], needle: str, turn: int, message: str) -> None:
    text = "\n".join(replies)
    if not replies or (needle and needle not in text):
        raise AssertionError(f"turn {turn}: {message!r} answered {text!r}, expected {needle!r}")


def tracker_counts(db: Path) -> Dict[str, int]:
    """Stored events and session starts of the benchmark's conversation."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT count(*), sum(type_name = 'session_started') FROM events WHERE sender_id LIKE ?",
            (f"%{PHONE}",)).fetchone()
    return {"events": rows[0] or 0, "sessions": rows[1] or 0}


def run(mode: str, turns: int, max_seconds: float) -> Dict:
    workdir = WORK / mode
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    token = secrets.token_urlsafe(24)
    env = {
        "REST_CHANNEL_TOKEN": token,
        # One sender talking as fast as it can is the point here.
        "REST_RATE_BURST": "100000", "REST_RATE_PER_MINUTE": "1000000",
        "REST_CLIENT_RATE_BURST": "100000", "REST_CLIENT_RATE_PER_MINUTE": "1000000",
    }
    if MODES[mode]:
        env["COLLECTBOT_SESSION_MAX_EVENTS"] = MODES[mode]
    latencies: List[float] = []
    started = time.monotonic()
    with running_stack(workdir, NOW, extra_env=env) as stack:
        imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/demo_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        talk = Conversation(stack.rasa_url, token, PHONE)
        expect(talk.say("你好"), "本人吗", 0, "你好")
        expect(talk.say("是的"), "后四位", 0, "是的")
        expect(talk.say(ID_DIGITS), "23,500.50元", 0, ID_DIGITS)
        for turn in range(1, turns + 1):
            message, needle = CYCLE[(turn - 1) % len(CYCLE)]
            t0 = time.perf_counter()
            replies = talk.say(message)
            latencies.append(time.perf_counter() - t0)
            expect(replies, needle, turn, message)
            if time.monotonic() - started > max_seconds:
                break
            if turn % 100 == 0:
                print(f"{mode}: turn {turn}, last 100 median {statistics.median(latencies[-100:]) * 1000:.0f} ms",
                      flush=True)
    return {"turns": len(latencies), "cut_short": len(latencies) < turns, "latencies_ms": [
        round(x * 1000, 2) for x in latencies], **tracker_counts(workdir / "tracker.db")}


def windows(latencies_ms: List[float], size: int) -> List[Dict]:
    out = []
    for start in range(0, len(latencies_ms), size):
        chunk = latencies_ms[start:start + size]
        if len(chunk) < size // 2:
            break  # a short tail is noise
        out.append({"first": start + 1, "last": start + len(chunk), "median_ms": round(statistics.median(chunk), 1)})
    return out


def slope_per_100_turns(per_window: List[Dict]) -> float:
    xs = [(w["first"] + w["last"]) / 2 for w in per_window]
    ys = [w["median_ms"] for w in per_window]
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return 100 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def report(results: Dict[str, Dict], size: int, path_md: Path, path_png: Path, run_at: dt.datetime) -> None:
    per_mode = {m: windows(r["latencies_ms"], size) for m, r in results.items()}
    lines = [
        "# Turn latency over one long conversation",
        "",
        f"`make bench-long` (bench/long_conversation.py), run finished {run_at:%Y-%m-%d %H:%M} UTC,"
        " on loopback with SQLite, one verified cardholder answering in a loop (balance, payment methods,"
        " consequences, thanks, is-this-a-bot). Median turn latency per window of"
        f" {size} turns, as the client sees it. \"before\": one session growing with every turn (session"
        " window off, `COLLECTBOT_SESSION_MAX_EVENTS=0`); \"after\": a new session, carrying the"
        " conversation's state, whenever the current one passes the window (bot/session_window.py).",
        "",
    ]
    modes = list(per_mode)
    lines.append("| turns | " + " | ".join(f"{m} (ms)" for m in modes) + " |")
    lines.append("|---|" + "---|" * len(modes))
    rows = max(len(w) for w in per_mode.values())
    for i in range(rows):
        ref = next(w[i] for w in per_mode.values() if i < len(w))
        cells = [f"{per_mode[m][i]['median_ms']:.0f}" if i < len(per_mode[m]) else "–" for m in modes]
        lines.append(f"| {ref['first']}–{ref['last']} | " + " | ".join(cells) + " |")
    lines.append("")
    for m, r in results.items():
        lat = r["latencies_ms"]
        lines.append(
            f"- **{m}**: {r['turns']} turns{' (cut short by --max-seconds)' if r['cut_short'] else ''},"
            f" total {sum(lat) / 1000:.0f} s, median {statistics.median(lat):.0f} ms, trend"
            f" {slope_per_100_turns(per_mode[m]):+.0f} ms per 100 turns (least squares over the window"
            f" medians); {r['events']} events stored in {r['sessions']} session(s).")
    lines += [
        "",
        "The machine (2 cores) is shared with other work, so single windows are noisy; the trend is"
        " what to read. Which parts of a turn grow with the session: bench/tracker_growth.md.",
    ]
    path_md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for m, w in per_mode.items():
        ax.plot([x["last"] for x in w], [x["median_ms"] for x in w], marker="o", label=m)
    ax.set_xlabel(f"turn (end of each {size}-turn window)")
    ax.set_ylabel("median turn latency (ms)")
    ax.set_title("One conversation, 1,000 turns: latency per turn")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path_png, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--max-seconds", type=float, default=1500.0, help="per run")
    parser.add_argument("--modes", default="before,after")
    parser.add_argument("--out", default=str(REPO / "bench" / "long_conversation"))
    parser.add_argument("--from-json", action="store_true",
                        help="only write the report again from the results of the last run (<out>.json)")
    args = parser.parse_args()
    out = Path(args.out)
    if args.from_json:
        results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    else:
        results = {mode: run(mode, args.turns, args.max_seconds) for mode in args.modes.split(",")}
        out.with_suffix(".json").write_text(json.dumps(results), encoding="utf-8")
    # The results file is written when the run ends.
    run_at = dt.datetime.fromtimestamp(out.with_suffix(".json").stat().st_mtime, dt.timezone.utc)
    report(results, args.window, out.with_suffix(".md"), out.with_suffix(".png"), run_at)
    print(out.with_suffix(".md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
