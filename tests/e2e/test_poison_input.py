"""One invalid character must not stop the contact log (issue 16, finding 2).

The attack: ``POST /webhooks/rest/webhook {"sender": …, "message": "\\ud800"}``
(a lone UTF-16 surrogate as a JSON escape). Before the fix it was answered
200, then the contact-log writer retried that batch forever and nobody's
messages reached the contact log again; every action call in that
conversation failed too. Here, against the real servers:

- the message is repaired at the door (U+FFFD), the sender gets a real
  answer, and a later message from another cardholder lands in the contact
  log;
- a conversation whose tracker already holds such a message (stored before
  the fix) still gets real answers from the action server;
- nothing had to be dead-lettered on the way (the door cleaned it), and the
  contact-log spool is empty once everything is written.
"""
from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.e2e.servers import REPO, running_stack
from tests.e2e.test_conversation import eventually

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
SURROGATE = "\ud800"
# Rasa's own REST channel, the one the attack used (the phone is the sender
# id), plus one of ours so the server-wide input filter is installed.
CREDENTIALS = "rest:\nchannels.health.HealthInput:\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-poison")
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")
    with running_stack(workdir, NOW, credentials=credentials) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def rows(stack, sql, *args):
    with sqlite3.connect(stack.workdir / "accounts.db") as db:
        return db.execute(sql, args).fetchall()


def test_a_lone_surrogate_is_repaired_and_the_contact_log_keeps_writing_for_everyone(stack):
    attacker = "poison-sender"
    # stack.say sends json.dumps(...): the surrogate travels as the escape \ud800.
    first = stack.say(attacker, SURROGATE)
    assert first, "the sender got an empty answer"
    again = stack.say(attacker, "你好")
    assert again, "the conversation with the repaired message no longer answers"

    # Someone else, afterwards: a cardholder's message and the bot's answer.
    cardholder = "+8613900000002"
    assert "王*本人吗" in "\n".join(stack.say(cardholder, "你好"))

    def cardholder_logged():
        logged = rows(stack, "SELECT direction, text FROM contact_log WHERE conversation_id = ?", cardholder)
        assert ("in", "你好") in logged
        assert any(d == "out" and "王*本人吗" in t for d, t in logged)

    eventually(cardholder_logged)

    # What the attacker wrote stays readable: the bad code point became U+FFFD.
    logged = rows(stack, "SELECT text FROM contact_log WHERE conversation_id = ? AND direction = 'in'", attacker)
    assert ("\ufffd",) in logged and ("你好",) in logged
    # Nothing poisonous reached the writer, so nothing was set aside, and
    # the writer's durable spool (next to the account database) is empty.
    assert rows(stack, "SELECT COUNT(*) FROM dead_letters") == [(0,)]
    spools = list((stack.workdir / "accounts-contact-log-spool").glob("*.sqlite"))
    assert spools

    def spool_empty():
        for path in spools:
            with sqlite3.connect(path) as spool:
                assert spool.execute("SELECT COUNT(*) FROM spool").fetchone() == (0,)

    eventually(spool_empty)


def _append_to_tracker(stack, sender: str, events) -> None:
    """Events written the way Rasa's SQL tracker store writes them (JSON with
    ASCII escapes), as a message stored before the door cleaned text."""
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        for event in events:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sender, event["event"], event["timestamp"],
                 ((event.get("parse_data") or {}).get("intent") or {}).get("name"), event.get("name"),
                 json.dumps({**event, "sender_id": sender})),
            )


def test_a_conversation_holding_a_stored_surrogate_still_gets_real_answers(stack):
    me = "+8613900000004"
    assert "陈*本人吗" in "\n".join(stack.say(me, "你好"))
    now = time.time()
    _append_to_tracker(stack, me, [
        {"event": "user", "timestamp": now, "text": "是" + SURROGATE, "input_channel": "rest",
         "message_id": "stored-before-the-fix",
         "parse_data": {"text": "是" + SURROGATE, "intent": {"name": "nlu_fallback", "confidence": 0.3},
                        "entities": []}},
        {"event": "action", "timestamp": now + 0.01, "name": "action_listen"},
    ])
    # The next turn ships the whole tracker, surrogate included, to the
    # action server (the identity form's validation).
    reply = "\n".join(stack.say(me, "是的"))
    assert "身份证号码的后四位" in reply, reply
