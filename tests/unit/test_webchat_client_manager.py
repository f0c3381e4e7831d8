"""The web chat's socket.io client manager: in memory unless WEBCHAT_REDIS_URL is set.

Delivery across two real Rasa instances is tested in
tests/integration/test_scale_out.py.
"""
from __future__ import annotations

import socketio

from bot.settings import DEFAULT_WEBCHAT_REDIS_CHANNEL as DEFAULT_REDIS_CHANNEL
from channels.webchat import WebChatInput, client_manager


def test_without_redis_url_the_in_memory_default_is_kept(monkeypatch):
    monkeypatch.delenv("WEBCHAT_REDIS_URL", raising=False)
    assert client_manager() is None
    channel = WebChatInput(secret="x")
    channel.blueprint(lambda message: None)
    assert type(channel.sio.manager) is socketio.AsyncManager


def test_with_redis_url_emits_go_through_redis(monkeypatch):
    monkeypatch.setenv("WEBCHAT_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.delenv("WEBCHAT_REDIS_CHANNEL", raising=False)
    manager = client_manager()
    assert isinstance(manager, socketio.AsyncRedisManager)
    assert (manager.redis_url, manager.channel) == ("redis://127.0.0.1:6379/3", DEFAULT_REDIS_CHANNEL)
    monkeypatch.setenv("WEBCHAT_REDIS_CHANNEL", "webchat-blue")
    assert client_manager().channel == "webchat-blue"
    channel = WebChatInput(secret="x")
    channel.blueprint(lambda message: None)
    # Nothing connects to Redis until the first emit or socket.
    assert isinstance(channel.sio.manager, socketio.AsyncRedisManager)
    assert channel.sio.manager.connected is False
