"""Initial schema: cardholders, accounts and everything the bot records.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29

Written out explicitly (not imported from bot.db.models) so that later model
changes cannot silently rewrite history; tests/unit/test_db_migrations.py
checks that upgrade head still matches the models exactly.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(14, 2)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cardholders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cardholders")),
        sa.UniqueConstraint("phone", name=op.f("uq_cardholders_phone")),
    )

    op.create_table(
        "opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_outs")),
    )
    # One live opt-out per phone+channel; revoked rows are kept as history.
    op.create_index(
        "uq_opt_outs_active_phone_channel",
        "opt_outs",
        ["phone", "channel"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )

    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("cardholder_id", sa.Integer(), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column("balance", MONEY, nullable=False),
        sa.Column("minimum_due", MONEY, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "balance >= 0", name=op.f("ck_accounts_balance_non_negative")
        ),
        sa.CheckConstraint(
            "minimum_due >= 0", name=op.f("ck_accounts_minimum_due_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["cardholder_id"],
            ["cardholders.id"],
            name=op.f("fk_accounts_cardholder_id_cardholders"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_accounts")),
    )
    op.create_index(
        op.f("ix_accounts_cardholder_id"), "accounts", ["cardholder_id"], unique=False
    )

    op.create_table(
        "arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("pay_date", sa.Date(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("monthly_payment", MONEY, nullable=True),
        sa.Column("total_fee", MONEY, nullable=True),
        sa.Column("new_due_date", sa.Date(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "kind IN ('promise_to_pay', 'installment', 'deferral', "
            "'fee_waiver', 'hardship_plan')",
            name=op.f("ck_arrangements_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('booked', 'pending_approval', 'requested', 'kept', "
            "'partially_kept', 'broken', 'cancelled')",
            name=op.f("ck_arrangements_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_arrangements_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangements")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_arrangements_idempotency_key")
        ),
    )
    op.create_index(
        op.f("ix_arrangements_account_id"), "arrangements", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_arrangements_conversation_id"),
        "arrangements",
        ["conversation_id"],
        unique=False,
    )

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("willingness", sa.String(length=16), nullable=False),
        sa.Column("ability", sa.String(length=16), nullable=False),
        sa.Column("monthly_affordable", MONEY, nullable=True),
        sa.Column("hardship_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "willingness IN ('willing', 'unwilling', 'disputes', 'unknown')",
            name=op.f("ck_assessments_willingness"),
        ),
        sa.CheckConstraint(
            "ability IN ('full', 'partial', 'none', 'unknown')",
            name=op.f("ck_assessments_ability"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_assessments_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(
        op.f("ix_assessments_account_id"), "assessments", ["account_id"], unique=False
    )

    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_contact_log_direction")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_contact_log_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log")),
        # NULLs never collide in a UNIQUE constraint on SQLite or PostgreSQL,
        # which is exactly "unique when not null".
        sa.UniqueConstraint("message_id", name=op.f("uq_contact_log_message_id")),
    )
    op.create_index(
        op.f("ix_contact_log_account_id"), "contact_log", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_contact_log_conversation_id"),
        "contact_log",
        ["conversation_id"],
        unique=False,
    )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "priority BETWEEN 0 AND 3", name=op.f("ck_escalations_priority")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'claimed', 'resolved')",
            name=op.f("ck_escalations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_escalations_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index(
        op.f("ix_escalations_account_id"), "escalations", ["account_id"], unique=False
    )
    # At most one unresolved escalation per conversation and reason; the
    # repository checks first, this index settles concurrent requests.
    op.create_index(
        "uq_escalations_unresolved_conversation_reason",
        "escalations",
        ["conversation_id", "reason"],
        unique=True,
        sqlite_where=sa.text("status IN ('open', 'claimed')"),
        postgresql_where=sa.text("status IN ('open', 'claimed')"),
    )

    op.create_table(
        "payment_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("claimed_text", sa.Text(), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("check_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'confirmed', 'not_found')",
            name=op.f("ck_payment_claims_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_payment_claims_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_claims")),
    )
    op.create_index(
        op.f("ix_payment_claims_account_id"),
        "payment_claims",
        ["account_id"],
        unique=False,
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_at", TIMESTAMP, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_payments_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index(
        op.f("ix_payments_account_id"), "payments", ["account_id"], unique=False
    )

    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_verification_attempts_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempts")),
    )
    op.create_index(
        op.f("ix_verification_attempts_conversation_id"),
        "verification_attempts",
        ["conversation_id"],
        unique=False,
    )


def downgrade() -> None:
    # Children first so foreign keys never dangle. Dropping a table drops
    # its indexes with it on both backends.
    for table in (
        "verification_attempts",
        "payments",
        "payment_claims",
        "escalations",
        "contact_log",
        "assessments",
        "arrangements",
        "accounts",
        "opt_outs",
        "cardholders",
    ):
        op.drop_table(table)
