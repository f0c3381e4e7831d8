"""Agent console: users, sessions, audit log, claims, notes, resolutions.

Revision ID: 0003_console
Revises: 0002_sms
Create Date: 2026-11-29

Written out explicitly, like the earlier revisions; the tables are defined
in console/models.py and tests/unit/test_db_migrations.py checks that
upgrade head matches the models exactly. No existing table changes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_console"
down_revision: Union[str, Sequence[str], None] = "0002_sms"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_login_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "role IN ('agent', 'trainer', 'supervisor')", name=op.f("ck_console_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("username", name=op.f("uq_console_users_username")),
    )

    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_sessions_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"], unique=False
    )

    op.create_table(
        "console_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_console_audit_log_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_audit_log_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_audit_log")),
    )
    op.create_index(
        op.f("ix_console_audit_log_account_id"), "console_audit_log", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_console_audit_log_conversation_id"),
        "console_audit_log",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_console_audit_log_user_id"), "console_audit_log", ["user_id"], unique=False
    )

    op.create_table(
        "console_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("released_at", TIMESTAMP, nullable=True),
        sa.Column("release_reason", sa.String(length=16), nullable=True),
        sa.Column("handed_back_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "release_reason IS NULL OR release_reason IN ('released', 'resolved', 'reassigned')",
            name=op.f("ck_console_claims_release_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_claims_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_claims")),
    )
    op.create_index(
        op.f("ix_console_claims_user_id"), "console_claims", ["user_id"], unique=False
    )
    # One live claim per conversation: two agents can never hold the same one.
    op.create_index(
        "uq_console_claims_live_conversation",
        "console_claims",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("released_at IS NULL"),
        postgresql_where=sa.text("released_at IS NULL"),
    )

    op.create_table(
        "console_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_console_notes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_notes_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_notes")),
    )
    op.create_index(
        op.f("ix_console_notes_account_id"), "console_notes", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_console_notes_conversation_id"), "console_notes", ["conversation_id"], unique=False
    )

    op.create_table(
        "console_resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("escalation_ids", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "outcome IN ('arranged', 'promise', 'dispute_opened', 'wrong_party', "
            "'no_contact', 'referred')",
            name=op.f("ck_console_resolutions_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_console_resolutions_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_resolutions_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_resolutions")),
    )
    op.create_index(
        op.f("ix_console_resolutions_account_id"), "console_resolutions", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_console_resolutions_conversation_id"),
        "console_resolutions",
        ["conversation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("console_resolutions")
    op.drop_table("console_notes")
    op.drop_table("console_claims")
    op.drop_table("console_audit_log")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
