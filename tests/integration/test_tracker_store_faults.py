"""PostgreSQL as the tracker store goes away and comes back (issue 7).

The Rasa server keeps conversations in a fresh PostgreSQL database reached
through a TCP proxy (tests/fakes/tcp_proxy.py); cutting the proxy closes
every pooled connection and refuses new ones, as a database restart does.
While it is away Rasa's fail-safe tracker store answers from an empty
in-memory conversation (verification again, nothing disclosed or booked);
the message itself is kept in the contact log. Once it is back the very
next message is answered from the stored conversation and the conversation
goes on to a single booking.
"""
from __future__ import annotations

import json
import time
from typing import Iterator, List

import pytest

from bot.core.identity import rest_conversation_id
from tests.e2e.servers import REPO, running_stack
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.stack import Databases, require_model, require_pg

pytestmark = pytest.mark.integration

NOW = "2026-11-25T10:00:00+08:00"
ME = "+8613900000004"  # tests/fixtures/e2e_accounts.csv: E2E-4, ID ends 660X


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict]:
    pg_url = require_pg()
    require_model()
    dbs = Databases(pg_url, prefix="collectbot_trackerfault", which=("tracker",))
    proxy = TcpProxy(f"{dbs.base.host or '127.0.0.1'}:{dbs.base.port or 5432}").start()
    tracker_url = str(dbs.base.set(database=dbs.names["tracker"], host="127.0.0.1", port=proxy.port))
    dbs.create()
    try:
        with running_stack(tmp_path_factory.mktemp("tracker-faults"), NOW, tracker_url=tracker_url) as stack:
            imported = stack.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
            assert imported.returncode == 0, imported.stderr
            yield {"stack": stack, "proxy": proxy, "dbs": dbs}
    finally:
        proxy.cut()
        dbs.drop()


def stored_user_texts(world) -> List[str]:
    rows = world["dbs"].query(
        "tracker", "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id",
        s=rest_conversation_id(ME),  # the REST channel keeps its own conversations (channels/rest.py)
    )
    return [json.loads(data)["text"] for (data,) in rows]


def test_the_tracker_database_goes_away_and_comes_back(world):
    stack, proxy = world["stack"], world["proxy"]
    assert "本人吗" in "\n".join(stack.say(ME, "在吗"))
    stack.say(ME, "对 是我")
    assert "5,000.00元" in "\n".join(stack.say(ME, "660x"))

    proxy.cut()
    try:
        # Rasa's fail-safe tracker store answers from an empty in-memory
        # conversation: the cardholder is asked who they are again, and hears
        # nothing about the debt until verified.
        during = "\n".join(stack.say(ME, "能不能宽限两周"))
        assert "本人吗" in during and not any(w in during for w in ("元", "逾期", "延期"))
    finally:
        proxy.start()

    # The first message after the restart is answered from the stored conversation.
    assert "2026年12月9日" in "\n".join(stack.say(ME, "能不能宽限两周"))
    assert "新的还款日为2026年12月9日" in "\n".join(stack.say(ME, "可以"))
    assert stored_user_texts(world) == ["在吗", "对 是我", "660x", "能不能宽限两周", "可以"]
    account = stack.show_account("E2E-4")
    deferrals = [a for a in account["arrangements"] if a["kind"] == "deferral"]
    assert [(d["new_due_date"], d["status"]) for d in deferrals] == [("2026-12-09", "booked")]

    # The message of the outage is not lost: the contact log (account database) has it.
    def logged():
        inbound = [e["text"] for e in stack.show_account("E2E-4")["contact_log"] if e["direction"] == "in"]
        assert inbound.count("能不能宽限两周") == 2, inbound

    deadline = time.monotonic() + 15
    while True:
        try:
            logged()
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
