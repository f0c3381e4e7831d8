"""Sending one SMS: through the Twilio REST API, or into the local outbox.

Every SMS goes through ``SmsSender.send``, which

1. checks the opt-out and writes the contact-log row (status ``pending``, or
   ``blocked_opt_out`` - then nothing is sent) in one transaction;
2. without Twilio credentials, writes the SMS to the ``sms_outbox`` table
   (laptop, tests; ``collectbot outbox`` shows it) - never the network;
3. otherwise calls ``messages.create`` in a worker thread (the Twilio client
   blocks), retrying a 5xx/429 answer, a timeout or a connection error with
   exponential backoff, a bounded number of times;
4. completes the contact-log row with Twilio's SID and status, or ``failed``.

So no outbound SMS is ever lost silently: it is in the contact log with
its fate, and a failure is logged with its reason.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from bot.core.masking import mask_phone
from bot.db import sms as sms_db
from bot.db.session import run_in_thread
from bot.settings import TwilioSmsConfig  # the SMS settings; channels/twilio_sms.py and the campaign import it from here

logger = logging.getLogger(__name__)

# Twilio: "The recipient has opted out (replied STOP to this sender)".
ERROR_UNSUBSCRIBED = 21610


@dataclass(frozen=True)
class SendResult:
    status: str  # Twilio's (queued, accepted, …), or failed / blocked_opt_out / outbox
    message_id: Optional[str] = None  # Twilio SID or "outbox-<id>"
    attempts: int = 0
    error: Optional[str] = None

    @property
    def sent(self) -> bool:
        return self.status not in (sms_db.FAILED, sms_db.BLOCKED_OPT_OUT, sms_db.SUPPRESSED)


class SendError(Exception):
    def __init__(self, message: str, retryable: bool, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


class TwilioTransport:
    """``messages.create`` with a per-request timeout; one client per thread
    (the underlying requests.Session is not meant to be shared by threads)."""

    def __init__(self, config: TwilioSmsConfig) -> None:
        self.config = config
        self._local = threading.local()

    def _client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            client = Client(
                self.config.account_sid,
                self.config.auth_token,
                http_client=TwilioHttpClient(timeout=self.config.request_timeout),
            )
            if self.config.api_base_url:
                client.api.base_url = self.config.api_base_url.rstrip("/")
            self._local.client = client
        return client

    def create(self, *, to: str, body: str, status_callback: Optional[str]) -> Tuple[str, str]:
        """Send one SMS (blocking); return (sid, status) or raise SendError."""
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs: Dict[str, Any] = {"to": to, "body": body}
        if self.config.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.config.messaging_service_sid
        else:
            kwargs["from_"] = self.config.from_number
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self._client().messages.create(**kwargs)
        except TwilioRestException as exc:
            retryable = exc.status >= 500 or exc.status == 429
            raise SendError(f"Twilio answered {exc.status} (code {exc.code}): {exc.msg}", retryable, exc.code) from exc
        except requests.exceptions.RequestException as exc:
            # Timeouts and refused/broken connections. A timeout after Twilio
            # accepted the request can mean a duplicate SMS on retry; losing
            # the message would be worse.
            raise SendError(f"{type(exc).__name__}: {exc}", retryable=True) from exc
        except TwilioException as exc:
            raise SendError(f"{type(exc).__name__}: {exc}", retryable=False) from exc
        if not message.sid:
            raise SendError("Twilio answered without a message SID", retryable=False)
        return message.sid, str(message.status or "queued")


class SmsSender:
    def __init__(
        self,
        config: TwilioSmsConfig,
        *,
        status_callback: Callable[[], Optional[str]] = lambda: None,
        db_url: Optional[str] = None,
        transport: Optional[TwilioTransport] = None,
    ) -> None:
        self.config = config
        self.status_callback = status_callback
        self.db_url = db_url
        self.transport = transport or (TwilioTransport(config) if config.uses_twilio else None)

    async def _db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_thread(fn, *args, db_url=self.db_url, **kwargs)

    async def send(self, to: str, body: str, *, bypass_opt_out: bool = False) -> SendResult:
        """Send one SMS (already within the segment limit) to ``to``."""
        try:
            start = await self._db(sms_db.start_outbound, to=to, text=body, bypass_opt_out=bypass_opt_out)
        except Exception:
            # Without the opt-out check nothing may be sent.
            logger.exception("SMS to %s NOT sent: database unavailable (text: %r)", mask_phone(to), body)
            return SendResult(status=sms_db.FAILED, error="database unavailable")
        if start.blocked:
            logger.info("SMS to %s blocked: the number opted out of SMS", mask_phone(to))
            return SendResult(status=sms_db.BLOCKED_OPT_OUT)
        if self.transport is None:
            return await self._to_outbox(to, body, start.contact_id)
        return await self._to_twilio(to, body, start.contact_id)

    async def suppress(self, to: str, body: str) -> SendResult:
        """Log an SMS that is deliberately not sent (the bot's reply to an
        opt-in keyword, which our confirmation replaces)."""
        try:
            await self._db(sms_db.log_outbound, to=to, text=body, status=sms_db.SUPPRESSED)
        except Exception:
            logger.exception("could not log the suppressed SMS to %s (text %r)", mask_phone(to), body)
        return SendResult(status=sms_db.SUPPRESSED)

    async def _to_outbox(self, to: str, body: str, contact_id: int) -> SendResult:
        def unit(s) -> str:
            outbox_id = sms_db.add_outbox(
                s,
                to=to,
                body=body,
                from_number=self.config.from_number,
                messaging_service_sid=self.config.messaging_service_sid,
                status_callback=self.status_callback(),
            )
            message_id = sms_db.outbox_message_id(outbox_id)
            sms_db.finish_outbound(s, contact_id, status=sms_db.OUTBOX, message_id=message_id)
            return message_id

        message_id = await self._finish(unit, to, body)
        if message_id is None:
            return SendResult(status=sms_db.FAILED, error="outbox write failed")
        logger.info("SMS to %s written to the local outbox as %s", mask_phone(to), message_id)
        return SendResult(status=sms_db.OUTBOX, message_id=message_id, attempts=1)

    async def _to_twilio(self, to: str, body: str, contact_id: int) -> SendResult:
        callback = self.status_callback()
        error: Optional[SendError] = None
        attempts = 0
        for attempt in range(1, self.config.send_attempts + 1):
            attempts = attempt
            try:
                sid, status = await asyncio.to_thread(
                    self.transport.create, to=to, body=body, status_callback=callback
                )
            except SendError as exc:
                error = exc
                if not exc.retryable or attempt == self.config.send_attempts:
                    break
                delay = self.config.backoff(attempt)
                logger.warning(
                    "SMS to %s: try %d/%d failed (%s); retrying in %.1fs",
                    mask_phone(to), attempt, self.config.send_attempts, exc, delay,
                )
                await asyncio.sleep(delay)
                continue
            except Exception as exc:  # a bug or an unexpected answer: do not retry blindly
                error = SendError(f"{type(exc).__name__}: {exc}", retryable=False)
                logger.exception("SMS to %s: unexpected error from the Twilio client", mask_phone(to))
                break

            def done(s) -> None:
                sms_db.finish_outbound(s, contact_id, status=status, message_id=sid)

            await self._finish(done, to, body, sid=sid)
            return SendResult(status=status, message_id=sid, attempts=attempt)

        unsubscribed = error is not None and error.code == ERROR_UNSUBSCRIBED

        def failed(s) -> None:
            sms_db.finish_outbound(s, contact_id, status=sms_db.FAILED)
            if unsubscribed:
                # The carrier/Twilio holds an opt-out we did not know about.
                from bot.db import repository

                repository.record_opt_out(s, to, sms_db.CHANNEL)

        await self._finish(failed, to, body)
        logger.error(
            "SMS to %s FAILED after %d tries: %s (contact log row %d, text: %r)",
            mask_phone(to), attempts, error, contact_id, body,
        )
        return SendResult(status=sms_db.FAILED, attempts=attempts, error=str(error))

    async def _finish(self, unit: Callable[[Any], Any], to: str, body: str, sid: Optional[str] = None) -> Any:
        """Record the outcome; the database may hiccup, so try a few times."""
        for attempt in range(1, 4):
            try:
                return await self._db(unit)
            except Exception:
                if attempt == 3:
                    logger.exception(
                        "could not record the outcome of the SMS to %s (sid %s, text %r)",
                        mask_phone(to), sid, body,
                    )
                    return None
                await asyncio.sleep(0.2 * attempt)
        return None
