"""SMS channel: inbound MessageSid dedupe and the local outbox.

Revision ID: 0002_sms
Revises: 0001_initial
Create Date: 2026-11-29

Written out explicitly, like 0001_initial; tests/unit/test_db_migrations.py
checks that upgrade head still matches the models exactly.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_sms"
down_revision: Union[str, Sequence[str], None] = "0001_initial"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'failed')",
            name=op.f("ck_sms_inbound_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_inbound")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_sms_inbound_message_sid")),
    )

    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.String(length=64), nullable=False),
        sa.Column("from_number", sa.String(length=64), nullable=True),
        sa.Column("messaging_service_sid", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status_callback", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    op.create_index(
        op.f("ix_sms_outbox_to_number"), "sms_outbox", ["to_number"], unique=False
    )


def downgrade() -> None:
    op.drop_table("sms_outbox")
    op.drop_table("sms_inbound")
