"""The verdict the NLU pipeline acts on: crisis first, then opt-out, then
markup; None keeps the classifier's intent."""
from __future__ import annotations

from typing import Optional

from bot.core.safety.crisis import assess_crisis
from bot.core.safety.findings import HYPERBOLE_ONLY, OPT_OUT_TOO, POSSIBLE, Verdict
from bot.core.safety.markup import is_markup_noise
from bot.core.safety.optout import (
    TOO_OFTEN_ONLY,
    calls_only_request,
    is_stop_request,
    paid_no_need,
    possible_stop_request,
    third_party_only_request,
)


def verdict(text: str) -> Optional[Verdict]:
    """Crisis first (any tier), then opt-out, then markup; None keeps the model's."""
    crisis = assess_crisis(text)
    stop = is_stop_request(text)
    # "天天打电话 逼死人了 别打了" is an angry opt-out: when the only sign of
    # crisis is such a figure of speech, the opt-out the law requires wins.
    # So does a complaint about how often we write ("你们这是要逼死人啊，一天
    # 打十几个电话"), which the classifier then reads (TOO_OFTEN_ONLY).
    hyperbole_only = crisis is not None and crisis.tier == POSSIBLE and set(crisis.rules) <= HYPERBOLE_ONLY
    if hyperbole_only and not stop and possible_stop_request(text) == [TOO_OFTEN_ONLY]:
        return Verdict("stop_contact", POSSIBLE, (TOO_OFTEN_ONLY,))
    if crisis is not None and not (stop and hyperbole_only):
        # Crisis wins the turn; the opt-out said with it ("别再发了 我不想活了")
        # is recorded by action_handle_crisis, not lost.
        return Verdict("crisis", crisis.tier, crisis.rules + ((OPT_OUT_TOO,) if stop else ()))
    if stop:
        return Verdict("stop_contact")
    if calls_only_request(text) or third_party_only_request(text) or paid_no_need(text):
        # Calls stopped, writing asked for; the family or the work not to be
        # contacted, the cardholder asking to be: no opt-out, not even a
        # possible one; the NLU override marks it (CALLS_ONLY,
        # THIRD_PARTY_ONLY) and the rest is answered; "no need to call, I
        # have paid" is the payment (PAID_NO_NEED).
        return None
    possible_stop = possible_stop_request(text)
    if possible_stop:
        # action_opt_out asks before it records (tier possible).
        return Verdict("stop_contact", POSSIBLE, tuple(possible_stop))
    if is_markup_noise(text):
        return Verdict("nlu_fallback")
    return None


def keyword_intent(text: str) -> Optional[str]:
    """The intent a safety pattern forces, or None to keep the model's."""
    found = verdict(text)
    return found.intent if found else None


def is_crisis(text: str) -> bool:
    """Any sign of crisis the safety net acts on (see ``verdict``)."""
    found = verdict(text)
    return found is not None and found.intent == "crisis"
