"""Agents' statuses and the cardholder's typing signal, shared between processes.

Revision ID: 0008_agent_presence
Revises: 0007_assessment_scores
Create Date: 2026-12-04

Issue 14: an agent's 在线 / 忙碌 / 离开 was kept in the console process's
memory (a restart set everyone to 离开, two console processes disagreed);
it is now a row per agent (console/presence.py). The web chat widget's
"typing" signal is written by the Rasa process and read by the console, so
it is a row per conversation (bot/db/typing_signals.py). Two new tables;
nothing else changes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_agent_presence"
down_revision: Union[str, Sequence[str], None] = "0007_assessment_scores"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_agent_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("seen_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('online', 'busy', 'away')", name=op.f("ck_console_agent_presence_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_agent_presence_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_console_agent_presence")),
    )
    op.create_table(
        "typing_signals",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_typing_signals")),
    )


def downgrade() -> None:
    op.drop_table("typing_signals")
    op.drop_table("console_agent_presence")
