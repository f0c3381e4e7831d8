"""What the channel unit tests share (test_sms_channel.py, test_sms_sender.py,
test_voice_channel.py): the cardholder they talk to, a Twilio SMS config
aimed at the fake Twilio, and a channel's blueprint served by a real Sanic
server in a thread of its own.
"""
from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from decimal import Decimal
from typing import Optional

from sanic import Sanic

from bot.db.models import Account, Cardholder
from bot.db.session import session_scope
from bot.sms.sender import TwilioSmsConfig
from tests.fakes.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, FakeTwilio

PHONE = "+8613900000001"

# Several Sanic apps start in this process: test mode lets Sanic's start-up
# optimiser (touchup) run more than once, and allows any app name.
Sanic.test_mode = True


def seed_cardholder(db_url: str, today, account_id: str, balance: str, minimum_due: str) -> str:
    """李明华 (PHONE, ID ending 3521) with one card (ending 6688) due today; returns ``db_url``."""
    with session_scope(db_url) as s:
        h = Cardholder(name="李明华", phone=PHONE, id_last4="3521")
        s.add(h)
        s.flush()
        s.add(Account(account_id=account_id, cardholder_id=h.id, card_last4="6688",
                      balance=Decimal(balance), minimum_due=Decimal(minimum_due), due_date=today))
    return db_url


def twilio_sms_config(fake: Optional[FakeTwilio], **kw) -> TwilioSmsConfig:
    """The fake's credentials and URL (none without a fake), three quick attempts; ``kw`` on top."""
    values = dict(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number=TWILIO_NUMBER,
        api_base_url=fake.base_url if fake else None,
        send_attempts=3,
        retry_base_seconds=0.01,
    )
    values.update(kw)
    return TwilioSmsConfig(**values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChannelServer:
    """``channel.blueprint(bot)`` under ``url_prefix`` on a free local port,
    served from a thread with its own event loop; ``agent`` is what the
    channel finds as the app's agent (as Rasa sets it)."""

    def __init__(self, channel, bot, url_prefix: str, agent=None) -> None:
        self.channel, self.bot, self.agent = channel, bot, agent
        self.url_prefix = url_prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self._server = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = Sanic(f"channel_test_{uuid.uuid4().hex}", configure_logging=False)
        app.ctx.agent = self.agent
        app.blueprint(self.channel.blueprint(self.bot), url_prefix=self.url_prefix)

        async def start() -> None:
            self._server = await app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True
            )
            await self._server.startup()

        try:
            self.loop.run_until_complete(start())
        except BaseException as exc:  # pragma: no cover - start-up failure
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    def start(self):
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise self._error
        return self

    def call(self, coro, timeout: float = 30.0):
        """Run ``coro`` on the server's loop; its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        async def shutdown() -> None:
            await self._server.before_stop()
            self._server.close()
            await self._server.wait_closed()
            await self._server.after_stop()

        self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
