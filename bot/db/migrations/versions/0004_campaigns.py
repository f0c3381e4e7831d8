"""Outbound campaigns, the compliance guard's log, payment reconciliation.

Revision ID: 0004_campaigns
Revises: 0003_console
Create Date: 2026-12-01

Written out explicitly, like the earlier revisions; the tables are defined
at the end of bot/db/models.py and tests/unit/test_db_migrations.py checks
that upgrade head matches the models exactly.

- cardholders.phone_verified: the bank says this number is the
  cardholder's own (reminders may then name the amount);
- phone_marks: numbers marked as a third party or a wrong number;
- campaign_sends: one row per account, stage and cycle (idempotency);
- outbound_blocks: every send the guard refused, with its reason;
- final_notice_approvals: a supervisor's approval of the final notice;
- agent_tasks: "call this cardholder" work for agents (stage 3, broken promises).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_campaigns"
down_revision: Union[str, Sequence[str], None] = "0003_console"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it with a constant default). A batch
    # operation would rebuild the table, which SQLite refuses with foreign
    # keys on once accounts refer to cardholders: existing databases with
    # data could not be upgraded.
    op.add_column(
        "cardholders",
        sa.Column("phone_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )

    op.create_table(
        "phone_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("kind IN ('third_party', 'wrong_number')", name=op.f("ck_phone_marks_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_marks")),
    )
    op.create_index(op.f("ix_phone_marks_phone"), "phone_marks", ["phone"], unique=False)

    op.create_table(
        "campaign_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("to_number", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("retry_at", TIMESTAMP, nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("rasa_status", sa.String(length=16), nullable=True),
        sa.Column("rasa_detail", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('sent', 'queued', 'dropped', 'task_created', 'awaiting_approval', 'failed')",
            name=op.f("ck_campaign_sends_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_campaign_sends_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_sends")),
        sa.UniqueConstraint("account_id", "stage", "cycle", name=op.f("uq_campaign_sends_account_id")),
    )
    op.create_index(op.f("ix_campaign_sends_status"), "campaign_sends", ["status"], unique=False)

    op.create_table(
        "outbound_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("retry_at", TIMESTAMP, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("action IN ('queued', 'dropped')", name=op.f("ck_outbound_blocks_action")),
        sa.CheckConstraint(
            "source IN ('campaign', 'agent', 'bot')", name=op.f("ck_outbound_blocks_source")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_outbound_blocks_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_blocks")),
    )
    op.create_index(op.f("ix_outbound_blocks_account_id"), "outbound_blocks", ["account_id"], unique=False)
    op.create_index(op.f("ix_outbound_blocks_created_at"), "outbound_blocks", ["created_at"], unique=False)

    op.create_table(
        "final_notice_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("cycle", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name=op.f("fk_final_notice_approvals_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_notice_approvals")),
        sa.UniqueConstraint("account_id", "cycle", name=op.f("uq_final_notice_approvals_account_id")),
    )

    op.create_table(
        "agent_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "kind IN ('campaign_call', 'broken_promise')", name=op.f("ck_agent_tasks_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'cancelled')", name=op.f("ck_agent_tasks_status")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_agent_tasks_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_tasks")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_agent_tasks_idempotency_key")),
    )
    op.create_index(op.f("ix_agent_tasks_account_id"), "agent_tasks", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_table("agent_tasks")
    op.drop_table("final_notice_approvals")
    op.drop_table("outbound_blocks")
    op.drop_table("campaign_sends")
    op.drop_index(op.f("ix_phone_marks_phone"), table_name="phone_marks")
    op.drop_table("phone_marks")
    with op.batch_alter_table("cardholders") as batch:
        batch.drop_column("phone_verified")
