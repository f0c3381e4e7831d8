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

from typing import Optional

from bot.core.phone import is_e164

REST_PREFIX = "rest:"


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
