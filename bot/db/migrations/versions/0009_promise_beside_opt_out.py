"""Agent tasks of kind "promise_beside_opt_out".

Revision ID: 0009_promise_beside_opt_out
Revises: 0008_agent_presence
Create Date: 2026-12-05

Issue 18: a promise said beside an opt-out ("喝多了别烦我，明天醒了就还") was
lost: the opt-out won the turn and nothing kept the promise. It now becomes a
task for a person to check the payment (bot/actions/escalation.py). Only the
kind check of agent_tasks changes.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0009_promise_beside_opt_out"
down_revision: Union[str, Sequence[str], None] = "0008_agent_presence"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = "kind IN ('campaign_call', 'broken_promise', 'verification_help')"
NEW = "kind IN ('campaign_call', 'broken_promise', 'verification_help', 'promise_beside_opt_out')"


def _replace_check(sql: str) -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL alters it in place.
    with op.batch_alter_table("agent_tasks") as batch:
        batch.drop_constraint(op.f("ck_agent_tasks_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_agent_tasks_kind"), sql)


def upgrade() -> None:
    _replace_check(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM agent_tasks WHERE kind = 'promise_beside_opt_out'")
    _replace_check(OLD)
