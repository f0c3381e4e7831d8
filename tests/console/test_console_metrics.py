"""The console process's /metrics (with METRICS_TOKEN) and JSON logs
(LOG_FORMAT=json), with the console as a real process."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.console.support import Browser, running_console
from tests.fakes.fake_rasa import FakeRasa

TOKEN = "console-metrics-token"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("console-metrics")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    from bot.db.migrate import upgrade

    upgrade(db_url)
    fake = FakeRasa().start()
    try:
        env = {"DATABASE_URL": db_url, "RASA_URL": fake.url, "RASA_API_TOKEN": fake.token,
               "METRICS_TOKEN": TOKEN, "LOG_FORMAT": "json"}
        with running_console(workdir, env) as url:
            yield {"url": url, "workdir": workdir}
    finally:
        fake.stop()


def get(url: str, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_console_metrics_need_the_token_and_count_requests(console):
    status, body = get(console["url"] + "/metrics")
    assert status == 401 and "collectbot_" not in body

    assert Browser(console["url"]).get("/healthz").status == 200

    status, body = get(console["url"] + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    healthz = (("method", "GET"), ("route", "/healthz"))
    assert samples[("collectbot_http_request_duration_seconds_count", healthz)] >= 1
    assert samples[("collectbot_http_requests_total", healthz + (("status", "200"),))] >= 1
    # The refused scrape counted as a 401 on the metrics route.
    assert samples[("collectbot_http_requests_total", (("method", "GET"), ("route", "/metrics"), ("status", "401")))] >= 1


def test_console_logs_are_json_lines(console):
    text = (console["workdir"] / "console.log").read_text(errors="replace")
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert records and all(r["process"] == "console" for r in records)
    assert any(r["logger"].startswith("sanic") for r in records)  # Sanic's own loggers too
