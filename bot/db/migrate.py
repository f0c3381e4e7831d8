"""Run Alembic migrations from Python (CLI, tests, start-up scripts)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config

from bot.db.session import database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: Optional[str] = None) -> Config:
    """Config that works from any working directory.

    alembic.ini resolves ``script_location`` relative to the current
    directory, which breaks when the CLI runs elsewhere; build the config in
    code with an absolute path instead.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = url or database_url()
    config.attributes["programmatic"] = True
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Bring the database at ``url`` (default: DATABASE_URL) to ``revision``."""
    command.upgrade(alembic_config(url), revision)
