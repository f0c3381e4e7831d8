"""The bot chooses by segment (issue 13): which plan it shows first, which
option it puts first after stating the account, and whether the factual
notice comes with it, all read from the segment-to-treatment table
(bot/assessment/treatments.yml), so supervisors change the choice by
changing the configuration, not the code.

Plain Python over values: the bot's actions (bot/actions/segment.py) pass
in the current segment (bot/db/assessments.current_segment) and the options
the policy already allows (bot/core/policy.py). Nothing here adds an
option, changes a figure or skips the compliance guard; it only orders
what is allowed and may add the factual notice.

What the table's treatment means in the conversation:

- ``offer: hardship_plan`` (willing but unable, and unwilling and unable
  by default): the longest compliant plan first (the lowest monthly
  payment), and "I have difficulties" (the hardship review) first among
  the options. Never the factual notice: no pressure on people who cannot
  pay (treatments.py refuses a firm tone for them).
- ``offer: installment``: the plan options shortest first (today's order),
  "apply for instalments" first among the options.
- ``tone: firm`` (able but unwilling): the options in today's order, and the
  factual notice (interest, fees, the credit record: ``replies.CONSEQUENCES``)
  after the account's facts. Firm means facts, never a threat.
- anything else, and an unknown segment: today's order, nothing added.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, TypeVar

from bot.assessment import treatments
from bot.core.assessment import SEGMENT_UNKNOWN, SEGMENTS

T = TypeVar("T")

# The payloads of the options after the account's facts (replies.FACTS_BUTTONS).
HARDSHIP_PAYLOAD = "/inform_hardship"
INSTALLMENT_PAYLOAD = "/request_installment"


@dataclass(frozen=True)
class Choice:
    segment: str
    treatment: treatments.Treatment
    longest_plan_first: bool
    first_option: Optional[str]  # a payload to move to the front, or None
    factual_notice: bool


def choice_for(segment: Optional[str], table: Optional[Dict[str, treatments.Treatment]] = None) -> Choice:
    """What the treatment table says for ``segment`` (unknown when None or
    not a segment)."""
    seg = segment if segment in SEGMENTS else SEGMENT_UNKNOWN
    t = (table if table is not None else treatments.load())[seg]
    hardship = t.offer == "hardship_plan"
    first = HARDSHIP_PAYLOAD if hardship else INSTALLMENT_PAYLOAD if t.offer == "installment" else None
    return Choice(
        segment=seg,
        treatment=t,
        longest_plan_first=hardship,
        first_option=first,
        # The table cannot make a firm tone reach people who cannot pay
        # (treatments.from_mapping), and the hardship offer never carries it.
        factual_notice=t.tone == "firm" and not hardship,
    )


def order_plans(choice: Choice, quotes: Sequence[T]) -> List[T]:
    """The plans the policy allows (shortest first), in the order to show."""
    if choice.longest_plan_first:
        return sorted(quotes, key=lambda q: getattr(q, "months"), reverse=True)
    return list(quotes)


def order_options(choice: Choice, buttons: Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """(title, payload) options, the treatment's first option moved to the front."""
    if choice.first_option is None:
        return list(buttons)
    first = [b for b in buttons if b[1] == choice.first_option]
    return first + [b for b in buttons if b[1] != choice.first_option]
