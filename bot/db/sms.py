"""Repository functions of the SMS channel.

Same rules as bot/db/repository.py: a ``Session`` first, the caller commits
(``session_scope``), plain dataclasses out, idempotent inserts in a SAVEPOINT.

- inbound webhooks are recorded by MessageSid before they are processed;
- every outbound SMS gets a contact-log row *before* it is sent (status
  ``pending``), which is then completed with Twilio's SID and status, or
  ``failed``/``blocked_opt_out`` - so no send attempt leaves no trace;
- Twilio's status callbacks move that row's status forward, never back
  (callbacks can arrive out of order);
- without Twilio credentials the SMS goes to the ``sms_outbox`` table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.core.phone import normalize_phone
from bot.db import repository
from bot.db.contact_log import log_contact
from bot.db.models import SMS_INBOUND_STATUSES, ContactLog, SmsInbound, SmsOutbox
from bot.db.session import insert_once

CHANNEL = "twilio_sms"

# Local statuses of an outbound SMS, besides Twilio's own.
PENDING = "pending"  # contact-log row written, Twilio not answered yet
FAILED = "failed"  # Twilio refused it or never answered (after the retries)
BLOCKED_OPT_OUT = "blocked_opt_out"  # not sent: the number opted out
OUTBOX = "outbox"  # no Twilio credentials: written to sms_outbox
SUPPRESSED = "suppressed"  # the bot's reply to an opt-in keyword (our confirmation replaces it)
# Outbound rows that never reached the cardholder: no contact for the guard's
# caps (bot/campaign/runner.py) nor for the supervisor's figures (bot/reports/kpi.py).
NOT_DELIVERED = (BLOCKED_OPT_OUT, SUPPRESSED, FAILED)

# Twilio MessageStatus values (outbound), ordered by how far the message got.
# A callback may only move a message forward: "sent" arriving after
# "delivered" must not undo the delivery.
STATUS_RANK = {
    PENDING: 0,
    "accepted": 1,
    "scheduled": 1,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}
TWILIO_STATUSES = frozenset(STATUS_RANK) - {PENDING}
# Rows in these states are final for us and are never touched by callbacks.
_LOCAL_FINAL = frozenset({BLOCKED_OPT_OUT, OUTBOX, SUPPRESSED})


@dataclass(frozen=True)
class OutboxView:
    id: int
    to_number: str
    from_number: Optional[str]
    messaging_service_sid: Optional[str]
    body: str
    status_callback: Optional[str]
    created_at: datetime

    @property
    def message_id(self) -> str:
        return outbox_message_id(self.id)


@dataclass(frozen=True)
class OutboundStart:
    contact_id: int
    blocked: bool  # True: opted out, nothing may be sent


def outbox_message_id(outbox_id: int) -> str:
    """The contact-log message id of an outbox SMS (Twilio SIDs start with SM)."""
    return f"outbox-{outbox_id}"


def _account_for(s: Session, phone: str) -> Optional[str]:
    account = repository.primary_account_for_phone(s, phone, clock.today())
    return account.account_id if account else None


# --------------------------------------------------------------------------
# Inbound
# --------------------------------------------------------------------------


def record_inbound(s: Session, message_sid: str, phone: str) -> bool:
    """Record an inbound MessageSid; False if it was already recorded (redelivery)."""
    if not message_sid:
        raise ValueError("message_sid is required")

    def find() -> Optional[int]:
        return s.execute(
            select(SmsInbound.id).where(SmsInbound.message_sid == message_sid)
        ).scalar_one_or_none()

    if find() is not None:
        return False
    _, created = insert_once(
        s, SmsInbound(message_sid=message_sid, phone=phone, status="received"), find
    )
    return created


def mark_inbound(s: Session, message_sid: str, status: str) -> bool:
    if status not in SMS_INBOUND_STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(SMS_INBOUND_STATUSES)}")
    result = s.execute(
        update(SmsInbound).where(SmsInbound.message_sid == message_sid).values(status=status)
    )
    return result.rowcount > 0


def inbound_status(s: Session, message_sid: str) -> Optional[str]:
    return s.execute(
        select(SmsInbound.status).where(SmsInbound.message_sid == message_sid)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------
# Outbound: contact log
# --------------------------------------------------------------------------


def start_outbound(s: Session, *, to: str, text: str, bypass_opt_out: bool = False) -> OutboundStart:
    """Check the opt-out and write the contact-log row of one outbound SMS.

    ``bypass_opt_out`` is only for the single confirmation of an opt-out.
    A blocked SMS is logged with status ``blocked_opt_out`` and must not be sent.
    """
    blocked = not bypass_opt_out and repository.is_opted_out(s, to, CHANNEL)
    contact_id = log_contact(
        s,
        conversation_id=to,
        account_id=_account_for(s, to),
        channel=CHANNEL,
        direction="out",
        text=text,
        status=BLOCKED_OPT_OUT if blocked else PENDING,
    )
    return OutboundStart(contact_id=contact_id, blocked=blocked)


def log_outbound(s: Session, *, to: str, text: str, status: str, message_id: Optional[str] = None) -> int:
    """A contact-log row for an outbound SMS decided without sending (suppressed)."""
    return log_contact(
        s,
        conversation_id=to,
        account_id=_account_for(s, to),
        channel=CHANNEL,
        direction="out",
        text=text,
        message_id=message_id,
        status=status,
    )


def finish_outbound(s: Session, contact_id: int, *, status: str, message_id: Optional[str] = None) -> None:
    """Complete the row written by ``start_outbound`` with the send result.

    A status callback may have raced ahead of us (it can only have found the
    row once the SID was stored, so not here); the status is only moved
    forward.
    """
    row = s.get(ContactLog, contact_id)
    if row is None:
        raise LookupError(f"contact_log row {contact_id} not found")
    if message_id is not None:
        row.message_id = message_id
    if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(row.status or PENDING, 0):
        row.status = status
    s.flush()


def update_status(s: Session, message_id: str, status: str) -> Optional[str]:
    """Apply a Twilio status callback; return the row's status, None if unknown.

    The status only moves forward (see STATUS_RANK); a stale callback leaves
    the row unchanged and returns its current status.
    """
    if status not in TWILIO_STATUSES:
        raise ValueError(f"unknown message status {status!r}")
    row = s.execute(
        select(ContactLog).where(ContactLog.message_id == message_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    current = row.status or PENDING
    if current in _LOCAL_FINAL:
        return current
    if STATUS_RANK[status] >= STATUS_RANK.get(current, 0):
        row.status = status
        s.flush()
    return row.status


def outbound_messages(s: Session, phone: str) -> List[Tuple[str, Optional[str], Optional[str]]]:
    """(text, message_id, status) of the SMS rows sent to ``phone``, oldest first."""
    rows = s.execute(
        select(ContactLog.text, ContactLog.message_id, ContactLog.status)
        .where(
            ContactLog.conversation_id == phone,
            ContactLog.channel == CHANNEL,
            ContactLog.direction == "out",
            ContactLog.status.is_not(None),
        )
        .order_by(ContactLog.id)
    ).all()
    return [tuple(r) for r in rows]


# --------------------------------------------------------------------------
# Outbox
# --------------------------------------------------------------------------


def add_outbox(
    s: Session,
    *,
    to: str,
    body: str,
    from_number: Optional[str] = None,
    messaging_service_sid: Optional[str] = None,
    status_callback: Optional[str] = None,
) -> int:
    row = SmsOutbox(
        to_number=to,
        body=body,
        from_number=from_number,
        messaging_service_sid=messaging_service_sid,
        status_callback=status_callback,
    )
    s.add(row)
    s.flush()
    return row.id


def list_outbox(s: Session, to: Optional[str] = None) -> List[OutboxView]:
    query = select(SmsOutbox).order_by(SmsOutbox.created_at, SmsOutbox.id)
    if to:
        try:
            to = normalize_phone(to)
        except ValueError:
            pass  # not a phone: match it as stored
        query = query.where(SmsOutbox.to_number == to)
    return [
        OutboxView(
            id=r.id,
            to_number=r.to_number,
            from_number=r.from_number,
            messaging_service_sid=r.messaging_service_sid,
            body=r.body,
            status_callback=r.status_callback,
            created_at=r.created_at,
        )
        for r in s.execute(query).scalars()
    ]
