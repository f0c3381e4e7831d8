"""/metrics needs its token in production (issue 16, finding 9)."""
from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace

import pytest
from sanic import Sanic

from bot import secrets
from bot.observability import metrics

_APPS = itertools.count()


def scrape(headers=None):
    answer = asyncio.run(metrics.metrics_handler(SimpleNamespace(headers=headers or {})))
    return answer.status, answer.body.decode("utf-8")


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    monkeypatch.delenv("METRICS_TOKEN_FILE", raising=False)
    monkeypatch.delenv("METRICS_ENABLED", raising=False)


def test_without_a_token_production_serves_no_metrics(production):
    status, body = scrape()
    assert status == 401 and "collectbot_" not in body


def test_a_process_will_not_start_in_production_without_the_metrics_token(production):
    with pytest.raises(secrets.MissingSecret, match="METRICS_TOKEN"):
        metrics.install_sanic(Sanic(f"metrics_prod_{next(_APPS)}"))


def test_production_with_the_token_serves_it_to_its_bearer_only(production, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "scrape-me")
    assert scrape()[0] == 401
    assert scrape({"authorization": "Bearer wrong"})[0] == 401
    status, body = scrape({"authorization": "Bearer scrape-me"})
    assert status == 200 and "process_" in body


def test_development_without_a_token_stays_open(monkeypatch):
    monkeypatch.delenv("COLLECTBOT_ENV", raising=False)
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    monkeypatch.delenv("METRICS_TOKEN_FILE", raising=False)
    assert scrape()[0] == 200
