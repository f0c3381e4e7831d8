"""Dead letters: events a writer set aside instead of retrying them forever.

Revision ID: 0006_dead_letters
Revises: 0006_verification_help
Create Date: 2026-12-03

One lone surrogate in a message once stopped the contact-log writer for
everyone (issue 16): the contact-log broker, the event relay and the event
consumer now put an item they cannot write here (bot/dead_letters.py) and
carry on. A new table; nothing else changes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_dead_letters"
down_revision: Union[str, Sequence[str], None] = "0006_verification_help"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=128), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("source", "item_key", name=op.f("uq_dead_letters_source")),
    )
    op.create_index(op.f("ix_dead_letters_conversation_id"), "dead_letters", ["conversation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dead_letters_conversation_id"), table_name="dead_letters")
    op.drop_table("dead_letters")
