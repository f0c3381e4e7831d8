"""A web chat tab as far as Rasa's socket.io protocol goes, for the web chat
channel's unit tests (tests/unit/test_webchat_channel.py) and its end-to-end
tests (tests/e2e/test_webchat.py).
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Optional

import socketio


async def close(sio: socketio.AsyncClient) -> None:
    """Disconnect without waiting for the pending long-poll (up to 25 s) to return."""
    if not sio.connected:
        return
    for namespace in list(sio.namespaces):
        await sio._send_packet(sio.packet_class(socketio.packet.DISCONNECT, namespace=namespace))
    await sio.eio.disconnect(abort=True)
    await asyncio.sleep(0.05)  # let the write loop flush the close packets


class WebChatClient:
    """One browser tab on the web chat at ``url``: every session_confirm,
    bot_uttered and webchat_status it receives is queued for ``next``,
    which waits ``timeout`` seconds at most (``asyncio.TimeoutError``), for
    a session's answers ``session_timeout`` (default: the same)."""

    def __init__(self, url: str, timeout: float = 10, session_timeout: Optional[float] = None) -> None:
        self.url = url
        self.timeout = timeout
        self.session_timeout = timeout if session_timeout is None else session_timeout
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: "asyncio.Queue[tuple]" = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "webchat_status"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name):
        async def record(data=None):
            await self.events.put((name, data))
        return record

    async def __aenter__(self):
        # Long polling: python-engineio's websocket client needs a newer
        # aiohttp than Rasa 3.6 pins. The protocol above it is the same.
        # The namespace handshake gets the client's own timeout, not
        # python-socketio's one second, which a busy CI machine overran
        # ("Unexpected connection error" on a fresh clone, 2026-12-07).
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"],
                               wait_timeout=self.timeout)
        return self

    async def __aexit__(self, *exc) -> None:
        await close(self.sio)

    async def next(self, name: str, timeout: Optional[float] = None) -> Any:
        """The data of the next ``name`` event; others before it are dropped."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            try:
                event, data = await asyncio.wait_for(self.events.get(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise asyncio.TimeoutError(f"no {name} within {timeout} s") from None
            if event == name:
                return data

    async def replies(self, quiet: float = 2.0) -> List[Dict[str, Any]]:
        """The bot messages of one turn: the first, then any that follow within ``quiet`` seconds."""
        messages = [await self.next("bot_uttered")]
        while True:
            try:
                messages.append(await self.next("bot_uttered", timeout=quiet))
            except asyncio.TimeoutError:
                return messages

    async def session(self, session_id: Optional[str] = None, **extra) -> tuple:
        """(the confirmed session id, the webchat_status) for a session_request."""
        await self.sio.emit("session_request", {"session_id": session_id, **extra})
        confirmed = await self.next("session_confirm", self.session_timeout)
        return confirmed, await self.next("webchat_status", self.session_timeout)

    async def say(self, session_id: str, text: str, metadata: Optional[Dict] = None) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id, "metadata": metadata or {}})
