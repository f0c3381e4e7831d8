"""Phone numbers: the one E.164 pattern, numbers as cardholders type them
(138 0013 8000, +86-138…, 8613800138000) and as channels hand them over
("whatsapp:+86…", "rest:+86…"), and the address an opt-out is stored under."""
from __future__ import annotations

import re

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_NOISE = re.compile(r"[\s\-()（）.]")
# Channel prefixes that messaging providers put in front of the number
# (Twilio: "whatsapp:+86...", SIP/tel URIs: "tel:+86...", our REST channel: "rest:+86...").
_CHANNEL_PREFIX = re.compile(r"^(?:whatsapp|tel|sms|rest):", re.IGNORECASE)
_ADDRESS_NOISE = re.compile(r"[\s\-().]")
_MAINLAND_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_INTERNATIONAL = re.compile(r"(?<!\d)\+([1-9]\d{7,14})(?!\d)")


def is_e164(value: str) -> bool:
    return bool(E164.match(value or ""))


def parse_phone(text: str) -> str | None:
    """The E.164 number in `text`, or None. Mainland mobiles get +86."""
    compact = _NOISE.sub("", text or "")
    mobile = _MAINLAND_MOBILE.search(compact)
    if mobile:
        return "+86" + mobile.group(1)
    international = _INTERNATIONAL.search(compact)
    if international:
        return "+" + international.group(1)
    return None


def normalize_phone(phone: str) -> str:
    """Return ``phone`` in E.164 or raise ``ValueError``.

    Channel prefixes, spaces and dashes are removed, because an opt-out
    stored as "whatsapp:+86 138..." would never match the same cardholder
    calling from "+86138..." - a compliance failure, not a cosmetic one.
    """
    if phone is None:
        raise ValueError("phone is required")
    cleaned = _ADDRESS_NOISE.sub("", _CHANNEL_PREFIX.sub("", str(phone).strip()))
    if not E164.match(cleaned):
        raise ValueError(f"phone {phone!r} is not E.164")
    return cleaned


def opt_out_key(sender: str) -> str:
    """The address an opt-out is stored under.

    Phone-like senders are normalised to E.164 so every channel prefix maps
    to the same number. Anything else (a web-chat session id) is kept as is:
    refusing it would crash exactly when someone asks us to stop.
    """
    try:
        return normalize_phone(sender)
    except ValueError:
        key = (sender or "").strip()
        if not key or len(key) > 64:
            raise ValueError(f"cannot record an opt-out for sender {sender!r}") from None
        return key
