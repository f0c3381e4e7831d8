"""HOOK — voice: latency of one call turn (the speed section's "Voice: one
call turn").

A call turn is what a caller waits for on the telephone: the voice channel
(channels/voice.py, a Twilio voice webhook) receives the caller's recognised
speech, the stack answers, and the channel returns the TwiML that speaks the
reply. When this checkout has that channel, `measure_voice_turn` times a
turn through its webhook on a started stack; until then it says why it
measured nothing, and the report prints that reason under the hook.
"""
from __future__ import annotations

from typing import Any, Dict

from stack import REPO

VOICE_MODULE = REPO / "channels" / "voice.py"


def voice_unavailable_reason() -> str:
    """Empty when the voice channel can be measured; else why not."""
    if not VOICE_MODULE.exists():
        return "channels/voice.py is not in this checkout (the voice channel is being built)"
    return ("channels/voice.py exists, but the bench does not drive its webhook yet "
            "(a scripted call through it belongs in measure_voice_turn)")


def measure_voice_turn(**_: Any) -> Dict[str, Any]:
    """speed['voice'] of results.json: {"levels": {concurrency: {turns, latency_ms, errors}}, "about"}
    when measured, else {"reason"}."""
    reason = voice_unavailable_reason()
    return {"reason": reason}
