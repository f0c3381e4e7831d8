"""Scored assessments of willingness and ability, with their history.

Revision ID: 0007_assessment_scores
Revises: 0006_dead_letters
Create Date: 2026-12-03

Issue 13: each account's willingness and ability as scores with bands,
reasons and evasion signals (bot/core/assessment.py, bot/core/evasion.py),
recomputed from the evidence and appended here (bot/db/assessments.py).
A new table; nothing else changes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_assessment_scores"
down_revision: Union[str, Sequence[str], None] = "0006_dead_letters"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BANDS = "('high', 'medium', 'low', 'unknown')"
SEGMENTS = "('willing_able', 'willing_unable', 'unwilling_able', 'unwilling_unable', 'unknown')"


def upgrade() -> None:
    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("willingness_score", sa.Float(), nullable=False),
        sa.Column("willingness_band", sa.String(length=8), nullable=False),
        sa.Column("ability_score", sa.Float(), nullable=False),
        sa.Column("ability_band", sa.String(length=8), nullable=False),
        sa.Column("segment", sa.String(length=24), nullable=False),
        sa.Column("keep_probability", sa.Float(), nullable=True),
        sa.Column("scorer", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"willingness_band IN {BANDS}", name=op.f("ck_assessment_scores_willingness_band")),
        sa.CheckConstraint(f"ability_band IN {BANDS}", name=op.f("ck_assessment_scores_ability_band")),
        sa.CheckConstraint(f"segment IN {SEGMENTS}", name=op.f("ck_assessment_scores_segment")),
        sa.CheckConstraint("scorer IN ('rules', 'model')", name=op.f("ck_assessment_scores_scorer")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name=op.f("fk_assessment_scores_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scores")),
    )
    op.create_index(op.f("ix_assessment_scores_account_id"), "assessment_scores", ["account_id"], unique=False)
    op.create_index(op.f("ix_assessment_scores_segment"), "assessment_scores", ["segment"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_assessment_scores_segment"), table_name="assessment_scores")
    op.drop_index(op.f("ix_assessment_scores_account_id"), table_name="assessment_scores")
    op.drop_table("assessment_scores")
