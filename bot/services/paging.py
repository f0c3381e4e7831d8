"""A crisis never waits for the desk to open (issue 14): a crisis handed over
out of staffed hours pages the on-call supervisor at once.

The page is an SMS through the one SMS sender (bot/sms/sender.py: Twilio,
or the local outbox without credentials) to COLLECTBOT_ONCALL_PHONE
(bot/settings.py, no default). It is a page to a member of staff, not a
message to a cardholder: the cardholder-facing compliance guard (quiet
hours, contact caps, opt-outs) does not apply, and it says nothing about
the cardholder or the debt - no name, number, account or amount - only that
a P0 crisis is waiting, when it came in, and its escalation number, for
the console. In staffed hours the agents' console (its crisis notification
and sound) is the page. With no on-call number the event is logged as an
error and the console shows a loud warning (console/store.py).

Called by bot/services/escalation.py after the hand-over committed; a
failure to page is logged, never raised into the cardholder's conversation.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Coroutine, Optional

from bot import clock
from bot.core import escalation as vocabulary
from bot.core.clock import SHANGHAI
from bot.core.masking import mask_phone

logger = logging.getLogger(__name__)

PAGE_TEXT = "【{bank}】P0危机转接：一位客户{time}表达了自伤风险，现为非值班时间，请立即登录坐席台处理（转接编号{number}）。"

PAGED = "paged"
IN_HOURS = "in_hours"  # the agents are at their desks: the console is the page
NOT_CRISIS = "not_crisis"
NO_NUMBER = "no_number"
FAILED = "failed"
SENDING = "sending"  # still going out when the cardholder's reply went on

# How long the crisis reply to the cardholder may wait for the page. The
# page goes out in a thread of its own: a local outbox or a healthy Twilio
# answer well within this, and a slow or failing Twilio (its retries take
# tens of seconds) must not hold the hotline back from the cardholder.
PAGE_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class PageResult:
    outcome: str
    to: Optional[str] = None
    text: Optional[str] = None
    status: Optional[str] = None


def page_text(escalation_id: int, opened_at: datetime, bank: str) -> str:
    """The page: that a crisis waits, when, and which one - nothing about the cardholder."""
    local = opened_at.astimezone(SHANGHAI)
    return PAGE_TEXT.format(bank=bank, time=local.strftime("%H:%M"), number=escalation_id)


def _run(coro_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to the end from synchronous code, on this thread when
    no loop runs here (a use case in a worker thread), else on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


def default_sender(url: Optional[str]) -> Any:
    from bot.sms.sender import SmsSender, TwilioSmsConfig

    return SmsSender(TwilioSmsConfig.from_env(), db_url=url)


def page_crisis(
    escalation_id: int,
    reason: str,
    *,
    now: Optional[datetime] = None,
    url: Optional[str] = None,
    sender: Any = None,
) -> PageResult:
    """Page the on-call supervisor for a crisis opened now, out of staffed hours."""
    if reason != vocabulary.CRISIS:
        return PageResult(NOT_CRISIS)
    from bot.settings import get_settings, oncall_phone

    now = now or clock.now()
    cfg = get_settings()
    if cfg.staffed_hours.is_staffed(now):
        return PageResult(IN_HOURS)
    try:
        to = oncall_phone()
    except ValueError as exc:
        logger.error("crisis escalation %s out of staffed hours: NOBODY PAGED, %s", escalation_id, exc)
        return PageResult(NO_NUMBER)
    if to is None:
        logger.error(
            "crisis escalation %s out of staffed hours: NOBODY PAGED, COLLECTBOT_ONCALL_PHONE is not set",
            escalation_id,
        )
        return PageResult(NO_NUMBER)
    text = page_text(escalation_id, now, cfg.bank_name)
    sms = sender or default_sender(url)
    try:
        # Staff, not a cardholder: no guard, and an opt-out of the number does not silence a page.
        result = _run(lambda: sms.send(to, text, bypass_opt_out=True))
    except Exception:
        logger.exception("crisis escalation %s: paging the on-call %s failed", escalation_id, mask_phone(to))
        return PageResult(FAILED, to, text)
    status = getattr(result, "status", None)
    if not getattr(result, "sent", True):
        logger.error("crisis escalation %s: the page to %s was not sent (%s)", escalation_id, mask_phone(to), status)
        return PageResult(FAILED, to, text, status)
    logger.warning("crisis escalation %s out of staffed hours: on-call %s paged", escalation_id, mask_phone(to))
    return PageResult(PAGED, to, text, status)


def page_crisis_promptly(
    escalation_id: int,
    reason: str,
    *,
    url: Optional[str] = None,
    wait: float = PAGE_WAIT_SECONDS,
    sender: Any = None,
) -> PageResult:
    """``page_crisis`` in a thread of its own, waited for at most ``wait`` s.

    The caller (the crisis hand-over, whose reply carries the hotline) goes
    on after that even if the page is still being sent; the thread is not a
    daemon, so a shutdown still lets the page finish."""
    if reason != vocabulary.CRISIS:
        return PageResult(NOT_CRISIS)
    now = clock.now()  # the time the crisis came in, not when the thread runs
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = page_crisis(escalation_id, reason, now=now, url=url, sender=sender)
        except Exception:  # page_crisis reports its own failures; this is the last guard
            logger.exception("crisis escalation %s: paging the on-call failed", escalation_id)

    thread = threading.Thread(target=run, name=f"page-crisis-{escalation_id}", daemon=False)
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        logger.warning("crisis escalation %s: the page is still being sent; the cardholder's reply goes on",
                       escalation_id)
        return PageResult(SENDING)
    return box.get("result") or PageResult(FAILED)
