"""Trainer workbench: annotations, reviews, tags, notes, training runs, model activations.

Revision ID: 0005_training
Revises: 0004_campaigns
Create Date: 2026-11-29

Written out explicitly, like the earlier revisions; the tables are defined
in console/training/models.py and tests/unit/test_db_migrations.py checks
that upgrade head matches the models exactly. No existing table changes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_training"
down_revision: Union[str, Sequence[str], None] = "0004_campaigns"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["console_users.id"], name=op.f(f"fk_{table}_user_id_console_users"))


def upgrade() -> None:
    op.create_table(
        "training_annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_intent", sa.String(length=64), nullable=True),
        sa.Column("predicted_confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("entities", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("status IN ('labelled', 'ignored')", name=op.f("ck_training_annotations_status")),
        _user_fk("training_annotations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_annotations")),
        sa.UniqueConstraint("event_id", name=op.f("uq_training_annotations_event_id")),
    )
    op.create_index(
        op.f("ix_training_annotations_conversation_id"), "training_annotations", ["conversation_id"], unique=False
    )

    op.create_table(
        "training_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _user_fk("training_reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_reviews")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_training_reviews_conversation_id")),
    )

    op.create_table(
        "training_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _user_fk("training_tags"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_tags")),
        sa.UniqueConstraint("conversation_id", "tag", name=op.f("uq_training_tags_conversation_id")),
    )
    op.create_index(op.f("ix_training_tags_conversation_id"), "training_tags", ["conversation_id"], unique=False)

    op.create_table(
        "training_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _user_fk("training_notes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_notes")),
    )
    op.create_index(op.f("ix_training_notes_conversation_id"), "training_notes", ["conversation_id"], unique=False)

    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("out_dir", sa.String(length=1024), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("model_path", sa.String(length=1024), nullable=True),
        sa.Column("current_model_path", sa.String(length=1024), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'training', 'evaluating', 'succeeded', 'failed')",
            name=op.f("ck_training_runs_status"),
        ),
        _user_fk("training_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )

    op.create_table(
        "training_activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("model_path", sa.String(length=1024), nullable=False),
        sa.Column("previous_model_path", sa.String(length=1024), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("kind IN ('activate', 'rollback')", name=op.f("ck_training_activations_kind")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["training_runs.id"], name=op.f("fk_training_activations_run_id_training_runs")
        ),
        _user_fk("training_activations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_activations")),
    )


def downgrade() -> None:
    op.drop_table("training_activations")
    op.drop_table("training_runs")
    op.drop_table("training_notes")
    op.drop_table("training_tags")
    op.drop_table("training_reviews")
    op.drop_table("training_annotations")
