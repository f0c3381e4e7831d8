"""Shared fixtures.

Database tests get a fresh SQLite file per test (tmp_path). PostgreSQL tests
run only when COLLECTBOT_TEST_PG_URL points at a throwaway database, e.g.
``postgresql://postgres@127.0.0.1:5432/collectbot_test``; its tables are
created fresh and dropped afterwards.
"""
from __future__ import annotations

import os
import sys
import uuid
from datetime import date, datetime

import pytest

PG_URL_ENV = "COLLECTBOT_TEST_PG_URL"
# Same instant as the demo clock; tests/fixtures/demo_accounts.csv is
# written as of this day.
PINNED_NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _never_touch_the_real_database(monkeypatch, tmp_path_factory):
    """Point DATABASE_URL at a throwaway file so no test writes var/collectbot.db."""
    path = tmp_path_factory.getbasetemp() / "default-db" / f"{uuid.uuid4().hex}.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    yield
    # Only if a test actually used the database layer (avoid importing
    # SQLAlchemy for unrelated tests).
    session_module = sys.modules.get("bot.db.session")
    if session_module is not None:
        session_module.dispose_engines()


@pytest.fixture
def pinned_now(monkeypatch) -> datetime:
    """Pin bot.clock to the demo instant; returns it."""
    monkeypatch.setenv("COLLECTBOT_NOW", PINNED_NOW)
    return datetime.fromisoformat(PINNED_NOW)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    """URL of a fresh, empty SQLite file (no tables); also set as DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'collectbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def db_url(sqlite_url) -> str:
    """Fresh SQLite database with the schema created from the models."""
    from bot.db.models import Base
    from bot.db.session import get_engine

    Base.metadata.create_all(get_engine(sqlite_url))
    return sqlite_url


@pytest.fixture
def session(db_url, pinned_now):
    """A session on the fresh SQLite database, committed at the end."""
    from bot.db.session import session_scope

    with session_scope(db_url) as s:
        yield s


def _drop_everything(url: str) -> None:
    from sqlalchemy import text

    from bot.db.models import Base
    from bot.db.session import get_engine

    engine = get_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def pg_url(pinned_now):
    """Migrated throwaway PostgreSQL database; skipped unless configured."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"set {PG_URL_ENV} to run PostgreSQL tests")
    from bot.db.migrate import upgrade
    from bot.db.session import dispose_engines

    _drop_everything(url)  # leftovers from an interrupted run
    upgrade(url)
    try:
        yield url
    finally:
        _drop_everything(url)
        dispose_engines()


def pytest_collection_modifyitems(config, items):
    """Tests on the real PostgreSQL are integration tests (`make test-integration`)."""
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
