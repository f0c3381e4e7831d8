"""Tables of the agent console, on the account database's metadata.

Same conventions as bot/db/models.py (naming convention, CHECK constraints
instead of native enums, UTC timestamps through ``UTCDateTime``); created by
the Alembic migration ``0003_console``. No existing table is changed: the
console refers to conversations by Rasa's conversation id and to accounts by
``accounts.account_id``.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)

from bot.db.models import Base, UTCDateTime, one_of, stored_now

ROLES = ("agent", "trainer", "supervisor")
RELEASE_REASONS = ("released", "resolved", "reassigned")
OUTCOMES = ("arranged", "promise", "dispute_opened", "wrong_party", "no_contact", "referred")


class ConsoleUser(Base):
    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    role = Column(String(16), nullable=False)
    # "scrypt$n$r$p$<salt b64>$<hash b64>": the parameters travel with the
    # hash, so they can be raised later without invalidating old passwords.
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    last_login_at = Column(UTCDateTime)

    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)


class ConsoleSession(Base):
    """Server-side sessions. The cookie holds a random token; only its
    SHA-256 is stored, so a copy of this table signs nobody in."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    last_seen_at = Column(UTCDateTime, nullable=False, default=stored_now)
    expires_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime)


class AuditLog(Base):
    """Append-only: who did what, when, on which conversation and account."""

    __tablename__ = "console_audit_log"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    user_id = Column(Integer, ForeignKey("console_users.id"), index=True)  # NULL: the console itself
    username = Column(String(64), nullable=False)
    action = Column(String(64), nullable=False)
    conversation_id = Column(String(128), index=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    detail = Column(Text)  # JSON text
    remote_addr = Column(String(64))


class Claim(Base):
    """An agent working on a conversation. At most one live claim per
    conversation: the partial unique index settles two agents clicking at
    the same moment."""

    __tablename__ = "console_claims"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False, index=True)
    claimed_at = Column(UTCDateTime, nullable=False, default=stored_now)
    released_at = Column(UTCDateTime)
    release_reason = Column(String(16))
    # Set when the agent handed the conversation back to the assistant.
    handed_back_at = Column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(
            "release_reason IS NULL OR " + one_of("release_reason", RELEASE_REASONS), name="release_reason"
        ),
        Index(
            "uq_console_claims_live_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )


class Note(Base):
    __tablename__ = "console_notes"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)


class Resolution(Base):
    """How a hand-over ended; the escalations it closed are in ``escalation_ids``."""

    __tablename__ = "console_resolutions"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    account_id = Column(String(64), ForeignKey("accounts.account_id"), index=True)
    outcome = Column(String(32), nullable=False)
    note = Column(Text, nullable=False, default="")
    escalation_ids = Column(Text, nullable=False, default="[]")  # JSON list
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),)


PRESENCE_STATUSES = ("online", "busy", "away")


class AgentPresence(Base):
    """An agent's own status (在线 / 忙碌 / 离开), shared by every console
    process and kept across restarts (console/presence.py). ``seen_at``: when
    the agent's console last asked the server anything live; an 在线 not
    seen for a while is not given new hand-overs."""

    __tablename__ = "console_agent_presence"

    user_id = Column(Integer, ForeignKey("console_users.id"), primary_key=True)
    status = Column(String(8), nullable=False)
    changed_at = Column(UTCDateTime, nullable=False, default=stored_now)
    seen_at = Column(UTCDateTime, nullable=False)

    __table_args__ = (CheckConstraint(one_of("status", PRESENCE_STATUSES), name="status"),)


# The trainer workbench's tables (console/training/models.py, migration 0005_training).
import console.training.models  # noqa: E402,F401
