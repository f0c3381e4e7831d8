"""ORM models. Schema changes go through an Alembic migration as well.

Enumerations are plain strings guarded by CHECK constraints rather than
native ENUM types: adding a value is then a one-line migration on both
SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot import clock

# Deterministic constraint names so migrations can refer to them and so
# SQLite batch migrations can recreate tables faithfully.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

ARRANGEMENT_KINDS = (
    "promise_to_pay",
    "installment",
    "deferral",
    "fee_waiver",
    "hardship_plan",
)
ARRANGEMENT_STATUSES = (
    "booked",
    "pending_approval",
    "requested",
    "kept",
    "partially_kept",
    "broken",
    "cancelled",
)
# Arrangements in these states still bind the bank and the cardholder.
ACTIVE_ARRANGEMENT_STATUSES = ("booked", "pending_approval")
WILLINGNESS_VALUES = ("willing", "unwilling", "disputes", "unknown")
ABILITY_VALUES = ("full", "partial", "none", "unknown")
ESCALATION_STATUSES = ("open", "claimed", "resolved")
# "claimed" means an agent is working on it: still unresolved, so it blocks
# a duplicate just like "open" does.
UNRESOLVED_ESCALATION_STATUSES = ("open", "claimed")
PAYMENT_CLAIM_STATUSES = ("open", "confirmed", "not_found")
DIRECTIONS = ("in", "out")

MONEY_MAX_INTEGER_DIGITS = 12  # Numeric(14, 2)
_CENT = Decimal("0.01")


def one_of(column: str, values) -> str:
    """The CHECK constraint text "column IN ('a', 'b')" (also for the
    console's tables)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Money(TypeDecorator):
    """``NUMERIC(14, 2)`` that only ever hands Python ``Decimal`` in and out.

    SQLite has no decimal type and stores NUMERIC as REAL. Amounts of at most
    14 significant digits survive a float round trip exactly, so on SQLite we
    read the float back through ``repr`` and quantize to cents ourselves
    (instead of SQLAlchemy's lossy-conversion warning path). Floats are
    refused on the way in so that a float never silently becomes money.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(14, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(14, 2))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float) or isinstance(value, bool):
            raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
        amount = Decimal(value)
        if amount != amount.quantize(_CENT):
            raise ValueError(f"money amount {value!r} has more than 2 decimal places")
        amount = amount.quantize(_CENT)
        if abs(amount) >= Decimal(10) ** MONEY_MAX_INTEGER_DIGITS:
            raise ValueError(f"money amount {value!r} does not fit NUMERIC(14, 2)")
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            value = repr(value)
        return Decimal(value).quantize(_CENT)


class UTCDateTime(TypeDecorator):
    """Timezone-aware timestamps on both backends.

    PostgreSQL keeps the offset (timestamptz); SQLite would silently drop it,
    so values are normalised to UTC before storage and re-tagged on the way
    out. Callers always get Shanghai-local aware datetimes back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use bot.clock.now() for timestamps")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(clock.SHANGHAI)


def stored_now() -> datetime:
    """Default of every timestamp column (also the console's tables):
    through bot.clock, so that COLLECTBOT_NOW pins stored timestamps too."""
    return clock.now()


class Cardholder(Base):
    __tablename__ = "cardholders"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    phone = Column(String(16), nullable=False, unique=True)  # E.164
    id_last4 = Column(String(4), nullable=False)
    # The bank vouches that this number is the cardholder's own: a reminder
    # SMS may then name the amount (otherwise it names none; issue 6).
    phone_verified = Column(Boolean, nullable=False, default=False, server_default=false())

    accounts = relationship("Account", back_populates="cardholder")


class Account(Base):
    __tablename__ = "accounts"

    account_id = Column(String(64), primary_key=True)  # the bank's id
    cardholder_id = Column(
        Integer, ForeignKey("cardholders.id"), nullable=False, index=True
    )
    card_last4 = Column(String(4), nullable=False)
    balance = Column(Money, nullable=False)
    minimum_due = Column(Money, nullable=False)
    due_date = Column(Date, nullable=False)
    follow_up = Column(Boolean, nullable=False, default=False)
    updated_at = Column(UTCDateTime, nullable=False, default=stored_now, onupdate=stored_now)

    cardholder = relationship("Cardholder", back_populates="accounts")

    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_non_negative"),
        CheckConstraint("minimum_due >= 0", name="minimum_due_non_negative"),
    )


class Payment(Base):
    __tablename__ = "payments"

    id = Column(Integer, primary_key=True)
    account_id = Column(
        String(64), ForeignKey("accounts.account_id"), nullable=False, index=True
    )
    amount = Column(Money, nullable=False)
    paid_at = Column(UTCDateTime, nullable=False)
    # The bank's transaction reference: re-delivered payment feeds must not
    # double-count a payment.
    reference = Column(String(64), nullable=False, unique=True)


class Arrangement(Base):
    __tablename__ = "arrangements"

    id = Column(Integer, primary_key=True)
    account_id = Column(
        String(64), ForeignKey("accounts.account_id"), nullable=False, index=True
    )
    kind = Column(String(32), nullable=False)
    status = Column(String(32), nullable=False, default="booked")
    amount = Column(Money)
    pay_date = Column(Date)
    months = Column(Integer)
    monthly_payment = Column(Money)
    total_fee = Column(Money)
    new_due_date = Column(Date)
    details = Column(Text)  # JSON text: portable across SQLite/PostgreSQL
    # Rasa may re-run an action after a timeout; the key makes booking
    # the same promise twice a no-op.
    idempotency_key = Column(String(200), nullable=False, unique=True)
    conversation_id = Column(String(128), index=True)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("kind", ARRANGEMENT_KINDS), name="kind"),
        CheckConstraint(one_of("status", ARRANGEMENT_STATUSES), name="status"),
    )


class Assessment(Base):
    """Append-only: the newest row per account is the current assessment."""

    __tablename__ = "assessments"

    id = Column(Integer, primary_key=True)
    account_id = Column(
        String(64), ForeignKey("accounts.account_id"), nullable=False, index=True
    )
    willingness = Column(String(16), nullable=False, default="unknown")
    ability = Column(String(16), nullable=False, default="unknown")
    monthly_affordable = Column(Money)
    hardship_reason = Column(Text)
    note = Column(Text)
    conversation_id = Column(String(128))
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("willingness", WILLINGNESS_VALUES), name="willingness"),
        CheckConstraint(one_of("ability", ABILITY_VALUES), name="ability"),
    )


class Escalation(Base):
    __tablename__ = "escalations"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    reason = Column(String(64), nullable=False)
    priority = Column(Integer, nullable=False)  # 0 = crisis ... 3 = routine
    summary = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint("priority BETWEEN 0 AND 3", name="priority"),
        CheckConstraint(one_of("status", ESCALATION_STATUSES), name="status"),
        # Agents must never get two tickets for the same problem in the same
        # conversation; the repository checks first, this index settles races.
        Index(
            "uq_escalations_unresolved_conversation_reason",
            "conversation_id",
            "reason",
            unique=True,
            sqlite_where=text("status IN ('open', 'claimed')"),
            postgresql_where=text("status IN ('open', 'claimed')"),
        ),
    )


class OptOut(Base):
    __tablename__ = "opt_outs"

    id = Column(Integer, primary_key=True)
    # E.164 for phones; other channels' sender ids (web chat sessions) are
    # stored as given so their opt-out is honoured too - hence the width.
    phone = Column(String(64), nullable=False)
    channel = Column(String(32), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    revoked_at = Column(UTCDateTime)

    __table_args__ = (
        # History is kept (revoked rows stay) but only one live opt-out per
        # phone and channel.
        Index(
            "uq_opt_outs_active_phone_channel",
            "phone",
            "channel",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )


class PaymentClaim(Base):
    """'I already paid' statements, to be checked against the payment feed."""

    __tablename__ = "payment_claims"

    id = Column(Integer, primary_key=True)
    account_id = Column(
        String(64), ForeignKey("accounts.account_id"), nullable=False, index=True
    )
    conversation_id = Column(String(128))
    claimed_text = Column(Text, nullable=False)
    amount = Column(Money)
    check_by = Column(Date, nullable=False)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("status", PAYMENT_CLAIM_STATUSES), name="status"),
    )


class VerificationAttempt(Base):
    __tablename__ = "verification_attempts"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"))
    success = Column(Boolean, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)


class ContactLog(Base):
    __tablename__ = "contact_log"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    channel = Column(String(32), nullable=False)
    direction = Column(String(3), nullable=False)
    text = Column(Text, nullable=False)
    intent = Column(String(64))
    # Provider message id (e.g. a Twilio SID). Webhooks are retried, so a
    # repeated id must not log the message twice; NULLs never collide.
    message_id = Column(String(128), unique=True)
    status = Column(String(32))
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
    )


class DeadLetter(Base):
    """An event a writer could not write and set aside, so that it did not
    stop everything queued behind it (issue 16): the contact-log broker,
    the event relay and the event consumer put the failing item here with
    the error, and go on. ``payload`` is JSON in ASCII (any Python string,
    a lone surrogate included, survives as an escape; bytes as base64), so
    storing it cannot fail the way the original write did."""

    __tablename__ = "dead_letters"

    id = Column(Integer, primary_key=True)
    source = Column(String(32), nullable=False)
    # The item's id at its source (message id or event key): set aside once.
    item_key = Column(String(128))
    conversation_id = Column(String(128), index=True)
    payload = Column(Text, nullable=False)
    error = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (UniqueConstraint("source", "item_key"),)


# --------------------------------------------------------------------------
# SMS channel (channels/twilio_sms.py, bot/db/sms.py)
# --------------------------------------------------------------------------

SMS_INBOUND_STATUSES = ("received", "processed", "failed")


class SmsInbound(Base):
    """Every inbound SMS webhook, recorded before it is processed.

    Twilio redelivers a webhook it thinks failed; the unique MessageSid makes
    the second delivery a no-op. ``status`` shows messages that were received
    but whose processing crashed, so none disappears silently.
    """

    __tablename__ = "sms_inbound"

    id = Column(Integer, primary_key=True)
    message_sid = Column(String(64), nullable=False, unique=True)
    phone = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, default="received")
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("status", SMS_INBOUND_STATUSES), name="status"),
    )


class SmsOutbox(Base):
    """Outbound SMS written here instead of the network when no Twilio
    credentials are configured (laptop, tests); read with `collectbot outbox`."""

    __tablename__ = "sms_outbox"

    id = Column(Integer, primary_key=True)
    to_number = Column(String(64), nullable=False, index=True)
    from_number = Column(String(64))
    messaging_service_sid = Column(String(64))
    body = Column(Text, nullable=False)
    status_callback = Column(String(500))
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)


# --------------------------------------------------------------------------
# Outbound campaigns, the guard's log, reconciliation (issue 6;
# bot/core/campaign.py, bot/campaign/, bot/core/reconcile.py)
# --------------------------------------------------------------------------

PHONE_MARK_KINDS = ("third_party", "wrong_number")
CAMPAIGN_SEND_STATUSES = (
    "sent",
    "queued",
    "dropped",
    "task_created",
    "awaiting_approval",
    "failed",
)
OUTBOUND_BLOCK_ACTIONS = ("queued", "dropped")
OUTBOUND_SOURCES = ("campaign", "agent", "bot")
AGENT_TASK_KINDS = ("campaign_call", "broken_promise", "verification_help", "promise_beside_opt_out")
AGENT_TASK_STATUSES = ("open", "done", "cancelled")


class PhoneMark(Base):
    """A number that is not the cardholder's: nothing about a debt goes there."""

    __tablename__ = "phone_marks"

    id = Column(Integer, primary_key=True)
    phone = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    note = Column(Text)
    created_by = Column(String(64))
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    revoked_at = Column(UTCDateTime)

    __table_args__ = (CheckConstraint(one_of("kind", PHONE_MARK_KINDS), name="kind"),)


class CampaignSend(Base):
    """One campaign step per account, stage and delinquency cycle.

    The unique key makes a rerun of `collectbot campaign run` a no-op for
    steps already taken; ``status`` says what happened (queued sends wait
    for ``retry_at``).
    """

    __tablename__ = "campaign_sends"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), nullable=False)
    stage = Column(String(16), nullable=False)
    cycle = Column(String(32), nullable=False)
    status = Column(String(24), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    to_number = Column(String(64), nullable=False)
    body = Column(Text)
    reason = Column(String(64))
    detail = Column(Text)
    retry_at = Column(UTCDateTime)
    sent_at = Column(UTCDateTime)
    rasa_status = Column(String(16))
    rasa_detail = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    updated_at = Column(UTCDateTime, nullable=False, default=stored_now, onupdate=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("status", CAMPAIGN_SEND_STATUSES), name="status"),
        UniqueConstraint("account_id", "stage", "cycle"),
    )


class OutboundBlock(Base):
    """Every outbound message the compliance guard refused, with its reason."""

    __tablename__ = "outbound_blocks"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    phone = Column(String(64))
    channel = Column(String(32), nullable=False)
    source = Column(String(16), nullable=False)
    stage = Column(String(16))
    reason = Column(String(64), nullable=False)
    detail = Column(Text)
    action = Column(String(16), nullable=False)
    retry_at = Column(UTCDateTime)
    text = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now, index=True)

    __table_args__ = (
        CheckConstraint(one_of("action", OUTBOUND_BLOCK_ACTIONS), name="action"),
        CheckConstraint(one_of("source", OUTBOUND_SOURCES), name="source"),
    )


class FinalNoticeApproval(Base):
    """A supervisor's go-ahead for the final formal notice in one cycle."""

    __tablename__ = "final_notice_approvals"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), nullable=False)
    cycle = Column(String(32), nullable=False)
    approved_by = Column(String(64), nullable=False)
    note = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (UniqueConstraint("account_id", "cycle"),)


class AgentTask(Base):
    """Work for a person: call the cardholder (campaign stage 3), follow up
    a broken promise."""

    __tablename__ = "agent_tasks"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    stage = Column(String(16))
    description = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default="open")
    idempotency_key = Column(String(200), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    done_at = Column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(one_of("kind", AGENT_TASK_KINDS), name="kind"),
        CheckConstraint(one_of("status", AGENT_TASK_STATUSES), name="status"),
    )


# --------------------------------------------------------------------------
# Willing and able, measured (issue 13; bot/core/assessment.py,
# bot/core/evasion.py, queries in bot/db/assessments.py)
# --------------------------------------------------------------------------

ASSESSMENT_BANDS = ("high", "medium", "low", "unknown")
ASSESSMENT_SEGMENTS = ("willing_able", "willing_unable", "unwilling_able", "unwilling_unable", "unknown")
ASSESSMENT_SCORERS = ("rules", "model")


class AssessmentScore(Base):
    """Scored assessment of an account from its evidence, append-only: the
    newest row is the current one, the rows before it show how it moved
    and why (``reasons``, ``signals``: JSON text). Distinct from the
    ``assessments`` table, which keeps the labels actions write."""

    __tablename__ = "assessment_scores"

    id = Column(Integer, primary_key=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), nullable=False, index=True)
    as_of = Column(Date, nullable=False)
    willingness_score = Column(Float, nullable=False)
    willingness_band = Column(String(8), nullable=False)
    ability_score = Column(Float, nullable=False)
    ability_band = Column(String(8), nullable=False)
    segment = Column(String(24), nullable=False, index=True)
    keep_probability = Column(Float)
    scorer = Column(String(8), nullable=False, default="rules")
    reasons = Column(Text, nullable=False, default="[]")
    signals = Column(Text, nullable=False, default="[]")
    trigger = Column(String(32))
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (
        CheckConstraint(one_of("willingness_band", ASSESSMENT_BANDS), name="willingness_band"),
        CheckConstraint(one_of("ability_band", ASSESSMENT_BANDS), name="ability_band"),
        CheckConstraint(one_of("segment", ASSESSMENT_SEGMENTS), name="segment"),
        CheckConstraint(one_of("scorer", ASSESSMENT_SCORERS), name="scorer"),
    )


class TypingSignal(Base):
    """The cardholder is typing (issue 14): the newest signal per
    conversation, written by the channel (the Rasa process) and read by the
    console, another process - hence a table, not memory. One row per
    conversation, overwritten; ``at`` is wall-clock time (bot/db/typing_signals.py)."""

    __tablename__ = "typing_signals"

    conversation_id = Column(String(128), primary_key=True)
    channel = Column(String(16), nullable=False)
    at = Column(UTCDateTime, nullable=False)
