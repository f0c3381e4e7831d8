"""Who is answering the cardholder: the hand-over states the web chat shows.

One vocabulary for the three places that meet here: the hand-over actions
(bot/actions/handoff.py) tag the messages they send with the state the
conversation is now in, the web chat channel (channels/webchat.py) passes
that tag to the widget, and the console (console/) tells the relay action
which agent is speaking.

States: ``queued`` (waiting for a person: the hand-over message), ``agent``
(a person has the conversation; the message carries the agent's display
name), ``bot`` (handed back: the assistant answers again).

The agent's name travels inside the ``agent_message`` slot, which only the
console sets (Rasa's HTTP API, with its token; the slot has no mapping a
cardholder's message could fill): never from the widget.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Optional

METADATA_KEY = "collectbot_handover"

QUEUED = "queued"
AGENT = "agent"
BOT = "bot"
STATES = (QUEUED, AGENT, BOT)

# What the relay action sends: a reply the agent wrote, or a notice of the
# agent joining or leaving (the console sends those on the web chat only).
REPLY = "reply"
JOINED = "joined"
LEFT = "left"
KINDS = (REPLY, JOINED, LEFT)

AGENT_TITLE = "专员"
JOINED_TEXT = "{agent}已接入，正在为您服务。"
LEFT_TEXT = "{agent}已离开会话，正在为您转接其他专员，请稍候。"
MAX_NAME_CHARS = 32


def agent_label(display_name: Optional[str]) -> str:
    """"张三" → "专员 张三"; a name that already carries the title is kept."""
    name = " ".join(str(display_name or "").split())[:MAX_NAME_CHARS]
    if not name:
        return AGENT_TITLE
    return name if name.startswith(AGENT_TITLE) else f"{AGENT_TITLE} {name}"


@dataclass(frozen=True)
class AgentMessage:
    text: str
    agent: str = AGENT_TITLE  # the label the cardholder sees
    kind: str = REPLY


def encode_agent_message(text: str, display_name: Optional[str], kind: str = REPLY) -> str:
    """The ``agent_message`` slot value the console sets: the text, who
    wrote it (from the console's own user record) and what it is."""
    if kind not in KINDS:
        raise ValueError(f"unknown agent message kind {kind!r}")
    if kind == JOINED:
        text = JOINED_TEXT.format(agent=agent_label(display_name))
    elif kind == LEFT:
        text = LEFT_TEXT.format(agent=agent_label(display_name))
    return json.dumps({"text": text, "agent": agent_label(display_name), "kind": kind}, ensure_ascii=False)


def decode_agent_message(value: Any) -> AgentMessage:
    """The slot value back; plain text (an older console, a supervisor's
    decision notice) is a reply from an unnamed 专员."""
    text = value if isinstance(value, str) else ""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            kind = data.get("kind") if data.get("kind") in KINDS else REPLY
            return AgentMessage(data["text"].strip(), agent_label(data.get("agent") if isinstance(data.get("agent"), str) else ""), kind)
    return AgentMessage(stripped)


def state_metadata(state: str, agent: Optional[str] = None, notice: Optional[str] = None) -> Dict[str, Any]:
    """The BotUttered metadata that tells the widget the state now."""
    if state not in STATES:
        raise ValueError(f"unknown hand-over state {state!r}")
    tag: Dict[str, Any] = {"state": state}
    if agent:
        tag["agent"] = agent
    if notice:
        tag["notice"] = notice
    return {METADATA_KEY: tag}


def clean_state(raw: Any) -> Optional[Dict[str, str]]:
    """A state tag as the widget may receive it (known keys, short strings), or None."""
    if not isinstance(raw, dict) or raw.get("state") not in STATES:
        return None
    tag = {"state": raw["state"]}
    for key in ("agent", "notice"):
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            tag[key] = value.strip()[: MAX_NAME_CHARS + len(AGENT_TITLE) + 1]
    return tag


def message_for(msg: AgentMessage) -> Dict[str, Any]:
    """The metadata of the relayed message: a reply or a join keeps the
    agent state with the agent's name; a leave puts the chat back in the queue."""
    if msg.kind == LEFT:
        return state_metadata(QUEUED, notice=LEFT)
    return state_metadata(AGENT, agent=msg.agent, notice=JOINED if msg.kind == JOINED else None)
