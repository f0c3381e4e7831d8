"""bot/observability/metrics.py: what each observation changes, the HTTP
timing on a real (in-process) Sanic server, and the exposition text."""
from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic, response

from bot.db import repository
from bot.observability import metrics
from bot.rasa_server.tracker_store import BrokeredSQLTrackerStore

# Several Sanic apps start in this process: test mode lets Sanic's start-up
# optimiser (touchup) run more than once (as in test_sms_channel.py).
Sanic.test_mode = True


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def parsed(text: str) -> dict:
    """name → {tuple(sorted labels) → value} for every sample of the exposition."""
    out: dict = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return out


def user(text: str, intent: str, confidence: float, channel: str = "rest") -> dict:
    return {"event": "user", "text": text, "input_channel": channel,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def test_user_and_bot_messages_count_by_channel_and_direction():
    before_in = value("collectbot_messages_total", direction="in", channel="webchat")
    before_out = value("collectbot_messages_total", direction="out", channel="webchat")
    metrics.observe_event(user("你好", "greet", 0.9, "webchat"))
    metrics.observe_event({"event": "bot", "text": "您好"}, channel="webchat")
    metrics.observe_event({"event": "bot", "text": "请问是本人吗"}, channel="webchat")
    assert value("collectbot_messages_total", direction="in", channel="webchat") == before_in + 1
    assert value("collectbot_messages_total", direction="out", channel="webchat") == before_out + 2


def test_confidence_lands_in_its_histogram_bucket():
    count = value("collectbot_nlu_confidence_count")
    le_08 = value("collectbot_nlu_confidence_bucket", le="0.8")
    le_09 = value("collectbot_nlu_confidence_bucket", le="0.9")
    total = value("collectbot_nlu_confidence_sum")
    metrics.observe_event(user("我下周五还两千", "promise_to_pay", 0.85))
    assert value("collectbot_nlu_confidence_count") == count + 1
    assert value("collectbot_nlu_confidence_bucket", le="0.8") == le_08  # 0.85 > 0.8
    assert value("collectbot_nlu_confidence_bucket", le="0.9") == le_09 + 1
    assert value("collectbot_nlu_confidence_sum") == pytest.approx(total + 0.85)


def test_fallbacks_and_pauses():
    nlu = value("collectbot_fallbacks_total", kind="nlu")
    action = value("collectbot_fallbacks_total", kind="action")
    paused = value("collectbot_conversations_paused_total", channel="rest")
    metrics.observe_event(user("啊啊啊", "nlu_fallback", 0.2))
    metrics.observe_event({"event": "action", "name": "action_default_fallback"})
    metrics.observe_event({"event": "action", "name": "action_listen"})
    metrics.observe_event({"event": "pause"}, channel="rest")
    assert value("collectbot_fallbacks_total", kind="nlu") == nlu + 1
    assert value("collectbot_fallbacks_total", kind="action") == action + 1
    assert value("collectbot_conversations_paused_total", channel="rest") == paused + 1


def test_channel_labels_never_carry_client_text():
    other = value("collectbot_messages_total", direction="in", channel="other")
    metrics.observe_event(user("你好", "greet", 0.9, channel="+86 139 0000 0001 <script>"))
    assert value("collectbot_messages_total", direction="in", channel="other") == other + 1
    ours = [line for line in metrics.exposition().decode().splitlines() if line.startswith("collectbot_")]
    assert ours and not any("script" in line or "+86" in line for line in ours)


def test_committed_bookings_and_handoffs_count_once():
    booked = value("collectbot_arrangements_booked_total", kind="promise_to_pay", status="booked")
    kwargs = {"kind": "promise_to_pay", "account_id": "A-1", "idempotency_key": "k"}
    metrics.count_committed(repository.book_arrangement, kwargs, (7, True))
    metrics.count_committed(repository.book_arrangement, kwargs, (7, False))  # the same confirmation again
    metrics.count_committed(repository.get_account, kwargs, (7, True))  # not a booking
    assert value("collectbot_arrangements_booked_total", kind="promise_to_pay", status="booked") == booked + 1

    pending = value("collectbot_arrangements_booked_total", kind="hardship_plan", status="pending_approval")
    metrics.count_committed(repository.book_arrangement, {"kind": "hardship_plan", "status": "pending_approval"}, (8, True))
    assert value("collectbot_arrangements_booked_total", kind="hardship_plan", status="pending_approval") == pending + 1

    crisis = value("collectbot_handoffs_total", reason="crisis", channel="twilio_sms")
    esc = {"reason": "crisis", "channel": "twilio_sms", "conversation_id": "+8613900000001"}
    metrics.count_committed(repository.open_escalation, esc, (3, True))
    metrics.count_committed(repository.open_escalation, esc, (3, False))
    assert value("collectbot_handoffs_total", reason="crisis", channel="twilio_sms") == crisis + 1


def test_tracker_store_counts_what_it_commits(tmp_path):
    store = BrokeredSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    before_in = value("collectbot_messages_total", direction="in", channel="twilio_sms")
    before_out = value("collectbot_messages_total", direction="out", channel="twilio_sms")
    paused = value("collectbot_conversations_paused_total", channel="twilio_sms")

    async def run():
        tracker = DialogueStateTracker("+8613800000001", slots=[])
        for event in (ActionExecuted("action_listen"),
                      UserUttered("我要投诉", {"name": "complain", "confidence": 0.97}, input_channel="twilio_sms"),
                      BotUttered("已为您转接人工"), ConversationPaused()):
            tracker.update(event)
        await store.save(tracker)
        await store.save(tracker)  # nothing new: nothing counted again

    asyncio.run(run())
    assert value("collectbot_messages_total", direction="in", channel="twilio_sms") == before_in + 1
    assert value("collectbot_messages_total", direction="out", channel="twilio_sms") == before_out + 1
    assert value("collectbot_conversations_paused_total", channel="twilio_sms") == paused + 1


# ---------------------------------------------------------------- HTTP, on a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_APPS = iter(range(1000))


async def _serve_and_get(paths, headers=None):
    app = Sanic(f"metrics_test_{next(_APPS)}")

    @app.get("/hello/<name>")
    async def hello(request, name):
        return response.text("hi")

    @app.get("/boom")
    async def boom(request):
        raise RuntimeError("boom")

    @app.on_request
    async def refuse(request):  # like the input limits: answers before the handler
        if request.path == "/hello/refused":
            return response.json({"error": "invalid"}, status=400)

    metrics.install_sanic(app, add_route=True)
    port = _free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    answers = []
    try:
        async with aiohttp.ClientSession() as session:
            for path in paths:
                async with session.get(f"http://127.0.0.1:{port}{path}", headers=headers or {}) as r:
                    answers.append((r.status, r.headers.get("Content-Type", ""), await r.text()))
    finally:
        server.close()
        await server.wait_closed()
    return answers


def test_requests_are_timed_by_route_template_and_5xx_counted(caplog):
    route = "/hello/<name:str>"
    count = value("collectbot_http_request_duration_seconds_count", method="GET", route=route)
    ok = value("collectbot_http_requests_total", method="GET", route=route, status="200")
    refused = value("collectbot_http_requests_total", method="GET", route=route, status="400")
    errors = value("collectbot_errors_total", kind="http_5xx", source="/boom")
    answers = asyncio.run(_serve_and_get(["/hello/a", "/hello/b", "/hello/refused", "/boom"]))
    assert [a[0] for a in answers] == [200, 200, 400, 500]
    # The refused request is timed too (the timer runs before any other middleware).
    assert value("collectbot_http_request_duration_seconds_count", method="GET", route=route) == count + 3
    assert value("collectbot_http_requests_total", method="GET", route=route, status="200") == ok + 2
    assert value("collectbot_http_requests_total", method="GET", route=route, status="400") == refused + 1
    assert value("collectbot_errors_total", kind="http_5xx", source="/boom") == errors + 1
    assert value("collectbot_errors_total", kind="log", source="sanic.error") >= 1  # Sanic logged the exception


def test_metrics_route_serves_parseable_exposition():
    metrics.observe_event(user("你好", "greet", 0.9))
    [(status, content_type, text)] = asyncio.run(_serve_and_get(["/metrics"]))
    assert status == 200 and content_type.startswith("text/plain")
    samples = parsed(text)
    assert samples["collectbot_messages_total"][(("channel", "rest"), ("direction", "in"))] >= 1
    assert samples["collectbot_nlu_confidence_count"][()] >= 1
    assert "process_resident_memory_bytes" in samples


def test_metrics_token(monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "s3cret")
    [without] = asyncio.run(_serve_and_get(["/metrics"]))
    assert without[0] == 401 and "collectbot_" not in without[2]
    [wrong] = asyncio.run(_serve_and_get(["/metrics"], headers={"Authorization": "Bearer nope"}))
    assert wrong[0] == 401
    [right] = asyncio.run(_serve_and_get(["/metrics"], headers={"Authorization": "Bearer s3cret"}))
    assert right[0] == 200 and "collectbot_http_requests_total" in right[2]


def test_metrics_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("METRICS_ENABLED", "0")
    assert metrics.install_sanic(Sanic(f"metrics_test_off_{next(_APPS)}")) is False
