"""What the browser tests do on a page, in one place: the web chat's
credentials, a cardholder's phone and an agent's desk, a screenshot into
test-artifacts/, a cardholder opening the chat from the bank's app, typing
and waiting for the bot, signing in to the console, selecting text as a
mouse drag would; and the world most of them run in (the web chat and the
console on one stack) with a cardholder's page and an agent's page in it.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from typing import Dict, Iterator, Mapping, Optional, Tuple

from bot.core import tokens
from tests.browser.conftest import ARTIFACTS
from tests.browser.console_stack import console_stack
from tests.console.support import PASSWORD

WAIT_MS = 60_000
# credentials.yml for a stack with the web chat widget (and the REST channel).
WEBCHAT_CREDENTIALS = """rest:
channels.webchat.WebChatInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  socketio_path: /socket.io
  metadata_key: metadata
"""
# chromium.new_context(**PHONE): the cardholder's phone; (**DESK): an agent's screen.
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESK = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
# (**BIG_PHONE): a 390x844 phone, the cardholder's in the hand-over tests.
BIG_PHONE = dict(PHONE, viewport={"width": 390, "height": 844})


@contextmanager
def webchat_console(
    workdir,
    now: str,
    rasa_token: str,
    webchat_secret: str,
    agents: Tuple[Tuple[str, str, str], ...],
    extra_env: Optional[Mapping[str, str]] = None,
    console_extra_env: Optional[Mapping[str, str]] = None,
) -> Iterator[Dict[str, object]]:
    """A console_stack with the web chat (its tokens signed with
    ``webchat_secret``) and the console's ``agents``; yields
    {"stack": the stack, "console": the console's base URL}."""
    env = {"WEBCHAT_TOKEN_SECRET": webchat_secret, **(extra_env or {})}
    with console_stack(workdir, now, WEBCHAT_CREDENTIALS, rasa_token, extra_env=env, agents=agents,
                       console_extra_env=console_extra_env) as (stack, console_url):
        yield {"stack": stack, "console": console_url}


@contextmanager
def holder_and_desk(chromium, name: str, holder=BIG_PHONE, desk=DESK):
    """(cardholder's page, agent's page, errors): each in a browser context
    of its own (``holder``, ``desk``), every page error collected in
    ``errors``. If the body fails, each page's screenshot is kept as
    ``<name>-failed-cardholder.png`` / ``<name>-failed-agent.png``."""
    holder_ctx, desk_ctx = chromium.new_context(**holder), chromium.new_context(**desk)
    holder_page, desk_page = holder_ctx.new_page(), desk_ctx.new_page()
    errors = []
    for page in (holder_page, desk_page):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield holder_page, desk_page, errors
    except Exception:
        shot(holder_page, f"{name}-failed-cardholder.png")
        shot(desk_page, f"{name}-failed-agent.png")
        raise
    finally:
        holder_ctx.close()
        desk_ctx.close()


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def open_chat(page, rasa_url: str, account_id: str, secret: str) -> None:
    """The cardholder opens the web chat from the bank's app (a signed token
    names the account) and waits until it is online."""
    token = tokens.issue(account_id, 900, secret, time.time())
    page.goto(f"{rasa_url}/webhooks/webchat/?token={token}")
    page.locator("#status", has_text="在线").wait_for(timeout=WAIT_MS)


def say(page, text: str) -> None:
    """The cardholder types ``text`` in the widget and sends it."""
    page.fill("#input", text)
    page.click("#send")


def bot_said(page, needle: str) -> None:
    """Wait until a bot bubble in the widget contains ``needle``."""
    page.locator(".row.bot .bubble", has_text=needle).first.wait_for(timeout=WAIT_MS)


def sign_in(page, username: str, landing: str) -> None:
    """On the console's login page (where any page redirects first), sign in
    and wait to arrive at ``landing`` (a path such as /queue)."""
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(".*" + re.escape(landing) + "$"))


def select_text(page, needle: str) -> None:
    """Select ``needle`` inside the workbench editor's message text, as a mouse drag would."""
    page.evaluate(
        """(needle) => {
            const node = document.getElementById('editor-text').firstChild;
            const start = node.textContent.indexOf(needle);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + needle.length);
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
        }""",
        needle,
    )
