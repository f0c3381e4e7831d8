"""Alembic environment for the account database.

The URL comes from bot.db.session.database_url() (env DATABASE_URL) so that
`alembic upgrade head`, `collectbot migrate` and the running bot can never
disagree about which database they are talking to. bot.db.migrate.upgrade()
passes an explicit URL through ``config.attributes["database_url"]``.
"""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import console.models  # noqa: F401  (the agent console's tables, same metadata)
from bot.db import models
from bot.db.session import database_url, get_engine

config = context.config

# Only the `alembic` command line should configure logging; when called
# programmatically (CLI, tests, action server) we must not clobber the
# host application's logging setup.
if config.config_file_name is not None and not config.attributes.get(
    "programmatic"
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or database_url()


def _render_item(type_, obj, autogen_context):
    # Migrations must not import application types: a later refactor of
    # models.py would otherwise break old revisions. Render the decorators
    # as the plain column types they store.
    if type_ == "type" and isinstance(obj, models.Money):
        return "sa.Numeric(14, 2)"
    if type_ == "type" and isinstance(obj, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure_kwargs(url: str) -> dict:
    return {
        "target_metadata": target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table.
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
        "render_item": _render_item,
    }


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_configure_kwargs(url),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, **_configure_kwargs(url))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
