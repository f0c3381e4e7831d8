"""Plan options as a menu: one tappable card per plan in the web chat, one
numbered line per plan over SMS (and "按N" on a call), and the cardholder's
choice mapped back to a plan that was actually offered. The personalised
(hardship) plan for a specialist to approve is offered the same way, as a
card whose tap only opens its confirmation step.

Plain Python (no Rasa, web or database imports). The offer action
(bot/actions/arrangements.py) keeps the offered terms, in the order shown,
in a slot; the choice is read against that list, never against what the
reply names: a forged button payload or a stale number cannot pick a plan
that was not on the screen.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Dict, List, Optional, Sequence

from bot.core import channels, policy, replies
from bot.core.money import fmt_yuan

# Channels where the options arrive as a numbered list, so that a bare "2"
# means the second option (the SMS channel and the voice channel map a live
# menu themselves; this is for a reply that arrives after their menu is gone).
NUMBERED_CHANNELS = frozenset({channels.TWILIO_SMS, "sms", channels.VOICE})

_CHOICE = re.compile(r"^\s*(?:第|选|选择)?\s*([1-9])\s*(?:个|项|号)?\s*[.。、]?\s*$")


def installment_payload(months: int) -> str:
    """What tapping (or numbering) an instalment option sends: the same intent
    and entity a cardholder typing "12期" would give."""
    return '/request_installment{"months":"%d期"}' % int(months)


def option_button(q: policy.InstallmentQuote) -> Dict[str, Any]:
    """One plan as a button: a title with every figure (what SMS numbers,
    what a call reads out, what the agent's transcript shows on a tap) and a
    card for the web chat (the same figures, one per line)."""
    monthly, fee, total = fmt_yuan(q.monthly_payment), fmt_yuan(q.total_fee), fmt_yuan(q.total_repayment)
    return {
        "title": replies.INSTALLMENT_OPTION_TITLE.format(months=q.months, monthly=monthly, fee=fee, total=total),
        "payload": installment_payload(q.months),
        "card": {
            "heading": replies.INSTALLMENT_CARD_HEADING.format(months=q.months),
            "figures": [
                [replies.INSTALLMENT_CARD_MONTHLY, monthly],
                [replies.INSTALLMENT_CARD_FEE, fee],
                [replies.INSTALLMENT_CARD_TOTAL, total],
            ],
        },
    }


def offered_record(quotes: Sequence[policy.InstallmentQuote]) -> str:
    """The offered terms in the order shown (the offer slot's value)."""
    return json.dumps([int(q.months) for q in quotes])


def offered_terms(record: Any) -> List[int]:
    """The offer slot read back; anything unreadable is no offer."""
    if not record:
        return []
    try:
        value = json.loads(record) if isinstance(record, str) else record
    except ValueError:
        return []
    if not isinstance(value, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in value):
        return []
    return list(value)


def choice_number(text: Optional[str]) -> Optional[int]:
    """The option a reply picks by number: "2", "２" (full width), "2.", "第2个",
    "选2"; None for anything else."""
    match = _CHOICE.match(unicodedata.normalize("NFKC", text or ""))
    return int(match.group(1)) if match else None


def picked_term(offered: Sequence[int], text: Optional[str], channel: Optional[str]) -> Optional[int]:
    """The offered term a numbered reply picks on a channel that showed
    numbers; None when the reply is no option number there (it may still
    name a term: "12期")."""
    if not offered or channels.canonical(channel) not in {channels.canonical(c) for c in NUMBERED_CHANNELS}:
        return None
    number = choice_number(text)
    if number is None or number > len(offered):
        return None
    return offered[number - 1]


# --------------------------------------------------------------------------
# The personalised plan (bot/actions/assessment.py): a card, then a confirmation
# --------------------------------------------------------------------------

# Where the personalised offer stands in its slot's record: the card shown,
# or its confirmation (the exact figures and "是，提交申请") shown.
OFFER_STAGE = "stage"
STAGE_CARD = "card"
STAGE_CONFIRM = "confirm"


def hardship_payload(months: int) -> str:
    """What tapping (or numbering) the personalised plan's card sends: a
    yes that names the plan's term (the term is checked against the offer,
    so a forged tap cannot pick another plan)."""
    return '/affirm{"months":"%d期"}' % int(months)


def hardship_button(q: policy.InstallmentQuote) -> Dict[str, Any]:
    """The personalised plan as a card: every figure that would be submitted,
    and that a specialist approves it. The title carries the same figures
    (the SMS line, the spoken option, the agent's transcript)."""
    monthly, fee, total = fmt_yuan(q.monthly_payment), fmt_yuan(q.total_fee), fmt_yuan(q.total_repayment)
    figures = [[replies.INSTALLMENT_CARD_MONTHLY, monthly]]
    if q.last_payment != q.monthly_payment:
        figures.append([replies.HARDSHIP_CARD_LAST, fmt_yuan(q.last_payment)])
    figures += [
        [replies.INSTALLMENT_CARD_FEE, replies.PLAN_FEE_FREE if q.total_fee == 0 else fee],
        [replies.INSTALLMENT_CARD_TOTAL, total],
        [replies.HARDSHIP_CARD_REVIEW, replies.HARDSHIP_CARD_REVIEWER],
    ]
    fee_words = replies.PLAN_FEE_FREE if q.total_fee == 0 else replies.PLAN_FEE.format(fee=fee)
    return {
        "title": replies.HARDSHIP_OPTION_TITLE.format(months=q.months, monthly=monthly, fee=fee_words, total=total),
        "payload": hardship_payload(q.months),
        "card": {"heading": replies.HARDSHIP_CARD_HEADING.format(months=q.months), "figures": figures},
    }


def hardship_offer_menu(q: policy.InstallmentQuote) -> List[Dict[str, Any]]:
    """The card and a way to say no (numbered 1 and 2 over SMS)."""
    return [hardship_button(q), {"title": replies.HARDSHIP_CARD_DECLINE, "payload": "/deny"}]


def hardship_confirm_menu() -> List[Dict[str, Any]]:
    """The confirmation step's answers."""
    return [
        {"title": replies.HARDSHIP_CONFIRM_YES, "payload": "/affirm"},
        {"title": replies.HARDSHIP_CONFIRM_NO, "payload": "/deny"},
    ]


def named_term(entities: Sequence[Dict[str, Any]]) -> Optional[int]:
    """The term a tap names (the ``months`` entity of the card's payload), if any."""
    for e in entities or ():
        if isinstance(e, dict) and e.get("entity") == "months":
            match = re.search(r"\d+", unicodedata.normalize("NFKC", str(e.get("value") or "")))
            if match:
                return int(match.group(0))
    return None
