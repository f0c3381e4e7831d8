"""The hand-written Alembic migration must produce exactly the model schema."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import console.models  # noqa: F401  (registers the console tables on Base.metadata)
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Base
from bot.db.session import get_engine

EXPECTED_TABLES = {
    "accounts",
    "agent_tasks",
    "arrangements",
    "assessment_scores",
    "assessments",
    "campaign_sends",
    "cardholders",
    "console_agent_presence",
    "console_audit_log",
    "console_claims",
    "console_notes",
    "console_resolutions",
    "console_sessions",
    "console_users",
    "contact_log",
    "dead_letters",
    "escalations",
    "final_notice_approvals",
    "opt_outs",
    "outbound_blocks",
    "payment_claims",
    "payments",
    "phone_marks",
    "sms_inbound",
    "sms_outbox",
    "training_activations",
    "training_annotations",
    "training_notes",
    "training_reviews",
    "training_runs",
    "training_tags",
    "typing_signals",
    "verification_attempts",
}
HEAD = "0009_promise_beside_opt_out"


def _diff(url):
    with get_engine(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _columns(url):
    insp = inspect(get_engine(url))
    return {
        table: {c["name"] for c in insp.get_columns(table)}
        for table in insp.get_table_names()
        if table != "alembic_version"
    }


def test_single_head_and_models_cover_expected_tables():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == [HEAD]
    assert set(Base.metadata.tables) == EXPECTED_TABLES


def test_upgrade_head_on_empty_sqlite_matches_models(sqlite_url):
    upgrade(sqlite_url)
    assert _diff(sqlite_url) == []
    assert _columns(sqlite_url) == {
        name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()
    }
    with get_engine(sqlite_url).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == HEAD


def test_partial_unique_indexes_exist_on_sqlite(sqlite_url):
    # autogenerate does not compare WHERE clauses, so check them directly.
    upgrade(sqlite_url)
    insp = inspect(get_engine(sqlite_url))
    esc = {i["name"]: i for i in insp.get_indexes("escalations")}
    idx = esc["uq_escalations_unresolved_conversation_reason"]
    assert idx["unique"] and idx["column_names"] == ["conversation_id", "reason"]
    assert "status IN ('open', 'claimed')" in str(idx["dialect_options"]["sqlite_where"])
    claims = {i["name"]: i for i in insp.get_indexes("console_claims")}
    live = claims["uq_console_claims_live_conversation"]
    assert live["unique"] and live["column_names"] == ["conversation_id"]
    assert "released_at IS NULL" in str(live["dialect_options"]["sqlite_where"])
    opt = {i["name"]: i for i in insp.get_indexes("opt_outs")}
    assert "revoked_at IS NULL" in str(
        opt["uq_opt_outs_active_phone_channel"]["dialect_options"]["sqlite_where"]
    )


def test_upgrade_is_repeatable_and_downgrade_removes_everything(sqlite_url):
    upgrade(sqlite_url)
    upgrade(sqlite_url)  # already at head: no-op
    command.downgrade(alembic_config(sqlite_url), "base")
    assert inspect(get_engine(sqlite_url)).get_table_names() == ["alembic_version"]
    upgrade(sqlite_url)
    assert _diff(sqlite_url) == []


def test_migration_uses_database_url_env(sqlite_url, monkeypatch):
    # env.py takes the URL from bot.db.session.database_url().
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    upgrade()
    assert EXPECTED_TABLES <= set(inspect(get_engine(sqlite_url)).get_table_names())


def test_upgrade_head_on_postgresql_matches_models(pg_url):
    # pg_url is already migrated to head by the fixture.
    assert _diff(pg_url) == []
    insp = inspect(get_engine(pg_url))
    esc = {i["name"]: i for i in insp.get_indexes("escalations")}
    where = esc["uq_escalations_unresolved_conversation_reason"]["dialect_options"][
        "postgresql_where"
    ]
    assert "open" in where and "claimed" in where


def test_a_database_with_accounts_upgrades_from_every_earlier_revision(sqlite_url):
    # Laptops and pilots keep their SQLite file across releases: a migration
    # that rebuilds a referenced table fails there once accounts exist.
    from sqlalchemy import select, text

    from bot.db.models import Cardholder
    from bot.db.session import session_scope

    upgrade(sqlite_url, "0003_console")
    with get_engine(sqlite_url).begin() as conn:  # rows as the 0003 schema holds them
        for i in range(5):
            conn.execute(text("INSERT INTO cardholders (id, name, phone, id_last4) VALUES (:i, '王小明', :p, '1234')"),
                         {"i": i + 1, "p": f"+861380000000{i}"})
            conn.execute(text(
                "INSERT INTO accounts (account_id, cardholder_id, card_last4, balance, minimum_due, due_date,"
                " follow_up, updated_at) VALUES (:a, :i, '6621', 865000, 86500, '2026-11-13', 0,"
                " '2026-11-25 02:00:00')"), {"a": f"DEMO-{i}", "i": i + 1})
    upgrade(sqlite_url)
    assert _diff(sqlite_url) == []
    with session_scope(sqlite_url) as s:
        flags = s.execute(select(Cardholder.phone_verified)).scalars().all()
    assert len(flags) == 5 and not any(flags)
