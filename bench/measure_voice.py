"""HOOK — voice: latency of one call turn (the speed section's "Voice: one
call turn").

A call turn is what a caller waits for on the telephone: Twilio posts the
caller's recognised speech to the voice channel (channels/voice.py), the
stack answers, and the channel returns the TwiML that speaks the reply. Here
the product's call simulator (bot/voice/sim.py `CallSim`, the one the e2e
tests use) plays Twilio on our full stack: signed form posts to
/webhooks/voice/…, redirects followed, so a turn's time is everything the
caller waits for, including a holding phrase and its /result redirect when
the turn is slow. Calls run one at a time on the bench scripts (the REST
scripts' greeting is the call's own). Speech reaches the assistant as text,
so this measures the channel and the stack, not speech recognition or
synthesis (Twilio's side).
"""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from stack import REPO, log

VOICE_MODULE = REPO / "channels" / "voice.py"
SIMULATOR_MODULE = REPO / "bot" / "voice" / "sim.py"


def voice_unavailable_reason() -> str:
    """Empty when the voice channel can be measured; else why not."""
    if not VOICE_MODULE.exists():
        return "channels/voice.py is not in this checkout"
    if not SIMULATOR_MODULE.exists():
        return "bot/voice/sim.py (the call simulator the bench drives) is not in this checkout"
    try:
        credentials = (REPO / "credentials.yml").read_text("utf-8")
    except OSError:
        credentials = ""
    if "channels.voice.VoiceInput" not in credentials:
        return "credentials.yml does not list channels.voice.VoiceInput"
    return ""


def percentiles(values: List[float]) -> Dict[str, float]:
    import numpy as np

    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    a = np.asarray(values)
    return {p: float(np.percentile(a, q)) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}


def run_calls(base_url: str, auth_token: str, conversations: List[Any], timeout: float = 60.0) -> Dict[str, Any]:
    """Each conversation as one call, one after the other: the seconds of
    every spoken turn (the greeting on connect is the call's first turn)."""
    from bot.voice.sim import CallSim

    turns_ms: List[float] = []
    connect_ms: List[float] = []
    errors: List[str] = []
    off_script: List[str] = []
    transcripts: List[str] = []
    for conv in conversations:
        sim = CallSim(base_url, conv.sender, auth_token=auth_token, timeout=timeout)
        try:
            t0 = time.perf_counter()
            sim.start()
            connect_ms.append((time.perf_counter() - t0) * 1000)
            for text, expect in conv.steps[1:]:  # steps[0] greets: on a call the assistant speaks first
                if sim.ended:
                    errors.append(f"{conv.kind}: the call ended before {text!r}")
                    break
                before = len(sim.said())
                t0 = time.perf_counter()
                sim.say(text)
                turns_ms.append((time.perf_counter() - t0) * 1000)
                said = "".join(sim.said()[before:])
                # The script's expected words, where speech keeps them as
                # written (amounts and dates are spoken as words on a call).
                if expect and not any(ch.isdigit() for ch in expect) and expect not in said:
                    off_script.append(f"{conv.kind}: {text!r} → {said[:120]!r}")
                if any(a.status != 200 for a in sim.answers[-3:]):
                    errors.append(f"{conv.kind}: HTTP {[a.status for a in sim.answers[-3:]]} after {text!r}")
        except Exception as exc:  # one broken call must not hide the others' numbers
            errors.append(f"{conv.kind}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            try:
                if not sim.ended:
                    sim.hang_up()
            except Exception:
                pass
            transcripts.append(sim.transcript())
    return {"turns_ms": turns_ms, "connect_ms": connect_ms, "errors": errors, "off_script": off_script,
            "transcripts": transcripts}


def measure_voice_turn(model: Optional[Path] = None, accounts: Optional[List[dict]] = None,
                       conversations: Optional[Dict[int, int]] = None, **_: Any) -> Dict[str, Any]:
    """speed['voice'] of results.json: {"levels": {"1": {turns, latency_ms, errors}}, "about", ...}
    when measured, else {"reason"}."""
    reason = voice_unavailable_reason()
    if reason:
        return {"reason": reason}
    if model is None or not accounts:
        return {"reason": "no model or accounts were given to the voice measurement"}
    import load
    from measure_speed import Stack

    n = (conversations or {}).get(1, 4)
    token = secrets.token_urlsafe(24)
    stack = Stack("voice", model)
    # The webhook signatures' secret and the URL they are computed over; not
    # written to results.json.
    stack.secret_env = {"TWILIO_AUTH_TOKEN": token, "TWILIO_PUBLIC_URL": stack.url}
    log(f"voice: {n} simulated call(s) one at a time through /webhooks/voice/")
    try:
        stack.start()
        convs = load.conversations_for(accounts, n, 0)
        warm = run_calls(stack.url, token, load.conversations_for(accounts, 1, len(accounts) - 1))
        got = run_calls(stack.url, token, convs)
    except Exception as exc:
        for s in stack.servers:
            log(f"--- {s.name} log tail ---\n{s.tail()}")
        return {"reason": f"the voice stack failed: {type(exc).__name__}: {str(exc)[:300]}"}
    finally:
        stack.stop()
    lat = percentiles(got["turns_ms"])
    log(f"  voice: {len(got['turns_ms'])} turns, p50 {lat['p50']:.0f} p95 {lat['p95']:.0f} ms, errors {len(got['errors'])}, "
        f"off-script {len(got['off_script'])}")
    return {
        "levels": {"1": {"turns": len(got["turns_ms"]), "latency_ms": lat, "errors": len(got["errors"]),
                         "off_script": len(got["off_script"])}},
        "connect_ms": percentiles(got["connect_ms"]),
        "error_examples": got["errors"][:5],
        "off_script_examples": got["off_script"][:5],
        "first_call": got["transcripts"][0] if got["transcripts"] else "",
        "warmup_errors": warm["errors"][:3],
        "about": (f"{n} calls, one at a time, through channels/voice.py by the product's call simulator "
                  "(bot/voice/sim.py: signed Twilio form posts, TwiML followed, redirects included); a turn is "
                  "one recognised utterance to the TwiML that speaks the answer. Speech recognition and "
                  "synthesis (Twilio's side) are not included. Answer on connect (the greeting): "
                  f"p50 {percentiles(got['connect_ms'])['p50']:.0f} ms."),
    }
