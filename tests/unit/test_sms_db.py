"""bot/db/sms.py and `collectbot outbox`."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db import repository
from bot.db.contact_log import log_contact
from bot.db import sms as sms_db
from bot.db.models import Account, Cardholder, ContactLog
from bot.db.session import session_scope

PHONE = "+8613900000001"


@pytest.fixture
def holder(session, today):
    h = Cardholder(name="李明华", phone=PHONE, id_last4="3521")
    session.add(h)
    session.flush()
    session.add(
        Account(
            account_id="E2E-1",
            cardholder_id=h.id,
            card_last4="6688",
            balance=Decimal("12000.00"),
            minimum_due=Decimal("1200.00"),
            due_date=today,
        )
    )
    session.flush()
    return h


def test_inbound_message_sid_is_recorded_once(session):
    assert sms_db.record_inbound(session, "SM1", PHONE) is True
    assert sms_db.record_inbound(session, "SM1", PHONE) is False
    assert sms_db.inbound_status(session, "SM1") == "received"
    assert sms_db.mark_inbound(session, "SM1", "processed")
    assert sms_db.inbound_status(session, "SM1") == "processed"
    with pytest.raises(ValueError):
        sms_db.mark_inbound(session, "SM1", "bogus")


def test_inbound_duplicate_in_a_later_unit_of_work(db_url, pinned_now):
    with session_scope(db_url) as s:
        assert sms_db.record_inbound(s, "SM-again", PHONE)
    with session_scope(db_url) as s:
        assert sms_db.record_inbound(s, "SM-again", PHONE) is False


def test_inbound_duplicate_that_wins_a_race_is_detected_by_the_unique_constraint(session, monkeypatch):
    # The look-up misses the row a concurrent transaction just inserted: the
    # unique constraint fires inside a SAVEPOINT and the caller gets False.
    sms_db.record_inbound(session, "SM-race", PHONE)
    real_execute = session.execute
    calls = {"n": 0}

    def first_lookup_misses(*args, **kwargs):
        calls["n"] += 1
        result = real_execute(*args, **kwargs)
        if calls["n"] == 1:
            class Miss:
                def scalar_one_or_none(self):
                    return None

            return Miss()
        return result

    monkeypatch.setattr(session, "execute", first_lookup_misses)
    assert sms_db.record_inbound(session, "SM-race", PHONE) is False


def test_outbound_row_is_written_before_sending_and_completed(session, holder):
    start = sms_db.start_outbound(session, to=PHONE, text="您好")
    assert not start.blocked
    row = session.get(ContactLog, start.contact_id)
    assert (row.channel, row.direction, row.status, row.account_id) == ("twilio_sms", "out", "pending", "E2E-1")
    sms_db.finish_outbound(session, start.contact_id, status="queued", message_id="SMabc")
    assert (row.message_id, row.status) == ("SMabc", "queued")


def test_opted_out_number_is_blocked_and_logged(session, holder):
    repository.record_opt_out(session, PHONE, "twilio_sms")
    start = sms_db.start_outbound(session, to=PHONE, text="您好")
    assert start.blocked
    assert session.get(ContactLog, start.contact_id).status == "blocked_opt_out"
    # the single confirmation of an opt-out may pass
    assert not sms_db.start_outbound(session, to=PHONE, text="已退订", bypass_opt_out=True).blocked
    # an opt-out from every channel blocks SMS too
    repository.revoke_opt_out(session, PHONE, "twilio_sms")
    repository.record_opt_out(session, PHONE, "all")
    assert sms_db.start_outbound(session, to=PHONE, text="您好").blocked


def test_status_callbacks_move_forward_only(session, holder):
    start = sms_db.start_outbound(session, to=PHONE, text="您好")
    sms_db.finish_outbound(session, start.contact_id, status="queued", message_id="SMx")
    assert sms_db.update_status(session, "SMx", "sent") == "sent"
    assert sms_db.update_status(session, "SMx", "delivered") == "delivered"
    assert sms_db.update_status(session, "SMx", "sent") == "delivered"  # late "sent" ignored
    assert sms_db.update_status(session, "SM-unknown", "delivered") is None
    with pytest.raises(ValueError):
        sms_db.update_status(session, "SMx", "bogus")


def test_finish_never_moves_a_status_back(session, holder):
    # A callback that overtook the send result (status already "delivered").
    start = sms_db.start_outbound(session, to=PHONE, text="您好")
    row = session.get(ContactLog, start.contact_id)
    row.status = "delivered"
    sms_db.finish_outbound(session, start.contact_id, status="queued", message_id="SMy")
    assert (row.message_id, row.status) == ("SMy", "delivered")


def test_outbox_rows_and_their_contact_log_ids(session, holder):
    first = sms_db.add_outbox(session, to=PHONE, body="第一条", status_callback="https://x/status")
    sms_db.add_outbox(session, to="+8613900000002", body="别人的")
    assert [r.body for r in sms_db.list_outbox(session)] == ["第一条", "别人的"]
    mine = sms_db.list_outbox(session, "+86 139-0000-0001")
    assert [(r.id, r.message_id, r.status_callback) for r in mine] == [(first, f"outbox-{first}", "https://x/status")]


def _cli(capsys, url, *args):
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_outbox_lists_messages_text_and_json(capsys, sqlite_url, pinned_now):
    code, out, _ = _cli(capsys, sqlite_url, "outbox")
    assert code == 0 and "发件箱为空" in out
    with session_scope(sqlite_url) as s:
        sms_db.add_outbox(s, to=PHONE, body="您好\n第二行", from_number="+15005550006")
        sms_db.add_outbox(s, to="+8613900000002", body="别人的")
    code, out, _ = _cli(capsys, sqlite_url, "outbox")
    assert code == 0
    assert "共 2 条" in out and "[outbox-1]" in out and "→ +8613900000001" in out and "    第二行" in out
    code, out, _ = _cli(capsys, sqlite_url, "outbox", "--to", PHONE, "--json")
    rows = json.loads(out)
    assert [(r["id"], r["message_id"], r["to"], r["from"], r["body"]) for r in rows] == [
        (1, "outbox-1", PHONE, "+15005550006", "您好\n第二行")
    ]
    assert rows[0]["created_at"].startswith("2026-11-25T10:00:00")
    code, out, _ = _cli(capsys, sqlite_url, "outbox", "--to", "+8613999999999")
    assert code == 0 and "没有发给 +8613999999999 的短信" in out


def test_outbound_messages_lists_only_sms_delivery_rows(session, holder):
    log_contact(session, conversation_id=PHONE, channel="twilio_sms", direction="out", text="bot said")
    start = sms_db.start_outbound(session, to=PHONE, text="sms")
    sms_db.finish_outbound(session, start.contact_id, status="queued", message_id="SMz")
    assert sms_db.outbound_messages(session, PHONE) == [("sms", "SMz", "queued")]
    assert session.execute(select(ContactLog.id)).scalars().all()  # both rows exist
