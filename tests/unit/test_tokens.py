"""Signed app tokens (bot/core/tokens.py): valid, expired, tampered, wrong secret, garbage."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.core import tokens

SECRET = "test-secret-of-reasonable-length"
NOW = 1_800_000_000  # an instant, seconds since the epoch
TTL = 15 * 60


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_fresh_token_names_its_account():
    token = tokens.issue("E2E-1", TTL, SECRET, NOW)
    assert tokens.verify(token, SECRET, NOW) == "E2E-1"
    assert tokens.verify(token, SECRET, NOW + TTL - 1) == "E2E-1"
    result = tokens.check(token, SECRET, NOW + 10)
    assert (result.ok, result.account_id, result.reason, result.expires_at) == (True, "E2E-1", "valid", NOW + TTL)


def test_a_token_fits_in_a_url_and_keeps_non_ascii_account_ids():
    token = tokens.issue("账户-007", TTL, SECRET, NOW)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", token)
    assert token.startswith("v1.")
    assert tokens.verify(token, SECRET, NOW) == "账户-007"


def test_datetimes_and_seconds_are_the_same_clock():
    at = datetime.fromtimestamp(NOW, tz=timezone.utc)
    token = tokens.issue("E2E-1", TTL, SECRET, at)
    assert tokens.verify(token, SECRET, NOW + 60) == "E2E-1"
    assert tokens.verify(token, SECRET, at + timedelta(seconds=TTL)) is None
    with pytest.raises(ValueError):
        tokens.verify(token, SECRET, datetime(2026, 11, 25, 10, 0))  # naive: ambiguous


def test_an_expired_token_is_refused():
    token = tokens.issue("E2E-1", TTL, SECRET, NOW)
    assert tokens.verify(token, SECRET, NOW + TTL) is None
    assert tokens.verify(token, SECRET, NOW + 10 * TTL) is None
    assert tokens.check(token, SECRET, NOW + TTL).reason == "expired"


def test_a_token_from_the_future_is_not_refused_for_that_alone():
    # Small clock differences between the app's issuer and this server.
    token = tokens.issue("E2E-1", TTL, SECRET, NOW + 30)
    assert tokens.verify(token, SECRET, NOW) == "E2E-1"


def _parts(token: str):
    version, payload, signature = token.split(".")
    return version, json.loads(unb64(payload)), signature


def test_changing_the_account_breaks_the_signature():
    version, payload, signature = _parts(tokens.issue("E2E-1", TTL, SECRET, NOW))
    payload["sub"] = "E2E-2"
    forged = f"{version}.{b64(json.dumps(payload).encode())}.{signature}"
    assert tokens.verify(forged, SECRET, NOW) is None
    assert tokens.check(forged, SECRET, NOW).reason == "bad_signature"


def test_extending_the_expiry_breaks_the_signature():
    version, payload, signature = _parts(tokens.issue("E2E-1", TTL, SECRET, NOW))
    payload["exp"] += 365 * 24 * 3600
    forged = f"{version}.{b64(json.dumps(payload).encode())}.{signature}"
    assert tokens.verify(forged, SECRET, NOW + 2 * TTL) is None


def test_any_changed_character_is_refused():
    token = tokens.issue("E2E-1", TTL, SECRET, NOW)
    for i in range(len(token)):
        if token[i] == ".":
            continue
        replacement = "A" if token[i] != "A" else "B"
        tampered = token[:i] + replacement + token[i + 1:]
        assert tokens.verify(tampered, SECRET, NOW) is None, i


def test_a_token_signed_with_another_secret_is_refused():
    token = tokens.issue("E2E-1", TTL, "someone-elses-secret", NOW)
    assert tokens.verify(token, SECRET, NOW) is None
    assert tokens.verify(token, SECRET.encode("utf-8"), NOW) is None
    assert tokens.verify(tokens.issue("E2E-1", TTL, SECRET.encode("utf-8"), NOW), SECRET, NOW) == "E2E-1"


def test_an_unsigned_token_is_refused():
    payload = b64(json.dumps({"sub": "E2E-1", "iat": NOW, "exp": NOW + TTL}).encode())
    for forged in (f"v1.{payload}.", f"v1.{payload}", f"v1.{payload}.{b64(b'x' * 32)}"):
        assert tokens.verify(forged, SECRET, NOW) is None


@pytest.mark.parametrize(
    "garbage",
    [
        None, 42, b"bytes", "", " ", "abc", "v1", "v1..", "v1.a.b", "v2.a.b", "....",
        "v1.!!!.###", "v1.e30.e30", "x" * 5000, "v1." + "A" * 2000 + ".B",
        "v1.%s.%s" % ("é", "ü"), "null", "{}",
    ],
)
def test_garbage_is_refused_without_an_exception(garbage):
    assert tokens.verify(garbage, SECRET, NOW) is None
    assert tokens.check(garbage, SECRET, NOW).ok is False


def test_well_signed_payloads_that_are_not_tokens_are_refused():
    import hashlib
    import hmac

    def signed(payload_obj) -> str:
        part = "v1." + b64(json.dumps(payload_obj).encode())
        sig = hmac.new(SECRET.encode(), part.encode(), hashlib.sha256).digest()
        return f"{part}.{b64(sig)}"

    for payload in ([], "E2E-1", {"sub": "", "exp": NOW + TTL}, {"sub": "E2E-1"},
                    {"sub": "E2E-1", "exp": "later"}, {"sub": 7, "exp": NOW + TTL},
                    {"sub": "E2E-1", "exp": True}):
        assert tokens.verify(signed(payload), SECRET, NOW) is None, payload
    assert tokens.verify(signed({"sub": "E2E-1", "exp": NOW + TTL}), SECRET, NOW) == "E2E-1"


def test_signatures_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = tokens.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    token = tokens.issue("E2E-1", TTL, SECRET, NOW)
    assert tokens.verify(token, SECRET, NOW) == "E2E-1"
    assert tokens.verify(token[:-2] + "AA", SECRET, NOW) is None
    assert len(calls) == 2


@pytest.mark.parametrize(
    "account_id, ttl, secret",
    [("", TTL, SECRET), ("  ", TTL, SECRET), (None, TTL, SECRET), ("E2E-1", 0, SECRET),
     ("E2E-1", -5, SECRET), ("E2E-1", 1.5, SECRET), ("E2E-1", TTL, ""), ("E2E-1", TTL, b""),
     ("x" * 200, TTL, SECRET)],
)
def test_issue_refuses_what_would_make_a_bad_token(account_id, ttl, secret):
    with pytest.raises((ValueError, TypeError)):
        tokens.issue(account_id, ttl, secret, NOW)


def test_verifying_without_a_secret_is_a_configuration_error():
    token = tokens.issue("E2E-1", TTL, SECRET, NOW)
    with pytest.raises(ValueError):
        tokens.verify(token, "", NOW)
