"""Who a conversation belongs to, from its id alone.

A conversation id is chosen by the channel that received the message, never
by the client (issue 16): a client of one channel must not be able to write
into another channel's conversation. The ids:

- SMS (``channels/twilio_sms.py``): the sender's E.164 number, which the
  carrier vouches for (the webhook is signed by Twilio). Only these
  conversations are *carrier-verified* phone conversations.
- REST (``channels/rest.py``, development and tests only, authenticated):
  ``rest:<sender>``. When the sender is an E.164 number the conversation
  stands in for a phone conversation of that number (the bot asks "are you
  张*丰?" and the ID digits), but it is a separate conversation from the SMS
  one, and its verification failures count as *claimed*, like an anonymous
  web visitor's, so they can never lock the number's own SMS conversation.
- Web chat (``channels/webchat.py``): a server-issued session id.
"""
from __future__ import annotations

from typing import Any, Optional

from bot.core.phone import is_e164

REST_PREFIX = "rest:"

# The message-metadata key under which a channel says who the person is
# (web chat: ``{"account_id": …, "method": "app_token"}``). Only a channel
# sets it; every entry point removes it from what a client sent.
IDENTITY_KEY = "collectbot_identity"
# A bot event in the tracker that is already in the contact log (a campaign
# SMS appended to the conversation): the contact-log broker skips it.
ALREADY_LOGGED = "collectbot_already_logged"


def rest_conversation_id(sender: str) -> str:
    return REST_PREFIX + sender


def conversation_phone(conversation_id: str) -> Optional[str]:
    """The phone number a conversation speaks for (SMS, or REST standing in
    for one), else None."""
    if is_e164(conversation_id):
        return conversation_id
    if conversation_id.startswith(REST_PREFIX) and is_e164(conversation_id[len(REST_PREFIX):]):
        return conversation_id[len(REST_PREFIX):]
    return None


def is_carrier_verified(conversation_id: str) -> bool:
    """True for an SMS conversation: its number was proven by the carrier."""
    return is_e164(conversation_id)


def strip_identity(value: Any, max_depth: Optional[int] = None, _depth: int = 0) -> Any:
    """``value`` with every ``collectbot_identity`` key removed, at any depth
    (keys compared without case or surrounding space); with ``max_depth``,
    anything nested deeper becomes None. ``value`` itself is not changed."""
    if max_depth is not None and _depth > max_depth:
        return None
    if isinstance(value, dict):
        return {
            k: strip_identity(v, max_depth, _depth + 1)
            for k, v in value.items()
            if str(k).strip().lower() != IDENTITY_KEY
        }
    if isinstance(value, list):
        return [strip_identity(v, max_depth, _depth + 1) for v in value]
    return value
