"""Short-lived signed tokens that say "the bank's app vouches for this account".

The bank's app opens the web chat with ``?token=...``; the web chat channel
verifies it server-side and only then treats the visitor as the cardholder.
Plain Python (standard library only): no Rasa, web or database imports.

Format (ASCII, URL-safe, no padding)::

    v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(secret, "v1." + payload))>

The payload is ``{"sub": account_id, "iat": issued_at, "exp": expires_at}``
(whole seconds since the epoch). ``exp`` is inside the signed part, so
extending a token's life breaks its signature like any other change.
Signatures are compared in constant time (``hmac.compare_digest``).

``now`` is the caller's clock: a number (seconds since the epoch) or a
timezone-aware ``datetime``. Token life is a security property, so callers
pass the real time (``time.time()``), never a demo clock.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Union

VERSION = "v1"
DEFAULT_TTL_SECONDS = 15 * 60
# Longer than any token issue() makes; bounds the work done on garbage.
MAX_TOKEN_LENGTH = 1024
MAX_ACCOUNT_ID_LENGTH = 128

Now = Union[int, float, datetime]
Secret = Union[str, bytes]

# Why a token was refused (for logs; the visitor sees one message for all).
VALID = "valid"
MALFORMED = "malformed"
BAD_SIGNATURE = "bad_signature"
EXPIRED = "expired"

_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class TokenCheck:
    account_id: Optional[str]
    reason: str
    expires_at: Optional[int] = None

    @property
    def ok(self) -> bool:
        return self.account_id is not None


def _seconds(now: Now) -> int:
    if isinstance(now, bool):
        raise TypeError("now must be seconds since the epoch or a datetime")
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return int(now.timestamp())
    if isinstance(now, (int, float)) and math.isfinite(now):
        return int(now)
    raise TypeError("now must be seconds since the epoch or a datetime")


def _key(secret: Secret) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        raise ValueError("the token secret must not be empty")
    return key


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(c not in _B64_ALPHABET for c in text):
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Only the canonical spelling: the unused low bits of the last
    # character must not let two different strings mean the same token.
    if _b64encode(raw) != text:
        raise ValueError("not canonical base64url")
    return raw



def _signature(key: bytes, signed_part: str) -> bytes:
    return hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest()


def issue(account_id: str, ttl_seconds: int, secret: Secret, now: Now) -> str:
    """A token for ``account_id`` valid for ``ttl_seconds`` from ``now``."""
    if not isinstance(account_id, str) or not account_id.strip():
        raise ValueError("account_id must be a non-empty string")
    if len(account_id) > MAX_ACCOUNT_ID_LENGTH:
        raise ValueError("account_id is too long")
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be a positive whole number")
    issued = _seconds(now)
    payload = json.dumps(
        {"sub": account_id, "iat": issued, "exp": issued + ttl_seconds},
        ensure_ascii=False, separators=(",", ":"), sort_keys=True,
    ).encode("utf-8")
    signed_part = f"{VERSION}.{_b64encode(payload)}"
    return f"{signed_part}.{_b64encode(_signature(_key(secret), signed_part))}"


def check(token: object, secret: Secret, now: Now) -> TokenCheck:
    """Verify ``token``; the account id and, when refused, why."""
    key = _key(secret)  # a missing secret is a configuration error, not a bad token
    current = _seconds(now)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return TokenCheck(None, MALFORMED)
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        return TokenCheck(None, MALFORMED)
    try:
        given = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        return TokenCheck(None, MALFORMED)
    # The signature is checked before the payload is even parsed.
    expected = _signature(key, f"{parts[0]}.{parts[1]}")
    if not hmac.compare_digest(given, expected):
        return TokenCheck(None, BAD_SIGNATURE)
    try:
        payload = json.loads(_b64decode(parts[1]).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return TokenCheck(None, MALFORMED)
    if not isinstance(payload, dict):
        return TokenCheck(None, MALFORMED)
    account_id, expires = payload.get("sub"), payload.get("exp")
    if (
        not isinstance(account_id, str)
        or not account_id.strip()
        or isinstance(expires, bool)
        or not isinstance(expires, int)
    ):
        return TokenCheck(None, MALFORMED)
    if current >= expires:
        return TokenCheck(None, EXPIRED, expires)
    return TokenCheck(account_id, VALID, expires)


def verify(token: object, secret: Secret, now: Now) -> Optional[str]:
    """The account id a valid, unexpired token vouches for; otherwise None."""
    return check(token, secret, now).account_id
