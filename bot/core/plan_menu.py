"""Plan options as a menu: one tappable card per plan in the web chat, one
numbered line per plan over SMS (and "按N" on a call), and the cardholder's
choice mapped back to a plan that was actually offered.

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
