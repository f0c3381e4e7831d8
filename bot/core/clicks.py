"""What a button click was, read against the buttons the bot had just shown.

A button in the web chat (or a number over SMS, a key on a call) sends its
payload ("/affirm", '/request_installment{"months":"12期"}') as the
message text. A client can send any payload it likes, so a payload is
shown as a button's title only when a button of the bot's last message
sent exactly that payload; anything else is shown as what it is, the raw
text marked 未匹配按钮, never as the title of some other button (issue 14:
a forged 60-month payload read as the 12-month card's title).

Used by the hand-over summary (bot/actions/handoff.py) and the console's
transcript and contact log (console/labels.py). Plain Python.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot.core.channels import VOICE

UNMATCHED_MARK = "［未匹配按钮］"
_RAW_LIMIT = 200
# channels/voice.py starts every call with this payload: nobody said it.
CALL_START = "/greet"

# Rasa's shortcut syntax: "/intent" optionally followed by a JSON object of entities.
_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_\-]*)(\{.*\})?$", re.DOTALL)


def payload_intent(text: Optional[str]) -> Optional[str]:
    """The intent of a button payload, or None for text the cardholder typed."""
    match = _PAYLOAD.match((text or "").strip())
    return match.group(1) if match else None


def unmatched(text: str) -> str:
    """A payload no button sent, as plain text (the console escapes it)."""
    raw = " ".join((text or "").split())
    if len(raw) > _RAW_LIMIT:
        raw = raw[:_RAW_LIMIT] + "…"
    return UNMATCHED_MARK + raw


def title_of(text: str, buttons: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The title of the button among ``buttons`` that sent exactly ``text``."""
    payload = (text or "").strip()
    for b in buttons or ():
        if isinstance(b, dict) and b.get("title") and str(b.get("payload") or "").strip() == payload:
            return str(b["title"])
    return None


def shown(text: str, buttons: Sequence[Dict[str, Any]]) -> Optional[str]:
    """What to show for ``text`` sent after the bot offered ``buttons``:
    None for typed text (shown as typed), the button's title for a payload
    one of them sent, else the payload marked as unmatched."""
    if payload_intent(text) is None:
        return None
    return title_of(text, buttons) or unmatched(text)


def message_buttons(event: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The buttons of one tracker ``bot`` event."""
    buttons = ((event.get("data") or {}).get("buttons")) or []
    return [b for b in buttons if isinstance(b, dict)]


def user_texts_shown(events: Iterable[Dict[str, Any]]) -> List[str]:
    """Every user message of a tracker as an agent should read it: typed
    text as typed, a click as its button's title, anything else marked.
    The buttons that count are those of the bot's last message before it
    (the SMS menu and the console's transcript read clicks the same way)."""
    out: List[str] = []
    offered: List[Dict[str, Any]] = []
    for event in events or ():
        kind = event.get("event")
        if kind == "bot":
            offered = message_buttons(event)
        elif kind == "user":
            text = (event.get("text") or "").strip()
            if event.get("input_channel") == VOICE and text == CALL_START:
                continue
            if text:
                out.append(shown(text, offered) or text)
    return out
