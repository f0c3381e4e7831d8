"""Web chat identity rules, without a server: metadata stripping and session binding."""
from __future__ import annotations

import json
import re

import pytest

from bot.core import tokens
from channels.webchat import (
    EXPIRED_NOTICE,
    IDENTITY_KEY,
    SessionBinder,
    WebChatInput,
    strip_identity,
)

SECRET = "unit-test-secret"
NOW = 1_800_000_000.0
TTL = 900
ANON = re.compile(r"^[0-9a-f]{32}$")
IDENT = re.compile(r"^[0-9a-f]{64}$")


def token(account_id: str, at: float = NOW, ttl: int = TTL, secret: str = SECRET) -> str:
    return tokens.issue(account_id, ttl, secret, at)


# --- metadata -----------------------------------------------------------------

CLAIM = {"account_id": "E2E-2", "method": "app_token"}


def test_a_client_supplied_identity_is_stripped():
    assert strip_identity({IDENTITY_KEY: CLAIM, "lang": "zh"}) == {"lang": "zh"}


def test_a_nested_or_differently_cased_identity_is_stripped_too():
    raw = {
        "customData": {IDENTITY_KEY: CLAIM, "page": "/pay"},
        "list": [{IDENTITY_KEY: CLAIM}, 3],
        "Collectbot_Identity": CLAIM,
        " collectbot_identity ": CLAIM,
    }
    assert strip_identity(raw) == {"customData": {"page": "/pay"}, "list": [{}, 3]}


def test_metadata_as_a_json_string_is_parsed_then_stripped():
    assert strip_identity(json.dumps({IDENTITY_KEY: CLAIM, "a": 1})) == {"a": 1}


@pytest.mark.parametrize("raw", [None, "", "not json", "[1, 2]", 7, ["x"], b"\xff"])
def test_metadata_that_is_not_an_object_is_dropped(raw):
    assert strip_identity(raw) == {}


def test_stripping_does_not_change_the_clients_object():
    raw = {IDENTITY_KEY: CLAIM, "a": {"b": 1}}
    strip_identity(raw)
    assert raw == {IDENTITY_KEY: CLAIM, "a": {"b": 1}}


def test_the_channel_adds_only_the_identity_it_verified():
    channel = WebChatInput(secret=SECRET)
    anonymous = channel.user_metadata({IDENTITY_KEY: CLAIM, "lang": "zh"}, None)
    assert anonymous == {"lang": "zh"}
    identified = channel.user_metadata({IDENTITY_KEY: CLAIM, "lang": "zh"}, "E2E-1")
    assert identified == {"lang": "zh", IDENTITY_KEY: {"account_id": "E2E-1", "method": "app_token"}}


# --- sessions -----------------------------------------------------------------

@pytest.fixture
def binder() -> SessionBinder:
    return SessionBinder(SECRET, identity_max_age_seconds=2 * 3600)


def test_without_a_session_id_a_new_anonymous_session_is_confirmed(binder):
    opened = binder.open("sid1", None, None, NOW)
    assert ANON.match(opened.session_id)
    assert (opened.account_id, opened.notice) == (None, None)


def test_an_anonymous_session_continues_after_a_reload_with_its_proof(binder):
    first = binder.open("sid1", None, None, NOW)
    assert re.fullmatch(r"[0-9a-f]{32}", first.proof)
    again = binder.open("sid2", first.session_id, None, NOW + 60, first.proof)
    assert again.session_id == first.session_id
    assert again.account_id is None
    restarted = SessionBinder(SECRET).open("sid3", first.session_id, None, NOW + 120, first.proof)
    assert restarted.session_id == first.session_id  # nothing stored: the secret proves it


@pytest.mark.parametrize("proof", [None, "", "0" * 32, 5, {"p": 1}])
def test_an_anonymous_session_id_without_its_proof_gets_a_new_session(binder, proof):
    first = binder.open("sid1", None, None, NOW)
    taken = binder.open("sid2", first.session_id, None, NOW + 60, proof)
    assert taken.session_id != first.session_id and ANON.match(taken.session_id)
    assert binder.sender_for("sid2", first.session_id, True) == (None, None)


def test_a_proof_is_per_session_and_per_secret(binder):
    a, b = binder.open("sid1", None, None, NOW), binder.open("sid2", None, None, NOW)
    assert binder.open("sid3", a.session_id, None, NOW, b.proof).session_id != a.session_id
    other = SessionBinder("another-secret")
    assert other.open("sid4", a.session_id, None, NOW, a.proof).session_id != a.session_id


def test_verification_by_app_token_rotates_the_session_and_its_proof(binder):
    anonymous = binder.open("sid1", None, None, NOW)
    verified = binder.open("sid1", anonymous.session_id, token("E2E-1"), NOW + 10, anonymous.proof)
    assert verified.session_id != anonymous.session_id and verified.proof != anonymous.proof
    # The old proof opens the old (anonymous) conversation only, never the verified one.
    stale = binder.open("sid2", verified.session_id, None, NOW + 20, anonymous.proof)
    assert stale.session_id not in (verified.session_id, anonymous.session_id)


@pytest.mark.parametrize("requested", ["+8613900000001", "E2E-1", "abc", "A" * 32, "0" * 31, 5, {"x": 1}])
def test_a_session_id_that_we_would_not_have_issued_is_replaced(binder, requested):
    # A phone number would reach that cardholder's SMS/REST conversation.
    opened = binder.open("sid1", requested, None, NOW)
    assert opened.session_id != requested
    assert ANON.match(opened.session_id)


def test_a_valid_token_opens_an_identified_session(binder):
    opened = binder.open("sid1", None, token("E2E-1"), NOW)
    assert opened.account_id == "E2E-1"
    assert IDENT.match(opened.session_id)
    assert binder.session_belongs_to(opened.session_id, "E2E-1")
    assert not binder.session_belongs_to(opened.session_id, "E2E-2")
    assert binder.sender_for("sid1", opened.session_id, True) == (opened.session_id, "E2E-1")


def test_a_token_never_adopts_an_anonymous_conversation(binder):
    anonymous = binder.open("sid1", None, None, NOW)
    opened = binder.open("sid2", anonymous.session_id, token("E2E-1"), NOW)
    assert opened.session_id != anonymous.session_id
    assert opened.account_id == "E2E-1"


def test_the_same_account_continues_its_session_even_after_a_restart():
    first = SessionBinder(SECRET).open("sid1", None, token("E2E-1"), NOW)
    restarted = SessionBinder(SECRET)  # nothing remembered in memory
    again = restarted.open("sid9", first.session_id, token("E2E-1", at=NOW + 100), NOW + 100)
    assert (again.session_id, again.account_id) == (first.session_id, "E2E-1")


def test_another_accounts_token_gets_its_own_session(binder):
    mine = binder.open("sid1", None, token("E2E-1"), NOW)
    theirs = binder.open("sid2", mine.session_id, token("E2E-2"), NOW)
    assert theirs.session_id != mine.session_id
    assert theirs.account_id == "E2E-2"


def test_an_identified_session_is_never_continued_anonymously(binder):
    mine = binder.open("sid1", None, token("E2E-1"), NOW)
    stranger = binder.open("sid2", mine.session_id, None, NOW)
    assert stranger.session_id != mine.session_id
    assert ANON.match(stranger.session_id)
    assert stranger.account_id is None


@pytest.mark.parametrize(
    "bad",
    [token("E2E-1", at=NOW - TTL - 1), token("E2E-1", secret="wrong"), "garbage", token("E2E-1")[:-3] + "xyz"],
    ids=["expired", "wrong-secret", "garbage", "tampered"],
)
def test_an_expired_or_forged_token_gets_the_notice_and_an_anonymous_session(binder, bad):
    opened = binder.open("sid1", None, bad, NOW)
    assert opened.notice == EXPIRED_NOTICE == "链接已过期，请在App内重新打开"
    assert opened.account_id is None
    assert ANON.match(opened.session_id)
    assert binder.sender_for("sid1", opened.session_id, True) == (opened.session_id, None)


def test_a_reconnect_with_the_opening_token_survives_its_expiry_for_a_while(binder):
    link = token("E2E-1")
    opened = binder.open("sid1", None, link, NOW)
    later = binder.open("sid2", opened.session_id, link, NOW + TTL + 60)  # socket.io reconnect
    assert (later.session_id, later.account_id, later.notice) == (opened.session_id, "E2E-1", None)
    much_later = binder.open("sid3", opened.session_id, link, NOW + 3 * 3600)
    assert much_later.account_id is None
    assert much_later.notice == EXPIRED_NOTICE
    assert much_later.session_id != opened.session_id


def test_an_expired_token_of_another_session_gets_no_grace(binder):
    link = token("E2E-1")
    binder.open("sid1", None, link, NOW)
    other = binder.open("sid2", None, None, NOW)
    later = binder.open("sid3", other.session_id, link, NOW + TTL + 60)
    assert later.account_id is None and later.notice == EXPIRED_NOTICE


def test_a_socket_talks_only_in_the_session_it_was_confirmed_for(binder):
    mine = binder.open("sid1", None, token("E2E-1"), NOW)
    other = binder.open("sid2", None, None, NOW)
    assert binder.sender_for("sid1", other.session_id, True) == (None, None)
    assert binder.sender_for("sid2", mine.session_id, True) == (None, None)
    assert binder.sender_for("sid1", None, True) == (None, None)
    assert binder.sender_for("sid1", mine.session_id, True) == (mine.session_id, "E2E-1")


def test_after_verification_in_chat_only_the_rotated_proof_continues(binder):
    first = binder.open("sid1", None, None, NOW)
    rotated = binder.mark_verified(first.session_id)
    assert rotated != first.proof and binder.socket("sid1").verified
    stale = binder.open("sid2", first.session_id, None, NOW + 60, first.proof, verified=True)
    assert stale.session_id != first.session_id
    again = binder.open("sid3", first.session_id, None, NOW + 60, rotated, verified=True)
    assert (again.session_id, again.proof) == (first.session_id, rotated)


def test_a_socket_without_session_request_cannot_talk(binder):
    mine = binder.open("sid1", None, token("E2E-1"), NOW)
    anonymous = binder.open("sid2", None, None, NOW)
    for requested in ("ab" * 16, anonymous.session_id, mine.session_id, "+8613900000001"):
        assert binder.sender_for("new-sid", requested, True) == (None, None)
        assert binder.sender_for("new-sid", requested, False) == (None, None)


def test_without_session_persistence_the_socket_is_the_conversation(binder):
    binder.open("sid1", None, token("E2E-1"), NOW)
    binder.open("sid2", None, None, NOW)
    assert binder.sender_for("sid1", "whatever", False) == ("sid1", "E2E-1")
    assert binder.sender_for("sid2", None, False) == ("sid2", None)


def test_a_disconnected_socket_is_forgotten(binder):
    mine = binder.open("sid1", None, token("E2E-1"), NOW)
    binder.forget("sid1")
    assert binder.sender_for("sid1", mine.session_id, True) == (None, None)
