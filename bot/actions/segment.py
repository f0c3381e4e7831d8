"""The conversation chooses by segment (issue 13): the actions that offer
plans and options ask here for the order, and for the factual notice. The
rules are bot/assessment/offer_choice.py (reading the segment-to-treatment
table); this module only reads the account's current segment off the
event loop. A segment that cannot be read is unknown: today's order."""
from __future__ import annotations

import logging
from typing import List, Optional, Sequence, Tuple, TypeVar

from bot.actions.base import db
from bot.assessment import offer_choice
from bot.core import replies
from bot.db import assessments

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def choice_for_account(account_id: Optional[str]) -> offer_choice.Choice:
    segment = None
    if account_id:
        try:
            segment = await db(assessments.current_segment, account_id)
        except Exception:
            # The order of the options is not worth a failed reply.
            logger.exception("could not read the segment; today's order")
    return offer_choice.choice_for(segment)


async def plans_in_order(account_id: Optional[str], quotes: Sequence[T]) -> List[T]:
    """The policy's plan options in the order this cardholder's segment gets."""
    return offer_choice.order_plans(await choice_for_account(account_id), quotes)


async def options_in_order(
    account_id: Optional[str], buttons: Sequence[Tuple[str, str]]
) -> Tuple[List[Tuple[str, str]], bool]:
    """The options after the account's facts, in order, and whether the
    factual notice goes with them."""
    choice = await choice_for_account(account_id)
    return offer_choice.order_options(choice, buttons), choice.factual_notice



async def facts_in_order(
    account_id: Optional[str], facts: Tuple[str, Sequence[Tuple[str, str]]]
) -> Tuple[str, List[Tuple[str, str]]]:
    """The account's facts and the options after them
    (bot/actions/account.facts_message), the options in the order the
    segment gets; for a firm treatment the factual notice comes before the
    question."""
    text, buttons = facts
    ordered, notice = await options_in_order(account_id, buttons)
    if notice and text.endswith(replies.FACTS_QUESTION):
        text = text[: -len(replies.FACTS_QUESTION)] + replies.CONSEQUENCES + replies.FACTS_QUESTION
    return text, ordered
