"""Prometheus metrics and JSON logs of the real servers: a cardholder books a
promise over REST, another asks for a person, and /metrics of the Rasa server
and of the action server show it; with LOG_FORMAT=json both write JSON lines
without the cardholders' phone numbers or ID digits."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.servers import REPO, running_stack

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T10:00:00+08:00"
PAYER = "+8613900000001"  # E2E-1, ID digits 3521
ASKER = "+8613900000002"  # E2E-2


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-metrics")
    with running_stack(workdir, NOW, extra_env={"LOG_FORMAT": "json"}) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def scrape(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        text = r.read().decode("utf-8")
    out: dict = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_follow_a_booked_promise_and_a_handoff(stack):
    before = scrape(stack.rasa_url)
    actions_before = scrape(stack.actions_url)

    said = [stack.say(PAYER, m) for m in ("你好", "是的", "3521", "我下周五还三千", "是的")]
    assert "已为您登记还款承诺" in "\n".join(said[-1])
    assert "人工" in "\n".join(stack.say(ASKER, "转人工"))

    after = scrape(stack.rasa_url)
    sent = 6
    answers = sum(len(s) for s in said) + 1  # at least one line answered the hand-over
    assert sample(after, "collectbot_messages_total", direction="in", channel="rest") == \
        sample(before, "collectbot_messages_total", direction="in", channel="rest") + sent
    assert sample(after, "collectbot_messages_total", direction="out", channel="rest") >= \
        sample(before, "collectbot_messages_total", direction="out", channel="rest") + answers
    rest = {"method": "POST", "route": "/webhooks/rest/webhook"}
    assert sample(after, "collectbot_http_request_duration_seconds_count", **rest) == \
        sample(before, "collectbot_http_request_duration_seconds_count", **rest) + sent
    assert sample(after, "collectbot_http_requests_total", status="200", **rest) == \
        sample(before, "collectbot_http_requests_total", status="200", **rest) + sent
    assert sample(after, "collectbot_nlu_confidence_count") == sample(before, "collectbot_nlu_confidence_count") + sent
    assert sample(after, "collectbot_conversations_paused_total", channel="rest") == \
        sample(before, "collectbot_conversations_paused_total", channel="rest") + 1
    assert sample(after, "process_resident_memory_bytes") > 0

    actions = scrape(stack.actions_url)
    booked = {"kind": "promise_to_pay", "status": "booked"}
    assert sample(actions, "collectbot_arrangements_booked_total", **booked) == \
        sample(actions_before, "collectbot_arrangements_booked_total", **booked) + 1
    handoff = {"reason": "customer_request", "channel": "rest"}
    assert sample(actions, "collectbot_handoffs_total", **handoff) == \
        sample(actions_before, "collectbot_handoffs_total", **handoff) + 1
    webhook = {"method": "POST", "route": "/webhook"}
    assert sample(actions, "collectbot_http_request_duration_seconds_count", **webhook) >= \
        sample(actions_before, "collectbot_http_request_duration_seconds_count", **webhook) + sent
    assert not [k for k, v in actions.items() if k[0] == "collectbot_errors_total" and v > 0]

    # What the counter says is what the database holds.
    account = stack.show_account("E2E-1")
    assert [a["kind"] for a in account["arrangements"]] == ["promise_to_pay"]


def test_logs_are_json_lines_without_personal_data(stack):
    stack.say("+8613900000003", "你好")
    for name in ("rasa.log", "actions.log"):
        text = (stack.workdir / "logs" / name).read_text(errors="replace")
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert records, f"{name} has no JSON lines"
        assert all({"time", "level", "logger", "message", "process"} <= set(r) for r in records)
        for record in records:
            line = json.dumps(record, ensure_ascii=False)
            for secret in ("13900000001", "13900000002", "13900000003"):
                assert secret not in line, (name, line)
            # The ID digits as a number of their own: a random port
            # (127.0.0.1:33521) or a pid may contain them by chance.
            fields = {k: v for k, v in record.items() if k != "pid"}
            text_only = re.sub(r"(127\.0\.0\.1|localhost):\d+", "", json.dumps(fields, ensure_ascii=False))
            assert not re.search(r"(?<!\d)3521(?!\d)", text_only), (name, line)
    processes = {json.loads(line)["process"] for line in
                 (stack.workdir / "logs" / "actions.log").read_text().splitlines() if line.startswith("{")}
    assert processes == {"actions"}
