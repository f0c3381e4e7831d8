"""bot/rasa_server/http_limits.py: the checks, without a server."""
import json
import zlib

import pytest

from bot.rasa_server.http_limits import (
    InputError,
    Limits,
    check_action_call,
    check_rest_message,
    inflate,
    json_depth,
    parse_json,
    strip_identity,
)

LIMITS = Limits(max_body_bytes=1000, max_json_depth=5, max_message_chars=10)


def refused(fn, *args):
    with pytest.raises(InputError) as info:
        fn(*args)
    return info.value.status, info.value.code


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth(b"[" * 50) == 50  # malformed still measured
    assert json_depth(b'"\\"[["') == 0


def _depth_by_loop(raw: bytes) -> int:
    """The walk as it was first written (one Python step per bracket)."""
    import re

    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', raw, flags=re.S)
    depth = deepest = 0
    for ch in re.findall(rb"[\[\]{}]", stripped):
        if ch in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


from hypothesis import given, settings as hyp_settings, strategies as st  # noqa: E402


@hyp_settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"\\", b"a", b",", b":", b" ", b'"[{"']), max_size=60))
def test_json_depth_is_the_clamped_walk_over_brackets(parts):
    raw = b"".join(parts)
    assert json_depth(raw) == _depth_by_loop(raw)


def test_json_depth_of_a_real_tracker():
    tracker = {"events": [{"event": "user", "parse_data": {"intent": {"name": "greet"}, "entities": [[{"a": [1]}]]}}] * 50}
    raw = json.dumps(tracker).encode()
    assert json_depth(raw) == _depth_by_loop(raw) == 8
    assert json_depth(b"]]]][[") == 2 and json_depth(b"") == 0


def test_parse_json_refusals():
    assert refused(parse_json, b"x" * 1001, LIMITS) == (413, "body_too_large")
    assert refused(parse_json, b"  ", LIMITS) == (400, "empty_body")
    assert refused(parse_json, b"[[[[[[1]]]]]]", LIMITS) == (400, "json_too_deep")
    assert refused(parse_json, b"{nope", LIMITS) == (400, "invalid_json")
    assert parse_json(b'{"a": [1]}', LIMITS) == {"a": [1]}


def test_rest_message_shape():
    ok = check_rest_message({"sender": "+8613800000001", "message": "你好"}, LIMITS)
    assert ok == {"sender": "+8613800000001", "message": "你好"}
    assert refused(check_rest_message, [], LIMITS)[1] == "invalid_body"
    assert refused(check_rest_message, {"message": "你好"}, LIMITS)[1] == "invalid_sender"
    assert refused(check_rest_message, {"sender": "x" * 129, "message": "你好"}, LIMITS)[1] == "sender_too_long"
    assert refused(check_rest_message, {"sender": "a", "message": "  "}, LIMITS)[1] == "empty_message"
    assert refused(check_rest_message, {"sender": "a", "message": "长" * 11}, LIMITS)[1] == "message_too_long"
    assert refused(check_rest_message, {"sender": "a", "message": 5}, LIMITS)[1] == "invalid_message"
    assert refused(check_rest_message, {"sender": "a", "message": "hi", "metadata": []}, LIMITS)[1] == "invalid_metadata"


def test_rest_message_cannot_claim_an_identity_or_another_channel():
    data = {"sender": "a", "message": "hi", "input_channel": "webchat",
            "metadata": {"collectbot_identity": {"account_id": "E2E-1"}, "x": [{"Collectbot_Identity ": 1, "y": 2}]}}
    cleaned = check_rest_message(data, LIMITS)
    assert cleaned["metadata"] == {"x": [{"y": 2}]}
    assert "input_channel" not in cleaned
    assert check_rest_message({"sender": "a", "message": "hi", "input_channel": "rest"}, LIMITS)["input_channel"] == "rest"
    assert strip_identity("plain") == "plain"


def test_action_call_envelope():
    good = {"next_action": "action_x", "tracker": {"sender_id": "s", "slots": {}, "events": []}, "domain": {}}
    check_action_call(good)
    for bad in ([], {"tracker": {}}, {"next_action": "a"}, {"next_action": "a", "tracker": {"sender_id": 1}},
                {**good, "tracker": {"sender_id": "s", "slots": []}}, {**good, "domain": "x"}, {**good, "version": 3}):
        with pytest.raises(InputError):
            check_action_call(bad)


def test_inflate_is_bounded():
    assert inflate(zlib.compress(json.dumps({"a": 1}).encode()), LIMITS) == b'{"a": 1}'
    assert refused(inflate, b"not deflate", LIMITS) == (400, "invalid_encoding")
    assert refused(inflate, zlib.compress(b"0" * 100_000), LIMITS) == (413, "body_too_large")


def test_limits_from_env():
    assert Limits.from_env({}) == Limits()
    assert Limits.from_env({"COLLECTBOT_MAX_MESSAGE_CHARS": "200"}).max_message_chars == 200
    with pytest.raises(ValueError):
        Limits.from_env({"COLLECTBOT_MAX_JSON_DEPTH": "0"})


def test_a_model_may_only_be_loaded_from_a_local_file():
    from bot.rasa_server.http_limits import InputError, refuse_remote_model

    refuse_remote_model({"model_file": "var/candidates/3/model.tar.gz"})  # the workbench's activation
    refuse_remote_model(None)
    for body in ({"model_server": {"url": "http://evil/model.tar.gz"}}, {"remote_storage": "gcs", "model_file": "m"}):
        with pytest.raises(InputError) as refused:
            refuse_remote_model(body)
        assert refused.value.status == 403 and refused.value.code == "remote_model_refused"


def test_the_action_server_parses_an_accepted_call_once():
    import asyncio
    from types import SimpleNamespace

    from bot.rasa_server.http_limits import action_server_middleware

    call = {"next_action": "action_ask_right_party", "tracker": {"sender_id": "+8613800000001", "events": []}}
    body = json.dumps(call).encode()
    request = SimpleNamespace(method="POST", path="/webhook", body=body,
                              headers={"content-length": str(len(body))}, parsed_json=None)
    assert asyncio.run(action_server_middleware(Limits.from_env())(request)) is None
    assert request.parsed_json == call  # what rasa-sdk's request.json then returns

    bad = SimpleNamespace(method="POST", path="/webhook", body=b'{"next_action": 5}',
                          headers={"content-length": "18"}, parsed_json=None)
    response = asyncio.run(action_server_middleware(Limits.from_env())(bad))
    assert response.status == 400 and bad.parsed_json is None
