"""Shared set-up of the integration tests that run real servers
(test_scale_out.py, test_faults.py): throw-away PostgreSQL databases and
the checks that skip a test when a service or the model is missing.
The processes themselves are started by tests/e2e/servers.py."""
from __future__ import annotations

import os
import secrets
from typing import Any, List, Tuple

import pytest

from tests.e2e.servers import REPO

PG_URL_ENV = "COLLECTBOT_TEST_PG_URL"
REDIS_URL_ENV = "COLLECTBOT_TEST_REDIS_URL"
DEFAULT_REDIS = "redis://127.0.0.1:6379"


def require_model() -> None:
    if not list((REPO / "bot" / "models").glob("*.tar.gz")):
        pytest.skip("no trained model in bot/models")


def require_pg() -> str:
    pg = os.environ.get(PG_URL_ENV)
    if not pg:
        pytest.skip(f"set {PG_URL_ENV} to run this test")
    return pg


def require_redis(db: int) -> str:
    """The Redis base URL (no db), after checking that db ``db`` answers."""
    import redis

    redis_url = os.environ.get(REDIS_URL_ENV, DEFAULT_REDIS).rstrip("/")
    try:
        redis.Redis.from_url(f"{redis_url}/{db}", socket_timeout=3).ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis at {redis_url} not reachable: {e}")
    return redis_url


def clean_redis(redis_url: str, db: int, prefix: str) -> None:
    """Delete the keys under ``prefix`` in db ``db``."""
    import redis

    client = redis.Redis.from_url(f"{redis_url}/{db}", socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class Databases:
    """Uniquely named databases (by default one for the accounts and one for
    the tracker store) on the PostgreSQL server of COLLECTBOT_TEST_PG_URL."""

    def __init__(self, pg_url: str, prefix: str = "collectbot_scale", which: Tuple[str, ...] = ("accounts", "tracker")) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(pg_url)
        stem = f"{prefix}_{secrets.token_hex(5)}"
        self.names = {w: f"{stem}_{w}" for w in which}

    def url(self, which: str) -> str:
        return str(self.base.set(database=self.names[which]))

    def _admin(self, statements: List[str]) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(sa.text(statement))
        finally:
            engine.dispose()

    def create(self) -> None:
        self._admin([f'CREATE DATABASE "{n}"' for n in self.names.values()])

    def drop(self) -> None:
        self._admin([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self.names.values()])

    def query(self, which: str, sql: str, **params: Any) -> List[Tuple]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(which))
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql), params)]
        finally:
            engine.dispose()
