"""Agent tasks of kind "verification_help".

Revision ID: 0006_verification_help
Revises: 0005_training
Create Date: 2026-12-03

Too many wrong ID answers in the cardholder's own SMS conversation no
longer pause it for the agents' queue (issue 16: a lock-out anyone could
trigger); a person gets a follow-up task instead. Only the kind check of
agent_tasks changes.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0006_verification_help"
down_revision: Union[str, Sequence[str], None] = "0005_training"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = "kind IN ('campaign_call', 'broken_promise')"
NEW = "kind IN ('campaign_call', 'broken_promise', 'verification_help')"


def _replace_check(sql: str) -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL alters it in place.
    with op.batch_alter_table("agent_tasks") as batch:
        batch.drop_constraint(op.f("ck_agent_tasks_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_agent_tasks_kind"), sql)


def upgrade() -> None:
    _replace_check(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM agent_tasks WHERE kind = 'verification_help'")
    _replace_check(OLD)
