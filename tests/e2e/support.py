"""Steps the Twilio end-to-end tests share (SMS, voice calls, plan options
over SMS): a running stack whose Twilio REST API is a FakeTwilio, a signed
inbound SMS webhook, and the SMS Twilio accepted.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from tests.e2e.servers import REPO, Stack, running_stack
from tests.fakes.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    TWILIO_NUMBER,
    FakeTwilio,
    inbound_params,
    signed_post,
)

SMS_WEBHOOK = "/webhooks/twilio_sms/webhook"
# REST for the readiness check, SMS for the cardholder.
SMS_CHANNELS = ("rest.RestChannel", "twilio_sms.TwilioSmsInput")


@contextmanager
def twilio_stack(
    workdir: Path,
    now: str,
    fake: FakeTwilio,
    public_url: str,
    channels: Sequence[str] = SMS_CHANNELS,
    env: Optional[Dict[str, str]] = None,
    **running_stack_kwargs,
) -> Iterator[Stack]:
    """``running_stack`` with only ``channels`` (names under channels.), the
    Twilio credentials of tests/fakes/fake_twilio.py, Twilio's REST API
    played by ``fake``, webhooks signed for ``public_url`` (as if behind a
    TLS-terminating proxy), ``env`` on top, and tests/fixtures/e2e_accounts.csv
    imported."""
    credentials = workdir / "credentials.yml"
    credentials.write_text("".join(f"channels.{name}:\n" for name in channels), encoding="utf-8")
    twilio_env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_NUMBER,
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_PUBLIC_URL": public_url,
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_SECONDS": "2",
        **(env or {}),
    }
    with running_stack(workdir, now, extra_env=twilio_env, credentials=credentials, **running_stack_kwargs) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def send_sms(stack: Stack, public_url: str, phone: str, body: str, sid: Optional[str] = None):
    """One inbound SMS webhook, signed as Twilio signs it; returns (answer, params)."""
    params = inbound_params(phone, body, sid=sid)
    answer = signed_post(stack.rasa_url + SMS_WEBHOOK, params, signed_url=public_url + SMS_WEBHOOK)
    return answer, params


def accepted(reqs, phone: str) -> List[str]:
    """The bodies of the SMS Twilio accepted (201) for ``phone``, in order."""
    return [r.form.get("Body", "") for r in reqs if r.answer == 201 and r.form.get("To") == phone]


def import_one(stack: Stack, tmp_path: Path, row: str) -> None:
    """One more account (a CSV row of tests/fixtures/e2e_accounts.csv's columns)."""
    extra = tmp_path / "one.csv"
    extra.write_text("account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date\n" + row + "\n",
                     encoding="utf-8")
    result = stack.collectbot("import-accounts", str(extra))
    assert result.returncode == 0, result.stderr
