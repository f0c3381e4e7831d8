"""Channel names as Rasa records them (``input_channel``) and what people
read instead: one map for the cardholder's opt-out confirmation, the agents'
console, the workbench and the supervisors' reports. Plain Python.
"""
from __future__ import annotations

from typing import Optional

TWILIO_SMS = "twilio_sms"  # channels/twilio_sms.py
SOCKETIO = "socketio"  # Rasa's name for a socket.io conversation (the web chat)
WEBCHAT = "webchat"  # channels/webchat.py
REST = "rest"  # channels/rest.py: developers and tests only
PHONE = "phone"  # a call an agent logged by hand (reports)
VOICE = "voice"  # channels/voice.py: the assistant on a phone call (issue 17)

CHANNEL_LABELS = {
    TWILIO_SMS: "短信",
    "sms": "短信",
    WEBCHAT: "在线聊天",
    SOCKETIO: "在线聊天",
    # The developers' test channel, not a cardholder's: agents see it as such.
    REST: "测试接口",
    PHONE: "电话",
    VOICE: "电话",
}

# Codes that name the same channel as another: Rasa calls the web chat
# "socketio", old rows say "sms", an agent's logged call is a phone call like
# the assistant's. A picker (the workbench's channel filter) offers each
# channel once, under its main code, and a filter on it matches its aliases.
ALIASES = {"sms": TWILIO_SMS, SOCKETIO: WEBCHAT, PHONE: VOICE}


def canonical(channel: Optional[str]) -> str:
    """The main code of a channel: ``socketio`` → ``webchat``."""
    return ALIASES.get(channel or "", channel or "")


def same_channel(a: Optional[str], b: Optional[str]) -> bool:
    return canonical(a) == canonical(b)


# One entry per channel, for pickers: code → label, every label once.
CHANNEL_CHOICES = {code: label for code, label in CHANNEL_LABELS.items() if code not in ALIASES}

# What the bot may call the channel a cardholder opted out of
# (replies.OPT_OUT "不再通过{channel_name}…"): only channels a cardholder uses.
CARDHOLDER_CHANNEL_NAMES = {code: CHANNEL_LABELS[code] for code in (TWILIO_SMS, "sms", SOCKETIO, WEBCHAT, VOICE)}

# Channels on which Rasa can send a message on its own (an agent's reply,
# a hand-back): ``output_channel=latest`` works for them, not for REST.
PUSH_CHANNELS = frozenset({TWILIO_SMS, WEBCHAT, SOCKETIO})


def channel_label(channel: Optional[str]) -> str:
    """The Chinese name of a channel; an unknown code is shown as it is."""
    return CHANNEL_LABELS.get(channel or "", channel or "未知")
